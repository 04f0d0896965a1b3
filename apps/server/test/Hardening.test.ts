/**
 * The server's side of the hardening suite (issue 13), against a real server
 * over a real SQLite file: the inconsistencies found by the probe stay fixed,
 * every error is one JSON shape with a one-line message, and random bodies
 * are either taken whole or refused with the log unchanged. Every error body
 * the suite sees is kept and searched for stack traces, file paths and SQL.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"
import { Tokens } from "../src/index.js"
import * as Harness from "./Harness.js"

let h: Harness.Harness
beforeAll(async () => {
  h = await Harness.start({ maxBodyBytes: 64 * 1024, maxImportBytes: 4 * 1024 * 1024 })
})
afterAll(() => h.close())

const admin = Harness.tokens.admin.token
/** Every error body this suite received, with the request that caused it. */
const errorBodies: Array<{ readonly request: string; readonly sent: string; readonly body: string }> = []

const call = async (p: string, init: RequestInit = {}, token: string | undefined = admin) => {
  const response = await h.call(p, token, init)
  const body = await response.text()
  if (response.status >= 400) {
    errorBodies.push({
      request: `${init.method ?? "GET"} ${p}`,
      sent: typeof init.body === "string" ? init.body : "",
      body
    })
  }
  return { status: response.status, headers: response.headers, body, json: () => JSON.parse(body) }
}
const position = async (): Promise<number> => (await call("/digest")).json().position as number

/** An error body: the one documented shape, a `_tag` and a one-line message. */
const assertError = (body: string, tag: string) => {
  const json = JSON.parse(body)
  assert.strictEqual(json._tag, tag, body)
  assert.isString(json.message)
  assert.notInclude(json.message, "\n", body)
  assert.isAtMost(json.message.length, 300, body)
  return json
}

describe("found 3: a bad query parameter is one line naming it", () => {
  const cases: ReadonlyArray<readonly [url: string, field: string]> = [
    ["/events?from=abc", "from"],
    ["/events?limit=-1", "limit"],
    ["/events?from=1.5", "from"],
    ["/events/stream?from=x", "from"],
    ["/compliance?planId=182&asOf=yesterday", "asOf"],
    ["/compliance?planId=182&depth=two", "depth"],
    ["/coverage?knownAt=2018-13-45", "knownAt"],
    ["/verify?position=x", "position"],
    ["/explain?unitId=D1&asOf=zz", "asOf"],
    ["/units/D1/subtree?depth=-3", "depth"]
  ]
  for (const [url, field] of cases) {
    it(`${url}: 400 InvalidQuery, field ${field}`, async () => {
      const r = await call(url)
      assert.strictEqual(r.status, 400, r.body)
      const json = assertError(r.body, "InvalidQuery")
      assert.strictEqual(json.field, field)
      assert.include(json.message, field)
    })
  }

  it("a garbage Last-Event-ID is a 400 naming the header, not a silent start at the end", async () => {
    const r = await call("/events/stream", { headers: { "last-event-id": "garbage" } })
    assert.strictEqual(r.status, 400)
    assert.strictEqual(assertError(r.body, "InvalidQuery").field, "Last-Event-ID")
  })

  it("the OpenAPI document lists InvalidQuery, never the framework's decode error", async () => {
    const spec = (await (await h.call("/openapi.json")).json()) as any
    assert.notInclude(JSON.stringify(spec), "HttpApiDecodeError")
    for (const [p, operations] of Object.entries<any>(spec.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        const schema = JSON.stringify(operation.responses["400"] ?? {})
        assert.include(schema, "InvalidQuery", `${method} ${p}`)
      }
    }
  })
})

describe("found 1, 4, 5: imports and appends", () => {
  it("a tampered line keeping an event's id and hash: 422 with its line number, nothing stored", async () => {
    const exported = (await call("/events?limit=3")).json().events as Array<any>
    const tampered = { ...exported[1], data: { ...exported[1].data, name: "Huyện đã sửa" } }
    const before = await position()
    const body = [exported[0], tampered].map((e) => JSON.stringify(e)).join("\n") + "\n"
    const r = await call("/import", { method: "POST", body, headers: { "content-type": "application/x-ndjson" } })
    assert.strictEqual(r.status, 422, r.body)
    const json = assertError(r.body, "ImportRejected")
    assert.strictEqual(json.line, 2)
    assert.include(json.reason, "with other content")
    assert.strictEqual(await position(), before)
    const appended = await call("/events", { method: "POST", body: JSON.stringify(tampered) })
    assert.strictEqual(appended.status, 409)
    assertError(appended.body, "IdConflict")
  })

  it("an event over the per-event limit is refused through POST /import too (422, its line)", async () => {
    const before = await position()
    const big = Harness.paperReport("C1", "2018-09", { note: "x".repeat(1024 * 1024 + 10) })
    const body = JSON.stringify(Harness.paperReport("C1", "2018-08")) + "\n" + JSON.stringify(big) + "\n"
    const r = await call("/import", { method: "POST", body, headers: { "content-type": "application/x-ndjson" } })
    assert.strictEqual(r.status, 422, r.body.slice(0, 300))
    const json = assertError(r.body, "ImportRejected")
    assert.strictEqual(json.line, 2)
    assert.strictEqual(json.reason, "the line is over the limit of 1048576 bytes per event")
    assert.strictEqual(await position(), before)
    const direct = await call("/events", { method: "POST", body: JSON.stringify(big) })
    assert.strictEqual(direct.status, 413)
    assertError(direct.body, "PayloadTooLarge")
  })

  it("expectedPosition is checked on an empty batch too", async () => {
    const at = await position()
    const wrong = await call("/events", {
      method: "POST",
      body: JSON.stringify({ events: [], expectedPosition: at + 5 })
    })
    assert.strictEqual(wrong.status, 409)
    assert.deepInclude(assertError(wrong.body, "ConcurrencyConflict"), { expectedPosition: at + 5, actualPosition: at })
    const right = await call("/events", { method: "POST", body: JSON.stringify({ events: [], expectedPosition: at }) })
    assert.strictEqual(right.status, 200, right.body)
  })
})

describe("found 6 and 7", () => {
  it("from means after: GET /events?from=N starts at N + 1, and next continues it", async () => {
    const page = (await call("/events?from=2&limit=2")).json()
    assert.deepStrictEqual(
      page.events.map((e: any) => e.position),
      [3, 4]
    )
    assert.strictEqual(page.next, 4)
    const following = (await call(`/events?from=${page.next}&limit=1`)).json()
    assert.deepStrictEqual(
      following.events.map((e: any) => e.position),
      [5]
    )
  })

  it("a known path with another method is 405 with Allow; an unknown path 404", async () => {
    const put = await call("/events", { method: "PUT", body: "{}" })
    assert.strictEqual(put.status, 405)
    assert.strictEqual(put.headers.get("allow"), "POST, GET")
    assertError(put.body, "MethodNotAllowed")
    const del = await call("/plans/182", { method: "DELETE" })
    assert.strictEqual(del.status, 405)
    assert.strictEqual(del.headers.get("allow"), "GET")
    const nowhere = await call("/nowhere", { method: "PUT" })
    assert.strictEqual(nowhere.status, 404)
    assertError(nowhere.body, "NotFound")
  })

  it("a token one character off, or a prefix of one, is 401", async () => {
    for (const token of [admin.slice(0, -1) + "x", admin.slice(0, 16), admin + "x"]) {
      const r = await call("/digest", {}, token)
      assert.strictEqual(r.status, 401)
      assertError(r.body, "Unauthorized")
    }
  })
})

describe("issue 21", () => {
  it("ids up to 200 characters can be fetched: 404 for an unknown unit, never 405 (with or without a token)", async () => {
    for (const id of ["u".repeat(150), "u".repeat(200), "Xã ".repeat(66) + "x"]) {
      const known = await call(`/units/${encodeURIComponent(id)}`)
      assert.strictEqual(known.status, 404, known.body)
      const anonymous = await call(`/units/${encodeURIComponent(id)}`, {}, undefined)
      assert.notStrictEqual(anonymous.status, 405, anonymous.body)
    }
  })
})

describe("found by the property", () => {
  it("a body that is not JSON and holds a newline is still refused in one line", async () => {
    const r = await call("/events", {
      method: "POST",
      body: "\u0000\n{",
      headers: { "content-type": "application/json" }
    })
    assert.strictEqual(r.status, 400)
    assert.include(assertError(r.body, "InvalidBody").message, "\\u000a")
  })
})

describe("what held, kept", () => {
  it("a huge URL is 431; no CORS header is sent to another origin", async () => {
    const huge = await h.call("/events?type=" + "x".repeat(20_000), admin)
    assert.strictEqual(huge.status, 431)
    const cross = await h.call("/digest", admin, { headers: { origin: "https://evil.example" } })
    assert.strictEqual(cross.status, 200)
    assert.isNull(cross.headers.get("access-control-allow-origin"))
    const preflight = await h.call("/events", undefined, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" }
    })
    assert.isNull(preflight.headers.get("access-control-allow-origin"))
  })
})

describe("the tokens file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-tokens-"))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  const write = (name: string, tokens: unknown, mode: number) => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, JSON.stringify(tokens))
    fs.chmodSync(file, mode)
    return file
  }
  const refusal = (file: string) => Effect.runPromise(Effect.flip(Tokens.readFile(file)))

  it("is refused when others can read it, or a token is shorter than 16 characters", async () => {
    const good = [{ token: "a-token-of-16-chars", actor: "a", role: "admin" }]
    const open = await refusal(write("open.json", good, 0o644))
    assert.include(open.message, "readable or writable by others (mode 644)")
    const short = await refusal(write("short.json", [{ token: "short-token", actor: "a", role: "admin" }], 0o600))
    assert.include(short.message, "entry 0: the token is shorter than 16 characters")
    const read = await Effect.runPromise(Tokens.readFile(write("good.json", good, 0o600)))
    const service = Tokens.make(read)
    assert.strictEqual(service.lookup("a-token-of-16-chars")?.actor, "a")
    assert.isUndefined(service.lookup("a-token-of-16-charz"))
    assert.isUndefined(service.lookup(""))
  })
})

describe("property: random bodies of POST /events", () => {
  const validEvent = fc
    .record({
      unitId: fc.constantFrom("C1", "C2", "D1", "D2", "R1", "nowhere"),
      period: fc.constantFrom("2018-04", "2018-05", "2018-13", "2018-06"),
      mutate: fc.constantFrom("none", "drop-field", "wrong-type", "extra-field", "bad-time")
    })
    .map(({ mutate, period, unitId }) => {
      const e: any = Harness.report(unitId, period)
      if (mutate === "drop-field") delete e.data.planId
      if (mutate === "wrong-type") e.data.period = 201804
      if (mutate === "extra-field") e.surprise = true
      if (mutate === "bad-time") e.occurredAt = "yesterday"
      return JSON.stringify(e)
    })
  const body = fc.oneof(
    validEvent,
    fc.json().map((j) => j),
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString("latin1")),
    validEvent.map((e) => `{"events":[${e},${e}],"expectedPosition":${Math.floor(e.length % 30)}}`)
  )

  it("every answer is 200, or a documented 4xx with one line, and a refusal leaves the log unchanged", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const before = await position()
        const r = await call("/events", { method: "POST", body: text, headers: { "content-type": "application/json" } })
        if (r.status === 200) return
        if (![400, 403, 409, 413, 422].includes(r.status)) throw new Error(`status ${r.status}: ${r.body}`)
        const json = JSON.parse(r.body)
        if (typeof json._tag !== "string" || typeof json.message !== "string" || json.message.includes("\n")) {
          throw new Error(`not the error shape: ${r.body}`)
        }
        const after = await position()
        if (after !== before) throw new Error(`refused (${r.status}) but the log moved from ${before} to ${after}`)
      }),
      { numRuns: 60 }
    )
  }, 60_000)
})

describe("no error body leaks internals", () => {
  it("none of the suite's error responses holds a stack trace, a file path or SQL", () => {
    assert.isAbove(errorBodies.length, 20)
    for (const { body, request, sent } of errorBodies) {
      for (const leak of [
        /\n\s+at /,
        /\((\S+):\d+:\d+\)/,
        /\.(ts|js|mjs):\d+/,
        /\/(work|home|tmp|usr)\//,
        /node_modules/,
        /\b(SELECT|INSERT|UPDATE|DELETE FROM|SQLITE_)\b/
      ]) {
        // What the client sent may be quoted back (a random body of the property): that is not a leak.
        if (leak.test(sent)) continue
        assert.notMatch(body, leak, `${request}: ${body.slice(0, 200)}`)
      }
      for (const token of Object.values(Harness.tokens)) assert.notInclude(body, token.token, request)
    }
  })
})
