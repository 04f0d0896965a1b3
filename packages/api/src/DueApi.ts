/**
 * `GET /due`: the due list of a plan (the domain's `Due.list`), the same JSON
 * as `kehoach due --format json`. In its own group so the projections' group
 * stays as it is.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Due, Time } from "@kehoach/domain"
import { Schema } from "effect"
import * as ApiError from "./ApiError.js"
import { Authorization } from "./Security.js"

const Id = Schema.String.pipe(Schema.minLength(1))

/** Obligations not filed yet that fall due within a window, and those overdue, unit by unit. */
export class DueGroup extends HttpApiGroup.make("due")
  .add(
    HttpApiEndpoint.get("due", "/due")
      .setUrlParams(
        Schema.Struct({
          planId: Id,
          within: Schema.optionalWith(Due.Window, { exact: true }),
          asOf: Schema.optionalWith(Time.QueryTime, { exact: true }),
          knownAt: Schema.optionalWith(Time.QueryTime, { exact: true }),
          unit: Schema.optionalWith(Id, { exact: true }),
          schedule: Schema.optionalWith(Id, { exact: true })
        })
      )
      .addSuccess(Due.DueList)
      .addError(ApiError.NotFound)
      .annotate(
        OpenApi.Summary,
        "Obligations of a plan due within a window (within=7d, the default) and overdue, by unit (kehoach due --format json)"
      )
  )
  .middleware(Authorization) {}
