/**
 * The filings an auditor asks about (DOMAIN.md "Filing time", decision 0013): every report whose
 * filing time precedes its recording by more than a window, by unit, with both times. Paper
 * filings entered late and version-1 lines (channel `stated`, whose time was the filer's word)
 * are listed; an online filing is filed at receipt and never is. `kehoach audit backdated` and
 * `GET /audit/backdated` give this list.
 */
import { Schema } from "effect"
import type { ReportFiled } from "./Events.js"
import { channelOf } from "./Events.js"

const DAY_MS = 86_400_000

/** One filing recorded more than the window after its filing time. */
export const Filing = Schema.Struct({
  position: Schema.Number,
  unitId: Schema.String,
  planId: Schema.String,
  scheduleId: Schema.String,
  period: Schema.String,
  reportId: Schema.String,
  channel: Schema.Literal("online", "paper", "stated"),
  registerNumber: Schema.NullOr(Schema.String),
  filedAt: Schema.String,
  recordedAt: Schema.String,
  recordedBy: Schema.String,
  /** Whole days from the filing time to the recording (rounded down). */
  days: Schema.Number
}).annotations({ identifier: "BackdatedFiling" })
export type Filing = typeof Filing.Type

/** The answer: the window asked, in days, and the filings beyond it. */
export const Backdated = Schema.Struct({
  overDays: Schema.Number,
  filings: Schema.Array(Filing)
}).annotations({ identifier: "Backdated" })
export type Backdated = typeof Backdated.Type

/** What the list reads of an event of the log. */
export interface LoggedEvent {
  readonly type: string
  readonly position: number
  readonly occurredAt: string
  readonly recordedAt: string
  readonly recordedBy: string
  readonly data: unknown
}

/** The reports among `events` recorded more than `overDays` after their filing time, by unit, then position. */
export const list = (events: Iterable<LoggedEvent>, overDays: number): Backdated => {
  const filings: Array<Filing> = []
  for (const e of events) {
    if (e.type !== "ReportFiled") continue
    const gap = Date.parse(e.recordedAt) - Date.parse(e.occurredAt)
    if (gap <= overDays * DAY_MS) continue
    const d = e.data as ReportFiled
    filings.push({
      position: e.position,
      unitId: d.unitId,
      planId: d.planId,
      scheduleId: d.scheduleId,
      period: d.period,
      reportId: d.reportId,
      channel: channelOf(d),
      registerNumber: d.registerNumber ?? null,
      filedAt: e.occurredAt,
      recordedAt: e.recordedAt,
      recordedBy: e.recordedBy,
      days: Math.floor(gap / DAY_MS)
    })
  }
  filings.sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : a.position - b.position))
  return { overDays, filings }
}
