/**
 * Embedding the domain package: fold events into state, check a proposed
 * event against the rules, and ask for compliance and coverage. This file is
 * compiled by `tsc -b` and run by `docs/examples/embed.test.ts`.
 */
import { Compliance, Coverage, Decide, Events, State, Time } from "@kehoach/domain"
import { Either } from "effect"

// Events as your system recorded them (an export of the log has exactly this shape).
const log: Array<Events.RecordedEvent> = [
  {
    position: 1,
    id: "018d5f3e-0000-7000-8000-000000000001",
    type: "UnitRegistered",
    version: 1,
    occurredAt: "2018-01-01T00:00:00+07:00",
    recordedAt: "2018-01-02T09:15:00+07:00",
    recordedBy: "import",
    data: { unitId: "08", name: "Tỉnh Tuyên Quang", level: "province" }
  },
  {
    position: 2,
    id: "018d5f3e-0000-7000-8000-000000000002",
    type: "UnitRegistered",
    version: 1,
    occurredAt: "2018-01-01T00:00:00+07:00",
    recordedAt: "2018-01-02T09:15:00+07:00",
    recordedBy: "import",
    data: { unitId: "070", name: "Thành phố Tuyên Quang", level: "district", parentId: "08" }
  },
  {
    position: 3,
    id: "018d5f3e-0000-7000-8000-000000000003",
    type: "PlanIssued",
    version: 1,
    occurredAt: "2018-01-30T08:00:00+07:00",
    recordedAt: "2018-01-30T08:05:00+07:00",
    recordedBy: "van-thu@08",
    data: {
      planId: "182-2018",
      documentNumber: "182/KH-MTTQ-BTT",
      title: "Vận động toàn dân tham gia phòng, chống ma túy năm 2018",
      issuerId: "08",
      effectiveFrom: "2018-01-30",
      effectiveUntil: "2018-12-31",
      schedules: [
        { scheduleId: "monthly", kind: "monthly", dueBeforeDay: 20 },
        { scheduleId: "annual", kind: "once", period: "2018", dueBefore: "2018-11-30" }
      ]
    }
  },
  {
    position: 4,
    id: "018d5f3e-0000-7000-8000-000000000004",
    type: "UnitAssigned",
    version: 1,
    occurredAt: "2018-01-30T09:00:00+07:00",
    recordedAt: "2018-01-30T09:00:00+07:00",
    recordedBy: "van-thu@08",
    data: { planId: "182-2018", unitId: "070" }
  }
]

/** Runs the example and returns what it printed, line by line. */
export const run = (): Array<string> => {
  const out: Array<string> = []

  // 1. Fold the log into state (the state is indexed by valid and knowledge time).
  const state = State.fold(log)

  // 2. Check a proposed event against the rules before you record it: a report received on paper on
  //    19 March, entered by the district's clerk on 26 March under its incoming register number.
  const recordedAt = "2018-03-26T10:00:00+07:00"
  const proposed: Events.ProposedEvent = {
    type: "ReportFiled",
    occurredAt: "2018-03-19T23:59:59+07:00",
    data: {
      reportId: "bc-070-2018-03",
      planId: "182-2018",
      unitId: "070",
      scheduleId: "monthly",
      period: "2018-03",
      channel: "paper",
      registerNumber: "57/SĐ"
    }
  }
  const decision = Decide.decide(state, { ...proposed, recordedAt })
  out.push(Either.isRight(decision) ? "accepted" : `rejected: ${decision.left.message}`)
  if (Either.isRight(decision)) {
    State.evolve(state, {
      ...proposed,
      position: 5,
      id: "018d5f3e-0000-7000-8000-000000000005",
      version: 2,
      recordedAt,
      recordedBy: "van-thu@070"
    })
  }

  // 3. Ask for compliance as of a valid time, as known at a knowledge time.
  const asOf = Time.parseQueryTime("2018-03-31")!
  for (const knownAt of ["2018-03-25", "2018-03-31"]) {
    const compliance = Compliance.project(state, { planId: "182-2018", asOf, knownAt: Time.parseQueryTime(knownAt)! })
    if (Either.isLeft(compliance)) throw new Error(compliance.left.message)
    const district = compliance.right.units.find((u) => u.unitId === "070")!
    out.push(`known at ${knownAt}: on time ${district.self.onTime}, missing ${district.self.missing}`)
  }

  // 4. Coverage of residential areas by models (none registered here, so null).
  const coverage = Either.getOrThrow(Coverage.project(state, { asOf, knownAt: asOf }))
  out.push(`coverage of ${coverage.units[0]!.name}: ${coverage.units[0]!.coverage}`)
  return out
}
