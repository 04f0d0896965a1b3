/**
 * Faults of the server process (issue 13): `kill -9` while another process
 * (this test) appends in a loop over several connections. After a restart on
 * the same SQLite file every acknowledged append is in the log, positions
 * have no gap, and the chain verifies. Runs the built `dist/main.js`.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Harness from "./Harness.js"

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url))
const admin = Harness.tokens.admin.token

const startServer = (db: string, tokensFile: string) => {
  const child = spawn(
    process.execPath,
    [main, "--db", db, "--port", "0", "--host", "127.0.0.1", "--tokens", tokensFile],
    {
      stdio: ["ignore", "pipe", "pipe"]
    }
  )
  let out = ""
  let err = ""
  child.stderr.on("data", (chunk) => (err += chunk))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      out += chunk
      const m = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.on("exit", () => reject(new Error(`exited before listening: ${err}`)))
  })
  return { child, url, exited }
}

const model = (n: number) => ({
  id: `00000000-0000-4000-9000-${n.toString(16).padStart(12, "0")}`,
  type: "ModelEstablished",
  occurredAt: "2018-06-01T08:00:00+07:00",
  data: { modelId: `kill-${n}`, unitId: "R1", kind: "self-managed", name: `Mô hình ${n}` }
})

describe("kill -9 of the server while another process appends in a loop", () => {
  it("every acknowledged append is in the log after a restart, without a gap, and verify passes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-kill-"))
    try {
      const db = path.join(dir, "k.db")
      const tokensFile = path.join(dir, "tokens.json")
      fs.writeFileSync(tokensFile, JSON.stringify(Object.values(Harness.tokens)), { mode: 0o600 })
      const server = startServer(db, tokensFile)
      const url = await server.url
      const post = (body: unknown) =>
        fetch(`${url}/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
          body: JSON.stringify(body)
        })
      assert.strictEqual((await post({ events: Harness.seed })).status, 200)

      // Four loops append one event each at a time until the server dies; each 200 is an acknowledgement.
      const acked: Array<{ id: string; position: number }> = []
      let next = 0
      let dead = false
      const loop = async () => {
        while (!dead) {
          const event = model(next++)
          try {
            const response = await post(event)
            if (response.status !== 200) throw new Error(`append answered ${response.status}: ${await response.text()}`)
            const body = (await response.json()) as { events: Array<{ id: string; position: number }> }
            acked.push({ id: body.events[0]!.id, position: body.events[0]!.position })
          } catch (error) {
            if (!dead) throw error
          }
        }
      }
      const loops = [loop(), loop(), loop(), loop()]
      while (acked.length < 40) await new Promise((resolve) => setTimeout(resolve, 10))
      dead = true
      server.child.kill("SIGKILL")
      assert.strictEqual(await server.exited, null)
      await Promise.all(loops)

      const again = startServer(db, tokensFile)
      try {
        const url2 = await again.url
        const get = async (p: string) =>
          (await (await fetch(`${url2}${p}`, { headers: { authorization: `Bearer ${admin}` } })).json()) as any
        const page = await get("/events?limit=10000")
        const positions = page.events.map((e: { position: number }) => e.position)
        assert.deepStrictEqual(
          positions,
          positions.map((_: number, i: number) => i + 1),
          "positions without gap"
        )
        const stored = new Map<string, number>(
          page.events.map((e: { id: string; position: number }) => [e.id, e.position])
        )
        for (const { id, position } of acked)
          assert.strictEqual(stored.get(id), position, `acknowledged ${id} at ${position}`)
        assert.isAtLeast(positions.length, Harness.seed.length + acked.length)
        const verified = await get("/verify")
        assert.deepStrictEqual([verified.ok, verified.position], [true, positions.length])
      } finally {
        again.child.kill("SIGTERM")
        await again.exited
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
