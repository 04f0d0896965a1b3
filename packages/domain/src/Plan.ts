/**
 * A plan's reporting regime: which periods each schedule defines, their
 * deadlines, and whether a period fits a schedule.
 *
 * Deadlines are instants in Asia/Ho_Chi_Minh: "before the 20th" of March 2018
 * is `2018-03-20T00:00:00+07:00`, so a report filed at 23:59:59 on the 19th is
 * on time and one at midnight is late.
 */
import type { Schedule as ScheduleOfPlan } from "./Events.js"
import * as Schedule from "./Schedule.js"
import type { PlanRecord } from "./State.js"
import * as Time from "./Time.js"

/** The scheduleId under which the obligation to issue a sub-plan is reported. */
export const subPlanScheduleId = "sub-plan"

/** One period of a schedule and its deadline. */
export interface Period {
  readonly period: string
  /** Epoch milliseconds. */
  readonly deadline: number
}

// Periods depend on the plan's dates and the schedule: cache per plan object, then per schedule object.
const periodsCache = new WeakMap<object, WeakMap<ScheduleOfPlan, ReadonlyArray<Period>>>()

/** Whether the plan is in force on the local date that starts at `deadline` (effectiveFrom <= date <= effectiveUntil). */
export const inForceAt = (plan: Pick<PlanRecord, "effectiveFrom" | "effectiveUntil">, deadline: number): boolean =>
  Time.startOfDate(plan.effectiveFrom) <= deadline && deadline <= Time.startOfDate(plan.effectiveUntil)

/**
 * The periods of a schedule, with their deadlines. Monthly: those whose
 * deadline falls while the plan is in force, so for plan 182 (in force
 * 30/01–31/12/2018, before the 20th) February to December; once: its single
 * period when its deadline does; quarterly, half-yearly and yearly: the
 * periods that overlap the plan's effective period (`Schedule.periodsOf`).
 */
export const periodsOf = (
  plan: Pick<PlanRecord, "effectiveFrom" | "effectiveUntil">,
  schedule: ScheduleOfPlan
): ReadonlyArray<Period> => {
  let forPlan = periodsCache.get(plan)
  if (forPlan === undefined) {
    forPlan = new WeakMap()
    periodsCache.set(plan, forPlan)
  }
  const cached = forPlan.get(schedule)
  if (cached !== undefined) return cached
  const result: Array<Period> = []
  if (schedule.kind === "once") {
    const deadline = Time.startOfDate(schedule.dueBefore)
    if (inForceAt(plan, deadline)) result.push({ period: schedule.period, deadline })
  } else if (schedule.kind !== "monthly") {
    result.push(...Schedule.periodsOf(plan, schedule))
  } else {
    const [fromYear, fromMonth] = Time.parseDateParts(plan.effectiveFrom)!
    const [untilYear, untilMonth] = Time.parseDateParts(plan.effectiveUntil)!
    // Start a month early: a clamped deadline ("before the 31st" of a 30-day month) falls in the next month.
    let year = fromMonth === 1 ? fromYear - 1 : fromYear
    let month = fromMonth === 1 ? 12 : fromMonth - 1
    while (year < untilYear || (year === untilYear && month <= untilMonth)) {
      const deadline = Time.monthlyDeadline(year, month, schedule.dueBeforeDay)
      if (inForceAt(plan, deadline)) {
        result.push({ period: `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`, deadline })
      }
      month++
      if (month === 13) {
        month = 1
        year++
      }
    }
  }
  forPlan.set(schedule, result)
  return result
}

/** The schedule of a plan by id. */
export const scheduleOf = (plan: PlanRecord, scheduleId: string): ScheduleOfPlan | undefined =>
  plan.schedules.find((s) => s.scheduleId === scheduleId)

/** The deadline of a period of a schedule, or `undefined` when the schedule defines no such period. */
export const deadlineOf = (plan: PlanRecord, schedule: ScheduleOfPlan, period: string): number | undefined =>
  periodsOf(plan, schedule).find((p) => p.period === period)?.deadline

/** What periods a schedule accepts, in words, for error messages. */
export const expectedPeriods = (plan: PlanRecord, schedule: ScheduleOfPlan): string => {
  if (schedule.kind === "once") return `"${schedule.period}"`
  const periods = periodsOf(plan, schedule)
  const what = schedule.kind === "monthly" ? "a month written YYYY-MM" : Schedule.periodWording[schedule.kind]
  return periods.length === 0
    ? "no period (no deadline falls while the plan is in force)"
    : `${what}, from ${periods[0]!.period} to ${periods[periods.length - 1]!.period}`
}
