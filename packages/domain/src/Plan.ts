/**
 * A plan's reporting regime: which periods each schedule defines, their
 * deadlines, and whether a period fits a schedule.
 *
 * Deadlines are instants in Asia/Ho_Chi_Minh: "before the 20th" of March 2018
 * is `2018-03-20T00:00:00+07:00`, so a report filed at 23:59:59 on the 19th is
 * on time and one at midnight is late.
 */
import type { Schedule } from "./Events.js"
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
const periodsCache = new WeakMap<object, WeakMap<Schedule, ReadonlyArray<Period>>>()

/** Whether the plan is in force on the local date that starts at `deadline` (effectiveFrom <= date <= effectiveUntil). */
export const inForceAt = (plan: Pick<PlanRecord, "effectiveFrom" | "effectiveUntil">, deadline: number): boolean =>
  Time.startOfDate(plan.effectiveFrom) <= deadline && deadline <= Time.startOfDate(plan.effectiveUntil)

/**
 * The periods of a schedule whose deadline falls while the plan is in force:
 * for plan 182 (in force 30/01–31/12/2018, monthly before the 20th) February to
 * December; for a once schedule its single period.
 */
export const periodsOf = (
  plan: Pick<PlanRecord, "effectiveFrom" | "effectiveUntil">,
  schedule: Schedule
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
export const scheduleOf = (plan: PlanRecord, scheduleId: string): Schedule | undefined =>
  plan.schedules.find((s) => s.scheduleId === scheduleId)

/** The deadline of a period of a schedule, or `undefined` when the schedule defines no such period. */
export const deadlineOf = (plan: PlanRecord, schedule: Schedule, period: string): number | undefined =>
  periodsOf(plan, schedule).find((p) => p.period === period)?.deadline

/** What periods a schedule accepts, in words, for error messages. */
export const expectedPeriods = (plan: PlanRecord, schedule: Schedule): string => {
  if (schedule.kind === "once") return `"${schedule.period}"`
  const periods = periodsOf(plan, schedule)
  return periods.length === 0
    ? "no period (no deadline falls while the plan is in force)"
    : `a month from ${periods[0]!.period} to ${periods[periods.length - 1]!.period}`
}
