/**
 * Concurrent appenders and the live tail, over a real port: appends from many
 * connections at once get distinct positions with no gap, and a subscriber to
 * `/events/stream` receives what is appended after it connects.
 */
import { assert, describe, it } from "@effect/vitest"
import { afterAll, beforeAll } from "vitest"
import * as Harness from "./Harness.js"
import * as Http from "node:http"
import * as Net from "node:net"

let h: Harness.Harness
beforeAll(async () => {
  h = await Harness.start()
})
afterAll(() => h.close())

const model = (i: number) => ({
  type: "ModelEstablished",
  occurredAt: "2018-04-01T08:00:00+07:00",
  data: { modelId: `live-${i}`, unitId: "R1", kind: "self-managed", name: `Model ${i}`, households: 1, committed: 1 }
})
const append = (token: string, body: unknown) =>
  h
    .call("/events", token, { method: "POST", body: JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, body: (await r.json()) as any }))

/** A keep-alive connection that sends raw requests and reads whole responses (by their Content-Length). */
const connect = async (port: number) => {
  const socket = await new Promise<Net.Socket>((resolve, reject) => {
    const s = Net.connect(port, "127.0.0.1", () => resolve(s))
    s.on("error", reject)
  })
  let text = ""
  let waiting: (() => void) | undefined
  socket.setEncoding("utf8")
  socket.on("data", (chunk: string) => {
    text += chunk
    waiting?.()
  })
  const response = () =>
    new Promise<string>((resolve) => {
      const check = () => {
        const end = text.indexOf("\r\n\r\n")
        const length = /content-length: (\d+)/i.exec(text.slice(0, end))
        if (end < 0 || length === null || text.length < end + 4 + Number(length[1])) return
        const whole = text.slice(0, end + 4 + Number(length[1]))
        text = text.slice(whole.length)
        waiting = undefined
        resolve(whole)
      }
      waiting = check
      check()
    })
  const send = (request: string) => {
    socket.write(request)
    return response()
  }
  await send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
  return { socket, send }
}

/** Reads server-sent events until `count` messages with an `id:` arrived. */
const readEvents = async (reader: ReadableStreamDefaultReader<Uint8Array>, count: number, buffer = { text: "" }) => {
  const decoder = new TextDecoder()
  const messages: Array<{ id: number; event: string; data: any }> = []
  for (;;) {
    let cut: number
    while ((cut = buffer.text.indexOf("\n\n")) >= 0) {
      const block = buffer.text.slice(0, cut)
      buffer.text = buffer.text.slice(cut + 2)
      const fields = Object.fromEntries(
        block
          .split("\n")
          .filter((l) => !l.startsWith(":"))
          .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)])
      )
      if (fields.id !== undefined)
        messages.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data) })
      if (messages.length === count) return messages
    }
    const { done, value } = await reader.read()
    if (done) return messages
    buffer.text += decoder.decode(value, { stream: true })
  }
}

describe("live", () => {
  it("concurrent appenders from many connections: every append stored, positions without gap, chain verifies", async () => {
    const start = (await (await h.call("/digest", Harness.tokens.admin.token)).json()) as any
    const tokens = [Harness.tokens.admin, Harness.tokens.recP, Harness.tokens.recD1, Harness.tokens.recC1]
    const results = await Promise.all(
      Array.from({ length: 48 }, (_, i) => append(tokens[i % tokens.length]!.token, model(i)))
    )
    assert.deepStrictEqual(
      results.map((r) => r.status),
      results.map(() => 200)
    )
    const positions = results.map((r) => r.body.events[0].position).sort((a, b) => a - b)
    assert.deepStrictEqual(
      positions,
      Array.from({ length: 48 }, (_, i) => start.position + 1 + i)
    )
    const verify = (await (await h.call("/verify", Harness.tokens.auditor.token)).json()) as any
    assert.deepStrictEqual([verify.ok, verify.position], [true, start.position + 48])
  })

  it("concurrent single appends share transactions, but one refused event never takes another request's with it", async () => {
    const bad = { ...model(0), data: { ...model(0).data, modelId: "live-bad", unitId: "NOPE" } }
    const dupId = "0b5e3c1a-7d2f-4e8b-9c6a-1f2e3d4c5b6a"
    const requests = Array.from({ length: 24 }, (_, i) =>
      i === 7 ? bad : i === 11 || i === 12 ? { ...model(500), id: dupId } : model(300 + i)
    )
    const results = await Promise.all(requests.map((r) => append(Harness.tokens.admin.token, r)))
    assert.deepStrictEqual([results[7]!.status, results[7]!.body.rule], [422, "UnitNotFound"])
    for (const [i, r] of results.entries()) if (i !== 7) assert.strictEqual(r.status, 200, `request ${i}`)
    assert.deepStrictEqual(results[11]!.body.events[0], results[12]!.body.events[0])
    assert.strictEqual(results[11]!.body.appended + results[12]!.body.appended, 1)
    const verify = (await (await h.call("/verify", Harness.tokens.auditor.token)).json()) as any
    assert.isTrue(verify.ok)
  })

  it("concurrent single appends over HTTP are committed in groups, one transaction for several requests", async () => {
    // The store as this server sees it, counting the requests of each shared transaction.
    const groups: Array<number> = []
    const counted = await Harness.start({}, {}, (store) => ({
      ...store,
      appendEach: (requests) => {
        groups.push(requests.length)
        return store.appendEach(requests)
      }
    }))
    try {
      const tokens = [Harness.tokens.admin, Harness.tokens.recC1]
      // Every request written at once on connections the server has taken (each answered one request first), so
      // that they reach it together, as the requests of many clients do while it is busy.
      const port = Number(new URL(counted.url).port)
      const connections = await Promise.all(Array.from({ length: 48 }, () => connect(port)))
      const answers = connections.map((c, i) => {
        const body = JSON.stringify(model(700 + i))
        return c.send(
          `POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tokens[i % 2]!.token}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
        )
      })
      const statuses = (await Promise.all(answers)).map((text) => text.split(" ")[1])
      for (const c of connections) c.socket.destroy()
      assert.deepStrictEqual(
        statuses,
        statuses.map(() => "200")
      )
      // Requests that arrived together shared commits, whoever sent them (a store that works synchronously, as
      // SQLite does, would otherwise have committed each before the next was read).
      assert.isAbove(Math.max(0, ...groups), 1)
      assert.isBelow(groups.length, 48)
      const verify = (await (await counted.call("/verify", Harness.tokens.auditor.token)).json()) as any
      assert.deepStrictEqual([verify.ok, verify.position], [true, Harness.seed.length + 48])
    } finally {
      await counted.close()
    }
  })

  it("a slow import upload blocks no append: the body is spooled before the store's lock is taken", async () => {
    const url = new URL("/import", h.url)
    const first = JSON.stringify(model(900)) + "\n"
    const rest = JSON.stringify(model(901)) + "\n"
    const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = Http.request(
        url,
        {
          method: "POST",
          headers: { authorization: `Bearer ${Harness.tokens.admin.token}`, "content-type": "application/x-ndjson" }
        },
        (res) => {
          let text = ""
          res.on("data", (c) => (text += c))
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
        }
      )
      req.on("error", reject)
      req.write(first)
      // Half the body is sent; while the client dawdles, another request appends and is answered.
      setTimeout(async () => {
        try {
          const started = performance.now()
          const appended = await append(Harness.tokens.admin.token, model(902))
          assert.strictEqual(appended.status, 200)
          assert.isBelow(performance.now() - started, 1500)
          req.end(rest)
        } catch (error) {
          reject(error)
        }
      }, 300)
    })
    const imported = await answer
    assert.deepStrictEqual([imported.status, imported.body.imported], [200, 2])
  })

  it("reads are answered while an import runs, from the log as it was before it; the import shows once committed", async () => {
    const before = ((await (await h.call("/digest", Harness.tokens.auditor.token)).json()) as any).position as number
    const count = 40_000
    const body = Array.from({ length: count }, (_, i) => JSON.stringify(model(100_000 + i))).join("\n") + "\n"
    let done = false
    const importing = h
      .call("/import", Harness.tokens.admin.token, {
        method: "POST",
        body,
        headers: { "content-type": "application/x-ndjson" }
      })
      .then(async (r) => {
        done = true
        return { status: r.status, body: (await r.json()) as any }
      })
    // While the import is in its transaction, the digest and a projection answer, from the committed log.
    const during: Array<number> = []
    while (!done) {
      const digest = await h.call("/digest", Harness.tokens.auditor.token)
      const compliance = await h.call("/compliance?planId=182&asOf=2018-12-31", Harness.tokens.auditor.token)
      assert.strictEqual(compliance.status, 200)
      await compliance.arrayBuffer()
      if (!done) during.push(((await digest.json()) as any).position as number)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const imported = await importing
    assert.deepStrictEqual([imported.status, imported.body.imported], [200, count])
    // Many reads, not one that slipped in while the body was being spooled: the import held none of them up.
    assert.isAtLeast(during.length, 8, "reads waited for the import")
    assert.isTrue(during.every((p) => p === before))
    const after = ((await (await h.call("/digest", Harness.tokens.auditor.token)).json()) as any).position as number
    assert.strictEqual(after, before + count)
  }, 120_000)

  it("the live tail sends stored events after `from`, then each new one as it is appended", async () => {
    const digest = (await (await h.call("/digest", Harness.tokens.auditor.token)).json()) as any
    const controller = new AbortController()
    const response = await h.call(`/events/stream?from=${digest.position - 2}`, Harness.tokens.auditor.token, {
      signal: controller.signal
    })
    assert.strictEqual(response.status, 200)
    assert.match(response.headers.get("content-type")!, /text\/event-stream/)
    const reader = response.body!.getReader()
    const buffer = { text: "" }
    const caughtUp = await readEvents(reader, 2, buffer)
    assert.deepStrictEqual(
      caughtUp.map((m) => m.id),
      [digest.position - 1, digest.position]
    )
    const appended = []
    for (let i = 100; i < 103; i++) appended.push((await append(Harness.tokens.admin.token, model(i))).body.events[0])
    const live = await readEvents(reader, 3, buffer)
    assert.deepStrictEqual(
      live.map((m) => m.id),
      appended.map((e) => e.position)
    )
    assert.deepStrictEqual(
      live.map((m) => m.event),
      ["ModelEstablished", "ModelEstablished", "ModelEstablished"]
    )
    assert.deepStrictEqual(
      live.map((m) => m.data),
      appended
    )
    controller.abort()
  })

  it("without `from` the tail starts at the current end; Last-Event-ID resumes", async () => {
    const controller = new AbortController()
    const response = await h.call("/events/stream", Harness.tokens.recC1.token, { signal: controller.signal })
    const reader = response.body!.getReader()
    const first = await reader.read() // the opening comment: the subscription is in place
    assert.match(new TextDecoder().decode(first.value), /^: events after position \d+/)
    const stored = (await append(Harness.tokens.admin.token, model(200))).body.events[0]
    const [message] = await readEvents(reader, 1)
    assert.strictEqual(message!.id, stored.position)
    controller.abort()
    const resumed = new AbortController()
    const again = await h.call("/events/stream", Harness.tokens.recC1.token, {
      signal: resumed.signal,
      headers: { "last-event-id": String(stored.position - 1) }
    })
    const [replayed] = await readEvents(again.body!.getReader(), 1)
    assert.strictEqual(replayed!.id, stored.position)
    resumed.abort()
  })
})
