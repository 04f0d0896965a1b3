/**
 * The endpoints the dashboard (`apps/web`) needs beyond the projections of
 * DOMAIN.md §5: the compliance of a plan as a heat map's matrix, and who the
 * caller's token says it is (so a recorder's page opens on its own subtree).
 * Additive: no other endpoint changes.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Compliance, Time } from "@kehoach/domain"
import { Schema } from "effect"
import * as ApiError from "./ApiError.js"
import { Authorization, Role } from "./Security.js"

const Id = Schema.String.pipe(Schema.minLength(1))

// The same as Api.ts's QueryTime (not imported from there: Api.ts imports this module).
const QueryTime = Schema.String.pipe(
  Schema.filter((s) => Time.parseQueryTime(s) !== undefined, {
    message: (issue) =>
      `expected an ISO 8601 instant with offset or a date YYYY-MM-DD, got ${JSON.stringify(issue.actual)}`
  })
).annotations({ description: "ISO 8601 instant with offset, or YYYY-MM-DD (end of that day, Asia/Ho_Chi_Minh)" })

const Status = Schema.Literal("on-time", "late", "missing", "pending")

/**
 * The compliance of a plan as a matrix (`ComplianceMatrix` of the domain): a
 * column per (schedule, period) of the plan by deadline; a row per unit with
 * its totals and, per column, the counts `[onTime, late, missing, pending]` of
 * its subtree and the status of its own obligation (`null` cells: nothing owed).
 */
export const Matrix = Schema.Struct({
  planId: Schema.String,
  asOf: Schema.String,
  knownAt: Schema.String,
  columns: Schema.Array(Schema.Struct({ scheduleId: Schema.String, period: Schema.String, deadline: Schema.String })),
  rows: Schema.Array(
    Schema.Struct({
      unitId: Schema.String,
      name: Schema.String,
      level: Schema.String,
      parentId: Schema.NullOr(Schema.String),
      depth: Schema.Number,
      children: Schema.Number.annotations({ description: "how many child rows the unit has (0: a leaf)" }),
      total: Compliance.Counts,
      cells: Schema.Array(
        Schema.NullOr(
          Schema.Struct({
            counts: Schema.Tuple(Schema.Number, Schema.Number, Schema.Number, Schema.Number),
            own: Schema.NullOr(Status)
          })
        )
      )
    })
  )
}).annotations({ identifier: "ComplianceMatrix" })
export type Matrix = typeof Matrix.Type

/** The caller as its token says: actor, role, and a recorder's unit. */
export const Me = Schema.Struct({
  actor: Schema.String,
  role: Role,
  unitId: Schema.NullOr(Schema.String)
}).annotations({ identifier: "Me" })
export type Me = typeof Me.Type

/** `GET /compliance/matrix` and `GET /me`. */
export class DashboardGroup extends HttpApiGroup.make("dashboard")
  .add(
    HttpApiEndpoint.get("matrix", "/compliance/matrix")
      .setUrlParams(
        Schema.Struct({
          planId: Id,
          asOf: Schema.optionalWith(QueryTime, { exact: true }),
          knownAt: Schema.optionalWith(QueryTime, { exact: true }),
          unit: Schema.optionalWith(Id, { exact: true }),
          depth: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()), { exact: true })
        })
      )
      .addSuccess(Matrix)
      .addError(ApiError.NotFound)
      .annotate(OpenApi.Summary, "Compliance of a plan as a heat map: units by (schedule, period)")
  )
  .add(
    HttpApiEndpoint.get("me", "/me")
      .addSuccess(Me)
      .annotate(OpenApi.Summary, "Who the bearer token is: actor, role, and a recorder's unit")
  )
  .middleware(Authorization) {}
