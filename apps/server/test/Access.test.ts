/**
 * The access-control matrix: each role against each kind of request, inside
 * and outside its subtree, over a real server and store.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { afterAll, beforeAll } from "vitest"
import { Access } from "../src/index.js"
import * as Harness from "./Harness.js"

let h: Harness.Harness
beforeAll(async () => {
  h = await Harness.start()
})
afterAll(() => h.close())

const { admin, auditor, recC1, recD1, recD2, recP } = Harness.tokens
const append = (token: string, body: unknown) =>
  h.call("/events", token, { method: "POST", body: JSON.stringify(body) })
const status = async (response: Promise<Response>) => {
  const r = await response
  await r.arrayBuffer()
  return r.status
}

describe("access control", () => {
  it("every role reads everything; no token or an unknown one is 401", async () => {
    const reads = [
      "/events",
      "/events?unitId=D2",
      "/compliance?planId=182",
      "/coverage",
      "/explain?unitId=P",
      "/verify",
      "/digest",
      "/plans",
      "/plans/182",
      "/units/D2",
      "/units/P/subtree"
    ]
    for (const token of [admin, auditor, recP, recD1, recD2, recC1]) {
      for (const path of reads)
        assert.strictEqual(await status(h.call(path, token.token)), 200, `${token.actor} ${path}`)
    }
    for (const path of reads) {
      assert.strictEqual(await status(h.call(path)), 401, path)
      assert.strictEqual(await status(h.call(path, "tok-unknown")), 401, path)
    }
  })

  it("a report of a commune: written by its own recorder and those above, never by an auditor", async () => {
    assert.strictEqual(await status(append(recC1.token, Harness.report("C1", "2018-02"))), 200)
    assert.strictEqual(await status(append(recD1.token, Harness.report("C1", "2018-03"))), 200)
    assert.strictEqual(await status(append(recP.token, Harness.report("C1", "2018-04"))), 200)
    assert.strictEqual(await status(append(admin.token, Harness.report("C1", "2018-05"))), 200)
    assert.strictEqual(await status(append(auditor.token, Harness.report("C1", "2018-06"))), 403)
    assert.strictEqual(await status(append(recD2.token, Harness.report("C1", "2018-06"))), 403)
  })

  it("a commune's recorder cannot file its district's report, nor a sibling district's", async () => {
    const denied = await append(recC1.token, Harness.report("D1", "2018-03"))
    assert.strictEqual(denied.status, 403)
    const body = (await denied.json()) as any
    assert.strictEqual(body._tag, "Forbidden")
    assert.match(body.message, /D1 is not within C1/)
    assert.strictEqual(await status(append(recD1.token, Harness.report("D2", "2018-03"))), 403)
    assert.strictEqual(await status(append(recD1.token, Harness.report("D1", "2018-03"))), 200)
    // A batch with one event outside is refused whole.
    assert.strictEqual(
      await status(append(recD1.token, { events: [Harness.report("D1", "2018-04"), Harness.report("D2", "2018-04")] })),
      403
    )
    assert.strictEqual(await status(h.call("/events?type=ReportFiled&unitId=D1", admin.token)), 200)
    const d1Reports = (await (await h.call("/events?type=ReportFiled&unitId=D1", admin.token)).json()) as any
    assert.isFalse(d1Reports.events.some((e: any) => e.data.period === "2018-04"))
  })

  it("registering, moving and closing units stay inside the recorder's subtree", async () => {
    const area = (unitId: string, parentId: string) => ({
      type: "UnitRegistered",
      occurredAt: "2018-02-01T08:00:00+07:00",
      data: { unitId, name: `Thôn ${unitId}`, level: "residential-area", parentId }
    })
    assert.strictEqual(await status(append(recC1.token, area("R2", "C1"))), 200)
    assert.strictEqual(await status(append(recC1.token, area("R9", "C2"))), 403)
    // A unit registered earlier in the same batch counts as inside.
    assert.strictEqual(
      await status(
        append(recC1.token, {
          events: [
            area("R5", "C1"),
            {
              type: "ModelEstablished",
              occurredAt: "2018-02-02T08:00:00+07:00",
              data: { modelId: "m5", unitId: "R5", kind: "self-managed", name: "M5" }
            }
          ]
        })
      ),
      200
    )
    const move = (unitId: string, parentId: string) => ({
      type: "UnitMoved",
      occurredAt: "2018-03-01T08:00:00+07:00",
      data: { unitId, parentId }
    })
    assert.strictEqual(await status(append(recC1.token, move("R2", "C2"))), 403)
    assert.strictEqual(await status(append(recD1.token, move("C1", "D2"))), 403)
    assert.strictEqual(await status(append(recP.token, move("R2", "C2"))), 200)
    const province = {
      type: "UnitRegistered",
      occurredAt: "2018-01-01T08:00:00+07:00",
      data: { unitId: "P2", name: "Tỉnh 2", level: "province" }
    }
    assert.strictEqual(await status(append(recP.token, province)), 403)
    assert.strictEqual(await status(append(admin.token, province)), 200)
  })

  it("plans are issued by a unit inside the subtree; a model is dissolved where it was established", async () => {
    const plan = (planId: string, issuerId: string) => ({
      type: "PlanIssued",
      occurredAt: "2018-02-05T08:00:00+07:00",
      data: {
        planId,
        documentNumber: `${planId}/KH`,
        title: "Kế hoạch",
        issuerId,
        parentPlanId: "182",
        effectiveFrom: "2018-02-05",
        effectiveUntil: "2018-12-31",
        schedules: []
      }
    })
    assert.strictEqual(await status(append(recC1.token, plan("c1-plan", "D1"))), 403)
    assert.strictEqual(await status(append(recC1.token, plan("c1-plan", "C1"))), 200)
    const dissolve = { type: "ModelDissolved", occurredAt: "2018-09-01T08:00:00+07:00", data: { modelId: "m1" } }
    assert.strictEqual(await status(append(recD2.token, dissolve)), 403)
    assert.strictEqual(await status(append(recC1.token, dissolve)), 200)
  })

  it("import is admin only", async () => {
    const line = JSON.stringify({
      type: "UnitRegistered",
      occurredAt: "2018-01-03T08:00:00+07:00",
      data: { unitId: "C7", name: "Xã 7", level: "commune", parentId: "D1" }
    })
    for (const token of [auditor, recP, recD1, recC1]) {
      assert.strictEqual(await status(h.call("/import", token.token, { method: "POST", body: line })), 403, token.actor)
    }
    assert.strictEqual(await status(h.call("/import", admin.token, { method: "POST", body: line })), 200)
  })

  it.effect("Access.appendDenied judges the hierarchy at the event's occurredAt", () =>
    Effect.gen(function* () {
      // R2 moved from C1 to C2 on 2018-03-01 (above): before then it was C1's, after it is not.
      const state = yield* Effect.promise(() => h.runtime.runPromise(Effect.flatMap(Harness.storeTag, (s) => s.state)))
      const actor = { actor: "recorder@C1", role: "recorder" as const, unitId: "C1" }
      const model = (occurredAt: string) => ({
        type: "ModelEstablished" as const,
        occurredAt,
        data: { modelId: "mx", unitId: "R2", kind: "k", name: "n" }
      })
      assert.isUndefined(Access.appendDenied(state, actor, [model("2018-02-15T08:00:00+07:00")]))
      assert.match(Access.appendDenied(state, actor, [model("2018-03-15T08:00:00+07:00")])!, /R2 is not within C1/)
      assert.match(
        Access.appendDenied(state, { actor: "a", role: "auditor", unitId: undefined }, [
          model("2018-02-15T08:00:00+07:00")
        ])!,
        /auditor/
      )
    })
  )
})
