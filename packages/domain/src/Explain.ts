/**
 * Explain (DOMAIN.md §4.3): for one obligation or one coverage figure, the
 * events (by position) that decided it, so an auditor can check a number back
 * to the log.
 */
import { Either, Schema } from "effect"
import { ObligationRow, obligationRow } from "./Compliance.js"
import * as Coverage from "./Coverage.js"
import { ObligationNotFound, PlanNotFound, UnitNotFound } from "./Errors.js"
import * as Hierarchy from "./Hierarchy.js"
import * as Obligations from "./Obligations.js"
import type { Stamp, State, View } from "./State.js"
import { visible } from "./State.js"
import * as Time from "./Time.js"

/** One event behind a figure, and the part it played. */
export const Reason = Schema.Struct({
  position: Schema.Number,
  occurredAt: Schema.String,
  recordedAt: Schema.String,
  role: Schema.String
}).annotations({ identifier: "Reason" })
export type Reason = typeof Reason.Type

const reason = (stamp: Stamp, role: string): Reason => ({
  position: stamp.position,
  occurredAt: Time.formatInstant(stamp.at),
  recordedAt: Time.formatInstant(stamp.rec),
  role
})

const byPosition = (reasons: Array<Reason>): Array<Reason> => {
  const seen = new Set<string>()
  return reasons
    .filter((r) => {
      const key = `${r.position}\u0000${r.role}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    .sort((a, b) => a.position - b.position)
}

/** Which hierarchy entries place `unitId` under its ancestors at instant `t`. */
const hierarchyReasons = (state: State, unitId: string, t: number, view: View): Array<Reason> => {
  const out: Array<Reason> = []
  let id: string | undefined = unitId
  for (let guard = 0; id !== undefined && guard < 16; guard++) {
    const unit = state.units.get(id)
    if (unit === undefined) break
    const entry = Hierarchy.parentEntryAt(unit, t, view)
    if (entry === undefined || entry.parentId === undefined) break
    out.push(reason(entry.stamp, `${id} under ${entry.parentId}`))
    id = entry.parentId
  }
  return out
}

/** An obligation to explain. */
export interface ObligationQuery {
  readonly planId: string
  readonly unitId: string
  readonly scheduleId: string
  readonly period: string
  readonly asOf: number
  readonly knownAt: number
}

/** An obligation and the events that decided its status and roll-up. */
export const ObligationExplained = Schema.Struct({
  planId: Schema.String,
  asOf: Schema.String,
  knownAt: Schema.String,
  obligation: ObligationRow,
  /** The units its counts roll up into, nearest first, as the hierarchy stood at the deadline. */
  rollsUpTo: Schema.Array(Schema.String),
  events: Schema.Array(Reason)
}).annotations({ identifier: "ObligationExplained" })
export type ObligationExplained = typeof ObligationExplained.Type

/** Explains one obligation of a plan in a view. */
export const obligation = (
  state: State,
  query: ObligationQuery
): Either.Either<ObligationExplained, PlanNotFound | ObligationNotFound> => {
  const view: View = { asOf: query.asOf, knownAt: query.knownAt }
  const plan = state.plans.get(query.planId)
  if (plan === undefined || !visible(plan.issued, view)) {
    return Either.left(new PlanNotFound({ planId: query.planId, role: "plan" }))
  }
  const found = Obligations.ofPlan(state, plan, view).find(
    (o) => o.unitId === query.unitId && o.scheduleId === query.scheduleId && o.period === query.period
  )
  if (found === undefined) return Either.left(new ObligationNotFound(query))
  const unit = state.units.get(found.unitId)!
  const reasons: Array<Reason> = [
    reason(plan.issued, "plan issued"),
    reason(unit.registered, "unit registered"),
    reason(found.assignment.stamp, "unit assigned"),
    ...hierarchyReasons(state, found.unitId, found.deadline, view)
  ]
  if (found.scheduleId === "sub-plan") {
    for (const sub of plan.subPlans.get(found.unitId) ?? []) {
      if (visible(sub.issued, view)) {
        reasons.push(
          reason(
            sub.issued,
            sub.planId === found.filed?.id ? "sub-plan issued (decides the status)" : "sub-plan issued"
          )
        )
      }
    }
  } else {
    for (const report of Obligations.reportsFor(state, plan, found.unitId, found.scheduleId, found.period, view)) {
      const { reportId, supersedes } = report
      const role =
        reportId === found.filed?.id
          ? `report ${reportId} filed (decides the status)`
          : supersedes !== undefined
            ? `report ${reportId} supersedes ${supersedes} (content only)`
            : `report ${reportId} filed`
      reasons.push(reason(report, role))
    }
  }
  return Either.right({
    planId: plan.planId,
    asOf: Time.formatInstant(query.asOf),
    knownAt: Time.formatInstant(query.knownAt),
    obligation: obligationRow(found),
    rollsUpTo: Hierarchy.ancestorsAt(state, found.unitId, found.deadline, view),
    events: byPosition(reasons)
  })
}

/** A coverage figure to explain: one unit's row. */
export interface CoverageQuery {
  readonly unitId: string
  readonly asOf: number
  readonly knownAt: number
  readonly kind?: string | undefined
  readonly tag?: string | undefined
}

/** A coverage row and the events behind it: the residential areas counted, the models, the hierarchy. */
export const CoverageExplained = Schema.Struct({
  asOf: Schema.String,
  knownAt: Schema.String,
  row: Coverage.CoverageRow,
  events: Schema.Array(Reason)
}).annotations({ identifier: "CoverageExplained" })
export type CoverageExplained = typeof CoverageExplained.Type

/** The answer of an explanation: an obligation (with `planId`) or a coverage figure (without). */
export const Explanation = Schema.Union(ObligationExplained, CoverageExplained)
export type Explanation = typeof Explanation.Type

/** Explains one unit's coverage figure in a view. */
export const coverage = (state: State, query: CoverageQuery): Either.Either<CoverageExplained, UnitNotFound> => {
  const view: View = { asOf: query.asOf, knownAt: query.knownAt }
  // The unit's subtree, as coverage counts it: its rows are the open units below it, the unit first.
  const result = Coverage.project(state, {
    asOf: query.asOf,
    knownAt: query.knownAt,
    kind: query.kind,
    tag: query.tag,
    unit: query.unitId
  })
  const at = Time.formatInstant(query.asOf)
  if (Either.isLeft(result)) return Either.left(new UnitNotFound({ unitId: query.unitId, role: "unit", at }))
  const row = result.right.units[0]
  if (row === undefined) return Either.left(new UnitNotFound({ unitId: query.unitId, role: "open unit", at }))
  const reasons: Array<Reason> = []
  for (const { unitId: id } of result.right.units) {
    const unit = state.units.get(id)!
    if (query.tag !== undefined && unit.tags.includes(query.tag))
      reasons.push(reason(unit.registered, `${id} carries tag ${query.tag}`))
    if (id !== query.unitId) reasons.push(...hierarchyReasons(state, id, query.asOf, view).slice(0, 1))
    if (unit.level === "residential-area") reasons.push(reason(unit.registered, `residential area ${id} registered`))
    for (const model of state.modelsByUnit.get(id) ?? []) {
      if (!visible(model.established, view)) continue
      if (query.kind !== undefined && model.kind !== query.kind) continue
      reasons.push(reason(model.established, `model ${model.modelId} established in ${id}`))
      if (model.dissolved !== undefined && visible(model.dissolved, view)) {
        reasons.push(reason(model.dissolved, `model ${model.modelId} dissolved`))
      }
    }
  }
  return Either.right({ asOf: result.right.asOf, knownAt: result.right.knownAt, row, events: byPosition(reasons) })
}
