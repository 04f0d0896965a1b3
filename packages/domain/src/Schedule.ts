/**
 * The recurring reporting periods of a plan longer than a month: báo cáo quý
 * (quarterly, `2026-Q1`), sơ kết 6 tháng (half-yearly, `2026-H1`) and báo cáo
 * năm (yearly, `2026`), with the rules that decide which periods a plan has
 * and when each is due (docs/reporting-regimes.md, decision 0007).
 *
 * A period's deadline is the first instant (00:00 in Asia/Ho_Chi_Minh) of day
 * `dueBeforeDay` of the month `dueMonthOffset` months after the period's last
 * month. A plan has the periods that overlap its effective period, except one
 * whose deadline comes before the plan takes effect: the report on the last
 * quarter of a plan may fall due after the plan ends. A due day that does not
 * exist in a period's due month is refused when the plan is issued, never
 * moved: "before 31 April" has no honest meaning.
 */
import type { RecurringSchedule } from "./Events.js"
import * as Time from "./Time.js"

/** The kinds of recurring period longer than a month. */
export type RecurringKind = RecurringSchedule["kind"]

/** The recurring kinds, in the order of their length. */
export const recurringKinds: ReadonlyArray<RecurringKind> = ["quarterly", "half-yearly", "yearly"]

/** How many months a period of each kind spans. */
export const monthsPerPeriod: Readonly<Record<RecurringKind, number>> = { quarterly: 3, "half-yearly": 6, yearly: 12 }

/** One period of a recurring kind: its year and its number in the year (1 for a year). */
export interface PeriodOfYear {
  readonly year: number
  readonly index: number
}

/** How a period of each kind is written, in words, for messages. */
export const periodWording: Readonly<Record<RecurringKind, string>> = {
  quarterly: "a quarter written YYYY-Qn (n from 1 to 4)",
  "half-yearly": "a half-year written YYYY-Hn (n 1 or 2)",
  yearly: "a year written YYYY"
}

const year4 = (year: number): string => String(year).padStart(4, "0")

/** The name of a period as people write it: `2026-Q1`, `2026-H2`, `2026`. */
export const periodName = (kind: RecurringKind, { index, year }: PeriodOfYear): string =>
  kind === "quarterly" ? `${year4(year)}-Q${index}` : kind === "half-yearly" ? `${year4(year)}-H${index}` : year4(year)

/** Reads a period name of a kind (`2026-Q1`, `2026-H1`, `2026`), or `undefined` when it is not one. */
export const parsePeriod = (kind: RecurringKind, text: string): PeriodOfYear | undefined => {
  const match = kind === "yearly" ? /^(\d{4})$/.exec(text) : /^(\d{4})-([QH])([1-4])$/.exec(text)
  if (match === null) return undefined
  const year = Number(match[1])
  if (kind === "yearly") return { year, index: 1 }
  const index = Number(match[3])
  const letter = kind === "quarterly" ? "Q" : "H"
  return match[2] === letter && index <= 12 / monthsPerPeriod[kind] ? { year, index } : undefined
}

/** The first month (1–12) of a period. */
export const firstMonth = (kind: RecurringKind, period: PeriodOfYear): number =>
  (period.index - 1) * monthsPerPeriod[kind] + 1

/** The last month (1–12) of a period. */
export const lastMonth = (kind: RecurringKind, period: PeriodOfYear): number => period.index * monthsPerPeriod[kind]

/** The first instant of a period (00:00 of its first day, local time). */
export const startOf = (kind: RecurringKind, period: PeriodOfYear): number =>
  Time.startOfLocalDay(period.year, firstMonth(kind, period), 1)

/** The first instant after a period (00:00 of the day after its last day). */
export const endOf = (kind: RecurringKind, period: PeriodOfYear): number => {
  const month = lastMonth(kind, period)
  return month === 12 ? Time.startOfLocalDay(period.year + 1, 1, 1) : Time.startOfLocalDay(period.year, month + 1, 1)
}

/** The month a period's report is due in: `dueMonthOffset` months after its last month, as `[year, month]`. */
export const dueMonth = (schedule: RecurringSchedule, period: PeriodOfYear): readonly [number, number] => {
  const months = period.year * 12 + lastMonth(schedule.kind, period) - 1 + schedule.dueMonthOffset
  return [Math.floor(months / 12), (((months % 12) + 12) % 12) + 1]
}

/**
 * The deadline of a period: 00:00 local time of day `dueBeforeDay` of its due
 * month, or `undefined` when that month has no such day (a plan that asks for
 * one is refused when issued, see `problemOf`).
 */
export const deadlineOf = (schedule: RecurringSchedule, period: PeriodOfYear): number | undefined => {
  const [year, month] = dueMonth(schedule, period)
  return schedule.dueBeforeDay > Time.daysInMonth(year, month)
    ? undefined
    : Time.startOfLocalDay(year, month, schedule.dueBeforeDay)
}

/** The periods of a kind that share at least one day with the local dates `from`..`until` (both included). */
export const periodsOverlapping = (kind: RecurringKind, from: string, until: string): Array<PeriodOfYear> => {
  const start = Time.startOfDate(from)
  const end = Time.startOfDate(until)
  const [fromYear] = Time.parseDateParts(from)!
  const [untilYear] = Time.parseDateParts(until)!
  const perYear = 12 / monthsPerPeriod[kind]
  const out: Array<PeriodOfYear> = []
  for (let year = fromYear; year <= untilYear; year++) {
    for (let index = 1; index <= perYear; index++) {
      const period = { year, index }
      if (startOf(kind, period) <= end && endOf(kind, period) > start) out.push(period)
    }
  }
  return out
}

/** The plan dates the rules read. */
export interface EffectivePeriod {
  readonly effectiveFrom: string
  readonly effectiveUntil: string
}

/**
 * The periods a plan has under a recurring schedule, with their deadlines:
 * those that overlap its effective period, except a period whose deadline
 * comes before the plan takes effect. A plan in force for 2026 with quarterly
 * reports "before the 20th of the month after the quarter" has 2026-Q1 to
 * 2026-Q4, the last due 2027-01-20.
 */
export const periodsOf = (
  plan: EffectivePeriod,
  schedule: RecurringSchedule
): Array<{ readonly period: string; readonly deadline: number }> => {
  const from = Time.startOfDate(plan.effectiveFrom)
  const out: Array<{ period: string; deadline: number }> = []
  for (const period of periodsOverlapping(schedule.kind, plan.effectiveFrom, plan.effectiveUntil)) {
    const deadline = deadlineOf(schedule, period)
    if (deadline !== undefined && deadline >= from) out.push({ period: periodName(schedule.kind, period), deadline })
  }
  return out
}

const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
]

/** What is wrong with a recurring schedule of a plan: the field at fault and why, or `undefined` when it is sound. */
export interface Problem {
  readonly field: "dueBeforeDay" | "dueMonthOffset"
  readonly reason: string
}

/**
 * Why a recurring schedule cannot stand in a plan, if it cannot: a deadline
 * on or before the first day of its period (a half-year due before it starts),
 * or a due day that does not exist in the due month of a period the plan
 * overlaps (day 31 when the quarter is due in April; 29 February outside a
 * leap year).
 */
export const problemOf = (plan: EffectivePeriod, schedule: RecurringSchedule): Problem | undefined => {
  const months = monthsPerPeriod[schedule.kind]
  const earliest = -(months - 1)
  if (schedule.dueMonthOffset < earliest || (schedule.dueMonthOffset === earliest && schedule.dueBeforeDay === 1)) {
    return {
      field: "dueMonthOffset",
      reason:
        `a ${schedule.kind} period would be due before it starts (dueMonthOffset ${schedule.dueMonthOffset}, ` +
        `dueBeforeDay ${schedule.dueBeforeDay}); the earliest due month is the period's first month ` +
        `(dueMonthOffset ${earliest}) with dueBeforeDay 2 or later`
    }
  }
  for (const period of periodsOverlapping(schedule.kind, plan.effectiveFrom, plan.effectiveUntil)) {
    if (deadlineOf(schedule, period) === undefined) {
      const [year, month] = dueMonth(schedule, period)
      return {
        field: "dueBeforeDay",
        reason:
          `day ${schedule.dueBeforeDay} does not exist in ${monthNames[month - 1]} ${year}, the due month of ` +
          `${periodName(schedule.kind, period)} (it has ${Time.daysInMonth(year, month)} days)`
      }
    }
  }
  return undefined
}
