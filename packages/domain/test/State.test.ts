import { assert, describe, it } from "@effect/vitest"
import { Decide, State } from "../src/index.js"
import type { Step } from "./Given.js"
import { assign, given, issued, on, plan182, record, report, tuyenQuang } from "./Given.js"

const base: ReadonlyArray<Step> = [
  ...tuyenQuang,
  issued,
  assign("070"),
  assign("02200"),
  report("r1", "070", "2018-02", "2018-02-10T08:00:00+07:00"),
  on("2018-02-01T08:00:00+07:00", { type: "ModelEstablished", data: { modelId: "m1", unitId: "02200-01", kind: "self-managed", name: "Tổ" } })
]

// A batch touching every kind of change evolve makes: new unit, move, closure, plan (a sub-plan), assignment,
// a report, a correction (supersededBy and next), a model and a dissolution.
const batch: ReadonlyArray<Step> = [
  on("2018-03-01T00:00:00+07:00", { type: "UnitRegistered", data: { unitId: "02203", name: "Phường Minh Xuân", level: "commune", parentId: "070" } }),
  on("2018-03-01T00:00:00+07:00", { type: "UnitMoved", data: { unitId: "02209", parentId: "071" } }),
  on("2018-03-01T00:00:00+07:00", { type: "UnitClosed", data: { unitId: "02215-02" } }),
  on("2018-03-01T00:00:00+07:00", { type: "PlanIssued", data: { ...plan182, planId: "kh-070", issuerId: "070", parentPlanId: "182-2018" } }),
  assign("071", {}, "2018-03-01T00:00:00+07:00"),
  report("r2", "070", "2018-03", "2018-03-10T08:00:00+07:00"),
  report("r3", "070", "2018-02", "2018-03-11T08:00:00+07:00", { supersedes: "r1" }),
  on("2018-03-12T00:00:00+07:00", { type: "ModelEstablished", data: { modelId: "m2", unitId: "02200-02", kind: "self-managed", name: "Tổ 2" } }),
  on("2018-03-12T00:00:00+07:00", { type: "ModelDissolved", data: { modelId: "m1" } })
]

describe("State: tentative batches", () => {
  it("rollback leaves the state exactly as it was before the batch, whatever the batch changed", () => {
    const state = given(base)
    const before = given(base)
    // The rules build their report index on first use: the batch builds it, the rollback drops it.
    const recorded = record([...base, ...batch]).slice(base.length)
    State.begin(state)
    for (const event of recorded) {
      assert.strictEqual(Decide.violation(state, event), undefined)
      State.evolve(state, event)
    }
    assert.notDeepEqual(state, before)
    State.rollback(state)
    assert.deepStrictEqual(state, before)
  })

  it("commit keeps the batch: the state equals a fold of the whole log", () => {
    const state = given(base)
    State.begin(state)
    for (const event of record([...base, ...batch]).slice(base.length)) State.evolve(state, event)
    State.commit(state)
    assert.isUndefined(state.journal)
    assert.deepStrictEqual(state, given([...base, ...batch]))
  })
})
