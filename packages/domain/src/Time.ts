/**
 * Instants and local dates, in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
 *
 * The domain compares instants as epoch milliseconds. Event timestamps stay the
 * strings they were recorded as (the hash chain covers them byte for byte); this
 * module turns them into numbers with a strict, allocation-free parser, because
 * the fold parses two of them per event.
 */

import { ParseResult, Schema } from "effect"

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

/** The number of days of a month (1–12) of a year, leap years included. */
export const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
      ? 29
      : 28
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
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    s[4] !== "-" ||
    s[7] !== "-" ||
    (s[10] !== "T" && s[10] !== "t") ||
    s[13] !== ":" ||
    s[16] !== ":"
  )
    return undefined
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
  return dueBeforeDay > last ? startOfLocalDay(year, month, last) + DAY_MS : startOfLocalDay(year, month, dueBeforeDay)
}

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/** Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm): no Date object per call. */
const civil = (days: number): readonly [number, number, number] => {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day]
}

/**
 * Formats epoch milliseconds as an ISO 8601 instant in local time
 * (`2018-03-20T00:00:00+07:00`); milliseconds appear only when not zero.
 */
export const formatInstant = (ms: number): string => {
  const local = ms + zoneOffsetMs
  const days = Math.floor(local / DAY_MS)
  let rest = local - days * DAY_MS
  const [year, month, day] = civil(days)
  const hour = Math.floor(rest / 3_600_000)
  rest -= hour * 3_600_000
  const minute = Math.floor(rest / 60_000)
  rest -= minute * 60_000
  const second = Math.floor(rest / 1000)
  const frac = rest - second * 1000
  const y = year >= 0 && year <= 9999 ? String(year).padStart(4, "0") : String(year)
  return `${y}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${
    frac === 0 ? "" : `.${String(frac).padStart(3, "0")}`
  }+07:00`
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

/**
 * A query time as the CLI (`--as-of`, `--known-at`) and the server (`asOf`,
 * `knownAt`) take it, decoded to epoch milliseconds: a full ISO instant with
 * offset, or `YYYY-MM-DD` meaning the end of that day in Asia/Ho_Chi_Minh.
 * One schema, so both adapters accept and refuse the same texts with the same words.
 */
export const QueryTime = Schema.transformOrFail(Schema.String, Schema.Number, {
  strict: true,
  decode: (text, _, ast) => {
    const t = parseQueryTime(text)
    return t === undefined
      ? ParseResult.fail(
          new ParseResult.Type(
            ast,
            text,
            `${JSON.stringify(text)} is not a date: give a full ISO instant with offset (2018-12-31T23:59:59+07:00) or a date YYYY-MM-DD (the end of that day in Asia/Ho_Chi_Minh)`
          )
        )
      : ParseResult.succeed(t)
  },
  encode: (t) => ParseResult.succeed(formatInstant(t))
}).annotations({
  identifier: "QueryTime",
  description: "ISO 8601 instant with offset, or YYYY-MM-DD (the end of that day in Asia/Ho_Chi_Minh)"
})
