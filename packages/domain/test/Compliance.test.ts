import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { Compliance, Explain } from "../src/index.js"
import type { Step } from "./Given.js"
import { assign, given, issued, on, report, t, tuyenQuang } from "./Given.js"

const project = (steps: ReadonlyArray<Step>, asOf: string, knownAt = asOf) => {
  const result = Compliance.project(given(steps), { planId: "182-2018", asOf: t(asOf), knownAt: t(knownAt) })
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

const row = (c: Compliance.Compliance, unitId: string) => {
  const found = c.units.find((u) => u.unitId === unitId)
  if (found === undefined) throw new Error(`no row for ${unitId}`)
  return found
}

const obligation = (c: Compliance.Compliance, unitId: string, period: string) =>
  c.obligations.find((o) => o.unitId === unitId && o.period === period)

const base: ReadonlyArray<Step> = [...tuyenQuang, issued, assign("070"), assign("071"), assign("02200")]

describe("Compliance of plan 182 (DOMAIN.md §4.1)", () => {
  it("a district assigned on 30/01/2018 owes 11 monthly reports (February to December) and one annual report", () => {
    const c = project(base, "2019-01-31")
    const mine = c.obligations.filter((o) => o.unitId === "070")
    assert.deepStrictEqual(
      mine.filter((o) => o.scheduleId === "monthly").map((o) => o.period),
      [
        "2018-02",
        "2018-03",
        "2018-04",
        "2018-05",
        "2018-06",
        "2018-07",
        "2018-08",
        "2018-09",
        "2018-10",
        "2018-11",
        "2018-12"
      ]
    )
    assert.deepStrictEqual(
      mine.filter((o) => o.scheduleId === "annual").map((o) => [o.period, o.deadline]),
      [["2018", "2018-11-30T00:00:00+07:00"]]
    )
    assert.deepStrictEqual(row(c, "070").self, {
      onTime: 0,
      late: 0,
      missing: 12,
      pending: 0,
      reportingRate: 0,
      onTimeRate: 0
    })
    assert.strictEqual(obligation(c, "070", "2018-03")?.deadline, "2018-03-20T00:00:00+07:00")
  })

  it("a report at 23:59:59 on the 19th is on time; at midnight on the 20th it is late, and so at 17:00Z on the 19th", () => {
    const c = project(
      [
        ...base,
        report("r-070-03", "070", "2018-03", "2018-03-19T23:59:59+07:00"),
        report("r-071-03", "071", "2018-03", "2018-03-20T00:00:00+07:00"),
        report("r-02200-03", "02200", "2018-03", "2018-03-19T17:00:00Z")
      ],
      "2018-03-31"
    )
    assert.strictEqual(obligation(c, "070", "2018-03")?.status, "on-time")
    assert.strictEqual(obligation(c, "071", "2018-03")?.status, "late")
    assert.strictEqual(obligation(c, "02200", "2018-03")?.status, "late")
    assert.strictEqual(obligation(c, "02200", "2018-03")?.filedAt, "2018-03-20T00:00:00+07:00")
  })

  it("a correction never changes timeliness", () => {
    const c = project(
      [
        ...base,
        report("r1", "070", "2018-03", "2018-03-15T10:00:00+07:00"),
        report("r2", "070", "2018-03", "2018-03-25T10:00:00+07:00", { supersedes: "r1", summary: "sửa số liệu" }),
        report("r3", "071", "2018-03", "2018-03-22T10:00:00+07:00"),
        report("r4", "071", "2018-03", "2018-03-23T10:00:00+07:00", { supersedes: "r3" })
      ],
      "2018-03-31"
    )
    assert.deepStrictEqual(
      [obligation(c, "070", "2018-03")?.status, obligation(c, "070", "2018-03")?.reportId],
      ["on-time", "r1"]
    )
    assert.strictEqual(obligation(c, "071", "2018-03")?.status, "late")
  })

  it("a unit assigned exactly at a deadline does not owe that period", () => {
    const c = project([...tuyenQuang, issued, assign("070", {}, "2018-03-20T00:00:00+07:00")], "2018-12-31")
    const periods = c.obligations.filter((o) => o.scheduleId === "monthly").map((o) => o.period)
    assert.strictEqual(periods[0], "2018-04")
    assert.strictEqual(periods.length, 9)
    const justBefore = project([...tuyenQuang, issued, assign("070", {}, "2018-03-19T23:59:59+07:00")], "2018-12-31")
    assert.strictEqual(justBefore.obligations.filter((o) => o.scheduleId === "monthly")[0]?.period, "2018-03")
  })

  it("a closed unit owes nothing after it closed, and keeps its row", () => {
    const steps: ReadonlyArray<Step> = [
      ...base,
      on("2018-06-10T00:00:00+07:00", { type: "UnitClosed", data: { unitId: "02200-01" } }),
      on("2018-06-10T00:00:00+07:00", { type: "UnitClosed", data: { unitId: "02200-02" } }),
      on("2018-06-10T00:00:00+07:00", { type: "UnitClosed", data: { unitId: "02200", successorId: "02209" } })
    ]
    const c = project(steps, "2018-12-31")
    assert.deepStrictEqual(
      c.obligations.filter((o) => o.unitId === "02200").map((o) => o.period),
      ["2018-02", "2018-03", "2018-04", "2018-05"]
    )
    assert.strictEqual(row(c, "02200").self.missing, 4)
    assert.strictEqual(row(c, "070").total.missing, 12 + 4)
  })

  it("a unit that moved rolls earlier obligations up to its old parent and later ones to its new parent", () => {
    const steps = [
      ...base,
      on("2018-04-25T08:00:00+07:00", { type: "UnitMoved", data: { unitId: "02200", parentId: "071" } })
    ] as const
    const c = project(steps, "2018-12-31")
    // 02200 owes February to December (11) and the annual report: February–April roll up to 070, May on to 071.
    assert.strictEqual(row(c, "02200").self.missing, 12)
    assert.strictEqual(row(c, "070").total.missing, 12 + 3)
    assert.strictEqual(row(c, "071").total.missing, 12 + 9)
    assert.strictEqual(row(c, "08").total.missing, 12 + 12 + 12)
    assert.strictEqual(row(c, "02200").parentId, "071")
    // As of before the move, the hierarchy of the time applies and the later move is not yet true.
    const before = project(steps, "2018-04-24")
    assert.strictEqual(row(before, "02200").parentId, "070")
    assert.strictEqual(row(before, "070").total.missing, 3 + 3)
    assert.strictEqual(row(before, "070").total.pending, 9 + 9)
  })

  it("knownAt hides an event recorded later", () => {
    const steps = [
      ...base,
      report("r-070-03", "070", "2018-03", "2018-03-19T23:30:00+07:00", {}, "2018-03-26T10:00:00+07:00")
    ]
    assert.strictEqual(obligation(project(steps, "2018-03-31", "2018-03-25"), "070", "2018-03")?.status, "missing")
    assert.strictEqual(obligation(project(steps, "2018-03-31", "2018-03-26"), "070", "2018-03")?.status, "on-time")
  })

  it("asOf decides pending versus missing, and hides reports filed later", () => {
    const steps = [...base, report("r-070-03", "070", "2018-03", "2018-03-25T10:00:00+07:00")]
    assert.strictEqual(obligation(project(steps, "2018-03-19"), "070", "2018-03")?.status, "pending")
    assert.strictEqual(obligation(project(steps, "2018-03-20T00:00:00+07:00"), "070", "2018-03")?.status, "missing")
    assert.strictEqual(obligation(project(steps, "2018-03-24"), "070", "2018-03")?.status, "missing")
    assert.strictEqual(obligation(project(steps, "2018-03-25"), "070", "2018-03")?.status, "late")
  })

  it("totals are sums of counts and rates come from counts; zero denominators give null", () => {
    const c = project(
      [
        ...base,
        report("a", "070", "2018-02", "2018-02-10T10:00:00+07:00"),
        report("b", "071", "2018-02", "2018-02-21T10:00:00+07:00"),
        report("c", "02200", "2018-02", "2018-02-19T10:00:00+07:00")
      ],
      "2018-02-28"
    )
    const province = row(c, "08")
    assert.deepStrictEqual(province.self, Compliance.zero)
    assert.deepStrictEqual(province.total, {
      onTime: 2,
      late: 1,
      missing: 0,
      pending: 33,
      reportingRate: 1,
      onTimeRate: 2 / 3
    })
    assert.deepStrictEqual(row(c, "070").total, {
      onTime: 2,
      late: 0,
      missing: 0,
      pending: 22,
      reportingRate: 1,
      onTimeRate: 1
    })
    // Rows in tree order: the province, then each district followed by its subtree.
    assert.deepStrictEqual(
      c.units.map((u) => u.unitId),
      ["08", "070", "02200", "071"]
    )
  })

  it("sub-plans: a district complies by issuing a plan implementing this one before subPlanDueBy", () => {
    const subPlan = (planId: string, issuerId: string, at: string): Step =>
      on(at, {
        type: "PlanIssued",
        data: {
          planId,
          documentNumber: `${planId}/KH-MTTQ`,
          title: "Kế hoạch cụ thể",
          issuerId,
          parentPlanId: "182-2018",
          effectiveFrom: "2018-02-01",
          effectiveUntil: "2018-12-31",
          schedules: []
        }
      })
    const c = project(
      [
        ...tuyenQuang,
        issued,
        assign("070", { subPlanDueBy: "2018-02-28" }),
        assign("071", { subPlanDueBy: "2018-02-28" }),
        assign("02200", { subPlanDueBy: "2018-02-28" }),
        subPlan("kh-070", "070", "2018-02-27T16:00:00+07:00"),
        subPlan("kh-071", "071", "2018-02-28T00:00:00+07:00")
      ],
      "2018-03-01"
    )
    const sub = (unitId: string) => c.obligations.find((o) => o.unitId === unitId && o.scheduleId === "sub-plan")
    assert.deepStrictEqual([sub("070")?.status, sub("070")?.reportId], ["on-time", "kh-070"])
    assert.strictEqual(sub("071")?.status, "late")
    assert.strictEqual(sub("02200")?.status, "missing")
    assert.strictEqual(sub("070")?.deadline, "2018-02-28T00:00:00+07:00")
  })

  it("--unit and --depth select a subtree, keeping its obligations only", () => {
    const state = given(base)
    const result = Compliance.project(state, {
      planId: "182-2018",
      asOf: t("2018-12-31"),
      knownAt: t("2018-12-31"),
      unit: "070"
    })
    assert.isTrue(Either.isRight(result))
    const c = Either.getOrThrow(result)
    assert.deepStrictEqual(
      c.units.map((u) => u.unitId),
      ["070", "02200"]
    )
    assert.isTrue(c.obligations.every((o) => o.unitId === "070" || o.unitId === "02200"))
    const shallow = Either.getOrThrow(
      Compliance.project(state, { planId: "182-2018", asOf: t("2018-12-31"), knownAt: t("2018-12-31"), depth: 1 })
    )
    assert.deepStrictEqual(
      shallow.units.map((u) => u.unitId),
      ["08", "070", "071"]
    )
  })

  it("an unknown plan, or one not yet issued or known, is PlanNotFound", () => {
    const state = given(base)
    const unknown = Compliance.project(state, { planId: "nope", asOf: t("2018-12-31"), knownAt: t("2018-12-31") })
    assert.strictEqual(Either.isLeft(unknown) && unknown.left._tag, "PlanNotFound")
    const early = Compliance.project(state, { planId: "182-2018", asOf: t("2018-01-29"), knownAt: t("2018-12-31") })
    assert.strictEqual(Either.isLeft(early) && early.left._tag, "PlanNotFound")
  })
})

describe("Explain (DOMAIN.md §4.3)", () => {
  it("names the events that decided an obligation, with the roll-up chain at its deadline", () => {
    const steps = [
      ...base,
      on("2018-04-25T08:00:00+07:00", { type: "UnitMoved", data: { unitId: "02200", parentId: "071" } }),
      report("r1", "02200", "2018-03", "2018-03-21T08:00:00+07:00"),
      report("r2", "02200", "2018-03", "2018-03-22T08:00:00+07:00", { supersedes: "r1" })
    ]
    const state = given(steps)
    const explained = Either.getOrThrow(
      Explain.obligation(state, {
        planId: "182-2018",
        unitId: "02200",
        scheduleId: "monthly",
        period: "2018-03",
        asOf: t("2018-12-31"),
        knownAt: t("2018-12-31")
      })
    )
    assert.strictEqual(explained.obligation.status, "late")
    assert.deepStrictEqual(explained.rollsUpTo, ["070", "08"])
    const positions = explained.events.map((e) => e.position)
    // plan issued (12), unit registered (4), assignment (15), 02200 under 070 (4), 070 under 08 (2), reports (17, 18)
    assert.deepStrictEqual(positions, [2, 4, 4, 12, 15, 17, 18])
    assert.match(explained.events.find((e) => e.position === 17)!.role, /decides the status/)
    assert.match(explained.events.find((e) => e.position === 18)!.role, /supersedes r1/)
  })

  it("an obligation the plan does not have is ObligationNotFound", () => {
    const result = Explain.obligation(given(base), {
      planId: "182-2018",
      unitId: "070",
      scheduleId: "monthly",
      period: "2018-01",
      asOf: t("2018-12-31"),
      knownAt: t("2018-12-31")
    })
    assert.strictEqual(Either.isLeft(result) && result.left._tag, "ObligationNotFound")
  })
})

describe("Asking for a unit", () => {
  it("that is not registered in the view is UnitNotFound, for compliance and coverage", () => {
    const state = given(base)
    const view = { asOf: t("2018-12-31"), knownAt: t("2018-12-31") }
    const c = Compliance.project(state, { planId: "182-2018", ...view, unit: "99999" })
    assert.strictEqual(Either.isLeft(c) && c.left.message, "unit 99999 does not exist at 2018-12-31T23:59:59.999+07:00")
    const early = Compliance.project(state, {
      planId: "182-2018",
      asOf: t("2018-12-31"),
      knownAt: t("2017-12-31"),
      unit: "070"
    })
    assert.strictEqual(Either.isLeft(early) && early.left._tag, "PlanNotFound")
  })
})
