/**
 * Given/when/then for the domain: build a log from events, each checked by the
 * rules as it is appended, then ask the decision or a projection.
 */
import { Decide, Events, State, Time } from "../src/index.js"
import { Plan182 } from "@kehoach/fixtures"

/** An event of a test log: what happened, when, and (optionally) when the log learnt it. */
export type Step = Events.DomainEvent & { readonly occurredAt: string; readonly recordedAt?: string }

/** A step: `on("2018-01-30T08:00:00+07:00", { type: "PlanIssued", data: … })`. */
export const on = <E extends Events.DomainEvent>(occurredAt: string, event: E, recordedAt?: string): Step =>
  ({ ...event, occurredAt, ...(recordedAt === undefined ? {} : { recordedAt }) }) as Step

/**
 * Turns steps into recorded events: positions 1…n, ids, and `recordedAt`
 * (given, or else the later of `occurredAt` and the previous `recordedAt`,
 * since knowledge time never decreases).
 */
export const record = (steps: ReadonlyArray<Step>): Array<Events.RecordedEvent> => {
  let last = Number.NEGATIVE_INFINITY
  return steps.map((step, i) => {
    const occurred = Time.parseInstant(step.occurredAt)!
    const recordedAt = step.recordedAt ?? Time.formatInstant(Math.max(occurred, last))
    last = Math.max(last, Time.parseInstant(recordedAt)!)
    const { recordedAt: _r, ...rest } = step
    return {
      ...rest,
      position: i + 1,
      id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`,
      version: 1,
      recordedAt,
      recordedBy: "test"
    } as Events.RecordedEvent
  })
}

/** Folds steps into a state, failing loudly if the rules reject any of them (a test log must be valid). */
export const given = (steps: ReadonlyArray<Step>): State.State => {
  const state = State.empty()
  for (const event of record(steps)) {
    const v = Decide.violation(state, event)
    if (v !== undefined) throw new Error(`given: event ${event.position} (${event.type}) rejected: ${v.message}`)
    State.evolve(state, event)
  }
  return state
}

/** The tag of the rule a step breaks on the given log, or `undefined` when it is accepted. */
export const whenRejected = (steps: ReadonlyArray<Step>, step: Step): string | undefined =>
  Decide.violation(given(steps), { ...step, recordedAt: undefined })?._tag

/** Query instant: `YYYY-MM-DD` = end of that local day, or a full instant. */
export const t = (s: string): number => {
  const ms = Time.parseQueryTime(s)
  if (ms === undefined) throw new Error(`bad test time ${s}`)
  return ms
}

// ---------------------------------------------------------------------------
// The canonical example: plan 182 of Tuyên Quang, reduced to a few units.

/** Plan 182/KH-MTTQ-BTT as DOMAIN.md §3 describes it: the fixtures' one copy. */
export const plan182: Events.EventData["PlanIssued"] = Plan182.plan

const unit = (
  unitId: string,
  name: string,
  level: Events.Level,
  parentId?: string,
  tags?: ReadonlyArray<string>
): Step =>
  on("2018-01-01T00:00:00+07:00", {
    type: "UnitRegistered",
    data: {
      unitId,
      name,
      level,
      ...(parentId === undefined ? {} : { parentId }),
      ...(tags === undefined ? {} : { tags })
    }
  })

/**
 * The province board, two districts, three communes and five residential
 * areas, all registered on 1 January 2018.
 */
export const tuyenQuang: ReadonlyArray<Step> = [
  unit("08", "Tỉnh Tuyên Quang", "province"),
  unit("070", "Thành phố Tuyên Quang", "district", "08"),
  unit("071", "Huyện Lâm Bình", "district", "08"),
  unit("02200", "Phường Phan Thiết", "commune", "070"),
  unit("02209", "Xã Tràng Đà", "commune", "070", ["key-area"]),
  unit("02215", "Xã Thượng Lâm", "commune", "071", ["program-135"]),
  unit("02200-01", "Tổ dân phố 1", "residential-area", "02200"),
  unit("02200-02", "Tổ dân phố 2", "residential-area", "02200"),
  unit("02209-01", "Thôn Cầu Cả", "residential-area", "02209"),
  unit("02215-01", "Thôn Nà Liềm", "residential-area", "02215"),
  unit("02215-02", "Thôn Khuổi Củng", "residential-area", "02215")
]

/** Plan 182 issued on 30/01/2018 by the province board. */
export const issued: Step = on("2018-01-30T08:00:00+07:00", { type: "PlanIssued", data: plan182 })

/** An assignment to plan 182 on 30/01/2018. */
export const assign = (
  unitId: string,
  extra: Partial<Events.EventData["UnitAssigned"]> = {},
  at = "2018-01-30T09:00:00+07:00"
): Step => on(at, { type: "UnitAssigned", data: { planId: "182-2018", unitId, ...extra } })

/**
 * A report on plan 182, filed online when `recordedAt` is not given (recorded when filed), else
 * received on paper and entered later by a clerk under an incoming register number (số đến).
 */
export const report = (
  reportId: string,
  unitId: string,
  period: string,
  at: string,
  extra: Partial<Events.EventData["ReportFiled"]> = {},
  recordedAt?: string
): Step =>
  on(
    at,
    {
      type: "ReportFiled",
      data: {
        reportId,
        planId: "182-2018",
        unitId,
        scheduleId: period.length === 4 ? "annual" : "monthly",
        period,
        ...(recordedAt === undefined ? { channel: "online" } : { channel: "paper", registerNumber: `sđ-${reportId}` }),
        ...extra
      }
    },
    recordedAt
  )
