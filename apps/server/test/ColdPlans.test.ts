/**
 * A server whose plans' reports are not in memory (cold, as after a restart
 * from a snapshot, or past the store's report budget): concurrent report
 * filings, grouped into shared transactions, are judged by the rules exactly
 * as one by one, and the projections warm the plan they read.
 */
import { assert, describe, it } from "@effect/vitest"
import { afterAll, beforeAll } from "vitest"
import { State } from "@kehoach/domain"
import type { Events } from "@kehoach/domain"
import { EventStore } from "@kehoach/store"
import { Context, Effect, Either, Layer } from "effect"
import { GroupCommit } from "../src/index.js"
import * as Harness from "./Harness.js"

let h: Harness.Harness
beforeAll(async () => {
  // A budget of no report at all: after every write the plan goes cold again.
  h = await Harness.start({}, { reportBudget: 0 })
})
afterAll(() => h.close())

const append = (body: unknown) =>
  h
    .call("/events", Harness.tokens.admin.token, { method: "POST", body: JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, body: (await r.json()) as any }))

describe("report filings on cold plans", () => {
  it("concurrent filings share transactions and get the rules' answers: taken ids, duplicates, corrections", async () => {
    const months = ["03", "04", "05", "06", "07", "08", "09"]
    const fresh = ["D1", "D2", "C1"].flatMap((unit) => months.map((m) => Harness.paperReport(unit, `2018-${m}`)))
    const requests = [
      ...fresh,
      // The seed's report of D1 for 2018-02 is filed: a second first report is a duplicate,
      Harness.paperReport("D1", "2018-02", { reportId: "r-again" }),
      // its id is taken for another obligation,
      Harness.paperReport("D2", "2018-02", { reportId: "r-d1-2018-02" }),
      // and a correction of it is accepted.
      {
        ...Harness.paperReport("D1", "2018-02", { reportId: "r-fix", supersedes: "r-d1-2018-02" }),
        occurredAt: "2018-02-20T10:00:00+07:00"
      }
    ]
    const results = await Promise.all(requests.map(append))
    for (const [i, r] of results.slice(0, fresh.length).entries()) assert.strictEqual(r.status, 200, `request ${i}`)
    const tail = results.slice(fresh.length).map((r) => [r.status, r.body.rule ?? null])
    assert.deepStrictEqual(tail, [
      [422, "DuplicateReport"],
      [422, "ReportIdTaken"],
      [200, null]
    ])
    const compliance = (await (
      await h.call("/compliance?planId=182&asOf=2018-12-31", Harness.tokens.auditor.token)
    ).json()) as any
    const d1 = compliance.units.find((u: any) => u.unitId === "D1")
    assert.strictEqual(d1.self.onTime + d1.self.late, 1 + months.length)
    const verify = (await (await h.call("/verify", Harness.tokens.auditor.token)).json()) as any
    assert.isTrue(verify.ok)
  })
})

describe("group commit on cold plans", () => {
  it("a group of concurrent filings is judged inside the store (which warms the plan), not on the cold state outside it", async () => {
    const filings = [
      Harness.paperReport("C1", "2018-10"),
      Harness.paperReport("C1", "2018-11"),
      Harness.paperReport("C1", "2018-10", { reportId: "r-c1-again" }),
      Harness.paperReport("C1", "2018-12")
    ]
    const outcomes = await h.runtime.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          // A write leaves the plan cold (the budget is no report).
          const store = yield* EventStore.EventStore
          yield* store.append(
            [{ type: "UnitAssigned", occurredAt: "2018-09-01T08:00:00+07:00", data: { planId: "182", unitId: "C2" } }],
            { recordedBy: "t" }
          )
          assert.isFalse(State.isWarm(yield* store.state, "182"))
          const group = Context.get(yield* Layer.build(GroupCommit.layer), GroupCommit.GroupCommit)
          // Offered before the committer runs: one group of four.
          return yield* Effect.all(
            filings.map((f) => Effect.either(group.appendOne(f as unknown as Events.ProposedEvent, "recorder@C1"))),
            { concurrency: "unbounded" }
          )
        })
      )
    )
    assert.deepStrictEqual(
      outcomes.map((o) => (Either.isRight(o) ? o.right.appended : o.left._tag)),
      [1, 1, "DuplicateReport", 1]
    )
  })
})
