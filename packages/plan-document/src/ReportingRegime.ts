/**
 * Chế độ báo cáo: the reporting regime of a plan, read from its sentences.
 * A clause counts when it speaks of a report (`báo cáo`) and gives a
 * deadline (`trước ngày …`, `chậm nhất ngày …`). What the report is (monthly,
 * quarterly, half-yearly, yearly) comes from the words before the deadline;
 * whether it recurs from the deadline itself: `trước ngày 30/11/2018` is due
 * once, `trước ngày 25/11 hàng năm` every year.
 *
 * Monthly and once schedules are DOMAIN.md §3's; quarterly, half-yearly and
 * yearly ones are the shapes of the reporting regimes (PlanIssued payload
 * version 2): `{ dueBeforeDay, dueMonthOffset }` counted from the last month
 * of each period.
 */
import type { Events } from "@kehoach/domain"
import { Either } from "effect"
import { InvalidDate } from "./Errors.js"
import * as Dates from "./internal/Dates.js"

/** A recurring schedule of the reporting regimes: quarterly, half-yearly or yearly (the domain's, PlanIssued version 2). */
export type RecurringSchedule = Events.RecurringSchedule

/** A schedule a draft may carry: monthly, once, or a recurring one (payload version 2). */
export type Schedule = Events.Schedule

/** Whether a schedule needs PlanIssued payload version 2. */
export const needsVersion2 = (s: Schedule): s is RecurringSchedule =>
  s.kind === "quarterly" || s.kind === "half-yearly" || s.kind === "yearly"

/** What a report is about, from the words before its deadline. */
export type Cadence = "monthly" | "quarterly" | "half-yearly" | "yearly" | "unknown"

/** A schedule found in a clause, before its id is given. */
export type Found =
  | { readonly kind: "monthly"; readonly dueBeforeDay: number }
  | { readonly kind: "once"; readonly cadence: Cadence; readonly period: string; readonly dueBefore: string }
  | {
      readonly kind: "quarterly" | "half-yearly" | "yearly"
      readonly dueBeforeDay: number
      readonly dueMonthOffset: number
    }

const deadlines = /(?:trước|chậm nhất(?: là)?(?: vào)?|không quá)\s+ngày\s+/giu
const report = /báo cáo/iu

/** The cadence named in the words before the deadline (`Báo cáo quý`, `Báo cáo 6 tháng`, `Báo cáo năm`, `hàng tháng`). */
export const cadenceOf = (label: string): Cadence => {
  const s = label.toLocaleLowerCase("vi")
  if (/(?<!\p{L})quý(?!\p{L})/u.test(s)) return "quarterly"
  if (/(?:(?<!\d)6|sáu)\s+tháng|bán niên|sơ kết/u.test(s)) return "half-yearly"
  if (/(?<!\p{L})năm(?!\p{L})|tổng kết/u.test(s)) return "yearly"
  if (/tháng/u.test(s)) return "monthly"
  return "unknown"
}

const quarterOffset: Record<string, number> = { "cuối cùng": 0, cuối: 0, "thứ ba": 0 }

/**
 * Reads one clause: every deadline in it, each with the words between the
 * deadline before it (or the clause's start) and itself as its label, so
 * "Định kỳ 6 tháng (trước ngày 15/6) và hằng năm (trước ngày 15/12)" gives a
 * half-yearly and a yearly schedule. Empty when the clause names no report;
 * `Left(InvalidDate)` when a deadline is a date no calendar has.
 */
export const readClause = (clause: string, line: number): Either.Either<Array<Found>, InvalidDate> => {
  if (!report.test(clause)) return Either.right([])
  const found: Array<Found> = []
  let from = 0
  for (const d of clause.matchAll(deadlines)) {
    const one = readDeadline(clause.slice(from, d.index), clause.slice(d.index + d[0].length), line)
    if (Either.isLeft(one)) return Either.left(one.left)
    if (one.right !== undefined) found.push(one.right)
    from = d.index + d[0].length
  }
  return Either.right(found)
}

const readDeadline = (label: string, rest: string, line: number): Either.Either<Found | undefined, InvalidDate> => {
  const cadence = cadenceOf(label)
  // trước ngày 20 hàng tháng / trước ngày 15 của tháng
  const monthly =
    /^(\d{1,2})\s+(?:của\s+)?(?:hàng|hằng|mỗi)\s+tháng|^(\d{1,2})\s+của\s+tháng(?!\s+(?:cuối|đầu|thứ))/iu.exec(rest)
  if (monthly !== null) {
    const day = Number(monthly[1] ?? monthly[2])
    if (day < 1 || day > 31) return Either.left(new InvalidDate({ text: `ngày ${day} hàng tháng`, line }))
    return Either.right({ kind: "monthly", dueBeforeDay: day })
  }
  // trước ngày 05 tháng cuối cùng của mỗi quý / trước ngày 15 tháng đầu quý sau
  const quarterly =
    /^(\d{1,2})\s+(?:của\s+)?tháng\s+(cuối cùng|cuối|thứ ba|đầu tiên|đầu|thứ nhất)\s+(?:của\s+)?(?:mỗi\s+|hằng\s+|hàng\s+)?quý(\s+(?:sau|tiếp theo|kế tiếp))?/iu.exec(
      rest
    )
  if (quarterly !== null) {
    const day = Number(quarterly[1])
    const which = quarterly[2]!.toLocaleLowerCase("vi")
    const next = quarterly[3] !== undefined
    const offset = which in quarterOffset ? quarterOffset[which]! + (next ? 3 : 0) : next ? 1 : -2
    if (day < 1 || day > 31) return Either.left(new InvalidDate({ text: quarterly[0], line }))
    return Either.right({ kind: "quarterly", dueBeforeDay: day, dueMonthOffset: offset })
  }
  // trước ngày 30/11/2018, trước ngày 25/11 hàng năm, trước ngày 15 tháng 6 năm 2018
  const date =
    /^(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?|^(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?/iu.exec(
      rest
    )
  if (date === null) return Either.right(undefined)
  const day = Number(date[1] ?? date[4])
  const month = Number(date[2] ?? date[5])
  const yearText = date[3] ?? date[6]
  const text = date[0].trim()
  if (yearText !== undefined) {
    const year = Number(yearText)
    if (!Dates.exists(year, month, day)) return Either.left(new InvalidDate({ text, line }))
    return Either.right({
      kind: "once",
      cadence,
      period: periodOf(cadence, year, month),
      dueBefore: Dates.local(year, month, day)
    })
  }
  // No year: a date that recurs (every year, every half, every quarter). 29/02 exists in leap years.
  if (!Dates.exists(2000, month, day)) return Either.left(new InvalidDate({ text, line }))
  switch (cadence) {
    case "quarterly":
      return Either.right({ kind: "quarterly", dueBeforeDay: day, dueMonthOffset: (month + 9) % 3 })
    case "half-yearly":
      return Either.right({
        kind: "half-yearly",
        dueBeforeDay: day,
        dueMonthOffset: month <= 3 ? month : month <= 9 ? month - 6 : month - 12
      })
    case "yearly":
    case "unknown":
      return Either.right({ kind: "yearly", dueBeforeDay: day, dueMonthOffset: month <= 2 ? month : month - 12 })
    case "monthly":
      return Either.right(undefined)
  }
}

/** The period of a report due once: `2018` for a year, `2018-H1` for a half, `2018-Q3` for a quarter, `2018-05` for a month. */
const periodOf = (cadence: Cadence, year: number, month: number): string => {
  switch (cadence) {
    // The period a deadline follows: a half-year report due in April–September is H1's, one due in
    // October–December H2's, one due in January–March the previous year's H2; a quarter report due in
    // a quarter's last month is that quarter's, else the quarter before.
    case "half-yearly":
      return month <= 3 ? `${year - 1}-H2` : month <= 9 ? `${year}-H1` : `${year}-H2`
    case "quarterly": {
      const q = month % 3 === 0 ? month / 3 : Math.floor(month / 3)
      return q === 0 ? `${year - 1}-Q4` : `${year}-Q${q}`
    }
    case "monthly":
      return `${year}-${String(month).padStart(2, "0")}`
    default:
      return String(year)
  }
}

/** The id a schedule gets in the draft (`monthly`, `annual` for a year report due once, as plan 182 names them). */
export const baseId = (found: Found): string => {
  switch (found.kind) {
    case "monthly":
      return "monthly"
    case "once":
      return found.cadence === "yearly" || found.cadence === "unknown"
        ? "annual"
        : found.cadence === "half-yearly"
          ? "half-year"
          : found.cadence === "quarterly"
            ? "quarter"
            : "month"
    default:
      return found.kind
  }
}

/** The schedule, with its id. */
export const toSchedule = (found: Found, scheduleId: string): Schedule => {
  switch (found.kind) {
    case "monthly":
      return { scheduleId, kind: "monthly", dueBeforeDay: found.dueBeforeDay }
    case "once":
      return { scheduleId, kind: "once", period: found.period, dueBefore: found.dueBefore }
    default:
      return { scheduleId, kind: found.kind, dueBeforeDay: found.dueBeforeDay, dueMonthOffset: found.dueMonthOffset }
  }
}
