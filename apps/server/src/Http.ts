/**
 * The handlers of the contract: each turns an HTTP request into a call on the
 * event store port or a pure projection of the domain state, and the store's
 * and the domain's typed errors into the contract's statuses. No business
 * rule lives here beyond who may append what (`Access`).
 */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import type { HttpServerRequest } from "@effect/platform"
import { Api, ApiError, Security } from "@kehoach/api"
import type { Resources } from "@kehoach/api"
import { Backdated, Compliance, Coverage, Events, Explain, Hierarchy, Relevance, State, Time } from "@kehoach/domain"
import { EventStore, Ndjson } from "@kehoach/store"
import { Clock, Context, Deferred, Effect, Either, Layer, Redacted, Schedule, Stream } from "effect"
import * as Access from "./Access.js"
import * as Body from "./Body.js"
import * as Dashboard from "./Dashboard.js"
import * as DueHttp from "./DueHttp.js"
import * as Filing from "./Filing.js"
import * as GroupCommit from "./GroupCommit.js"
import * as ProjectionCache from "./ProjectionCache.js"
import * as ProofsHttp from "./ProofsHttp.js"
import * as Tokens from "./Tokens.js"

/** Limits and timings of the server. */
export interface Limits {
  /** Largest body of `POST /events`, in bytes (default 1 MiB). */
  readonly maxBodyBytes: number
  /** Largest body of `POST /import`, in bytes (default 1 GiB). */
  readonly maxImportBytes: number
  /** How often an idle event stream sends a keep-alive comment, in milliseconds (default 15 s). */
  readonly heartbeatMillis: number
  /** Most live tails (`GET /events/stream`) open at once; one more is a 503 (default 100). */
  readonly maxTails: number
  /** How long a body may stop arriving before the request is cut with 408, in milliseconds (default 30 s). */
  readonly bodyIdleMillis: number
  /** How far back a clerk may date a report received on paper, in days (default 60); an admin may go further. */
  readonly backdatingDays: number
}

/** The defaults of `Limits`. */
export const defaultLimits: Limits = {
  maxBodyBytes: 1024 * 1024,
  maxImportBytes: 1024 * 1024 * 1024,
  heartbeatMillis: 15_000,
  maxTails: 100,
  bodyIdleMillis: 30_000,
  backdatingDays: Filing.defaultBackdatingDays
}

/** The limits in force. */
export class Config extends Context.Tag("@kehoach/server/Config")<Config, Limits>() {}

/**
 * Completed when the server begins to shut down, so that live event streams
 * end and their connections close instead of holding the shutdown open.
 */
export class Closing extends Context.Tag("@kehoach/server/Closing")<Closing, Deferred.Deferred<void>>() {}

/** A fresh `Closing` signal. */
export const layerClosing: Layer.Layer<Closing> = Layer.effect(Closing, Deferred.make<void>())

/** The bearer-token middleware, backed by the tokens file. */
export const AuthorizationLive = Layer.effect(
  Security.Authorization,
  Effect.map(Tokens.Tokens, (tokens) =>
    Security.Authorization.of({
      bearer: (token) => {
        const value = Redacted.value(token)
        const actor = value === "" ? undefined : tokens.lookup(value)
        return actor !== undefined
          ? Effect.succeed(actor)
          : Effect.fail(
              new ApiError.Unauthorized({
                message:
                  value === ""
                    ? "a bearer token is required (Authorization: Bearer <token>)"
                    : "the bearer token is not known"
              })
            )
      }
    })
  )
)

// ---------------------------------------------------------------------------
// Helpers

/** The view of a query's `asOf` and `knownAt`, an absent one meaning now (the domain's rule, on the server's clock). */
const view = (urlParams: { readonly asOf?: number | undefined; readonly knownAt?: number | undefined }) =>
  Effect.map(Clock.currentTimeMillis, (now) => State.viewOf(urlParams, now))

const notFound = (message: string) => new ApiError.NotFound({ message })

/** An event in the exported line shape, fields in the order of DOMAIN.md §5. */
export const exportedLine = (event: EventStore.StoredEvent): Resources.StoredEvent =>
  ({
    position: event.position,
    id: event.id,
    type: event.type,
    version: event.version,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    recordedBy: event.recordedBy,
    data: event.data,
    prevHash: event.prevHash,
    hash: event.hash
  }) as Resources.StoredEvent

const invalid = (field: string, reason: string) =>
  new ApiError.InvalidBody({ field, reason, message: field === "" ? reason : `${field}: ${reason}` })

/**
 * A report sent online may leave out its filing time: it is filed when the server receives it
 * (DOMAIN.md "Filing time"), so the receipt time is written in. A paper filing must state the
 * date it was received.
 */
const withReceipt = (item: unknown, receivedAt: string): unknown => {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return item
  const event = item as Record<string, unknown>
  if (event.type !== "ReportFiled" || event.occurredAt !== undefined) return item
  const data = event.data as Record<string, unknown> | undefined
  return typeof data === "object" && data !== null && data.channel === "paper"
    ? item
    : { ...event, occurredAt: receivedAt }
}

/**
 * Reads the body of `POST /events`: one event in the NDJSON line shape, or
 * `{ "events": [ … ], "expectedPosition"? }`; a field that is wrong is named
 * (`events.2.data.level`). A report filed online without a filing time is
 * given `receivedAt`.
 */
export const decodeAppend = (
  text: string,
  receivedAt: string
): Either.Either<
  { events: Array<Events.EventLine>; expectedPosition: number | undefined; batch: boolean },
  ApiError.InvalidBody
> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return Either.left(invalid("", `the body is ${Events.jsonSyntaxReason(e)}`))
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return Either.left(invalid("", 'expected a JSON object: one event, or { "events": [ … ] }'))
  }
  if (!("events" in json)) {
    const line = Events.decodeLine(withReceipt(json, receivedAt))
    return Either.isLeft(line)
      ? Either.left(invalid(line.left.field, line.left.reason))
      : Either.right({ events: [line.right], expectedPosition: undefined, batch: false })
  }
  const batch = json as Record<string, unknown>
  for (const key of Object.keys(batch)) {
    if (key !== "events" && key !== "expectedPosition") return Either.left(invalid(key, "is not a field of a batch"))
  }
  const expectedPosition = batch.expectedPosition
  if (
    expectedPosition !== undefined &&
    (typeof expectedPosition !== "number" || !Number.isSafeInteger(expectedPosition) || expectedPosition < 0)
  ) {
    return Either.left(
      invalid("expectedPosition", `expected a whole number >= 0, got ${JSON.stringify(expectedPosition)}`)
    )
  }
  if (!Array.isArray(batch.events)) return Either.left(invalid("events", "expected an array of events"))
  const events: Array<Events.EventLine> = []
  for (const [i, item] of batch.events.entries()) {
    const line = Events.decodeLine(withReceipt(item, receivedAt))
    if (Either.isLeft(line)) {
      return Either.left(
        invalid(line.left.field === "" ? `events.${i}` : `events.${i}.${line.left.field}`, line.left.reason)
      )
    }
    events.push(line.right)
  }
  return Either.right({ events, expectedPosition: expectedPosition as number | undefined, batch: true })
}

const toProposed = (line: Events.EventLine): Events.ProposedEvent =>
  ({ type: line.type, data: line.data, occurredAt: line.occurredAt, id: line.id }) as Events.ProposedEvent

const appendError = (error: EventStore.AppendError) => {
  switch (error._tag) {
    case "InvalidEvent":
      return invalid(error.field, error.reason)
    case "ConcurrencyConflict":
      return new ApiError.ConcurrencyConflict({
        expectedPosition: error.expectedPosition,
        actualPosition: error.actualPosition,
        message: error.message
      })
    case "IdConflict":
      return new ApiError.IdConflict({ id: error.id, position: error.position, message: error.message })
    case "AppendForbidden":
      return new ApiError.Forbidden({ message: error.message })
    default:
      return new ApiError.Rejected({ rule: error._tag, message: error.message, violation: error })
  }
}

const sse = (event: EventStore.StoredEvent): string =>
  `id: ${event.position}\nevent: ${event.type}\ndata: ${JSON.stringify(exportedLine(event))}\n\n`

/** The position a reconnecting client last saw; a header that is not one is a 400, not a silent restart at the end. */
const lastEventId = (
  request: HttpServerRequest.HttpServerRequest
): Either.Either<number | undefined, ApiError.InvalidQuery> => {
  const header = request.headers["last-event-id"]
  if (header === undefined || header === "") return Either.right(undefined)
  const n = /^[0-9]+$/.test(header) ? Number(header) : NaN
  if (Number.isSafeInteger(n)) return Either.right(n)
  const reason = `expected a position (a whole number >= 0), got ${JSON.stringify(header.slice(0, 40))}`
  return Either.left(
    new ApiError.InvalidQuery({ field: "Last-Event-ID", reason, message: `header Last-Event-ID: ${reason}` })
  )
}

// ---------------------------------------------------------------------------
// Groups

/** `POST /events`, `POST /import`, `GET /events`, `GET /events/stream`. */
export const EventsLive = HttpApiBuilder.group(Api.Api, "events", (handlers) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const limits = yield* Config
    const closing = yield* Closing
    const group = yield* GroupCommit.GroupCommit
    const encoder = new TextEncoder()
    // Live tails running now: each holds a connection and a fiber for as long as its client stays.
    let tails = 0
    return handlers
      .handleRaw("append", ({ request }) =>
        Effect.gen(function* () {
          const actor = yield* Security.CurrentActor
          if (actor.role === "auditor") {
            return yield* new ApiError.Forbidden({ message: `${actor.actor} is an auditor and cannot append events` })
          }
          const text = yield* Body.text(request, limits.maxBodyBytes, limits.bodyIdleMillis)
          // The filing rule on the server's clock at receipt: an online report is filed now (DOMAIN.md "Filing time").
          const received = yield* Clock.currentTimeMillis
          const decoded = yield* decodeAppend(text, Time.formatInstant(received))
          const { expectedPosition } = decoded
          const events: Array<Events.EventLine> = []
          for (const [i, line] of decoded.events.entries()) {
            const taken = Filing.receive(
              line,
              actor,
              received,
              limits.backdatingDays,
              decoded.batch ? `events.${i}` : ""
            )
            if ("_tag" in taken && taken._tag === "Invalid") {
              const { violation } = taken
              return yield* new ApiError.Rejected({ rule: violation._tag, message: violation.message, violation })
            }
            if ("_tag" in taken && taken._tag === "Forbidden") {
              return yield* new ApiError.Forbidden({ message: taken.message })
            }
            events.push(taken as Events.EventLine)
          }
          // Checked by the store inside its lock, on the state it decides on: no other append can move a unit
          // in between (a check on the state before the lock as well would cost every append a second wait).
          const authorize: EventStore.Authorize | undefined =
            actor.role === "admin" ? undefined : (state, evs) => Access.appendDenied(state, actor, evs)
          // A single event without an expected position can share a transaction with concurrent ones.
          const result = yield* (
            events.length === 1 && expectedPosition === undefined
              ? group.appendOne(toProposed(events[0]!), actor.actor, authorize)
              : store.append(events.map(toProposed), { recordedBy: actor.actor, expectedPosition, authorize })
          ).pipe(Effect.mapError(appendError))
          // The stored events are the contract's lines already: send them without re-encoding.
          return HttpServerResponse.unsafeJson({
            appended: result.appended,
            position: result.position,
            events: result.events.map(exportedLine)
          })
        })
      )
      .handleRaw("import", ({ request }) =>
        Effect.gen(function* () {
          const actor = yield* Security.CurrentActor
          if (actor.role !== "admin") {
            return yield* new ApiError.Forbidden({
              message: `${actor.actor} is an ${actor.role}: only an admin imports`
            })
          }
          yield* Body.checkLength(request, limits.maxImportBytes)
          // The body is spooled to a temporary file first: the store's lock is then held for the
          // import itself, not for the upload (a slow client would otherwise stall every append).
          return yield* Effect.scoped(
            Effect.gen(function* () {
              const file = yield* Body.spool(request, limits.maxImportBytes, limits.bodyIdleMillis)
              return yield* store
                .importLines(Ndjson.linesOfFile(file, { maxLineBytes: store.maxEventBytes }), {
                  recordedBy: actor.actor
                })
                .pipe(
                  Effect.mapError(
                    (error) =>
                      new ApiError.ImportRejected({ line: error.line, reason: error.reason, message: error.message })
                  )
                )
            })
          )
        })
      )
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const limit = Math.min(urlParams.limit ?? 1000, 10_000)
          const from = urlParams.from ?? 0
          const events =
            limit === 0
              ? []
              : yield* store.read({
                  from,
                  limit,
                  type: urlParams.type,
                  unitId: urlParams.unitId,
                  planId: urlParams.planId
                })
          const next = events.length === limit && limit > 0 ? events[events.length - 1]!.position : null
          return { events: events.map(exportedLine), next }
        })
      )
      .handle("stream", ({ request, urlParams }) =>
        Effect.gen(function* () {
          if (tails >= limits.maxTails) {
            return yield* new ApiError.Unavailable({
              limit: limits.maxTails,
              message: `${limits.maxTails} live tails are open, the most this server keeps: try again later`
            })
          }
          const from = urlParams.from ?? (yield* lastEventId(request)) ?? (yield* store.position)
          const heartbeat = Stream.fromSchedule(Schedule.spaced(limits.heartbeatMillis)).pipe(
            Stream.map(() => ": keep-alive\n\n")
          )
          const body = Stream.make(`: events after position ${from}\n\n`).pipe(
            Stream.concat(Stream.merge(Stream.map(store.tail(from), sse), heartbeat, { haltStrategy: "left" })),
            Stream.interruptWhen(Deferred.await(closing)),
            Stream.map((s) => encoder.encode(s))
          )
          // Counted while the stream runs (from its first byte to its end), so a response never sent leaks no slot.
          const counted = Stream.unwrapScoped(
            Effect.as(
              Effect.acquireRelease(
                Effect.sync(() => void tails++),
                () => Effect.sync(() => void tails--)
              ),
              body
            )
          )
          return HttpServerResponse.stream(counted, {
            contentType: "text/event-stream",
            // `connection: close`: when the stream ends (shutdown), the socket closes with it instead of idling.
            headers: { "cache-control": "no-cache", "x-accel-buffering": "no", connection: "close" }
          })
        })
      )
  })
)

/** `GET /compliance`, `GET /coverage`, `GET /explain`. */
export const ProjectionsLive = HttpApiBuilder.group(Api.Api, "projections", (handlers) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const cache = ProjectionCache.make(64)
    // The cached parts are written as they are: no 400 KiB string joined and copied per request.
    const json = (body: ProjectionCache.Body) =>
      HttpServerResponse.stream(Stream.fromIterable(body), {
        contentType: "application/json",
        contentLength: body.reduce((n, part) => n + part.byteLength, 0)
      })
    return handlers
      .handle("compliance", ({ urlParams }) =>
        Effect.gen(function* () {
          const { asOf, knownAt } = yield* view(urlParams)
          const { depth, planId, schedule, unit } = urlParams
          const answer = yield* store.project(Relevance.compliance(planId), (state) =>
            cache.json(state, "compliance", { planId, asOf, unit, depth, schedule }, knownAt, () =>
              Either.match(Compliance.project(state, { planId, asOf, knownAt, unit, depth, schedule }), {
                onLeft: (error) => ({ ok: false as const, error }),
                // The domain's object is exactly the contract's JSON.
                onRight: (value) => ({ ok: true as const, value })
              })
            )
          )
          if (!answer.ok) return yield* notFound(answer.error.message)
          return json(answer.body)
        })
      )
      .handle("coverage", ({ urlParams }) =>
        Effect.gen(function* () {
          const { asOf, knownAt } = yield* view(urlParams)
          const state = yield* store.state
          const { depth, kind, planId, tag, unit } = urlParams
          const answer = cache.json(state, "coverage", { asOf, kind, tag, planId, unit, depth }, knownAt, () =>
            Either.match(Coverage.project(state, { asOf, knownAt, kind, tag, planId, unit, depth }), {
              onLeft: (error) => ({ ok: false as const, error }),
              // The contract's rows: the domain's without `parentId`.
              onRight: (coverage) => ({ ok: true as const, value: Coverage.toContract(coverage) })
            })
          )
          if (!answer.ok) return yield* notFound(answer.error.message)
          return json(answer.body)
        })
      )
      .handle("explain", ({ urlParams }) =>
        Effect.gen(function* () {
          const { asOf, knownAt } = yield* view(urlParams)
          if (urlParams.planId !== undefined) {
            if (urlParams.scheduleId === undefined || urlParams.period === undefined) {
              const field = urlParams.scheduleId === undefined ? "scheduleId" : "period"
              return yield* new ApiError.InvalidQuery({
                field,
                reason: "an obligation is named by planId, unitId, scheduleId and period",
                message: `${field} is required with planId`
              })
            }
            const query = {
              planId: urlParams.planId,
              unitId: urlParams.unitId,
              scheduleId: urlParams.scheduleId,
              period: urlParams.period,
              asOf,
              knownAt
            }
            const result = yield* store.project(Relevance.compliance(query.planId), (state) =>
              Explain.obligation(state, query)
            )
            if (Either.isLeft(result)) return yield* notFound(result.left.message)
            return result.right
          }
          const state = yield* store.state
          const result = Explain.coverage(state, {
            unitId: urlParams.unitId,
            asOf,
            knownAt,
            kind: urlParams.kind,
            tag: urlParams.tag
          })
          if (Either.isLeft(result)) return yield* notFound(result.left.message)
          return result.right
        })
      )
  })
)

/** `GET /verify`, `GET /digest`. */
export const ChainLive = HttpApiBuilder.group(Api.Api, "chain", (handlers) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    return handlers
      .handle("verify", ({ urlParams }) => {
        const { hash, position } = urlParams
        if ((hash === undefined) !== (position === undefined)) {
          const field = hash === undefined ? "hash" : "position"
          return Effect.fail(
            new ApiError.InvalidQuery({
              field,
              reason: "a kept digest is a position and a hash",
              message: `${field} is required with ${field === "hash" ? "position" : "hash"}`
            })
          )
        }
        return store.verify(hash === undefined || position === undefined ? undefined : { hash, position })
      })
      .handle("digest", () => store.digest)
      .handle("backdated", ({ urlParams }) =>
        Effect.map(store.read({ type: "ReportFiled", planId: urlParams.planId, unitId: urlParams.unitId }), (events) =>
          Backdated.list(events, urlParams.over ?? 0)
        )
      )
  })
)

const planSummary = (plan: State.PlanRecord): Resources.PlanSummary => ({
  planId: plan.planId,
  documentNumber: plan.documentNumber,
  title: plan.title,
  issuerId: plan.issuerId,
  parentPlanId: plan.parentPlanId ?? null,
  effectiveFrom: plan.effectiveFrom,
  effectiveUntil: plan.effectiveUntil,
  issuedAt: Time.formatInstant(plan.issued.at),
  position: plan.issued.position
})

/** `GET /plans`, `GET /plans/:planId`. */
export const PlansLive = HttpApiBuilder.group(Api.Api, "plans", (handlers) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    return handlers
      .handle("list", () => Effect.map(store.state, (state) => State.plans(state).map(planSummary)))
      .handle("get", ({ path }) =>
        Effect.gen(function* () {
          const state = yield* store.state
          const plan = State.plan(state, path.planId)
          if (plan === undefined) return yield* notFound(`plan ${path.planId} is not issued`)
          return {
            ...planSummary(plan),
            basis: plan.basis,
            tasks: plan.tasks,
            schedules: plan.schedules,
            assignments: [...State.assignmentsOf(plan).values()]
              .sort((a, b) => a.stamp.position - b.stamp.position)
              .map((a) => ({
                unitId: a.unitId,
                assignedAt: Time.formatInstant(a.stamp.at),
                position: a.stamp.position,
                schedules: a.scheduleIds,
                tasks: a.tasks ?? null,
                subPlanDueBy: a.subPlanDueBy ?? null
              })),
            subPlans: State.subPlansOf(plan).map((p) => ({ planId: p.planId, issuerId: p.issuerId }))
          }
        })
      )
  })
)

/** `GET /units/:unitId`, `GET /units/:unitId/subtree`. */
export const UnitsLive = HttpApiBuilder.group(Api.Api, "units", (handlers) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    return handlers
      .handle("get", ({ path }) =>
        Effect.gen(function* () {
          const state = yield* store.state
          const unit = State.unit(state, path.unitId)
          if (unit === undefined) return yield* notFound(`unit ${path.unitId} is not registered`)
          return {
            unitId: unit.unitId,
            name: unit.name,
            level: unit.level,
            tags: unit.tags,
            registeredAt: Time.formatInstant(unit.registered.at),
            position: unit.registered.position,
            parents: unit.parents.map((p) => ({ parentId: p.parentId ?? null, from: Time.formatInstant(p.stamp.at) })),
            closedAt: unit.closed === undefined ? null : Time.formatInstant(unit.closed.stamp.at),
            successorId: unit.closed?.successorId ?? null
          }
        })
      )
      .handle("subtree", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const v = yield* view(urlParams)
          const state = yield* store.state
          const units = Hierarchy.subtreeAt(state, path.unitId, v, urlParams.depth)
          if (units === undefined)
            return yield* notFound(`unit ${path.unitId} is not open at ${Time.formatInstant(v.asOf)}`)
          return {
            unitId: path.unitId,
            asOf: Time.formatInstant(v.asOf),
            knownAt: Time.formatInstant(v.knownAt),
            units
          }
        })
      )
  })
)

/** `GET /health`. */
export const HealthLive = HttpApiBuilder.group(Api.Api, "health", (handlers) =>
  handlers.handle("health", () => Effect.succeed({ status: "ok" as const }))
)

/** The whole contract implemented, needing the store, the tokens, the limits and the closing signal. */
export const ApiLive = HttpApiBuilder.api(Api.Api).pipe(
  Layer.provide([
    EventsLive,
    ProjectionsLive,
    ChainLive,
    PlansLive,
    UnitsLive,
    DueHttp.DueLive,
    HealthLive,
    Dashboard.DashboardLive,
    ProofsHttp.ProofsLive
  ]),
  Layer.provide([AuthorizationLive, GroupCommit.layer])
)
