/**
 * Due lists (what DHIS2 sends as notifications): the obligations of a plan
 * that fall due within a window after `asOf` and are not filed yet, and those
 * already overdue, unit by unit, with each unit's parent, the deadline and the
 * days left or late. Officers ask it before the 20th: who has not reported?
 *
 * Days are counted in local calendar days (Asia/Ho_Chi_Minh): on 13 April a
 * report due "before the 20th" has 7 days left (the 13th to the 19th); on
 * 20 April it is 1 day late, on the 21st 2 days late.
 */
import { Either, ParseResult, Schema } from "effect"
import { PlanNotFound, UnitNotFound, UnknownSchedule } from "./Errors.js"
import * as Hierarchy from "./Hierarchy.js"
import * as Compliance from "./Compliance.js"
import * as Obligations from "./Obligations.js"
import * as Plan from "./Plan.js"
import type { State, View } from "./State.js"
import { visible } from "./State.js"
import * as Time from "./Time.js"

const DAY_MS = 86_400_000

/**
 * A window as people write it: `7d` (days), `2w` (weeks) or a bare number of
 * days, decoded to a whole number of days from 0 to 366. One schema, so the
 * CLI's `--within` and the server's `within` accept the same texts.
 */
export const Window = Schema.transformOrFail(Schema.String, Schema.Number, {
  strict: true,
  decode: (text, _, ast) => {
    const match = /^(\d{1,3})([dw]?)$/.exec(text)
    const days = match === null ? undefined : Number(match[1]) * (match[2] === "w" ? 7 : 1)
    return days === undefined || days > 366
      ? ParseResult.fail(
          new ParseResult.Type(
            ast,
            text,
            `${JSON.stringify(text)} is not a window: give days (7d, or 7) or weeks (2w), at most 366 days`
          )
        )
      : ParseResult.succeed(days)
  },
  encode: (days) => ParseResult.succeed(`${days}d`)
}).annotations({ identifier: "Window", description: "Days (7d or 7) or weeks (2w), at most 366 days" })

/** One obligation on the list: the unit, its parent, what it owes and by when. */
export const DueRow = Schema.Struct({
  unitId: Schema.String,
  name: Schema.String,
  level: Schema.String,
  /** The parent as of `asOf`, to send the list up one level. */
  parentId: Schema.NullOr(Schema.String),
  parentName: Schema.NullOr(Schema.String),
  scheduleId: Schema.String,
  /** The schedule's kind; `sub-plan` for a plan the unit must issue, apart from reports. */
  kind: Schema.Literal("monthly", "once", "quarterly", "half-yearly", "yearly", "sub-plan"),
  period: Schema.String,
  deadline: Schema.String,
  /** `due`: not filed and due within the window; `overdue`: not filed and past its deadline. */
  status: Schema.Literal("due", "overdue"),
  /** Local days from `asOf`'s date to the deadline's (1 on the eve of the deadline); `null` when overdue. */
  daysLeft: Schema.NullOr(Schema.Number),
  /** Local days since the deadline, the deadline's own day counting 1; `null` when due. */
  daysLate: Schema.NullOr(Schema.Number)
}).annotations({ identifier: "DueRow" })
export type DueRow = typeof DueRow.Type

/** The due list of a plan: the same JSON for `kehoach due --format json` and `GET /due`. */
export const DueList = Schema.Struct({
  planId: Schema.String,
  asOf: Schema.String,
  knownAt: Schema.String,
  withinDays: Schema.Number,
  /** The rows, unit by unit in the order of the hierarchy (a parent before its children), then by deadline. */
  items: Schema.Array(DueRow)
}).annotations({ identifier: "DueList" })
export type DueList = typeof DueList.Type

/** What to list. */
export interface Query {
  readonly planId: string
  /** Valid time, epoch milliseconds. */
  readonly asOf: number
  /** Knowledge time, epoch milliseconds. */
  readonly knownAt: number
  /** Whole local days after `asOf`'s date. */
  readonly withinDays: number
  /** Only this unit and the units below it (as of `asOf`). */
  readonly unit?: string | undefined
  /** Only this schedule (a scheduleId of the plan, or `sub-plan`). */
  readonly schedule?: string | undefined
}

/** Local calendar days between the dates of two instants (`b`'s date minus `a`'s). */
const daysBetween = (a: number, b: number): number =>
  Math.floor((b + Time.zoneOffsetMs) / DAY_MS) - Math.floor((a + Time.zoneOffsetMs) / DAY_MS)

/**
 * The due list of a plan: every obligation not filed in the view whose
 * deadline is past (`overdue`) or falls within `withinDays` local days of
 * `asOf` (`due`), of the units still open at `asOf`. Errors as for compliance: `PlanNotFound`, `UnitNotFound`,
 * `UnknownSchedule`.
 */
export const list = (
  state: State,
  query: Query
): Either.Either<DueList, PlanNotFound | UnitNotFound | UnknownSchedule> => {
  const view: View = { asOf: query.asOf, knownAt: query.knownAt }
  const plan = state.plans.get(query.planId)
  if (plan === undefined || !visible(plan.issued, view)) {
    return Either.left(new PlanNotFound({ planId: query.planId, role: "plan" }))
  }
  const missing = Compliance.requireUnit(state, query.unit, view)
  if (missing !== undefined) return Either.left(missing)
  const schedule = query.schedule
  if (schedule !== undefined && schedule !== Plan.subPlanScheduleId && Plan.scheduleOf(plan, schedule) === undefined) {
    return Either.left(new UnknownSchedule({ planId: plan.planId, scheduleId: schedule }))
  }
  const rows: Array<{ readonly key: string; readonly deadline: number; readonly row: DueRow }> = []
  for (const o of Obligations.ofPlan(state, plan, view)) {
    if (o.status !== "missing" && o.status !== "pending") continue
    if (schedule !== undefined && o.scheduleId !== schedule) continue
    const days = daysBetween(query.asOf, o.deadline)
    if (o.status === "pending" && days > query.withinDays) continue
    const unit = state.units.get(o.unitId)
    // A unit closed by `asOf` can file nothing more: nobody is left to remind.
    if (unit === undefined || Hierarchy.closedAt(unit, query.asOf, view)) continue
    const ancestors = Hierarchy.ancestorsAt(state, o.unitId, query.asOf, view)
    if (query.unit !== undefined && o.unitId !== query.unit && !ancestors.includes(query.unit)) continue
    const parentId = ancestors[0] ?? null
    rows.push({
      key: [...ancestors].reverse().concat(o.unitId).join("\u0000"),
      deadline: o.deadline,
      row: {
        unitId: o.unitId,
        name: unit.name,
        level: unit.level,
        parentId,
        parentName: parentId === null ? null : (state.units.get(parentId)?.name ?? parentId),
        scheduleId: o.scheduleId,
        kind: Plan.scheduleOf(plan, o.scheduleId)?.kind ?? "sub-plan",
        period: o.period,
        deadline: Time.formatInstant(o.deadline),
        status: o.status === "pending" ? "due" : "overdue",
        daysLeft: o.status === "pending" ? days : null,
        daysLate: o.status === "missing" ? 1 - days : null
      }
    })
  }
  rows.sort((a, b) =>
    a.key < b.key
      ? -1
      : a.key > b.key
        ? 1
        : a.deadline - b.deadline ||
          (a.row.scheduleId < b.row.scheduleId ? -1 : a.row.scheduleId > b.row.scheduleId ? 1 : 0)
  )
  return Either.right({
    planId: plan.planId,
    asOf: Time.formatInstant(query.asOf),
    knownAt: Time.formatInstant(query.knownAt),
    withinDays: query.withinDays,
    items: rows.map((r) => r.row)
  })
}
