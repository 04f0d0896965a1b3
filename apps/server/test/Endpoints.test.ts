/**
 * Every endpoint of the contract against a real server and store: the typed
 * client (`HttpApiClient`) for the answers, plain `fetch` for the statuses
 * and bodies a non-Effect client sees.
 */
import { assert, describe, it } from "@effect/vitest"
import { ApiError } from "@kehoach/api"
import { Compliance, Coverage, Time } from "@kehoach/domain"
import { EventStore } from "@kehoach/store"
import type { HttpServerResponse } from "@effect/platform"
import { Effect, Logger } from "effect"
import { Server } from "../src/index.js"
import { afterAll, beforeAll } from "vitest"
import * as Harness from "./Harness.js"

let h: Harness.Harness
beforeAll(async () => {
  h = await Harness.start({ maxBodyBytes: 64 * 1024, maxImportBytes: 256 * 1024 })
})
afterAll(() => h.close())

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as any })
const post = (path: string, body: unknown, token: string = Harness.tokens.admin.token) =>
  h.call(path, token, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) })
const state = () => h.runtime.runPromise(Effect.flatMap(EventStore.EventStore, (s) => s.state))

describe("reads", () => {
  it.effect("GET /compliance is the domain's Compliance object, exactly (the CLI's --format json)", () =>
    Effect.gen(function* () {
      const client = yield* Harness.client(h.url, Harness.tokens.auditor.token)
      const answer = yield* client.projections.compliance({
        urlParams: { planId: "182", asOf: Time.parseQueryTime("2018-06-30")! }
      })
      const s = yield* Effect.promise(state)
      const expected = Compliance.project(s, {
        planId: "182",
        asOf: Time.parseQueryTime("2018-06-30")!,
        knownAt: Time.parseQueryTime(answer.knownAt)!
      })
      assert.deepStrictEqual(answer, JSON.parse(JSON.stringify((expected as any).right)))
      assert.strictEqual(answer.asOf, "2018-06-30T23:59:59.999+07:00")
      const d1 = answer.units.find((u) => u.unitId === "D1")!
      // February filed on time; March to June missing; July to December and the annual report pending.
      assert.deepStrictEqual([d1.self.onTime, d1.self.missing, d1.self.pending], [1, 4, 7])
    })
  )

  it("GET /compliance with unit and depth keeps the subtree; unknown plan or unit is 404", async () => {
    const sub = await json(
      await h.call("/compliance?planId=182&asOf=2018-06-30&unit=D1&depth=1", Harness.tokens.recC1.token)
    )
    assert.strictEqual(sub.status, 200)
    assert.deepStrictEqual(
      sub.body.units.map((u: any) => u.unitId),
      ["D1", "C1"]
    )
    assert.deepStrictEqual(new Set(sub.body.obligations.map((o: any) => o.unitId)), new Set(["D1", "C1"]))
    const noPlan = await json(await h.call("/compliance?planId=999", Harness.tokens.auditor.token))
    assert.strictEqual(noPlan.status, 404)
    assert.strictEqual(noPlan.body._tag, "NotFound")
    assert.match(noPlan.body.message, /999/)
    assert.strictEqual((await h.call("/compliance?planId=182&unit=NOPE", Harness.tokens.auditor.token)).status, 404)
  })

  it("answers are never stale: an append changes the next answer; each answer carries its own knownAt", async () => {
    const ask = async (knownAt: string) =>
      (
        await json(
          await h.call(
            `/compliance?planId=182&asOf=2018-12-31&unit=D2&knownAt=${encodeURIComponent(knownAt)}`,
            Harness.tokens.auditor.token
          )
        )
      ).body
    const a = await ask("2030-01-01")
    const b = await ask("2031-01-01T00:00:00+07:00")
    assert.strictEqual(b.knownAt, "2031-01-01T00:00:00+07:00")
    assert.deepStrictEqual({ ...a, knownAt: "" }, { ...b, knownAt: "" })
    // Received on paper in July 2018 and entered by the admin: as of 2018 it counts.
    const filed = await post("/events", Harness.paperReport("D2", "2018-07"), Harness.tokens.admin.token)
    assert.strictEqual(filed.status, 200)
    const c = await ask("2030-01-01")
    const row = (r: any) => r.units.find((u: any) => u.unitId === "D2").self
    assert.strictEqual(row(c).onTime, row(a).onTime + 1)
    const before = await ask("2018-01-01")
    assert.strictEqual(before._tag, "NotFound") // nothing was known in 2018: the machine clock recorded every event later
  })

  it("GET /coverage rows have exactly the eight fields of DOMAIN §5, and equal the domain's figures", async () => {
    const { body, status } = await json(
      await h.call("/coverage?asOf=2018-06-30&knownAt=2030-01-01", Harness.tokens.auditor.token)
    )
    assert.strictEqual(status, 200)
    const s = await state()
    const expected = Coverage.project(s, {
      asOf: Time.parseQueryTime("2018-06-30")!,
      knownAt: Time.parseQueryTime("2030-01-01")!
    })
    const rows = (expected as any).right.units.map(({ parentId: _, ...row }: any) => row)
    assert.deepStrictEqual(body.units, rows)
    for (const row of body.units) {
      assert.deepStrictEqual(Object.keys(row), [
        "unitId",
        "name",
        "level",
        "residentialAreas",
        "covered",
        "coverage",
        "households",
        "committed"
      ])
    }
    const p = body.units.find((u: any) => u.unitId === "P")
    assert.deepStrictEqual([p.residentialAreas, p.covered, p.coverage, p.households, p.committed], [1, 1, 1, 10, 8])
    const tagged = await json(
      await h.call(
        "/coverage?asOf=2018-06-30&tag=program-135&kind=self-managed&unit=D1&depth=0",
        Harness.tokens.auditor.token
      )
    )
    assert.deepStrictEqual(
      tagged.body.units.map((u: any) => [u.unitId, u.residentialAreas]),
      [["D1", 0]]
    )
    assert.strictEqual(tagged.body.tag, "program-135")
    const plan = await json(await h.call("/coverage?planId=182", Harness.tokens.auditor.token))
    assert.strictEqual(plan.body.plan.issuerId, "P")
  })

  it.effect("GET /explain explains an obligation, and a coverage figure without planId", () =>
    Effect.gen(function* () {
      const client = yield* Harness.client(h.url, Harness.tokens.auditor.token)
      const obligation: any = yield* client.projections.explain({
        urlParams: {
          planId: "182",
          unitId: "D1",
          scheduleId: "monthly",
          period: "2018-02",
          asOf: Time.parseQueryTime("2018-06-30")!
        }
      })
      assert.strictEqual(obligation.obligation.status, "on-time")
      assert.deepStrictEqual(obligation.rollsUpTo, ["P"])
      assert.isTrue(obligation.events.some((e: any) => e.position === 11 && /decides the status/.test(e.role)))
      const coverage: any = yield* client.projections.explain({
        urlParams: { unitId: "C1", asOf: Time.parseQueryTime("2018-06-30")! }
      })
      assert.strictEqual(coverage.row.covered, 1)
      assert.isTrue(coverage.events.some((e: any) => e.position === 12))
      const missing = yield* Effect.flip(
        client.projections.explain({
          urlParams: { planId: "182", unitId: "C2", scheduleId: "monthly", period: "2018-02" }
        })
      )
      assert.instanceOf(missing, ApiError.NotFound)
      const incomplete = yield* Effect.flip(client.projections.explain({ urlParams: { planId: "182", unitId: "D1" } }))
      assert.instanceOf(incomplete, ApiError.InvalidQuery)
    })
  )

  it("GET /events pages by position and filters by type, unit and plan", async () => {
    const all = await json(await h.call("/events?limit=5", Harness.tokens.auditor.token))
    assert.deepStrictEqual(
      all.body.events.map((e: any) => e.position),
      [1, 2, 3, 4, 5]
    )
    assert.strictEqual(all.body.next, 5)
    assert.deepStrictEqual(Object.keys(all.body.events[0]), [
      "position",
      "id",
      "type",
      "version",
      "occurredAt",
      "recordedAt",
      "recordedBy",
      "data",
      "prevHash",
      "hash"
    ])
    const next = await json(await h.call(`/events?from=${all.body.next}&limit=2`, Harness.tokens.auditor.token))
    assert.deepStrictEqual(
      next.body.events.map((e: any) => e.position),
      [6, 7]
    )
    const assigned = await json(
      await h.call("/events?type=UnitAssigned&planId=182&unitId=C1", Harness.tokens.auditor.token)
    )
    assert.deepStrictEqual(
      assigned.body.events.map((e: any) => e.position),
      [10]
    )
    assert.strictEqual(assigned.body.next, null)
    const bad = await json(await h.call("/events?type=Nope", Harness.tokens.auditor.token))
    assert.strictEqual(bad.status, 400)
  })

  it.effect("GET /plans, /plans/:planId, /units/:unitId, /units/:unitId/subtree", () =>
    Effect.gen(function* () {
      const client = yield* Harness.client(h.url, Harness.tokens.recC1.token)
      const plans = yield* client.plans.list()
      assert.deepStrictEqual(
        plans.map((p) => p.planId),
        ["182"]
      )
      const plan = yield* client.plans.get({ path: { planId: "182" } })
      assert.deepStrictEqual(
        plan.assignments.map((a) => a.unitId),
        ["D1", "D2", "C1"]
      )
      assert.deepStrictEqual(
        plan.schedules.map((s) => s.scheduleId),
        ["monthly", "annual"]
      )
      const unit = yield* client.units.get({ path: { unitId: "C1" } })
      assert.deepStrictEqual(unit.parents, [{ parentId: "D1", from: "2018-01-01T08:00:00+07:00" }])
      const subtree = yield* client.units.subtree({
        path: { unitId: "D1" },
        urlParams: { asOf: Time.parseQueryTime("2018-06-30")! }
      })
      assert.deepStrictEqual(
        subtree.units.map((u) => [u.unitId, u.depth]),
        [
          ["D1", 0],
          ["C1", 1],
          ["R1", 2]
        ]
      )
      const shallow = yield* client.units.subtree({ path: { unitId: "P" }, urlParams: { depth: 1 } })
      assert.deepStrictEqual(
        shallow.units.map((u) => u.unitId),
        ["P", "D1", "D2"]
      )
      assert.instanceOf(yield* Effect.flip(client.plans.get({ path: { planId: "nope" } })), ApiError.NotFound)
      assert.instanceOf(yield* Effect.flip(client.units.get({ path: { unitId: "nope" } })), ApiError.NotFound)
      assert.instanceOf(
        yield* Effect.flip(
          client.units.subtree({ path: { unitId: "P" }, urlParams: { asOf: Time.parseQueryTime("2017-06-30")! } })
        ),
        ApiError.NotFound
      )
    })
  )

  it.effect("GET /verify and /digest; a kept digest is checked", () =>
    Effect.gen(function* () {
      const client = yield* Harness.client(h.url, Harness.tokens.auditor.token)
      const digest = yield* client.chain.digest()
      assert.isAtLeast(digest.position, 12)
      const verified = yield* client.chain.verify({ urlParams: {} })
      assert.isTrue(verified.ok)
      const kept = yield* client.chain.verify({ urlParams: { position: 3, hash: "0".repeat(64) } })
      assert.isFalse(kept.ok)
      assert.instanceOf(yield* Effect.flip(client.chain.verify({ urlParams: { position: 3 } })), ApiError.InvalidQuery)
    })
  )

  it("GET /health, /openapi.json and /docs need no token; everything else does (401)", async () => {
    assert.deepStrictEqual(await json(await h.call("/health")), { status: 200, body: { status: "ok" } })
    const spec = await json(await h.call("/openapi.json"))
    assert.strictEqual(spec.status, 200)
    for (const p of [
      "/events",
      "/import",
      "/events/stream",
      "/compliance",
      "/coverage",
      "/explain",
      "/verify",
      "/digest",
      "/health"
    ]) {
      assert.property(spec.body.paths, p)
    }
    const docs = await h.call("/docs")
    assert.strictEqual(docs.status, 200)
    assert.match(await docs.text(), /swagger-ui/)
    for (const p of ["/events", "/compliance?planId=182", "/coverage", "/verify", "/digest", "/plans", "/units/P"]) {
      const none = await json(await h.call(p))
      assert.strictEqual(none.status, 401, p)
      assert.strictEqual(none.body._tag, "Unauthorized")
      assert.strictEqual((await h.call(p, "not-a-token")).status, 401, p)
    }
  })

  it("an unknown route is a JSON 404; a bad query time is a 400 naming the parameter", async () => {
    const route = await json(await h.call("/nope", Harness.tokens.admin.token))
    assert.deepStrictEqual(route, { status: 404, body: { _tag: "NotFound", message: "no such endpoint" } })
    const bad = await json(await h.call("/compliance?planId=182&asOf=yesterday", Harness.tokens.admin.token))
    assert.strictEqual(bad.status, 400)
    assert.strictEqual(bad.body._tag, "InvalidQuery")
    assert.strictEqual(bad.body.field, "asOf")
    assert.match(bad.body.message, /yesterday/)
  })
})

describe("POST /events", () => {
  it("appends one event; recordedBy is the token's actor, whatever the body says", async () => {
    const { body, status } = await json(
      await post("/events", { ...Harness.report("D1", "2018-03"), recordedBy: "mallory" }, Harness.tokens.recD1.token)
    )
    assert.strictEqual(status, 200)
    assert.strictEqual(body.appended, 1)
    assert.strictEqual(body.events[0].recordedBy, "recorder@D1")
    assert.strictEqual(body.events[0].position, body.position)
  })

  it("is idempotent by event id; the same id with other content is 409", async () => {
    const id = "6f1c9a52-8d1e-4c2b-9a51-0c8f3e2d7b10"
    const event = { id, ...Harness.report("D1", "2018-04") }
    const first = await json(await post("/events", event))
    const again = await json(await post("/events", event))
    assert.strictEqual(first.body.appended, 1)
    assert.strictEqual(again.status, 200)
    assert.strictEqual(again.body.appended, 0)
    assert.strictEqual(again.body.position, first.body.position)
    assert.strictEqual(again.body.events[0].hash, first.body.events[0].hash)
    const other = await json(await post("/events", { ...event, data: { ...event.data, summary: "other" } }))
    assert.strictEqual(other.status, 409)
    assert.strictEqual(other.body._tag, "IdConflict")
    assert.strictEqual(other.body.id, id)
  })

  it("a batch is atomic; a stale expectedPosition is 409 and stores nothing", async () => {
    const digest = (await json(await h.call("/digest", Harness.tokens.admin.token))).body
    const stale = await json(
      await post("/events", { events: [Harness.report("D2", "2018-03")], expectedPosition: digest.position - 1 })
    )
    assert.strictEqual(stale.status, 409)
    assert.deepStrictEqual(
      [stale.body._tag, stale.body.expectedPosition, stale.body.actualPosition],
      ["ConcurrencyConflict", digest.position - 1, digest.position]
    )
    const rejected = await json(
      await post("/events", {
        events: [Harness.report("D2", "2018-03"), Harness.report("C2", "2018-03")],
        expectedPosition: digest.position
      })
    )
    assert.strictEqual(rejected.status, 422)
    assert.strictEqual(rejected.body.rule, "NotAssigned")
    assert.deepStrictEqual([rejected.body.violation.planId, rejected.body.violation.unitId], ["182", "C2"])
    assert.strictEqual((await json(await h.call("/digest", Harness.tokens.admin.token))).body.position, digest.position)
    const ok = await json(
      await post("/events", { events: [Harness.report("D2", "2018-03")], expectedPosition: digest.position })
    )
    assert.strictEqual(ok.status, 200)
    assert.strictEqual(ok.body.position, digest.position + 1)
  })

  it("422 names the rule and the ids when the domain rejects", async () => {
    const dup = await json(
      await post("/events", {
        ...Harness.report("D1", "2018-02"),
        data: { ...Harness.report("D1", "2018-02").data, reportId: "r-dup" }
      })
    )
    assert.strictEqual(dup.status, 422)
    assert.strictEqual(dup.body._tag, "Rejected")
    assert.strictEqual(dup.body.rule, "DuplicateReport")
    assert.deepStrictEqual(
      [dup.body.violation.unitId, dup.body.violation.period, dup.body.violation.existingReportId],
      ["D1", "2018-02", "r-d1-2018-02"]
    )
    assert.match(dup.body.message, /supersedes/)
  })

  it("400 for a body that is not JSON or does not match the schema, naming the field", async () => {
    const notJson = await json(await post("/events", "{not json"))
    assert.strictEqual(notJson.status, 400)
    assert.strictEqual(notJson.body._tag, "InvalidBody")
    const level = await json(
      await post("/events", { ...Harness.seed[1], data: { ...Harness.seed[1].data, unitId: "X", level: "tinh" } })
    )
    assert.strictEqual(level.status, 400)
    assert.strictEqual(level.body.field, "data.level")
    const inBatch = await json(
      await post("/events", {
        events: [Harness.report("D1", "2018-05"), { type: "ReportFiled", occurredAt: "yesterday", data: {} }]
      })
    )
    assert.strictEqual(inBatch.body.field, "events.1.occurredAt")
    const misspelt = await json(
      await post("/events", {
        ...Harness.report("D1", "2018-05"),
        data: { ...Harness.report("D1", "2018-05").data, suppersedes: "x" }
      })
    )
    assert.strictEqual(misspelt.body.field, "data.suppersedes")
    const extra = await json(await post("/events", { events: [], expected: 3 }))
    assert.deepStrictEqual([extra.status, extra.body.field], [400, "expected"])
  })

  it("413 over the body limit, declared or streamed, and nothing stored", async () => {
    const before = (await json(await h.call("/digest", Harness.tokens.admin.token))).body.position
    const big = {
      ...Harness.report("D1", "2018-06"),
      data: { ...Harness.report("D1", "2018-06").data, summary: "x".repeat(70 * 1024) }
    }
    const declared = await json(await post("/events", big))
    assert.strictEqual(declared.status, 413)
    assert.strictEqual(declared.body._tag, "PayloadTooLarge")
    const bytes = new TextEncoder().encode(JSON.stringify(big))
    const streamed = await h.call("/events", Harness.tokens.admin.token, {
      method: "POST",
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192))
          controller.close()
        }
      }),
      duplex: "half"
    } as RequestInit)
    assert.strictEqual(streamed.status, 413)
    assert.strictEqual((await json(await h.call("/digest", Harness.tokens.admin.token))).body.position, before)
  })
})

describe("POST /import", () => {
  const ndjson = (lines: ReadonlyArray<unknown>) => lines.map((l) => JSON.stringify(l)).join("\n") + "\n"
  const importAs = (body: string, token: string = Harness.tokens.admin.token) =>
    h.call("/import", token, { method: "POST", body, headers: { "content-type": "application/x-ndjson" } })

  it("imports an NDJSON body, all or nothing; the first bad line and reason are in the 422 body", async () => {
    const before = (await json(await h.call("/digest", Harness.tokens.admin.token))).body.position
    const lines = [
      {
        type: "UnitRegistered",
        occurredAt: "2018-01-02T08:00:00+07:00",
        data: { unitId: "C3", name: "Xã 3", level: "commune", parentId: "D2" }
      },
      {
        type: "UnitRegistered",
        occurredAt: "2018-01-02T08:00:00+07:00",
        data: { unitId: "R3", name: "Thôn 3", level: "residential-area", parentId: "C3" }
      },
      {
        type: "UnitRegistered",
        occurredAt: "2018-01-02T08:00:00+07:00",
        data: { unitId: "R4", name: "Thôn 4", level: "residential-area", parentId: "NOPE" }
      }
    ]
    const bad = await json(await importAs(ndjson(lines)))
    assert.strictEqual(bad.status, 422)
    assert.deepStrictEqual([bad.body._tag, bad.body.line], ["ImportRejected", 3])
    assert.match(bad.body.reason, /NOPE/)
    const syntax = await json(await importAs(ndjson(lines.slice(0, 1)) + "{oops\n"))
    assert.deepStrictEqual([syntax.status, syntax.body.line], [422, 2])
    assert.strictEqual((await json(await h.call("/digest", Harness.tokens.admin.token))).body.position, before)
    const good = await json(await importAs(ndjson(lines.slice(0, 2))))
    assert.deepStrictEqual(good, { status: 200, body: { imported: 2, skipped: 0, position: before + 2 } })
  })

  it("413 over the import limit, and nothing stored", async () => {
    const before = (await json(await h.call("/digest", Harness.tokens.admin.token))).body.position
    const line = JSON.stringify({
      type: "UnitRegistered",
      occurredAt: "2018-01-02T08:00:00+07:00",
      data: { unitId: "C9", name: "x".repeat(300 * 1024), level: "commune", parentId: "D2" }
    })
    const tooLarge = await json(await importAs(line))
    assert.strictEqual(tooLarge.status, 413)
    assert.strictEqual((await json(await h.call("/digest", Harness.tokens.admin.token))).body.position, before)
  })
})

describe("defects", () => {
  it.effect("a defect is a generic JSON 500: no message, no stack trace reaches the client", () =>
    Effect.gen(function* () {
      const dying = Effect.die(new Error("secret detail at /srv/app.js:42")) as Parameters<
        typeof Server.errorBoundary
      >[0]
      const response = yield* (
        Server.errorBoundary(dying) as Effect.Effect<HttpServerResponse.HttpServerResponse>
      ).pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
      assert.strictEqual(response.status, 500)
      const body = new TextDecoder().decode((response.body as any).body)
      assert.deepStrictEqual(JSON.parse(body), { _tag: "InternalError", message: "internal server error" })
      assert.notInclude(body, "secret")
    })
  )
})
