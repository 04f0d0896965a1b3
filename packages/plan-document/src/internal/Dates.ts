/** Calendar dates as plans write them (`30/11/2018`, `ngày 30 tháng 01 năm 2018`). */

/** Days in a month of a year (February of a leap year has 29). */
export const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31

/** Whether day/month/year is a date of the calendar. */
export const exists = (year: number, month: number, day: number): boolean =>
  Number.isInteger(year) && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)

/** `YYYY-MM-DD`. */
export const local = (year: number, month: number, day: number): string =>
  `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`

/** Reads `YYYY-MM-DD` into its parts when it is a date of the calendar. */
export const parseLocal = (s: string): { year: number; month: number; day: number } | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(s)
  if (m === null) return undefined
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return exists(year, month, day) ? { year, month, day } : undefined
}
