/**
 * Obligations (DOMAIN.md §4.1): the reports a unit owes under a plan, each
 * with its deadline and status, as a view of the log tells.
 *
 * A unit owes (unit, schedule, period) when, at the deadline, the plan is in
 * force, the unit is assigned to the plan and the schedule by an assignment
 * that occurred strictly before the deadline, and the unit is open. The
 * earliest report filed decides the status; corrections change the content,
 * never the timeliness.
 */
import { Schema } from "effect"
import type { ChannelReading } from "./Events.js"
import * as Hierarchy from "./Hierarchy.js"
import * as Plan from "./Plan.js"
import type { AssignmentRecord, PlanRecord, ReportRecord, Stamp, State, UnitRecord, View } from "./State.js"
import { reportsOf, reportsOfPlan, visible } from "./State.js"
import * as Time from "./Time.js"

/** The status of an obligation. */
export const Status = Schema.Literal("on-time", "late", "missing", "pending").annotations({
  identifier: "ObligationStatus"
})
export type Status = typeof Status.Type

/** One report a unit owes, and what the log says of it. */
export interface Obligation {
  readonly planId: string
  readonly unitId: string
  readonly scheduleId: string
  readonly period: string
  /** Epoch milliseconds. */
  readonly deadline: number
  readonly status: Status
  /** The filing that decided the status: the earliest report (or, for a sub-plan, the earliest plan issued). */
  readonly filed:
    | {
        readonly id: string
        readonly stamp: Stamp
        /** A report's channel and register number (a sub-plan, issued as a plan, has neither). */
        readonly channel?: ChannelReading
        readonly registerNumber?: string | undefined
      }
    | undefined
  readonly assignment: AssignmentRecord
}

/** The status of an obligation given its earliest filing time (if any). */
export const statusOf = (deadline: number, filedAt: number | undefined, asOf: number): Status =>
  filedAt !== undefined ? (filedAt < deadline ? "on-time" : "late") : deadline <= asOf ? "missing" : "pending"

/** Whether a filing comes before another: by valid time, then by position in the log. */
const isEarlier = (a: Stamp, b: Stamp): boolean => a.at < b.at || (a.at === b.at && a.position < b.position)

/** The earliest of some filings (sub-plans issued) that counts in the view. */
const earliest = <A>(items: ReadonlyArray<A> | undefined, stampOf: (a: A) => Stamp, view: View): A | undefined => {
  let best: A | undefined
  for (const item of items ?? []) {
    if (visible(stampOf(item), view) && (best === undefined || isEarlier(stampOf(item), stampOf(best)))) best = item
  }
  return best
}

/** The reports filed for one obligation that count in the view, in log order (the plan must be warm). */
export const reportsFor = (
  state: State,
  plan: PlanRecord,
  unitId: string,
  scheduleId: string,
  period: string,
  view: View
): Array<ReportRecord> => reportsOf(state, plan, unitId, scheduleId, period).filter((r) => visible(r, view))

/** The earliest filing (by valid time, then position) among a chain of reports, in the view. */
const earliestReport = (first: ReportRecord | undefined, view: View): ReportRecord | undefined => {
  let best: ReportRecord | undefined
  for (let r = first; r !== undefined; r = r.next) {
    if (visible(r, view) && (best === undefined || isEarlier(r, best))) best = r
  }
  return best
}

/**
 * Every obligation of a plan in the view, assignment by assignment. Units are
 * taken in id order, then schedules in the plan's order, then periods. The
 * plan must be warm (its reports in memory; `State.ColdPlan` otherwise).
 */
export const ofPlan = (state: State, plan: PlanRecord, view: View): Array<Obligation> => {
  const out: Array<Obligation> = []
  const reports = reportsOfPlan(state, plan.planId)
  const assignments = [...plan.assignments.values()]
    .filter((a) => visible(a.stamp, view))
    .sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0))
  for (const assignment of assignments) {
    const unit = state.units.get(assignment.unitId)
    if (unit === undefined) continue
    for (const schedule of plan.schedules) {
      if (!assignment.scheduleIds.includes(schedule.scheduleId)) continue
      const byPeriod = reports.get(assignment.unitId)?.get(schedule.scheduleId)
      for (const { deadline, period } of Plan.periodsOf(plan, schedule)) {
        if (assignment.stamp.at >= deadline || !Hierarchy.isOpenAt(unit, deadline, view)) continue
        const report = earliestReport(byPeriod?.get(period), view)
        out.push({
          planId: plan.planId,
          unitId: unit.unitId,
          scheduleId: schedule.scheduleId,
          period,
          deadline,
          status: statusOf(deadline, report?.at, view.asOf),
          filed:
            report === undefined
              ? undefined
              : { id: report.reportId, stamp: report, channel: report.channel, registerNumber: report.registerNumber },
          assignment
        })
      }
    }
    const subPlan = subPlanObligation(plan, unit, assignment, view)
    if (subPlan !== undefined) out.push(subPlan)
  }
  return out
}

/**
 * The sub-plan obligation of an assignment (DOMAIN.md §4.1, "Sub-plans"): a
 * unit assigned with `subPlanDueBy` owes a plan of its own implementing this
 * one (`parentPlanId`), due at the start of that day, when the plan is in force
 * then, the assignment came strictly before it, and the unit is open. The
 * earliest such plan in the view decides: on time before the day, late after.
 * `undefined` when the assignment owes none.
 */
export const subPlanObligation = (
  plan: PlanRecord,
  unit: UnitRecord,
  assignment: AssignmentRecord,
  view: View
): Obligation | undefined => {
  if (assignment.subPlanDueBy === undefined) return undefined
  const deadline = Time.startOfDate(assignment.subPlanDueBy)
  if (!Plan.inForceAt(plan, deadline) || assignment.stamp.at >= deadline || !Hierarchy.isOpenAt(unit, deadline, view)) {
    return undefined
  }
  const subPlan = earliest(plan.subPlans.get(unit.unitId), (p) => p.issued, view)
  return {
    planId: plan.planId,
    unitId: unit.unitId,
    scheduleId: Plan.subPlanScheduleId,
    period: assignment.subPlanDueBy,
    deadline,
    status: statusOf(deadline, subPlan?.issued.at, view.asOf),
    filed: subPlan === undefined ? undefined : { id: subPlan.planId, stamp: subPlan.issued },
    assignment
  }
}
