/**
 * The dashboard's endpoints and files on a real server: the heat map's matrix
 * (the domain's `ComplianceMatrix`, selected level by level), `GET /me`, and
 * the page and its assets at `/` and `/assets/…`, public and from the package.
 */
import { assert, describe, it } from "@effect/vitest"
import { ComplianceMatrix, Time } from "@kehoach/domain"
import { EventStore } from "@kehoach/store"
import { Effect } from "effect"
import { afterAll, beforeAll } from "vitest"
import * as Harness from "./Harness.js"

let h: Harness.Harness
beforeAll(async () => {
  h = await Harness.start()
})
afterAll(() => h.close())

const json = async (pending: Promise<Response>) => {
  const response = await pending
  return { status: response.status, body: (await response.json()) as any }
}

describe("GET /compliance/matrix", () => {
  it.effect("is the domain's matrix, and a unit and depth select its rows with every column kept", () =>
    Effect.gen(function* () {
      const whole = yield* Effect.promise(() =>
        json(h.call("/compliance/matrix?planId=182&asOf=2018-06-30", Harness.tokens.auditor.token))
      )
      assert.strictEqual(whole.status, 200)
      const state = yield* Effect.promise(() =>
        h.runtime.runPromise(Effect.flatMap(EventStore.EventStore, (s) => s.state))
      )
      const expected = ComplianceMatrix.project(state, {
        planId: "182",
        asOf: Time.parseQueryTime("2018-06-30")!,
        knownAt: Time.parseQueryTime(whole.body.knownAt)!
      })
      assert.deepStrictEqual(whole.body, JSON.parse(JSON.stringify((expected as any).right)))
      const d1 = yield* Effect.promise(() =>
        json(h.call("/compliance/matrix?planId=182&asOf=2018-06-30&unit=D1&depth=1", Harness.tokens.recC1.token))
      )
      assert.deepStrictEqual(
        d1.body.rows.map((r: any) => r.unitId),
        ["D1", "C1"]
      )
      assert.deepStrictEqual(d1.body.columns, whole.body.columns)
      const feb = d1.body.columns.findIndex((c: any) => c.scheduleId === "monthly" && c.period === "2018-02")
      assert.deepStrictEqual(d1.body.rows[0].cells[feb], { counts: [1, 0, 1, 0], own: "on-time" })
    })
  )

  it.effect("answers an unknown plan or unit with a 404 in words, and a bad date with a 400", () =>
    Effect.gen(function* () {
      const plan = yield* Effect.promise(() =>
        json(h.call("/compliance/matrix?planId=nope", Harness.tokens.admin.token))
      )
      assert.strictEqual(plan.status, 404)
      assert.include(plan.body.message, "nope")
      const unit = yield* Effect.promise(() =>
        json(h.call("/compliance/matrix?planId=182&unit=XX", Harness.tokens.admin.token))
      )
      assert.strictEqual(unit.status, 404)
      assert.include(unit.body.message, "XX")
      const date = yield* Effect.promise(() =>
        h.call("/compliance/matrix?planId=182&asOf=30/06/2018", Harness.tokens.admin.token)
      )
      assert.strictEqual(date.status, 400)
      const anonymous = yield* Effect.promise(() => h.call("/compliance/matrix?planId=182"))
      assert.strictEqual(anonymous.status, 401)
    })
  )

  it.effect("follows an append: the kept matrix is per position of the log", () =>
    Effect.gen(function* () {
      const before = yield* Effect.promise(() =>
        json(h.call("/compliance/matrix?planId=182&asOf=2018-12-31&unit=C1&depth=0", Harness.tokens.admin.token))
      )
      const march = before.body.columns.findIndex((c: any) => c.scheduleId === "monthly" && c.period === "2018-03")
      assert.strictEqual(before.body.rows[0].cells[march].own, "missing")
      const filed = yield* Effect.promise(() =>
        h.call("/events", Harness.tokens.admin.token, {
          method: "POST",
          body: JSON.stringify(Harness.paperReport("C1", "2018-03"))
        })
      )
      assert.strictEqual(filed.status, 200)
      const after = yield* Effect.promise(() =>
        json(h.call("/compliance/matrix?planId=182&asOf=2018-12-31&unit=C1&depth=0", Harness.tokens.admin.token))
      )
      assert.strictEqual(after.body.rows[0].cells[march].own, "on-time")
    })
  )
})

describe("GET /me", () => {
  it.effect("says who the token is", () =>
    Effect.gen(function* () {
      const me = yield* Effect.promise(() => json(h.call("/me", Harness.tokens.recD1.token)))
      assert.deepStrictEqual(me.body, { actor: "recorder@D1", role: "recorder", unitId: "D1" })
      const admin = yield* Effect.promise(() => json(h.call("/me", Harness.tokens.admin.token)))
      assert.deepStrictEqual(admin.body, { actor: "admin@P", role: "admin", unitId: null })
    })
  )
})

describe("the page", () => {
  it.effect("is served at / with its assets, without a token and without any outside URL", () =>
    Effect.gen(function* () {
      const page = yield* Effect.promise(() => h.call("/"))
      assert.strictEqual(page.status, 200)
      assert.include(page.headers.get("content-type") ?? "", "text/html")
      const html = yield* Effect.promise(() => page.text())
      assert.include(html, "assets/app.js")
      const js = yield* Effect.promise(() => h.call("/assets/app.js"))
      assert.strictEqual(js.status, 200)
      assert.include(js.headers.get("content-type") ?? "", "javascript")
      const text = yield* Effect.promise(() => js.text())
      assert.isAbove(text.length, 10_000)
      // Everything the page loads is its own: no CDN.
      assert.notMatch(html, /https?:\/\//)
      const css = yield* Effect.promise(() => h.call("/assets/app.css"))
      assert.strictEqual(css.status, 200)
      const centres = yield* Effect.promise(() => json(h.call("/assets/communes-2025-07-01.json")))
      assert.strictEqual(centres.body.rows.length, 3321)
      const other = yield* Effect.promise(() => h.call("/assets/../package.json"))
      assert.strictEqual(other.status, 404)
    })
  )
})
