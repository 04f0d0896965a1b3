/**
 * The built `kehoach` on PostgreSQL, as real OS processes: two `kehoach
 * serve` and a `kehoach import` appending to one database at once (no gap, no
 * duplicate position, an intact chain, and the live tail of each server sees
 * every event), then the log moved to SQLite by `export` and `import`, with
 * the same bytes, digest and compliance JSON; and one clear line when the
 * server cannot be reached.
 *
 * The server is taken from `KEHOACH_TEST_PG`, else the `PG*` variables, else
 * postgres://postgres@127.0.0.1:5432/test; without one these tests are
 * skipped by name, unless `KEHOACH_REQUIRE_PG=1` (CI), when that is a failure.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import Pg from "pg"
import { afterAll, describe, expect, it } from "vitest"

const bundle = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "bundle", "kehoach.mjs")

const serverUrl = (): string => {
  const env = process.env
  if (env["KEHOACH_TEST_PG"]) return env["KEHOACH_TEST_PG"]
  const user = encodeURIComponent(env["PGUSER"] ?? "postgres")
  const password = env["PGPASSWORD"] ? `:${encodeURIComponent(env["PGPASSWORD"])}` : ""
  return `postgres://${user}${password}@${env["PGHOST"] ?? "127.0.0.1"}:${env["PGPORT"] ?? "5432"}/${env["PGDATABASE"] ?? "test"}`
}

const query = async (url: string, statement: string) => {
  const client = new Pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    return (await client.query(statement)).rows
  } finally {
    await client.end()
  }
}

const server = serverUrl()
const unreachable = await query(server, "SELECT 1").then(
  () => undefined,
  (e: Error) => e.message || String(e)
)
if (unreachable !== undefined && process.env["KEHOACH_REQUIRE_PG"] === "1") {
  throw new Error(`KEHOACH_REQUIRE_PG=1 but no PostgreSQL server reachable at ${server} (${unreachable})`)
}

const schema = `kehoach_cli_${process.pid}_${Date.now().toString(36)}`
const db = `${server}${server.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-cli-pg-"))
afterAll(async () => {
  fs.rmSync(tmp, { recursive: true, force: true })
  if (unreachable === undefined) await query(server, `DROP SCHEMA IF EXISTS ${schema} CASCADE`)
})

interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

const run = (args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env }
    delete env["KEHOACH_DB"]
    const child = spawn(process.execPath, [bundle, ...args], { cwd: tmp, env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  })

const ok = async (...args: ReadonlyArray<string>): Promise<string> => {
  const r = await run(args)
  expect(r.stderr, `stderr of kehoach ${args.join(" ")}`).toBe("")
  expect(r.status, `status of kehoach ${args.join(" ")}`).toBe(0)
  return r.stdout
}

const admin = { token: "tok-admin-0123456789abcdef", actor: "admin@P", role: "admin" }

const line = (type: string, occurredAt: string, data: Record<string, unknown>) =>
  JSON.stringify({ type, occurredAt, data })
const seed = [
  line("UnitRegistered", "2018-01-01T08:00:00+07:00", { unitId: "P", name: "Tỉnh P", level: "province" }),
  line("UnitRegistered", "2018-01-01T08:00:00+07:00", {
    unitId: "D1",
    name: "Huyện 1",
    level: "district",
    parentId: "P"
  }),
  line("UnitRegistered", "2018-01-01T08:00:00+07:00", { unitId: "C1", name: "Xã 1", level: "commune", parentId: "D1" }),
  line("UnitRegistered", "2018-01-01T08:00:00+07:00", {
    unitId: "R1",
    name: "Thôn 1",
    level: "residential-area",
    parentId: "C1"
  }),
  line("PlanIssued", "2018-01-30T08:00:00+07:00", {
    planId: "182",
    documentNumber: "182/KH-MTTQ-BTT",
    title: "Toàn dân tham gia phòng, chống ma túy năm 2018",
    issuerId: "P",
    effectiveFrom: "2018-01-30",
    effectiveUntil: "2018-12-31",
    schedules: [{ scheduleId: "monthly", kind: "monthly", dueBeforeDay: 20 }]
  }),
  line("UnitAssigned", "2018-01-30T09:00:00+07:00", { planId: "182", unitId: "D1" }),
  line("UnitAssigned", "2018-01-30T09:00:00+07:00", { planId: "182", unitId: "C1" })
]
const model = (id: string) => ({
  type: "ModelEstablished",
  occurredAt: "2018-04-01T08:00:00+07:00",
  data: { modelId: id, unitId: "R1", kind: "self-managed", name: `Mô hình ${id}`, households: 3, committed: 2 }
})

/** `kehoach serve` on the database, port picked by the OS. */
const serve = (tokensFile: string) => {
  const child = spawn(process.execPath, [bundle, "serve", "--db", db, "--port", "0", "--tokens", tokensFile], {
    cwd: tmp,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  let err = ""
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      out += chunk
      const m = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.stderr.on("data", (chunk) => (err += chunk))
    child.on("exit", () => reject(new Error(`kehoach serve exited before listening: ${err}`)))
  })
  return { child, url, exited, stderr: () => err }
}

/** The positions a server's live tail sends, until `count` arrived. */
const tail = async (url: string, from: number, count: number): Promise<Array<number>> => {
  const response = await fetch(`${url}/events/stream?from=${from}`, {
    headers: { authorization: `Bearer ${admin.token}` }
  })
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  const positions: Array<number> = []
  let text = ""
  while (positions.length < count) {
    const { done, value } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
    let cut: number
    while ((cut = text.indexOf("\n\n")) >= 0) {
      const block = text.slice(0, cut)
      text = text.slice(cut + 2)
      const id = block.split("\n").find((l) => l.startsWith("id: "))
      if (id !== undefined) positions.push(Number(id.slice(4)))
    }
  }
  await reader.cancel()
  return positions
}

const suite = unreachable === undefined ? describe : describe.skip
const name =
  unreachable === undefined
    ? "kehoach on PostgreSQL"
    : `kehoach on PostgreSQL (skipped: no PostgreSQL server reachable at ${server} (${unreachable}))`

suite(name, () => {
  it("two servers and an import append to one database at once: no gap, no duplicate, the chain verifies, every tail sees every event", async () => {
    await query(server, `CREATE SCHEMA ${schema}`)
    fs.writeFileSync(path.join(tmp, "seed.ndjson"), seed.join("\n") + "\n")
    await ok("import", "seed.ndjson", "--db", db)
    const perServer = 120
    const imported = 3000
    fs.writeFileSync(
      path.join(tmp, "models.ndjson"),
      Array.from({ length: imported }, (_, i) => JSON.stringify(model(`import-${i}`))).join("\n") + "\n"
    )
    const tokensFile = path.join(tmp, "tokens.json")
    fs.writeFileSync(tokensFile, JSON.stringify([admin]), { mode: 0o600 })
    const servers = [serve(tokensFile), serve(tokensFile)]
    try {
      const urls = await Promise.all(servers.map((s) => s.url))
      const total = perServer * urls.length + imported
      const tails = urls.map((url) => tail(url, seed.length, total))
      // Appends from both servers, eight in flight each, while the import runs.
      const post = (url: string, i: number) =>
        fetch(`${url}/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
          body: JSON.stringify({ events: [model(`${url.slice(-5)}-${i}`)] })
        }).then((r) => r.status)
      const appendAll = async (url: string) => {
        const statuses: Array<number> = []
        let next = 0
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < perServer) statuses.push(await post(url, next++))
          })
        )
        return statuses
      }
      const [importRun, ...statuses] = await Promise.all([
        run(["import", "models.ndjson", "--db", db]),
        ...urls.map(appendAll)
      ])
      expect([importRun.status, importRun.stderr]).toEqual([0, ""])
      expect(statuses.flat().filter((s) => s !== 200)).toEqual([])
      const exported = (await ok("export", "--db", db))
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l))
      expect(exported.map((e) => e.position)).toEqual(Array.from({ length: seed.length + total }, (_, i) => i + 1))
      expect(new Set(exported.map((e) => e.id)).size).toBe(seed.length + total)
      // The import ran as one transaction: its events are contiguous, and the servers' fall before or after it.
      const byImport = exported.filter((e) => e.data.modelId?.startsWith("import-")).map((e) => e.position)
      expect(byImport[byImport.length - 1] - byImport[0] + 1).toBe(imported)
      expect(await ok("verify", "--db", db)).toContain("OK")
      const seen = await Promise.all(tails)
      for (const positions of seen) {
        expect(positions).toEqual(Array.from({ length: total }, (_, i) => seed.length + 1 + i))
      }
    } finally {
      for (const s of servers) s.child.kill("SIGTERM")
      expect(await Promise.all(servers.map((s) => s.exited))).toEqual([0, 0])
    }

    // The log moves to SQLite and back with the same bytes, digest and figures.
    const fromPg = await ok("export", "--db", db)
    fs.writeFileSync(path.join(tmp, "pg.ndjson"), fromPg)
    await ok("import", "pg.ndjson", "--db", "copy.db")
    expect(await ok("export", "--db", "copy.db")).toBe(fromPg)
    expect(await ok("digest", "--db", "copy.db")).toBe(await ok("digest", "--db", db))
    const compliance = (d: string) =>
      ok(
        "compliance",
        "--plan",
        "182",
        "--as-of",
        "2018-12-31",
        "--known-at",
        "2030-01-01",
        "--format",
        "json",
        "--db",
        d
      )
    const [onPg, onSqlite] = await Promise.all([compliance(db), compliance("copy.db")])
    expect(JSON.parse(onPg).obligations.length).toBeGreaterThan(0)
    expect(onSqlite).toBe(onPg)
  })

  it("an unreachable server or a wrong role is one line naming the server, without the password", async () => {
    const refused = await run(["digest", "--db", "postgres://postgres:s3cret@127.0.0.1:1/test"])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(
      /^kehoach: cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test: .*ECONNREFUSED.*\n$/
    )
    const role = await run(["verify", "--db", server.replace(/\/\/[^@/]*@/, "//nobody_kehoach@")])
    expect(role.status).toBe(1)
    expect(role.stderr).toMatch(/^kehoach: cannot connect to .*nobody_kehoach.*\n$/)
  })
})
