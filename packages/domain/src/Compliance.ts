/**
 * The compliance projection of a plan (DOMAIN.md §4.1): per unit, counts of
 * on-time, late, missing and pending obligations for the unit itself (`self`)
 * and for its whole subtree (`total`), rolled up the hierarchy as it stood at
 * each obligation's deadline, with the list of obligations behind them.
 *
 * `total` is always a sum of counts, never an average of rates, so a reader
 * can check any row by adding the rows below it.
 */
import { Either, Schema } from "effect"
import { PlanNotFound, UnitNotFound, UnknownSchedule } from "./Errors.js"
import * as Hierarchy from "./Hierarchy.js"
import type { Obligation } from "./Obligations.js"
import * as Obligations from "./Obligations.js"
import * as Plan from "./Plan.js"
import type { State, View } from "./State.js"
import { visible } from "./State.js"
import * as Time from "./Time.js"

/** Counts of obligations by status, and the rates derived from them. */
export const Counts = Schema.Struct({
  onTime: Schema.Number,
  late: Schema.Number,
  missing: Schema.Number,
  pending: Schema.Number,
  /** `(onTime + late) / (onTime + late + missing)`, `null` when nothing is due yet. */
  reportingRate: Schema.NullOr(Schema.Number),
  /** `onTime / (onTime + late + missing)`, `null` when nothing is due yet. */
  onTimeRate: Schema.NullOr(Schema.Number)
}).annotations({ identifier: "Counts" })
export type Counts = typeof Counts.Type

/** One unit's row: its own obligations (`self`) and its whole subtree's (`total`). */
export const UnitRow = Schema.Struct({
  unitId: Schema.String,
  name: Schema.String,
  level: Schema.String,
  /** The parent as of `asOf` (the last parent of a closed unit). */
  parentId: Schema.NullOr(Schema.String),
  self: Counts,
  total: Counts,
  /**
   * The same counts schedule by schedule (`self` and `total` of each), keyed
   * by scheduleId; sub-plans under `sub-plan`. Added to the §5 JSON: the
   * fields above are as they were.
   */
  bySchedule: Schema.Record({ key: Schema.String, value: Schema.Struct({ self: Counts, total: Counts }) })
}).annotations({ identifier: "ComplianceUnitRow" })
export type UnitRow = typeof UnitRow.Type

/** One obligation (unit, schedule, period) and its status, as the contract of DOMAIN.md §5 prints it. */
export const ObligationRow = Schema.Struct({
  unitId: Schema.String,
  scheduleId: Schema.String,
  period: Schema.String,
  deadline: Schema.String,
  status: Obligations.Status,
  filedAt: Schema.NullOr(Schema.String),
  reportId: Schema.NullOr(Schema.String),
  /**
   * How the report reached the log (DOMAIN.md "Filing time"): `online` (filed at receipt), `paper`
   * (entered by a clerk with the date received), `stated` (a line written before channels).
   */
  channel: Schema.NullOr(Schema.Literal("online", "paper", "stated")),
  /** When the log recorded the report: where it parts from `filedAt`, the filing was backdated. */
  recordedAt: Schema.NullOr(Schema.String),
  /** The incoming register number (số đến) of a paper filing. */
  registerNumber: Schema.NullOr(Schema.String)
}).annotations({ identifier: "ObligationRow" })
export type ObligationRow = typeof ObligationRow.Type

/**
 * One schedule of the answer: its kind (`sub-plan` for the obligation to
 * issue a plan implementing this one, apart from the reports) and the counts
 * of its obligations among the units listed.
 */
export const ScheduleRow = Schema.Struct({
  scheduleId: Schema.String,
  kind: Schema.Literal("monthly", "once", "quarterly", "half-yearly", "yearly", "sub-plan"),
  counts: Counts
}).annotations({ identifier: "ComplianceScheduleRow" })
export type ScheduleRow = typeof ScheduleRow.Type

/**
 * The compliance of a plan (DOMAIN.md §4.1), exactly the JSON of §5: the
 * CLI's `--format json` and the server's `GET /compliance` both answer with it.
 */
export const Compliance = Schema.Struct({
  planId: Schema.String,
  asOf: Schema.String,
  knownAt: Schema.String,
  units: Schema.Array(UnitRow),
  obligations: Schema.Array(ObligationRow),
  /** The schedule asked for (`--schedule`, `?schedule=`), or `null` for all of them. */
  schedule: Schema.NullOr(Schema.String),
  /** The plan's schedules in its order (then `sub-plan`), each with the counts of the obligations listed. */
  schedules: Schema.Array(ScheduleRow)
}).annotations({ identifier: "Compliance" })
export type Compliance = typeof Compliance.Type

/** What to project. */
export interface Query {
  readonly planId: string
  /** Valid time, epoch milliseconds. */
  readonly asOf: number
  /** Knowledge time, epoch milliseconds. */
  readonly knownAt: number
  /** Keep only this unit's subtree (as of `asOf`). */
  readonly unit?: string | undefined
  /** Keep rows down to this many levels below the top row. */
  readonly depth?: number | undefined
  /** Count only the obligations of this schedule (a scheduleId of the plan, or `sub-plan`). */
  readonly schedule?: string | undefined
}

class Tally {
  onTime = 0
  late = 0
  missing = 0
  pending = 0
  add(status: Obligations.Status): void {
    if (status === "on-time") this.onTime++
    else if (status === "late") this.late++
    else if (status === "missing") this.missing++
    else this.pending++
  }
  counts(): Counts {
    const due = this.onTime + this.late + this.missing
    return {
      onTime: this.onTime,
      late: this.late,
      missing: this.missing,
      pending: this.pending,
      reportingRate: due === 0 ? null : (this.onTime + this.late) / due,
      onTimeRate: due === 0 ? null : this.onTime / due
    }
  }
}

const tallyOf = (map: Map<string, Tally>, unitId: string): Tally => {
  let tally = map.get(unitId)
  if (tally === undefined) {
    tally = new Tally()
    map.set(unitId, tally)
  }
  return tally
}

/** Rates are computed from counts; this is the counts of a row with none. */
export const zero: Counts = new Tally().counts()

/** `UnitNotFound` when a unit is asked for and not registered in the view. */
export const requireUnit = (state: State, unitId: string | undefined, view: View): UnitNotFound | undefined => {
  if (unitId === undefined) return undefined
  const unit = state.units.get(unitId)
  return unit !== undefined && visible(unit.registered, view)
    ? undefined
    : new UnitNotFound({ unitId, role: "unit", at: Time.formatInstant(view.asOf) })
}

/** The row of an obligation for the contract. */
export const obligationRow = (o: Obligation): ObligationRow => ({
  unitId: o.unitId,
  scheduleId: o.scheduleId,
  period: o.period,
  deadline: Time.formatInstant(o.deadline),
  status: o.status,
  filedAt: o.filed === undefined ? null : Time.formatInstant(o.filed.stamp.at),
  reportId: o.filed === undefined ? null : o.filed.id,
  channel: o.filed?.channel ?? null,
  recordedAt: o.filed === undefined ? null : Time.formatInstant(o.filed.stamp.rec),
  registerNumber: o.filed?.registerNumber ?? null
})

/**
 * The roll-up of DOMAIN.md §4.1: each obligation counts in its unit's `self`
 * and `total`, and in the `total` of every unit that was above its unit at the
 * obligation's deadline, as far as the view tells (a commune that moved in
 * April rolls its February-April obligations up to its old district and the
 * later ones to the new). Totals are sums of counts, never averages of rates.
 */
export const rollUp = (
  state: State,
  obligations: ReadonlyArray<Obligation>,
  view: View
): {
  readonly self: Map<string, Tally>
  readonly total: Map<string, Tally>
  /** The same, per scheduleId. */
  readonly bySchedule: Map<string, { readonly self: Map<string, Tally>; readonly total: Map<string, Tally> }>
} => {
  const self = new Map<string, Tally>()
  const total = new Map<string, Tally>()
  const bySchedule = new Map<string, { readonly self: Map<string, Tally>; readonly total: Map<string, Tally> }>()
  // Obligations of one schedule share a deadline across units: cache each unit's ancestors per deadline.
  const chains = new Map<number, Map<string, Array<string>>>()
  for (const o of obligations) {
    let ofSchedule = bySchedule.get(o.scheduleId)
    if (ofSchedule === undefined) {
      ofSchedule = { self: new Map(), total: new Map() }
      bySchedule.set(o.scheduleId, ofSchedule)
    }
    tallyOf(self, o.unitId).add(o.status)
    tallyOf(total, o.unitId).add(o.status)
    tallyOf(ofSchedule.self, o.unitId).add(o.status)
    tallyOf(ofSchedule.total, o.unitId).add(o.status)
    let atDeadline = chains.get(o.deadline)
    if (atDeadline === undefined) {
      atDeadline = new Map()
      chains.set(o.deadline, atDeadline)
    }
    let chain = atDeadline.get(o.unitId)
    if (chain === undefined) {
      chain = Hierarchy.ancestorsAt(state, o.unitId, o.deadline, view)
      atDeadline.set(o.unitId, chain)
    }
    for (const ancestorId of chain) {
      tallyOf(total, ancestorId).add(o.status)
      tallyOf(ofSchedule.total, ancestorId).add(o.status)
    }
  }
  return { self, total, bySchedule }
}

/**
 * Projects the compliance of a plan. The plan must be issued in the view
 * (`occurredAt <= asOf` and `recordedAt <= knownAt`), else `PlanNotFound`;
 * a `unit` asked for must be registered in the view, else `UnitNotFound`.
 */
export const project = (
  state: State,
  query: Query
): Either.Either<Compliance, PlanNotFound | UnitNotFound | UnknownSchedule> => {
  const view: View = { asOf: query.asOf, knownAt: query.knownAt }
  const plan = state.plans.get(query.planId)
  if (plan === undefined || !visible(plan.issued, view)) {
    return Either.left(new PlanNotFound({ planId: query.planId, role: "plan" }))
  }
  const missing = requireUnit(state, query.unit, view)
  if (missing !== undefined) return Either.left(missing)
  const schedule = query.schedule
  if (schedule !== undefined && schedule !== Plan.subPlanScheduleId && Plan.scheduleOf(plan, schedule) === undefined) {
    return Either.left(new UnknownSchedule({ planId: plan.planId, scheduleId: schedule }))
  }
  const all = Obligations.ofPlan(state, plan, view)
  const obligations = schedule === undefined ? all : all.filter((o) => o.scheduleId === schedule)
  const { bySchedule, self, total } = rollUp(state, obligations, view)
  const scheduleIds = [...plan.schedules.map((s) => s.scheduleId), Plan.subPlanScheduleId].filter((id) =>
    schedule === undefined ? bySchedule.has(id) || id !== Plan.subPlanScheduleId : id === schedule
  )

  const tree = Hierarchy.treeOf(state, total.keys(), query.asOf, view)
  const rows: Array<UnitRow> = []
  for (const { unitId } of Hierarchy.depthFirst(tree)) {
    const unit = state.units.get(unitId)
    rows.push({
      unitId,
      name: unit?.name ?? unitId,
      level: unit?.level ?? "unknown",
      parentId: tree.parentOf.get(unitId) ?? null,
      self: self.get(unitId)?.counts() ?? zero,
      total: total.get(unitId)!.counts(),
      bySchedule: Object.fromEntries(
        scheduleIds.map((id) => {
          const of = bySchedule.get(id)
          return [id, { self: of?.self.get(unitId)?.counts() ?? zero, total: of?.total.get(unitId)?.counts() ?? zero }]
        })
      )
    })
  }
  const order = new Map(rows.map((row, i) => [row.unitId, i]))
  const selected = Hierarchy.selectSubtree(rows, { unit: query.unit, depth: query.depth })
  const kept = selected === rows ? undefined : new Set(selected.map((r) => r.unitId))
  const obligationRows = obligations
    .filter((o) => kept === undefined || kept.has(o.unitId))
    .sort(
      (a, b) =>
        order.get(a.unitId)! - order.get(b.unitId)! ||
        a.deadline - b.deadline ||
        (a.scheduleId < b.scheduleId ? -1 : a.scheduleId > b.scheduleId ? 1 : 0)
    )
    .map(obligationRow)
  const counts = new Map(scheduleIds.map((id) => [id, new Tally()]))
  for (const o of obligationRows) counts.get(o.scheduleId)?.add(o.status)
  return Either.right({
    planId: plan.planId,
    asOf: Time.formatInstant(query.asOf),
    knownAt: Time.formatInstant(query.knownAt),
    units: selected,
    obligations: obligationRows,
    schedule: schedule ?? null,
    schedules: scheduleIds.map((id) => ({
      scheduleId: id,
      kind: Plan.scheduleOf(plan, id)?.kind ?? "sub-plan",
      counts: counts.get(id)!.counts()
    }))
  })
}
