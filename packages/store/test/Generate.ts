/**
 * A synthetic, valid log for tests: a province, its districts, communes and
 * residential areas, models in the areas, then plans assigned to every
 * district and commune, each of which files its eleven monthly reports and
 * its annual report. Every event passes the domain's rules in this order.
 */
import type { Events } from "@kehoach/domain"

/** The shape of the hierarchy and how many plans. */
export interface Shape {
  readonly districts: number
  readonly communes: number
  readonly areas: number
  readonly plans: number
}

/** How many events `events(shape)` yields. */
export const count = (s: Shape): number => {
  const units = 1 + s.districts + s.districts * s.communes + s.districts * s.communes * s.areas
  const models = s.districts * s.communes * s.areas
  const assigned = s.districts + s.districts * s.communes
  return units + models + s.plans * (1 + assigned * 13)
}

/** A deterministic UUID for the n-th event. */
export const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`

const month = (m: number) => String(m).padStart(2, "0")

/**
 * The events, in an order the rules accept, each with a deterministic id. The reports are
 * version-1 lines, as logs held them before channels (their filing time is as stated): the tests
 * run on a test clock at 0, at which no report of 2018 could be filed or entered.
 */
export function* events(s: Shape): Generator<Events.ProposedEvent & { readonly version?: number }> {
  let n = 0
  const at = "2018-01-01T00:00:00+07:00"
  const id = () => uuid(++n)
  yield { id: id(), type: "UnitRegistered", occurredAt: at, data: { unitId: "P", name: "Tỉnh P", level: "province" } }
  const assigned: Array<string> = []
  for (let d = 0; d < s.districts; d++) {
    const dId = `P.${d}`
    assigned.push(dId)
    yield {
      id: id(),
      type: "UnitRegistered",
      occurredAt: at,
      data: { unitId: dId, name: `Huyện ${d}`, level: "district", parentId: "P" }
    }
    for (let c = 0; c < s.communes; c++) {
      const cId = `${dId}.${c}`
      assigned.push(cId)
      yield {
        id: id(),
        type: "UnitRegistered",
        occurredAt: at,
        data: {
          unitId: cId,
          name: `Xã ${d}.${c}`,
          level: "commune",
          parentId: dId,
          ...(c % 3 === 0 ? { tags: ["key-area"] } : {})
        }
      }
      for (let a = 0; a < s.areas; a++) {
        const aId = `${cId}.${a}`
        yield {
          id: id(),
          type: "UnitRegistered",
          occurredAt: at,
          data: { unitId: aId, name: `Thôn ${a}`, level: "residential-area", parentId: cId }
        }
        yield {
          id: id(),
          type: "ModelEstablished",
          occurredAt: "2018-02-01T08:00:00+07:00",
          data: {
            modelId: `m-${aId}`,
            unitId: aId,
            kind: "self-managed",
            name: `Mô hình ${aId}`,
            households: 40 + a,
            committed: 30 + (a % 10)
          }
        }
      }
    }
  }
  for (let p = 0; p < s.plans; p++) {
    const planId = `plan-${p}`
    yield {
      id: id(),
      type: "PlanIssued",
      occurredAt: "2018-01-30T08:00:00+07:00",
      data: {
        planId,
        documentNumber: `${p}/KH-MTTQ-BTT`,
        title: `Kế hoạch ${p}`,
        issuerId: "P",
        effectiveFrom: "2018-01-30",
        effectiveUntil: "2018-12-31",
        schedules: [
          { scheduleId: "monthly", kind: "monthly", dueBeforeDay: 20 },
          { scheduleId: "annual", kind: "once", period: "2018", dueBefore: "2018-11-30" }
        ]
      }
    }
    for (const unitId of assigned) {
      yield { id: id(), type: "UnitAssigned", occurredAt: "2018-01-30T09:00:00+07:00", data: { planId, unitId } }
    }
    for (let m = 2; m <= 12; m++) {
      for (const unitId of assigned) {
        // Some reports are late (filed on the 21st).
        const day = (unitId.length + m) % 5 === 0 ? 21 : 15
        yield {
          id: id(),
          type: "ReportFiled",
          version: 1,
          occurredAt: `2018-${month(m)}-${day}T10:00:00+07:00`,
          data: {
            reportId: `r-${planId}-${unitId}-${m}`,
            planId,
            unitId,
            scheduleId: "monthly",
            period: `2018-${month(m)}`,
            metrics: { sessions: m, peopleReached: 100 + m }
          }
        }
      }
    }
    for (const unitId of assigned) {
      yield {
        id: id(),
        type: "ReportFiled",
        version: 1,
        occurredAt: "2018-11-25T10:00:00+07:00",
        data: { reportId: `r-${planId}-${unitId}-y`, planId, unitId, scheduleId: "annual", period: "2018" }
      }
    }
  }
}

/** The events as NDJSON lines (no envelope but the id), newline-terminated. */
export function* lines(s: Shape): Generator<string> {
  for (const e of events(s)) yield JSON.stringify(e) + "\n"
}
