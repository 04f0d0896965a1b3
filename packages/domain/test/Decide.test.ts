import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { Compliance, Decide, Decider, State, Time } from "../src/index.js"
import type { Events } from "../src/index.js"
import type { Step } from "./Given.js"
import { assign, given, issued, on, plan182, report, tuyenQuang, whenRejected } from "./Given.js"

const base: ReadonlyArray<Step> = [...tuyenQuang, issued, assign("070"), assign("02200")]
const at = "2018-02-01T08:00:00+07:00"

/** Each rule: the log, an event it accepts, and an event it rejects with that rule's tag. */
const rules: ReadonlyArray<{ rule: string; given: ReadonlyArray<Step>; accepts: Step; rejects: Step }> = [
  {
    rule: "UnitAlreadyRegistered",
    given: tuyenQuang,
    accepts: on(at, {
      type: "UnitRegistered",
      data: { unitId: "02203", name: "Phường Minh Xuân", level: "commune", parentId: "070" }
    }),
    rejects: on(at, {
      type: "UnitRegistered",
      data: { unitId: "02200", name: "Phường Phan Thiết", level: "commune", parentId: "070" }
    })
  },
  {
    rule: "ParentRequired",
    given: tuyenQuang,
    accepts: on(at, { type: "UnitRegistered", data: { unitId: "02", name: "Tỉnh Hà Giang", level: "province" } }),
    rejects: on(at, { type: "UnitRegistered", data: { unitId: "072", name: "Huyện Na Hang", level: "district" } })
  },
  {
    rule: "ProvinceHasNoParent",
    given: tuyenQuang,
    accepts: on(at, { type: "UnitRegistered", data: { unitId: "02", name: "Tỉnh Hà Giang", level: "province" } }),
    rejects: on(at, {
      type: "UnitRegistered",
      data: { unitId: "02", name: "Tỉnh Hà Giang", level: "province", parentId: "08" }
    })
  },
  {
    rule: "UnitNotFound",
    given: tuyenQuang,
    accepts: on(at, {
      type: "UnitRegistered",
      data: { unitId: "072", name: "Huyện Na Hang", level: "district", parentId: "08" }
    }),
    rejects: on(at, {
      type: "UnitRegistered",
      data: { unitId: "072", name: "Huyện Na Hang", level: "district", parentId: "99" }
    })
  },
  {
    rule: "UnitNotFound (the parent did not exist yet at occurredAt)",
    given: tuyenQuang,
    accepts: on("2018-01-01T00:00:00+07:00", {
      type: "UnitRegistered",
      data: { unitId: "072", name: "Huyện Na Hang", level: "district", parentId: "08" }
    }),
    rejects: on("2017-12-31T23:59:59+07:00", {
      type: "UnitRegistered",
      data: { unitId: "072", name: "Huyện Na Hang", level: "district", parentId: "08" }
    })
  },
  {
    rule: "UnitClosed",
    given: [...tuyenQuang, on("2018-01-15T00:00:00+07:00", { type: "UnitClosed", data: { unitId: "02209-01" } })],
    accepts: on(at, {
      type: "UnitRegistered",
      data: { unitId: "02209-02", name: "Thôn 2", level: "residential-area", parentId: "02209" }
    }),
    rejects: on(at, { type: "UnitMoved", data: { unitId: "02209-01", parentId: "02200" } })
  },
  {
    rule: "ParentLevelNotHigher",
    given: tuyenQuang,
    accepts: on(at, {
      type: "UnitRegistered",
      data: { unitId: "02203", name: "Phường Minh Xuân", level: "commune", parentId: "08" }
    }),
    rejects: on(at, {
      type: "UnitRegistered",
      data: { unitId: "02203", name: "Phường Minh Xuân", level: "commune", parentId: "02200" }
    })
  },
  {
    rule: "ParentLevelNotHigher (on a move)",
    given: tuyenQuang,
    accepts: on(at, { type: "UnitMoved", data: { unitId: "02200", parentId: "071" } }),
    rejects: on(at, { type: "UnitMoved", data: { unitId: "02200", parentId: "02215" } })
  },
  {
    rule: "UnitHasOpenChildren",
    given: [...tuyenQuang, on("2018-01-15T00:00:00+07:00", { type: "UnitClosed", data: { unitId: "02209-01" } })],
    accepts: on(at, { type: "UnitClosed", data: { unitId: "02209", successorId: "02200" } }),
    rejects: on(at, { type: "UnitClosed", data: { unitId: "02200" } })
  },
  {
    rule: "PlanAlreadyIssued",
    given: [...tuyenQuang, issued],
    accepts: on(at, {
      type: "PlanIssued",
      data: { ...plan182, planId: "183-2018", documentNumber: "183/KH-MTTQ-BTT" }
    }),
    rejects: on(at, { type: "PlanIssued", data: { ...plan182, documentNumber: "183/KH-MTTQ-BTT" } })
  },
  {
    rule: "DocumentNumberTaken",
    given: [...tuyenQuang, issued],
    accepts: on(at, { type: "PlanIssued", data: { ...plan182, planId: "kh-070", issuerId: "070" } }),
    rejects: on(at, { type: "PlanIssued", data: { ...plan182, planId: "183-2018" } })
  },
  {
    rule: "InvalidPlan",
    given: tuyenQuang,
    accepts: on(at, { type: "PlanIssued", data: plan182 }),
    rejects: on(at, { type: "PlanIssued", data: { ...plan182, effectiveFrom: "2019-01-01" } })
  },
  {
    rule: "InvalidPlan (a schedule listed twice)",
    given: tuyenQuang,
    accepts: on(at, { type: "PlanIssued", data: plan182 }),
    rejects: on(at, {
      type: "PlanIssued",
      data: { ...plan182, schedules: [...plan182.schedules, plan182.schedules[0]!] }
    })
  },
  {
    rule: "PlanNotFound (parent plan)",
    given: [...tuyenQuang, issued],
    accepts: on(at, {
      type: "PlanIssued",
      data: { ...plan182, planId: "kh-070", issuerId: "070", parentPlanId: "182-2018" }
    }),
    rejects: on(at, {
      type: "PlanIssued",
      data: { ...plan182, planId: "kh-070", issuerId: "070", parentPlanId: "999" }
    })
  },
  {
    rule: "UnitNotFound (issuer)",
    given: tuyenQuang,
    accepts: on(at, { type: "PlanIssued", data: plan182 }),
    rejects: on(at, { type: "PlanIssued", data: { ...plan182, issuerId: "99" } })
  },
  {
    rule: "PlanNotFound (assignment)",
    given: [...tuyenQuang, issued],
    accepts: assign("071", {}, at),
    rejects: on(at, { type: "UnitAssigned", data: { planId: "999", unitId: "071" } })
  },
  {
    rule: "UnitNotUnderIssuer",
    given: [
      ...tuyenQuang,
      on("2018-01-30T08:00:00+07:00", { type: "PlanIssued", data: { ...plan182, planId: "kh-070", issuerId: "070" } })
    ],
    accepts: on(at, { type: "UnitAssigned", data: { planId: "kh-070", unitId: "02209" } }),
    rejects: on(at, { type: "UnitAssigned", data: { planId: "kh-070", unitId: "02215" } })
  },
  {
    rule: "AlreadyAssigned",
    given: base,
    accepts: assign("071", {}, at),
    rejects: assign("070", {}, at)
  },
  {
    rule: "UnknownSchedule (assignment)",
    given: [...tuyenQuang, issued],
    accepts: assign("071", { schedules: ["annual"] }, at),
    rejects: assign("071", { schedules: ["weekly"] }, at)
  },
  {
    rule: "UnknownTask",
    given: [...tuyenQuang, issued],
    accepts: assign("071", { tasks: ["II.2"] }, at),
    rejects: assign("071", { tasks: ["II.9"] }, at)
  },
  {
    rule: "NotAssigned",
    given: base,
    accepts: report("r", "070", "2018-02", "2018-02-10T08:00:00+07:00"),
    rejects: report("r", "071", "2018-02", "2018-02-10T08:00:00+07:00")
  },
  {
    rule: "NotAssigned (a report filed before the assignment)",
    given: [...tuyenQuang, issued, assign("071", {}, "2018-02-15T00:00:00+07:00")],
    accepts: report("r", "071", "2018-02", "2018-02-15T00:00:00+07:00"),
    rejects: report("r", "071", "2018-02", "2018-02-14T23:59:59+07:00")
  },
  {
    rule: "NotAssignedToSchedule",
    given: [...tuyenQuang, issued, assign("071", { schedules: ["annual"] })],
    accepts: report("r", "071", "2018", "2018-11-20T08:00:00+07:00"),
    rejects: report("r", "071", "2018-02", "2018-02-10T08:00:00+07:00")
  },
  {
    rule: "UnknownSchedule (report)",
    given: base,
    accepts: report("r", "070", "2018-02", "2018-02-10T08:00:00+07:00"),
    rejects: report("r", "070", "2018-02", "2018-02-10T08:00:00+07:00", { scheduleId: "weekly" })
  },
  {
    rule: "InvalidPeriod",
    given: base,
    accepts: report("r", "070", "2018-12", "2018-12-10T08:00:00+07:00"),
    rejects: report("r", "070", "2019-01", "2018-12-10T08:00:00+07:00")
  },
  {
    rule: "InvalidPeriod (once schedule)",
    given: base,
    accepts: report("r", "070", "2018", "2018-11-10T08:00:00+07:00"),
    rejects: report("r", "070", "2017", "2018-11-10T08:00:00+07:00", { scheduleId: "annual" })
  },
  {
    rule: "DuplicateReport",
    given: [...base, report("r1", "070", "2018-02", "2018-02-10T08:00:00+07:00")],
    accepts: report("r2", "070", "2018-02", "2018-02-12T08:00:00+07:00", { supersedes: "r1" }),
    rejects: report("r2", "070", "2018-02", "2018-02-12T08:00:00+07:00")
  },
  {
    rule: "ReportIdTaken",
    given: [...base, report("r1", "070", "2018-02", "2018-02-10T08:00:00+07:00")],
    accepts: report("r2", "070", "2018-03", "2018-03-10T08:00:00+07:00"),
    rejects: report("r1", "070", "2018-03", "2018-03-10T08:00:00+07:00")
  },
  {
    rule: "InvalidSupersedes (another obligation's report)",
    given: [
      ...base,
      report("r1", "070", "2018-02", "2018-02-10T08:00:00+07:00"),
      report("r2", "070", "2018-03", "2018-03-10T08:00:00+07:00")
    ],
    accepts: report("r3", "070", "2018-03", "2018-03-12T08:00:00+07:00", { supersedes: "r2" }),
    rejects: report("r3", "070", "2018-03", "2018-03-12T08:00:00+07:00", { supersedes: "r1" })
  },
  {
    rule: "InvalidSupersedes (already superseded)",
    given: [
      ...base,
      report("r1", "070", "2018-02", "2018-02-10T08:00:00+07:00"),
      report("r2", "070", "2018-02", "2018-02-11T08:00:00+07:00", { supersedes: "r1" })
    ],
    accepts: report("r3", "070", "2018-02", "2018-02-12T08:00:00+07:00", { supersedes: "r2" }),
    rejects: report("r3", "070", "2018-02", "2018-02-12T08:00:00+07:00", { supersedes: "r1" })
  },
  {
    rule: "ModelAlreadyEstablished",
    given: [
      ...tuyenQuang,
      on(at, {
        type: "ModelEstablished",
        data: { modelId: "m1", unitId: "02200-01", kind: "self-managed", name: "Tổ tự quản" }
      })
    ],
    accepts: on(at, {
      type: "ModelEstablished",
      data: { modelId: "m2", unitId: "02200-01", kind: "self-managed", name: "Tổ tự quản 2" }
    }),
    rejects: on(at, {
      type: "ModelEstablished",
      data: { modelId: "m1", unitId: "02200-02", kind: "self-managed", name: "Tổ tự quản" }
    })
  },
  {
    rule: "CommittedExceedsHouseholds",
    given: tuyenQuang,
    accepts: on(at, {
      type: "ModelEstablished",
      data: {
        modelId: "m1",
        unitId: "02200-01",
        kind: "self-managed",
        name: "Tổ tự quản",
        households: 120,
        committed: 120
      }
    }),
    rejects: on(at, {
      type: "ModelEstablished",
      data: {
        modelId: "m1",
        unitId: "02200-01",
        kind: "self-managed",
        name: "Tổ tự quản",
        households: 120,
        committed: 121
      }
    })
  },
  {
    rule: "UnitNotFound (model in a unit not yet registered)",
    given: tuyenQuang,
    accepts: on(at, {
      type: "ModelEstablished",
      data: { modelId: "m1", unitId: "02200-01", kind: "self-managed", name: "Tổ" }
    }),
    rejects: on(at, {
      type: "ModelEstablished",
      data: { modelId: "m1", unitId: "02200-09", kind: "self-managed", name: "Tổ" }
    })
  },
  {
    rule: "ModelNotFound",
    given: [
      ...tuyenQuang,
      on(at, {
        type: "ModelEstablished",
        data: { modelId: "m1", unitId: "02200-01", kind: "self-managed", name: "Tổ tự quản" }
      })
    ],
    accepts: on("2018-03-01T00:00:00+07:00", { type: "ModelDissolved", data: { modelId: "m1" } }),
    rejects: on("2018-03-01T00:00:00+07:00", { type: "ModelDissolved", data: { modelId: "m9" } })
  },
  {
    rule: "ModelAlreadyDissolved",
    given: [
      ...tuyenQuang,
      on(at, {
        type: "ModelEstablished",
        data: { modelId: "m1", unitId: "02200-01", kind: "self-managed", name: "Tổ tự quản" }
      }),
      on(at, {
        type: "ModelEstablished",
        data: { modelId: "m2", unitId: "02200-01", kind: "self-managed", name: "Tổ tự quản" }
      }),
      on("2018-03-01T00:00:00+07:00", { type: "ModelDissolved", data: { modelId: "m1" } })
    ],
    accepts: on("2018-03-02T00:00:00+07:00", { type: "ModelDissolved", data: { modelId: "m2" } }),
    rejects: on("2018-03-02T00:00:00+07:00", { type: "ModelDissolved", data: { modelId: "m1" } })
  }
]

describe("The rules of DOMAIN.md §3", () => {
  for (const { accepts, given: steps, rejects, rule } of rules) {
    it(`${rule}: accepts the valid event and rejects the breaking one with that rule's error`, () => {
      assert.strictEqual(whenRejected(steps, accepts), undefined)
      assert.strictEqual(whenRejected(steps, rejects), rule.split(" ")[0])
    })
  }

  it("errors name the rule and the ids in one line", () => {
    const error = Decide.violation(given([...base, report("r1", "070", "2018-02", "2018-02-10T08:00:00+07:00")]), {
      ...report("r2", "070", "2018-02", "2018-02-12T08:00:00+07:00"),
      recordedAt: undefined
    })
    assert.strictEqual(error?._tag, "DuplicateReport")
    assert.strictEqual(
      error?.message,
      "unit 070 already filed r1 for monthly 2018-02 of plan 182-2018: a correction must name it in supersedes"
    )
  })

  it("knowledge time never decreases", () => {
    const state = given(tuyenQuang)
    const event = on(at, { type: "UnitMoved", data: { unitId: "02200", parentId: "071" } })
    const last = state.lastRecordedAtText!
    assert.isTrue(Either.isRight(Decide.decide(state, { ...event, recordedAt: last })))
    const earlier = Decide.decide(state, { ...event, recordedAt: "2017-12-31T00:00:00+07:00" })
    assert.strictEqual(Either.isLeft(earlier) && earlier.left._tag, "RecordedAtDecreased")
  })

  it("a district with an open commune cannot be closed", () => {
    const steps = [
      ...tuyenQuang,
      issued,
      on("2018-02-01T00:00:00+07:00", { type: "UnitClosed", data: { unitId: "071" } })
    ]
    // 071 still has an open commune: closing is refused; close the commune's areas and the commune first.
    assert.throws(() => given(steps), /UnitHasOpenChildren|open children/)
  })

  it("the decision does not change the state", () => {
    const state = given(base)
    const before = JSON.stringify([
      ...state.units.keys(),
      state.position,
      [...state.plans.values()].map((p) => p.assignments.size)
    ])
    Decide.violation(state, { ...report("r", "070", "2018-02", "2018-02-10T08:00:00+07:00"), recordedAt: undefined })
    assert.strictEqual(
      JSON.stringify([...state.units.keys(), state.position, [...state.plans.values()].map((p) => p.assignments.size)]),
      before
    )
    assert.strictEqual(State.empty().position, 0)
  })
})

describe('Filing time (DOMAIN.md "Filing time", decision 0013)', () => {
  const state = () => given(base)
  const filing = (
    occurredAt: string,
    recordedAt: string | undefined,
    data: Record<string, unknown>,
    version?: number
  ): Decide.Candidate =>
    ({
      type: "ReportFiled",
      occurredAt,
      recordedAt,
      ...(version === undefined ? {} : { version }),
      data: { reportId: "r1", planId: "182-2018", unitId: "070", scheduleId: "monthly", period: "2018-02", ...data }
    }) as Decide.Candidate
  const online = { channel: "online" }
  const paper = { channel: "paper", registerNumber: "125/SĐ" }
  const tagOf = (c: Decide.Candidate) => Decide.violation(state(), c)?._tag

  it("an online filing is filed when it was recorded; another time is refused naming occurredAt", () => {
    assert.strictEqual(tagOf(filing("2018-02-10T08:00:00+07:00", "2018-02-10T08:00:00+07:00", online)), undefined)
    const v = Decide.violation(state(), filing("2018-02-10T08:00:00+07:00", "2018-02-10T08:00:01+07:00", online))
    assert.strictEqual(v?._tag, "OnlineFilingTime")
    assert.match(v!.message, /^occurredAt: /)
  })

  it("a paper filing may precede its recording, not follow it beyond the clock allowance", () => {
    assert.strictEqual(tagOf(filing("2018-02-10T08:00:00+07:00", "2018-03-01T08:00:00+07:00", paper)), undefined)
    // 120 s of clock allowance: at the limit accepted, one second past refused.
    assert.strictEqual(tagOf(filing("2018-02-10T08:02:00+07:00", "2018-02-10T08:00:00+07:00", paper)), undefined)
    const v = Decide.violation(state(), filing("2018-02-10T08:02:01+07:00", "2018-02-10T08:00:00+07:00", paper))
    assert.strictEqual(v?._tag, "FilingTimeAfterRecording")
    assert.match(v!.message, /^occurredAt: .*2018-02-10T08:02:01\+07:00.*clock allowance 120 s/)
  })

  it("a future filing time is refused, naming the field", () => {
    const v = Decide.violation(state(), filing("2030-02-10T08:00:00+07:00", "2018-02-10T08:00:00+07:00", paper))
    assert.strictEqual(v?._tag, "FilingTimeAfterRecording")
    assert.match(v!.message, /^occurredAt: /)
  })

  it("a version-2 filing names its channel; a paper one its register number, and only a paper one", () => {
    const none = Decide.violation(state(), filing("2018-02-10T08:00:00+07:00", "2018-02-10T08:00:00+07:00", {}))
    assert.strictEqual(none?._tag, "InvalidFiling")
    assert.match(none!.message, /^data\.channel: /)
    const noRegister = Decide.violation(
      state(),
      filing("2018-02-10T08:00:00+07:00", "2018-03-10T08:00:00+07:00", { channel: "paper" })
    )
    assert.match(noRegister!.message, /^data\.registerNumber: .*số đến/)
    const onlineRegister = Decide.violation(
      state(),
      filing("2018-02-10T08:00:00+07:00", "2018-02-10T08:00:00+07:00", { channel: "online", registerNumber: "1" })
    )
    assert.match(onlineRegister!.message, /^data\.registerNumber: /)
  })

  it("a version-1 line keeps its stated time: old logs read as they were written", () => {
    assert.strictEqual(tagOf(filing("2018-02-10T08:00:00+07:00", "2018-02-01T08:00:00+07:00", {}, 1)), undefined)
  })

  it("the store's stamp: an online filing without a recording time is filed at the store's clock", () => {
    const s = state()
    const now = "2018-02-12T09:30:00+07:00"
    const decided = Decider.decide(
      s,
      [
        {
          type: "ReportFiled",
          id: "e1",
          version: 2,
          occurredAt: "2018-02-12T09:29:30+07:00",
          recordedBy: "recorder@070",
          data: {
            reportId: "r1",
            planId: "182-2018",
            unitId: "070",
            scheduleId: "monthly",
            period: "2018-02",
            ...online
          }
        } as Decider.Proposal
      ],
      { now, seal: (accepted) => accepted }
    )
    assert.isTrue(Either.isRight(decided))
    const [event] = Either.getOrThrow(decided)
    assert.strictEqual(event!.occurredAt, now)
    assert.strictEqual(event!.recordedAt, now)
  })
})

describe("Filing time: a property", () => {
  it("compliance with online filings judged by their recording time equals compliance with their stated time", () => {
    const filing = fc.record({
      unitId: fc.constantFrom("070", "02200"),
      month: fc.integer({ min: 2, max: 12 }),
      // Minutes since 1 February 2018 at which the server receives it, and the sender's clock skew.
      after: fc.integer({ min: 0, max: 400 * 24 * 60 }),
      skewSeconds: fc.integer({ min: -100_000, max: 100_000 })
    })
    fc.assert(
      fc.property(fc.array(filing, { maxLength: 20 }), (filings) => {
        const state = given(base)
        const start = Date.parse("2018-02-01T00:00:00+07:00")
        const times = filings.map((f) => start + f.after * 60_000).sort((a, b) => a - b)
        const recorded: Array<Events.RecordedEvent> = []
        filings.forEach((f, i) => {
          const period = `2018-${String(f.month).padStart(2, "0")}`
          const decided = Decider.decide(
            state,
            [
              {
                type: "ReportFiled",
                id: `e${i}`,
                version: 2,
                occurredAt: Time.formatInstant(times[i]! + f.skewSeconds * 1000),
                recordedBy: "recorder",
                data: {
                  reportId: `r${i}`,
                  planId: "182-2018",
                  unitId: f.unitId,
                  scheduleId: "monthly",
                  period,
                  channel: "online"
                }
              } as Decider.Proposal
            ],
            { now: Time.formatInstant(times[i]!), seal: (accepted) => accepted }
          )
          // A second report of a period is a duplicate: refused, and the state is as it was.
          if (Either.isRight(decided)) recorded.push(...(decided.right as unknown as Array<Events.RecordedEvent>))
        })
        // The same log with every filing judged at the time the store recorded it.
        const byRecording = given(base)
        for (const e of recorded) State.evolve(byRecording, { ...e, occurredAt: e.recordedAt })
        for (const asOf of ["2018-06-30", "2018-12-31", "2019-06-30"]) {
          const view = {
            planId: "182-2018",
            asOf: Time.parseQueryTime(asOf)!,
            knownAt: Time.parseQueryTime("2020-01-01")!
          }
          assert.deepStrictEqual(Compliance.project(state, view), Compliance.project(byRecording, view))
        }
      }),
      { numRuns: 50 }
    )
  })
})
