/**
 * The server as a real child process (`apps/server/dist/main.js`, built by
 * `npx tsc -b apps/server`): a request in flight when SIGTERM or SIGINT
 * arrives still completes, the process exits 0, and the database verifies;
 * a bad tokens file stops start-up with one line and a non-zero status.
 */
import { assert, describe, it } from "@effect/vitest"
import { EventStore, SqlEventStore } from "@kehoach/store"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as Http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Harness from "./Harness.js"

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url))

const startServer = (dir: string, tokensFile: string) => {
  const child = spawn(
    process.execPath,
    [main, "--db", path.join(dir, "k.db"), "--port", "0", "--host", "127.0.0.1", "--tokens", tokensFile],
    {
      stdio: ["ignore", "pipe", "pipe"]
    }
  )
  let out = ""
  let err = ""
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const port = new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      out += chunk
      const m = /Listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.stderr.on("data", (chunk) => (err += chunk))
    child.on("exit", () => reject(new Error(`exited before listening: ${err}`)))
  })
  return { child, port, exited, stderr: () => err }
}

/** A POST whose body is sent in two halves, so the request is in flight between them. */
const slowPost = (port: number, body: string) => {
  const request = Http.request({
    host: "127.0.0.1",
    port,
    method: "POST",
    path: "/events",
    headers: {
      authorization: `Bearer ${Harness.tokens.admin.token}`,
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body)
    }
  })
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    request.on("response", (res) => {
      let text = ""
      res.on("data", (c) => (text += c))
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }))
    })
    request.on("error", reject)
  })
  const half = Math.floor(body.length / 2)
  request.write(body.slice(0, half))
  return { finish: () => request.end(body.slice(half)), response }
}

const verify = (file: string) =>
  Effect.runPromise(
    Effect.flatMap(EventStore.EventStore, (store) => store.verify()).pipe(
      Effect.provide(SqlEventStore.layer({ filename: file }))
    )
  )

describe("the server process", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`on ${signal} finishes the request in flight, exits 0, and the log verifies`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-proc-"))
      try {
        const tokensFile = path.join(dir, "tokens.json")
        fs.writeFileSync(tokensFile, JSON.stringify(Object.values(Harness.tokens)), { mode: 0o600 })
        const server = startServer(dir, tokensFile)
        const port = await server.port
        const health = await fetch(`http://127.0.0.1:${port}/health`)
        assert.strictEqual(health.status, 200)
        const inFlight = slowPost(port, JSON.stringify({ events: Harness.seed }))
        await new Promise((resolve) => setTimeout(resolve, 100))
        server.child.kill(signal)
        await new Promise((resolve) => setTimeout(resolve, 100))
        inFlight.finish()
        const answer = await inFlight.response
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(answer.body.appended, Harness.seed.length)
        assert.strictEqual(await server.exited, 0)
        const verified = await verify(path.join(dir, "k.db"))
        assert.deepStrictEqual([verified.ok, verified.position], [true, Harness.seed.length])
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  }

  it("a bad tokens file stops start-up with one line naming the problem", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-proc-"))
    try {
      const tokensFile = path.join(dir, "tokens.json")
      fs.writeFileSync(tokensFile, JSON.stringify([{ token: "t1-0123456789abcdef", actor: "a", role: "writer" }]), {
        mode: 0o600
      })
      const server = startServer(dir, tokensFile)
      await server.port.catch(() => undefined)
      assert.strictEqual(await server.exited, 1)
      const lines = server.stderr().trim().split("\n")
      assert.strictEqual(lines.length, 1)
      assert.match(lines[0]!, /^kehoach serve: tokens file .*tokens\.json: entry 0\.role: /)
      fs.writeFileSync(tokensFile, JSON.stringify([{ token: "t1-0123456789abcdef", actor: "a", role: "recorder" }]), {
        mode: 0o600
      })
      const recorder = startServer(dir, tokensFile)
      await recorder.port.catch(() => undefined)
      assert.strictEqual(await recorder.exited, 1)
      assert.match(recorder.stderr(), /entry 0: a recorder needs a unitId/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
