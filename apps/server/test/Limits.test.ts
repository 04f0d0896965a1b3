/**
 * The server's limits against slow, greedy and idle clients (issue 13): a
 * bound on live tails (503, a slot freed when one ends), the configured body
 * limits (413), and a body that stops arriving (408, then the connection
 * closes). A real server over a real SQLite file.
 */
import { assert, describe, it } from "@effect/vitest"
import * as net from "node:net"
import * as Harness from "./Harness.js"

describe("limits", () => {
  it("live tails are bounded (503 Unavailable over the limit, a slot frees when one closes); a stalled body is a 408", async () => {
    const small = await Harness.start({
      maxTails: 2,
      bodyIdleMillis: 300,
      maxBodyBytes: 10_000,
      maxImportBytes: 20_000
    })
    try {
      const auditor = Harness.tokens.auditor.token
      const open = [new AbortController(), new AbortController()]
      const streams = await Promise.all(open.map((c) => small.call("/events/stream", auditor, { signal: c.signal })))
      assert.deepStrictEqual(
        streams.map((r) => r.status),
        [200, 200]
      )
      await Promise.all(streams.map((r) => r.body!.getReader().read()))
      const third = await small.call("/events/stream", auditor)
      assert.strictEqual(third.status, 503)
      const body = JSON.parse(await third.text())
      assert.deepStrictEqual([body._tag, body.limit], ["Unavailable", 2])
      assert.match(body.message, /^2 live tails are open/)
      open[0]!.abort()
      let again: Response | undefined
      for (let i = 0; i < 50 && again?.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50))
        again = await small.call("/events/stream", auditor)
        if (again.status === 200) await again.body!.cancel()
      }
      assert.strictEqual(again!.status, 200)
      open[1]!.abort()

      // The configured body limits: 413 just over them.
      const over = await small.call("/events", Harness.tokens.admin.token, { method: "POST", body: "x".repeat(10_001) })
      assert.strictEqual(over.status, 413)
      assert.strictEqual(JSON.parse(await over.text()).limit, 10_000)
      const overImport = await small.call("/import", Harness.tokens.admin.token, {
        method: "POST",
        body: "x".repeat(20_001)
      })
      assert.strictEqual(overImport.status, 413)

      // A body that stops arriving: 408 after the idle time, and the connection closes.
      const url = new URL(small.url)
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(url.port), url.hostname, () => {
          socket.write(
            `POST /events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${Harness.tokens.admin.token}\r\n` +
              'content-type: application/json\r\ncontent-length: 500\r\n\r\n{"type":'
          )
        })
        let text = ""
        socket.on("data", (d) => (text += d.toString()))
        socket.on("close", () => resolve(text))
        socket.on("error", reject)
      })
      assert.match(answer, /^HTTP\/1.1 408/)
      assert.match(answer, /"_tag":"RequestTimeout"/)
    } finally {
      await small.close()
    }
  })
})
