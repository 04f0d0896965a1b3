/**
 * Issue 11 over HTTP against a real server and store: `GET /due` (the
 * domain's due list, exactly) and `GET /compliance?schedule=`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Due, Time } from "@kehoach/domain"
import { EventStore } from "@kehoach/store"
import { Effect } from "effect"
import { afterAll, beforeAll } from "vitest"
import * as Harness from "./Harness.js"

let h: Harness.Harness
beforeAll(async () => {
  h = await Harness.start()
})
afterAll(() => h.close())

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as any })
const state = () => h.runtime.runPromise(Effect.flatMap(EventStore.EventStore, (s) => s.state))

describe("GET /due", () => {
  it.effect("is the domain's due list, exactly (the CLI's kehoach due --format json)", () =>
    Effect.gen(function* () {
      const client = yield* Harness.client(h.url, Harness.tokens.auditor.token)
      const asOf = Time.parseQueryTime("2018-03-13")!
      const answer = yield* client.due.due({ urlParams: { planId: "182", asOf, within: 7 } })
      const s = yield* Effect.promise(state)
      const expected = Due.list(s, {
        planId: "182",
        asOf,
        knownAt: Time.parseQueryTime(answer.knownAt)!,
        withinDays: 7
      })
      assert.deepStrictEqual(answer, JSON.parse(JSON.stringify((expected as any).right)))
      // D1 filed February; March falls due on the 20th: 7 days left on the 13th.
      const d1 = answer.items.filter((r) => r.unitId === "D1")
      assert.deepStrictEqual(
        d1.map((r) => [r.period, r.status, r.daysLeft, r.daysLate]),
        [["2018-03", "due", 7, null]]
      )
      assert.strictEqual(d1[0]!.parentId, "P")
      const c1 = answer.items.filter((r) => r.unitId === "C1")
      assert.deepStrictEqual(
        c1.map((r) => [r.period, r.status, r.daysLate]),
        [
          ["2018-02", "overdue", 22],
          ["2018-03", "due", null]
        ]
      )
    })
  )

  it("takes within as 7d, 2w or days; a bad window is a 400 naming it; an unknown plan or schedule a 404", async () => {
    const week = await json(await h.call("/due?planId=182&asOf=2018-03-13&within=1w", Harness.tokens.auditor.token))
    assert.strictEqual(week.status, 200)
    assert.strictEqual(week.body.withinDays, 7)
    const none = await json(
      await h.call("/due?planId=182&asOf=2018-02-01&within=0d&unit=D1", Harness.tokens.auditor.token)
    )
    assert.deepStrictEqual(none.body.items, [])
    const bad = await json(await h.call("/due?planId=182&within=soon", Harness.tokens.auditor.token))
    assert.strictEqual(bad.status, 400)
    assert.strictEqual(bad.body._tag, "InvalidQuery")
    assert.strictEqual(bad.body.field, "within")
    assert.match(bad.body.message, /within/)
    assert.match(bad.body.reason, /"soon" is not a window/)
    assert.strictEqual((await h.call("/due?planId=999", Harness.tokens.auditor.token)).status, 404)
    const noSchedule = await json(await h.call("/due?planId=182&schedule=weekly", Harness.tokens.auditor.token))
    assert.strictEqual(noSchedule.status, 404)
    assert.match(noSchedule.body.message, /plan 182 has no schedule weekly/)
  })
})

describe("GET /compliance?schedule=", () => {
  it("counts only that schedule, with counts by schedule alongside the totals", async () => {
    const all = await json(await h.call("/compliance?planId=182&asOf=2018-12-31", Harness.tokens.auditor.token))
    const annual = await json(
      await h.call("/compliance?planId=182&asOf=2018-12-31&schedule=annual", Harness.tokens.auditor.token)
    )
    assert.strictEqual(annual.status, 200)
    assert.strictEqual(annual.body.schedule, "annual")
    assert.isTrue(annual.body.obligations.every((o: any) => o.scheduleId === "annual"))
    const p = (c: any) => c.units.find((u: any) => u.unitId === "P")
    assert.deepStrictEqual(p(annual.body).total, p(all.body).bySchedule.annual.total)
    assert.deepStrictEqual(
      annual.body.schedules.map((s: any) => s.scheduleId),
      ["annual"]
    )
    assert.strictEqual(
      (await h.call("/compliance?planId=182&schedule=weekly", Harness.tokens.auditor.token)).status,
      404
    )
  })
})

describe("Plans with the new schedule kinds over HTTP", () => {
  const plan = (schedules: ReadonlyArray<object>, planId: string) => ({
    type: "PlanIssued",
    occurredAt: "2018-02-01T08:00:00+07:00",
    data: {
      planId,
      documentNumber: `${planId}/KH`,
      title: "Kế hoạch quý",
      issuerId: "P",
      effectiveFrom: "2018-01-01",
      effectiveUntil: "2018-12-31",
      schedules
    }
  })
  const post = (body: unknown) =>
    h.call("/events", Harness.tokens.admin.token, { method: "POST", body: JSON.stringify(body) })

  it("are appended as version 2 and shown by GET /plans/:planId; a bad one is a 4xx naming the field", async () => {
    const quarterly = { scheduleId: "quy", kind: "quarterly", dueBeforeDay: 20, dueMonthOffset: 1 }
    const appended = await json(await post(plan([quarterly], "q-2018")))
    assert.strictEqual(appended.status, 200, JSON.stringify(appended.body))
    const shown = await json(await h.call("/plans/q-2018", Harness.tokens.auditor.token))
    assert.strictEqual(shown.status, 200)
    assert.deepStrictEqual(shown.body.schedules, [quarterly])
    const events = await json(await h.call("/events?planId=q-2018&type=PlanIssued", Harness.tokens.auditor.token))
    assert.strictEqual(JSON.stringify(events.body).includes(`"version":2`), true)

    const day31 = await json(await post(plan([{ ...quarterly, dueBeforeDay: 31 }], "q31-2018")))
    assert.strictEqual(day31.status >= 400 && day31.status < 500, true)
    assert.match(JSON.stringify(day31.body), /schedules\.0\.dueBeforeDay: day 31 does not exist in April 2018/)
    const weekly = await json(await post(plan([{ scheduleId: "w", kind: "weekly" }], "w-2018")))
    assert.strictEqual(weekly.status, 400)
    assert.match(JSON.stringify(weekly.body), /data\.schedules\.0\.kind/)
  })
})
