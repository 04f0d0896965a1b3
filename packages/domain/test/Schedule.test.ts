import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { Compliance, Decide, Events, Plan, Schedule, State, Time } from "../src/index.js"
import { given, on, type Step } from "./Given.js"

const iso = (ms: number | undefined) => (ms === undefined ? undefined : Time.formatInstant(ms))

const quarterly = { scheduleId: "q", kind: "quarterly", dueBeforeDay: 20, dueMonthOffset: 1 } as const
const halfYear = { scheduleId: "h", kind: "half-yearly", dueBeforeDay: 15, dueMonthOffset: 0 } as const
const yearly = { scheduleId: "y", kind: "yearly", dueBeforeDay: 30, dueMonthOffset: -1 } as const

const province: Step = on("2023-01-01T00:00:00+07:00", {
  type: "UnitRegistered",
  data: { unitId: "08", name: "Tỉnh Tuyên Quang", level: "province" }
})
const district: Step = on("2023-01-01T00:00:00+07:00", {
  type: "UnitRegistered",
  data: { unitId: "070", name: "Thành phố Tuyên Quang", level: "district", parentId: "08" }
})

const planWith = (
  schedules: ReadonlyArray<Events.Schedule>,
  effectiveFrom = "2026-01-01",
  effectiveUntil = "2026-12-31"
): Events.EventData["PlanIssued"] => ({
  planId: "p",
  documentNumber: "1/KH-MTTQ",
  title: "Kế hoạch năm",
  issuerId: "08",
  effectiveFrom,
  effectiveUntil,
  schedules
})

const violationOf = (plan: Events.EventData["PlanIssued"]) =>
  Decide.violation(given([province]), {
    type: "PlanIssued",
    data: plan,
    occurredAt: "2025-12-01T08:00:00+07:00",
    recordedAt: "2025-12-01T08:00:00+07:00"
  })

describe("Period names", () => {
  it("writes and reads periods as people write them", () => {
    assert.strictEqual(Schedule.periodName("quarterly", { year: 2026, index: 1 }), "2026-Q1")
    assert.strictEqual(Schedule.periodName("half-yearly", { year: 2026, index: 2 }), "2026-H2")
    assert.strictEqual(Schedule.periodName("yearly", { year: 2026, index: 1 }), "2026")
    assert.deepStrictEqual(Schedule.parsePeriod("quarterly", "2026-Q4"), { year: 2026, index: 4 })
    for (const [kind, bad] of [
      ["quarterly", "2026-Q5"],
      ["quarterly", "2026-H1"],
      ["quarterly", "2026"],
      ["half-yearly", "2026-H3"],
      ["half-yearly", "2026-Q1"],
      ["yearly", "2026-01"],
      ["yearly", "26"],
      ["quarterly", "2026-q1"]
    ] as const) {
      assert.isUndefined(Schedule.parsePeriod(kind, bad), `${kind} ${bad}`)
    }
  })

  it("reads back every name it writes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Schedule.recurringKinds),
        fc.integer({ min: 1000, max: 9999 }),
        fc.nat(3),
        (kind, year, i) => {
          const index = (i % (12 / Schedule.monthsPerPeriod[kind])) + 1
          assert.deepStrictEqual(Schedule.parsePeriod(kind, Schedule.periodName(kind, { year, index })), {
            year,
            index
          })
        }
      )
    )
  })
})

describe("Deadlines of quarterly, half-yearly and yearly schedules", () => {
  it("follow the examples of the brief, as instants in Asia/Ho_Chi_Minh", () => {
    assert.strictEqual(iso(Schedule.deadlineOf(quarterly, { year: 2026, index: 1 })), "2026-04-20T00:00:00+07:00")
    assert.strictEqual(iso(Schedule.deadlineOf(quarterly, { year: 2026, index: 4 })), "2027-01-20T00:00:00+07:00")
    assert.strictEqual(iso(Schedule.deadlineOf(halfYear, { year: 2026, index: 1 })), "2026-06-15T00:00:00+07:00")
    assert.strictEqual(iso(Schedule.deadlineOf(halfYear, { year: 2026, index: 2 })), "2026-12-15T00:00:00+07:00")
    assert.strictEqual(iso(Schedule.deadlineOf(yearly, { year: 2018, index: 1 })), "2018-11-30T00:00:00+07:00")
    // 29 February exists in leap years only.
    const leap = { scheduleId: "l", kind: "quarterly", dueBeforeDay: 29, dueMonthOffset: -1 } as const
    assert.strictEqual(iso(Schedule.deadlineOf(leap, { year: 2028, index: 1 })), "2028-02-29T00:00:00+07:00")
    assert.isUndefined(Schedule.deadlineOf(leap, { year: 2027, index: 1 }))
  })

  it("a 2026 plan owes 2026-Q1 to 2026-Q4, the last due after the plan ends", () => {
    const periods = Plan.periodsOf(planWith([quarterly]), quarterly)
    assert.deepStrictEqual(
      periods.map((p) => [p.period, iso(p.deadline)]),
      [
        ["2026-Q1", "2026-04-20T00:00:00+07:00"],
        ["2026-Q2", "2026-07-20T00:00:00+07:00"],
        ["2026-Q3", "2026-10-20T00:00:00+07:00"],
        ["2026-Q4", "2027-01-20T00:00:00+07:00"]
      ]
    )
  })

  it("a plan from 1 July 2025 has the quarters it overlaps, not a quarter due before it takes effect", () => {
    const early = { scheduleId: "e", kind: "quarterly", dueBeforeDay: 5, dueMonthOffset: 0 } as const
    const plan = planWith([quarterly, early], "2025-05-10", "2026-02-15")
    assert.deepStrictEqual(
      Plan.periodsOf(plan, quarterly).map((p) => p.period),
      ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    )
    // 2025-Q2 would be due on 5 June, after the plan took effect; with a plan from 10 June it is not owed.
    assert.deepStrictEqual(
      Plan.periodsOf(planWith([early], "2025-06-10", "2026-02-15"), early).map((p) => p.period),
      ["2025-Q3", "2025-Q4", "2026-Q1"]
    )
  })
})

describe("Bad schedules are refused, naming the field", () => {
  it("a due day 31 in a 30-day month", () => {
    const v = violationOf(planWith([{ scheduleId: "q", kind: "quarterly", dueBeforeDay: 31, dueMonthOffset: 1 }]))
    assert.strictEqual(v?._tag, "InvalidPlan")
    assert.strictEqual(
      v?.message,
      "plan p: schedules.0.dueBeforeDay: day 31 does not exist in April 2026, the due month of 2026-Q1 (it has 30 days) (schedule q)"
    )
  })

  it("29 February outside a leap year, accepted in one", () => {
    const feb29 = { scheduleId: "y", kind: "yearly", dueBeforeDay: 29, dueMonthOffset: -10 } as const
    assert.isUndefined(violationOf(planWith([feb29], "2028-01-01", "2028-12-31")))
    assert.match(
      violationOf(planWith([feb29], "2028-01-01", "2029-12-31"))?.message ?? "",
      /dueBeforeDay: day 29 does not exist in February 2029/
    )
  })

  it("a half-year due before its period starts", () => {
    const v = violationOf(planWith([{ scheduleId: "h", kind: "half-yearly", dueBeforeDay: 15, dueMonthOffset: -6 }]))
    assert.match(
      v?.message ?? "",
      /^plan p: schedules\.0\.dueMonthOffset: a half-yearly period would be due before it starts/
    )
    const onFirstDay = violationOf(
      planWith([halfYear, { scheduleId: "h1", kind: "half-yearly", dueBeforeDay: 1, dueMonthOffset: -5 }])
    )
    assert.match(onFirstDay?.message ?? "", /schedules\.1\.dueMonthOffset/)
    assert.isUndefined(
      violationOf(planWith([{ scheduleId: "h", kind: "half-yearly", dueBeforeDay: 2, dueMonthOffset: -5 }]))
    )
  })

  const line = (schedules: unknown, version?: number) => ({
    type: "PlanIssued",
    occurredAt: "2025-12-01T08:00:00+07:00",
    ...(version === undefined ? {} : { version }),
    data: { ...planWith([]), schedules }
  })
  const reason = (u: unknown) =>
    Either.match(Events.decodeLine(u), { onLeft: (e) => e.message, onRight: () => "accepted" })

  it("an unknown kind, a missing offset, an offset out of range", () => {
    assert.strictEqual(
      reason(line([{ scheduleId: "w", kind: "weekly", dueBeforeDay: 1 }])),
      `invalid event: data.schedules.0.kind: expected one of "monthly", "once", "quarterly", "half-yearly", "yearly", got "weekly"`
    )
    assert.strictEqual(
      reason(line([{ scheduleId: "q", kind: "quarterly", dueBeforeDay: 20 }])),
      "invalid event: data.schedules.0.dueMonthOffset: is required but missing"
    )
    assert.match(
      reason(line([{ ...quarterly, dueMonthOffset: 13 }])),
      /^invalid event: data\.schedules\.0\.dueMonthOffset: expected a whole number/
    )
    assert.match(
      reason(line([{ ...quarterly, dueBeforeDay: 0 }])),
      /^invalid event: data\.schedules\.0\.dueBeforeDay: expected a day/
    )
    assert.strictEqual(reason(line([quarterly, halfYear, yearly])), "accepted")
  })

  it("version 1 of PlanIssued knows monthly and once only, and is read as version 2", () => {
    const monthly = { scheduleId: "m", kind: "monthly", dueBeforeDay: 20 } as const
    const decoded = Either.getOrThrow(Events.decodeLine(line([monthly], 1)))
    assert.deepStrictEqual(decoded.data, { ...planWith([]), schedules: [monthly] })
    assert.strictEqual(
      reason(line([quarterly], 1)),
      `invalid event: data.schedules.0.kind: expected one of "monthly", "once", got "quarterly" (in version 1 of PlanIssued)`
    )
    assert.strictEqual(Events.currentVersion.PlanIssued, 2)
  })
})

describe("Reports of the new kinds", () => {
  const steps: Array<Step> = [
    province,
    district,
    on("2025-12-01T08:00:00+07:00", { type: "PlanIssued", data: planWith([quarterly, halfYear, yearly]) }),
    on("2025-12-02T08:00:00+07:00", { type: "UnitAssigned", data: { planId: "p", unitId: "070" } })
  ]
  const filing = (scheduleId: string, period: string): Step =>
    on("2026-04-10T08:00:00+07:00", {
      type: "ReportFiled",
      data: { reportId: `r-${scheduleId}-${period}`, planId: "p", unitId: "070", scheduleId, period }
    })
  const refusal = (scheduleId: string, period: string) => {
    const state = given(steps)
    const step = filing(scheduleId, period)
    const event = {
      ...step,
      position: 5,
      id: "00000000-0000-4000-8000-000000000005",
      version: 1,
      recordedAt: step.occurredAt,
      recordedBy: "t"
    }
    return Decide.violation(state, event as Events.RecordedEvent)?.message
  }

  it("accept a period of the schedule and refuse any other, saying what fits", () => {
    assert.isUndefined(refusal("q", "2026-Q1"))
    assert.isUndefined(refusal("h", "2026-H1"))
    assert.isUndefined(refusal("y", "2026"))
    assert.strictEqual(
      refusal("q", "2026-Q5"),
      "period 2026-Q5 does not fit schedule q of plan p: expected a quarter written YYYY-Qn (n from 1 to 4), from 2026-Q1 to 2026-Q4"
    )
    assert.match(
      refusal("h", "2026-Q1") ?? "",
      /expected a half-year written YYYY-Hn \(n 1 or 2\), from 2026-H1 to 2026-H2/
    )
    assert.match(refusal("y", "2027") ?? "", /expected a year written YYYY, from 2026 to 2026/)
  })
})

// ---------------------------------------------------------------------------
// The differential property: the domain against a model written here, by brute force over calendar days.

const DAY = 86_400_000
const HCM = 7 * 3_600_000
/** 00:00 local of a calendar day, with JavaScript's own month arithmetic (month may overflow). */
const localMidnight = (y: number, m0: number, d: number) => Date.UTC(y, m0, d) - HCM
const dateText = (ms: number) => new Date(ms + HCM).toISOString().slice(0, 10)

type AnySchedule = Events.Schedule

interface ModelPeriod {
  readonly period: string
  readonly deadline: number
}

/** The model: walk every day of the plan, name the period it lies in, and compute each period's deadline anew. */
const model = (from: string, until: string, s: AnySchedule): { valid: boolean; periods: Array<ModelPeriod> } => {
  const start = Date.parse(`${from}T00:00:00+07:00`)
  const end = Date.parse(`${until}T00:00:00+07:00`)
  if (s.kind === "once") {
    const deadline = Date.parse(`${s.dueBefore}T00:00:00+07:00`)
    return { valid: true, periods: deadline >= start && deadline <= end ? [{ period: s.period, deadline }] : [] }
  }
  if (s.kind === "monthly") {
    const periods: Array<ModelPeriod> = []
    for (let y = Number(from.slice(0, 4)) - 1; y <= Number(until.slice(0, 4)); y++) {
      for (let m0 = 0; m0 < 12; m0++) {
        const days = new Date(Date.UTC(y, m0 + 1, 0)).getUTCDate()
        const deadline = s.dueBeforeDay > days ? localMidnight(y, m0 + 1, 1) : localMidnight(y, m0, s.dueBeforeDay)
        if (deadline >= start && deadline <= end)
          periods.push({ period: `${y}-${String(m0 + 1).padStart(2, "0")}`, deadline })
      }
    }
    return { valid: true, periods }
  }
  const length = s.kind === "quarterly" ? 3 : s.kind === "half-yearly" ? 6 : 12
  const seen = new Map<string, { y: number; last0: number; first0: number }>()
  for (let day = start; day <= end; day += DAY) {
    const [y, m] = dateText(day).split("-").map(Number) as [number, number]
    const index = Math.floor((m - 1) / length) + 1
    const name = s.kind === "quarterly" ? `${y}-Q${index}` : s.kind === "half-yearly" ? `${y}-H${index}` : `${y}`
    seen.set(name, { y, first0: (index - 1) * length, last0: index * length - 1 })
  }
  let valid = true
  const periods: Array<ModelPeriod> = []
  for (const [name, { first0, last0, y }] of seen) {
    const due = new Date(Date.UTC(y, last0 + s.dueMonthOffset, s.dueBeforeDay))
    if (due.getUTCDate() !== s.dueBeforeDay) valid = false
    const deadline = due.getTime() - HCM
    if (deadline <= localMidnight(y, first0, 1)) valid = false
    if (deadline >= start) periods.push({ period: name, deadline })
  }
  return { valid, periods }
}

const arbSchedule = (i: number): fc.Arbitrary<AnySchedule> =>
  fc
    .oneof(
      fc.record({ kind: fc.constant("monthly" as const), dueBeforeDay: fc.integer({ min: 1, max: 31 }) }),
      fc.record({
        kind: fc.constant("once" as const),
        period: fc.constant("final"),
        dueBefore: fc.integer({ min: 0, max: 4 * 366 }).map((d) => dateText(Date.UTC(2024, 0, 1) + d * DAY))
      }),
      fc.record({
        kind: fc.constantFrom("quarterly" as const, "half-yearly" as const, "yearly" as const),
        dueBeforeDay: fc.oneof(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1, max: 28 })),
        dueMonthOffset: fc.integer({ min: -11, max: 12 })
      })
    )
    .map((s) => ({ scheduleId: `s${i}`, ...s }) as AnySchedule)

describe("The differential property: random plans with schedules of every kind against a simple model", () => {
  it("refuses exactly the plans the model finds impossible, and owes exactly the model's obligations", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * 366 }),
        fc.integer({ min: 0, max: 800 }),
        fc
          .array(fc.nat(4), { minLength: 1, maxLength: 5 })
          .chain((ns) => fc.tuple(...ns.map((_, i) => arbSchedule(i)))),
        fc.integer({ min: 0, max: 400 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 500 })), { maxLength: 12 }),
        (fromDay, length, schedules, assignDay, filings) => {
          const from = dateText(Date.UTC(2024, 0, 1) + fromDay * DAY)
          const until = dateText(Date.UTC(2024, 0, 1) + (fromDay + length) * DAY)
          const plan = planWith(schedules, from, until)
          const expected = schedules.map((s) => model(from, until, s))
          const issuedAt = "2023-12-01T08:00:00+07:00"
          const steps: Array<Step> = [province, district]
          const refused = Decide.violation(given([province]), {
            type: "PlanIssued",
            data: plan,
            occurredAt: issuedAt,
            recordedAt: issuedAt
          })
          assert.strictEqual(
            refused === undefined,
            expected.every((e) => e.valid),
            refused?.message
          )
          if (refused !== undefined) return
          const assignedAt = Time.startOfDate(from) + (assignDay - 30) * DAY + 9 * 3_600_000
          steps.push(on(issuedAt, { type: "PlanIssued", data: plan }))
          steps.push(
            on(iso(Math.max(assignedAt, Date.parse(issuedAt) + 1))!, {
              type: "UnitAssigned",
              data: { planId: "p", unitId: "070" }
            })
          )
          const assigned = Math.max(assignedAt, Date.parse(issuedAt) + 1)
          // The model's obligations: every period of every schedule whose deadline is after the assignment.
          const owed = schedules.flatMap((s, i) =>
            expected[i]!.periods.filter((p) => p.deadline > assigned).map((p) => ({ scheduleId: s.scheduleId, ...p }))
          )
          // File some of them, each once, at a time after the assignment.
          const filed = new Map<string, number>()
          const filingSteps: Array<Step> = []
          for (const [pick, hours] of filings) {
            if (owed.length === 0) break
            const o = owed[pick % owed.length]!
            const key = `${o.scheduleId}/${o.period}`
            if (filed.has(key)) continue
            const at = Math.max(assigned + 1000, o.deadline - 250 * 3_600_000 + hours * 3_600_000)
            filed.set(key, at)
            filingSteps.push(
              on(iso(at)!, {
                type: "ReportFiled",
                data: {
                  reportId: `r${filed.size}`,
                  planId: "p",
                  unitId: "070",
                  scheduleId: o.scheduleId,
                  period: o.period
                }
              })
            )
          }
          filingSteps.sort((a, b) => Time.parseInstant(a.occurredAt)! - Time.parseInstant(b.occurredAt)!)
          const state: State.State = given([...steps, ...filingSteps])
          const asOf = Date.UTC(2035, 0, 1)
          const result = Either.getOrThrow(Compliance.project(state, { planId: "p", asOf, knownAt: asOf }))
          const got = result.obligations.map((o) => `${o.scheduleId} ${o.period} ${o.deadline} ${o.status}`).sort()
          const want = owed
            .map((o) => {
              const at = filed.get(`${o.scheduleId}/${o.period}`)
              const status = at === undefined ? "missing" : at < o.deadline ? "on-time" : "late"
              return `${o.scheduleId} ${o.period} ${iso(o.deadline)} ${status}`
            })
            .sort()
          assert.deepStrictEqual(got, want, JSON.stringify({ got, want }))
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("Messages about a field named kind elsewhere", () => {
  it("a model's kind keeps its own message", () => {
    const line = {
      type: "ModelEstablished",
      occurredAt: "2025-05-01T08:00:00+07:00",
      data: { modelId: "m1", unitId: "02200-01", kind: "", name: "Tổ tự quản" }
    }
    assert.strictEqual(
      Either.match(Events.decodeLine(line), { onLeft: (e) => e.message, onRight: () => "accepted" }),
      "invalid event: data.kind: expected a non-empty identifier (at most 200 characters, no surrounding spaces)"
    )
  })
})
