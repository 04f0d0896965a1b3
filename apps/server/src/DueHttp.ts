/**
 * The handler of `GET /due`: the domain's due list on the store's state, the
 * view's absent times meaning now, a missing plan, unit or schedule a 404.
 */
import { HttpApiBuilder } from "@effect/platform"
import { Api, ApiError } from "@kehoach/api"
import { Due, Relevance, State } from "@kehoach/domain"
import { EventStore } from "@kehoach/store"
import { Clock, Effect, Either } from "effect"

/** `GET /due`. */
export const DueLive = HttpApiBuilder.group(Api.Api, "due", (handlers) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    return handlers.handle("due", ({ urlParams }) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const { asOf, knownAt } = State.viewOf(urlParams, now)
        const result = yield* store.project(Relevance.compliance(urlParams.planId), (state) =>
          Due.list(state, {
            planId: urlParams.planId,
            asOf,
            knownAt,
            withinDays: urlParams.within ?? 7,
            unit: urlParams.unit,
            schedule: urlParams.schedule
          })
        )
        if (Either.isLeft(result)) return yield* new ApiError.NotFound({ message: result.left.message })
        return result.right
      })
    )
  })
)
