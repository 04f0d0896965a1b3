/**
 * The HTTP contract of kehoach (DOMAIN.md §5), shared by the server, the CLI
 * and outside clients: every endpoint, its query, body, answer and errors.
 * The server serves it; `/openapi.json` and `/docs` are generated from it.
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Backdated, Due, Events, Time } from "@kehoach/domain"
import { Schema } from "effect"
import * as ApiError from "./ApiError.js"
import * as DashboardApi from "./DashboardApi.js"
import { DueGroup } from "./DueApi.js"
import { ProofsGroup } from "./ProofsApi.js"
import * as Resources from "./Resources.js"
import { Authorization } from "./Security.js"

/**
 * A query time (`asOf`, `knownAt`): the domain's `Time.QueryTime`, a full ISO
 * instant with offset or `YYYY-MM-DD` meaning the end of that day in
 * Asia/Ho_Chi_Minh, decoded to epoch milliseconds as the CLI decodes it.
 */
export const QueryTime = Time.QueryTime

/** A whole number >= 0 in a query string. */
export const Count = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()).annotations({
  message: (issue) => ({
    message: `expected a whole number >= 0, got ${JSON.stringify(issue.actual)}`,
    override: true
  })
})

const Id = Schema.String.pipe(Schema.minLength(1))

/** The log: append, import, read, and a live tail. */
export class EventsGroup extends HttpApiGroup.make("events")
  .add(
    HttpApiEndpoint.post("append", "/events")
      .setPayload(Resources.AppendRequest)
      .addSuccess(Resources.AppendResult)
      .addError(ApiError.InvalidBody)
      .addError(ApiError.PayloadTooLarge)
      .addError(ApiError.RequestTimeout)
      .addError(ApiError.Forbidden)
      .addError(ApiError.ConcurrencyConflict)
      .addError(ApiError.IdConflict)
      .addError(ApiError.Rejected)
      .annotate(OpenApi.Summary, "Append one event, or a batch atomically (idempotent by event id)")
  )
  .add(
    HttpApiEndpoint.post("import", "/import")
      .setPayload(HttpApiSchema.Text({ contentType: "application/x-ndjson" }))
      .addSuccess(Resources.ImportResult)
      .addError(ApiError.ImportRejected)
      .addError(ApiError.PayloadTooLarge)
      .addError(ApiError.RequestTimeout)
      .addError(ApiError.Forbidden)
      .annotate(OpenApi.Summary, "Import an NDJSON log, all or nothing (admin only)")
  )
  .add(
    HttpApiEndpoint.get("list", "/events")
      .setUrlParams(
        Schema.Struct({
          from: Schema.optionalWith(Count, { exact: true }).annotations({
            description:
              "return events after this position, exclusive (default 0: from the first); the `next` of a page"
          }),
          limit: Schema.optionalWith(Count, { exact: true }).annotations({
            description: "at most this many (default 1000, at most 10000)"
          }),
          type: Schema.optionalWith(Schema.Literal(...Events.eventTypes), { exact: true }),
          unitId: Schema.optionalWith(Id, { exact: true }),
          planId: Schema.optionalWith(Id, { exact: true })
        })
      )
      .addSuccess(Resources.EventPage)
      .annotate(OpenApi.Summary, "Read the log by position, type, unit or plan")
  )
  .add(
    HttpApiEndpoint.get("stream", "/events/stream")
      .setUrlParams(
        Schema.Struct({
          from: Schema.optionalWith(Count, { exact: true }).annotations({
            description: "send events after this position (default: the current end)"
          })
        })
      )
      .addSuccess(HttpApiSchema.Text({ contentType: "text/event-stream" }))
      .addError(ApiError.Unavailable)
      .annotate(
        OpenApi.Description,
        "Server-sent events: every stored event after `from` (or after `Last-Event-ID`), then each new one as it is " +
          "appended. Each message has `id:` the position, `event:` the type, `data:` the event as one JSON line."
      )
      .annotate(OpenApi.Summary, "Live tail of the log")
  )
  .middleware(Authorization) {}

/** The projections of DOMAIN.md §4, with the same JSON as the CLI. */
export class ProjectionsGroup extends HttpApiGroup.make("projections")
  .add(
    HttpApiEndpoint.get("compliance", "/compliance")
      .setUrlParams(
        Schema.Struct({
          planId: Id,
          asOf: Schema.optionalWith(QueryTime, { exact: true }),
          knownAt: Schema.optionalWith(QueryTime, { exact: true }),
          unit: Schema.optionalWith(Id, { exact: true }),
          depth: Schema.optionalWith(Count, { exact: true }),
          schedule: Schema.optionalWith(Id, { exact: true })
        })
      )
      .addSuccess(Resources.Compliance)
      .addError(ApiError.NotFound)
      .annotate(OpenApi.Summary, "Compliance of a plan (kehoach compliance --format json)")
  )
  .add(
    HttpApiEndpoint.get("coverage", "/coverage")
      .setUrlParams(
        Schema.Struct({
          asOf: Schema.optionalWith(QueryTime, { exact: true }),
          knownAt: Schema.optionalWith(QueryTime, { exact: true }),
          unit: Schema.optionalWith(Id, { exact: true }),
          depth: Schema.optionalWith(Count, { exact: true }),
          kind: Schema.optionalWith(Id, { exact: true }),
          tag: Schema.optionalWith(Id, { exact: true }),
          planId: Schema.optionalWith(Id, { exact: true })
        })
      )
      .addSuccess(Resources.Coverage)
      .addError(ApiError.NotFound)
      .annotate(OpenApi.Summary, "Coverage of models over residential areas (kehoach coverage --format json)")
  )
  .add(
    HttpApiEndpoint.get("explain", "/explain")
      .setUrlParams(
        Schema.Struct({
          planId: Schema.optionalWith(Id, { exact: true }),
          unitId: Id,
          scheduleId: Schema.optionalWith(Id, { exact: true }),
          period: Schema.optionalWith(Id, { exact: true }),
          kind: Schema.optionalWith(Id, { exact: true }),
          tag: Schema.optionalWith(Id, { exact: true }),
          asOf: Schema.optionalWith(QueryTime, { exact: true }),
          knownAt: Schema.optionalWith(QueryTime, { exact: true })
        })
      )
      .addSuccess(Resources.Explanation)
      .addError(ApiError.NotFound)
      .addError(ApiError.InvalidQuery)
      .annotate(
        OpenApi.Description,
        "With `planId`, `scheduleId` and `period`: the events behind one obligation. Without `planId`: the events " +
          "behind one unit's coverage row (optionally of a model `kind` and a `tag`)."
      )
      .annotate(OpenApi.Summary, "The events behind an obligation or a coverage figure")
  )
  .middleware(Authorization) {}

/** The hash chain: verify it, or take a digest to check later. */
export class ChainGroup extends HttpApiGroup.make("chain")
  .add(
    HttpApiEndpoint.get("verify", "/verify")
      .setUrlParams(
        Schema.Struct({
          position: Schema.optionalWith(Count, { exact: true }).annotations({
            description: "a kept digest's position"
          }),
          hash: Schema.optionalWith(Schema.String, { exact: true }).annotations({ description: "a kept digest's hash" })
        })
      )
      .addSuccess(Resources.VerifyResult)
      .addError(ApiError.InvalidQuery)
      .annotate(OpenApi.Summary, "Walk the hash chain (and check it still extends a kept digest)")
  )
  .add(
    HttpApiEndpoint.get("digest", "/digest")
      .addSuccess(Resources.Digest)
      .annotate(OpenApi.Summary, "The position and hash of the last event")
  )
  .add(
    HttpApiEndpoint.get("backdated", "/audit/backdated")
      .setUrlParams(
        Schema.Struct({
          over: Schema.optionalWith(Due.Window, { exact: true }).annotations({
            description:
              "list reports recorded more than this after their filing time: days (3d, 3) or weeks (2w); default 0"
          }),
          planId: Schema.optionalWith(Id, { exact: true }),
          unitId: Schema.optionalWith(Id, { exact: true })
        })
      )
      .addSuccess(Backdated.Backdated)
      .addError(ApiError.InvalidQuery)
      .annotate(
        OpenApi.Summary,
        "Reports whose filing time precedes their recording by more than a window, by unit (decision 0013)"
      )
  )
  .middleware(Authorization) {}

/** Plans as the log knows them. */
export class PlansGroup extends HttpApiGroup.make("plans")
  .add(
    HttpApiEndpoint.get("list", "/plans")
      .addSuccess(Schema.Array(Resources.PlanSummary))
      .annotate(OpenApi.Summary, "Every plan issued")
  )
  .add(
    HttpApiEndpoint.get("get", "/plans/:planId")
      .setPath(Schema.Struct({ planId: Schema.String }))
      .addSuccess(Resources.PlanDetail)
      .addError(ApiError.NotFound)
      .annotate(OpenApi.Summary, "A plan with its schedules, assignments and sub-plans")
  )
  .middleware(Authorization) {}

/** Units of the hierarchy. */
export class UnitsGroup extends HttpApiGroup.make("units")
  .add(
    HttpApiEndpoint.get("get", "/units/:unitId")
      .setPath(Schema.Struct({ unitId: Schema.String }))
      .addSuccess(Resources.Unit)
      .addError(ApiError.NotFound)
      .annotate(OpenApi.Summary, "A unit and its history")
  )
  .add(
    HttpApiEndpoint.get("subtree", "/units/:unitId/subtree")
      .setPath(Schema.Struct({ unitId: Schema.String }))
      .setUrlParams(
        Schema.Struct({
          asOf: Schema.optionalWith(QueryTime, { exact: true }),
          knownAt: Schema.optionalWith(QueryTime, { exact: true }),
          depth: Schema.optionalWith(Count, { exact: true })
        })
      )
      .addSuccess(Resources.Subtree)
      .addError(ApiError.NotFound)
      .annotate(OpenApi.Summary, "The open units under a unit as the hierarchy stood at asOf")
  )
  .middleware(Authorization) {}

/** Liveness, without a token. */
export class HealthGroup extends HttpApiGroup.make("health").add(
  HttpApiEndpoint.get("health", "/health").addSuccess(Resources.Health)
) {}

/**
 * The OpenAPI document without the framework's `HttpApiDecodeError`: the
 * server answers a parameter it cannot read with `InvalidQuery` (one line
 * naming it), so the document lists only the error a client gets.
 */
// The OpenAPI document is plain JSON of any shape: walked as such.
/* eslint-disable @typescript-eslint/no-explicit-any */
export const withoutDecodeError = (spec: Record<string, any>): Record<string, any> => {
  const ref = "#/components/schemas/HttpApiDecodeError"
  for (const operations of Object.values<Record<string, any>>(spec["paths"] ?? {})) {
    for (const operation of Object.values<Record<string, any>>(operations)) {
      const content = operation?.["responses"]?.["400"]?.["content"]?.["application/json"]
      const anyOf: Array<{ $ref?: string }> | undefined = content?.schema?.anyOf
      if (anyOf === undefined) continue
      const kept = anyOf.filter((s) => s.$ref !== ref)
      content.schema = kept.length === 1 ? kept[0] : { ...content.schema, anyOf: kept }
      operation["responses"]["400"]["description"] = "a body, query parameter or header that cannot be read"
    }
  }
  delete spec["components"]?.["schemas"]?.["HttpApiDecodeError"]
  return spec
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The whole contract. */
export class Api extends HttpApi.make("kehoach")
  .add(EventsGroup)
  .add(ProjectionsGroup)
  .add(ChainGroup)
  .add(ProofsGroup)
  .add(PlansGroup)
  .add(UnitsGroup)
  .add(DueGroup)
  .add(HealthGroup)
  .add(DashboardApi.DashboardGroup)
  .addError(ApiError.InternalError)
  // A query or path parameter that cannot be read, on every endpoint (the server answers it for the framework's decode error).
  .addError(ApiError.InvalidQuery)
  .annotate(OpenApi.Title, "kehoach")
  .annotate(
    OpenApi.Description,
    "Plans cascaded down an administrative hierarchy, and whether units comply. Every endpoint except /health needs " +
      "`Authorization: Bearer <token>`."
  )
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(OpenApi.Transform, withoutDecodeError) {}
