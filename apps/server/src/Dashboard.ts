/**
 * The handlers of the dashboard's endpoints (`@kehoach/api`'s
 * `DashboardGroup`): the heat map's matrix, from the domain's
 * `ComplianceMatrix`, and the caller's identity.
 *
 * The page expands the tree a level at a time, asking for the same matrix
 * with another `unit`: the whole matrix of a (plan, view) is kept for the
 * last few views at the log's position and the rows selected from it, so a
 * national plan is projected once, not once per click.
 */
import { HttpApiBuilder } from "@effect/platform"
import { Api, ApiError, Security } from "@kehoach/api"
import { Compliance, ComplianceMatrix, Relevance, State, Time } from "@kehoach/domain"
import { EventStore } from "@kehoach/store"
import { Clock, Effect, Either } from "effect"

const capacity = 8

/** `GET /compliance/matrix`, `GET /me`. */
export const DashboardLive = HttpApiBuilder.group(Api.Api, "dashboard", (handlers) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const kept = new Map<string, ComplianceMatrix.Prepared>()
    return handlers
      .handle("matrix", ({ urlParams }) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const asOf = urlParams.asOf === undefined ? now : Time.parseQueryTime(urlParams.asOf)!
          const knownAt = urlParams.knownAt === undefined ? now : Time.parseQueryTime(urlParams.knownAt)!
          const answer = yield* store.project(Relevance.compliance(urlParams.planId), (state) => {
            const unknown = Compliance.requireUnit(state, urlParams.unit, { asOf, knownAt })
            if (unknown !== undefined) return Either.left(unknown.message)
            const latest = State.lastRecordedAt(state)
            const key = JSON.stringify([
              urlParams.planId,
              State.position(state),
              asOf,
              latest !== undefined && knownAt >= latest.at ? "latest" : knownAt
            ])
            let whole = kept.get(key)
            if (whole === undefined) {
              const result = ComplianceMatrix.prepare(state, { planId: urlParams.planId, asOf, knownAt })
              if (Either.isLeft(result)) return Either.left(result.left.message)
              whole = result.right
              kept.set(key, whole)
              if (kept.size > capacity) kept.delete(kept.keys().next().value!)
            }
            return Either.right(ComplianceMatrix.rows(whole, { unit: urlParams.unit, depth: urlParams.depth }))
          })
          if (Either.isLeft(answer)) return yield* new ApiError.NotFound({ message: answer.left })
          return { ...answer.right, knownAt: Time.formatInstant(knownAt) }
        })
      )
      .handle("me", () =>
        Effect.map(Security.CurrentActor, (actor) => ({
          actor: actor.actor,
          role: actor.role,
          unitId: actor.unitId ?? null
        }))
      )
  })
)
