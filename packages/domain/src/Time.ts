/**
 * Instants and local dates, in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
 *
 * The domain compares instants as epoch milliseconds. Event timestamps stay the
 * strings they were recorded as (the hash chain covers them byte for byte); this
 * module turns them into numbers with a strict, allocation-free parser, because
 * the fold parses two of them per event.
 */

/** The offset of Asia/Ho_Chi_Minh, in milliseconds (UTC+7 all year). */
export const zoneOffsetMs = 7 * 3_600_000

const DAY_MS = 86_400_000

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48
  return c >= 0 && c <= 9 ? c : -1
}

const digits = (s: string, i: number, n: number): number => {
  let v = 0
  for (let k = 0; k < n; k++) {
    const d = digit(s, i + k)
    if (d < 0) return -1
    v = v * 10 + d
  }
  return v
}

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
    : month === 4 || month === 6 || month === 9 || month === 11
    ? 30
    : 31

/**
 * Parses an ISO 8601 instant with an explicit offset
 * (`2018-03-19T23:59:59+07:00`, `2018-03-19T16:59:59Z`, optionally with up to
 * three fraction digits) into epoch milliseconds, or `undefined` when the text
 * is not such an instant (a missing offset is refused: a local time without a
 * zone is ambiguous).
 */
export const parseInstant = (s: string): number | undefined => {
  const n = s.length
  if (n < 20) return undefined
  const year = digits(s, 0, 4)
  const month = digits(s, 5, 2)
  const day = digits(s, 8, 2)
  const hour = digits(s, 11, 2)
  const minute = digits(s, 14, 2)
  const second = digits(s, 17, 2)
  if (
    year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
    hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 ||
    s[4] !== "-" || s[7] !== "-" || (s[10] !== "T" && s[10] !== "t") || s[13] !== ":" || s[16] !== ":"
  ) return undefined
  let i = 19
  let ms = 0
  if (s[i] === ".") {
    const start = ++i
    while (i < n && digit(s, i) >= 0) i++
    const len = i - start
    if (len < 1 || len > 3) return undefined
    ms = digits(s, start, len) * (len === 1 ? 100 : len === 2 ? 10 : 1)
  }
  let offset: number
  if (i === n - 1 && (s[i] === "Z" || s[i] === "z")) {
    offset = 0
  } else if (i === n - 6 && (s[i] === "+" || s[i] === "-") && s[i + 3] === ":") {
    const oh = digits(s, i + 1, 2)
    const om = digits(s, i + 4, 2)
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined
    offset = (s[i] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000
  } else {
    return undefined
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset
}

/** Parses a calendar date `YYYY-MM-DD` into `[year, month, day]`, or `undefined`. */
export const parseDateParts = (s: string): readonly [number, number, number] | undefined => {
  if (s.length !== 10 || s[4] !== "-" || s[7] !== "-") return undefined
  const year = digits(s, 0, 4)
  const month = digits(s, 5, 2)
  const day = digits(s, 8, 2)
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  return [year, month, day]
}

/** Whether `s` is a real calendar date written `YYYY-MM-DD`. */
export const isLocalDate = (s: string): boolean => parseDateParts(s) !== undefined

/** The first instant (00:00:00 local time) of a local date, as epoch milliseconds. */
export const startOfLocalDay = (year: number, month: number, day: number): number =>
  Date.UTC(year, month - 1, day) - zoneOffsetMs

/** The first instant of the local date `YYYY-MM-DD`; throws on a malformed date (validate first). */
export const startOfDate = (date: string): number => {
  const parts = parseDateParts(date)
  if (parts === undefined) throw new RangeError(`not a date YYYY-MM-DD: ${date}`)
  return startOfLocalDay(parts[0], parts[1], parts[2])
}

/**
 * The deadline of a monthly report "before day `dueBeforeDay`" of a month: the
 * first instant of that day. When the month has no such day ("before the 31st"
 * in April) the report is due by the end of the month, so the deadline is the
 * first instant of the next month.
 */
export const monthlyDeadline = (year: number, month: number, dueBeforeDay: number): number => {
  const last = daysInMonth(year, month)
  return dueBeforeDay > last
    ? startOfLocalDay(year, month, last) + DAY_MS
    : startOfLocalDay(year, month, dueBeforeDay)
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0")

/**
 * Formats epoch milliseconds as an ISO 8601 instant in local time
 * (`2018-03-20T00:00:00+07:00`); milliseconds appear only when not zero.
 */
export const formatInstant = (ms: number): string => {
  const d = new Date(ms + zoneOffsetMs)
  const frac = d.getUTCMilliseconds()
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${
    pad(d.getUTCMinutes())
  }:${pad(d.getUTCSeconds())}${frac === 0 ? "" : `.${pad(frac, 3)}`}+07:00`
}

/** The local date (`YYYY-MM-DD`) that contains an instant. */
export const localDateOf = (ms: number): string => formatInstant(ms).slice(0, 10)

/**
 * Reads a query time as the CLI and the server accept it: a full ISO instant
 * with offset, or a date `YYYY-MM-DD` meaning the end of that day
 * (23:59:59.999 local time), so "as of 2018-12-31" includes all of that day.
 * Returns `undefined` for anything else.
 */
export const parseQueryTime = (s: string): number | undefined => {
  const date = parseDateParts(s)
  if (date !== undefined) return startOfLocalDay(date[0], date[1], date[2]) + DAY_MS - 1
  return parseInstant(s)
}
