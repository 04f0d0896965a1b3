// The event store on PostgreSQL (issue 10), side by side in one run:
//
//   pnpm run build && node --expose-gc bench/postgres.mjs
//
// On a sample of the generated national year (the fixtures' seeded `Scenario`, all provinces,
// the first BENCH_EVENTS events, default 200,000), in a fresh schema of the server in
// KEHOACH_BENCH_PG (default: KEHOACH_TEST_PG, else postgres://postgres@127.0.0.1:5432/test),
// dropped at the end:
//   1. import the NDJSON file with `Ndjson.importFile` (parse, validate, decide, hash, insert
//      with unnest; one transaction), events/s;
//   2. the floor: a plain `COPY` of the same rows into a table of the same shape, by psql
//      (`\copy`, COPY's text format), rows/s, and the ratio of 1 to it (target >= 0.5);
//   3. replay: a fresh store folds the whole log from position 0 (the snapshots deleted first),
//      events/s (target >= 200,000), and the same from the import's snapshot;
//   4. the same import into SQLite, and the compliance of one plan from both stores (identical JSON);
//   5. appends over HTTP: two `apps/server/dist/main.js` processes on the database, single-event
//      POST /events from CONNECTIONS connections each for APPEND_SECONDS: req/s together,
//      p50/p99 (target 2,000/s together, p99 < 30 ms), then verify.
// Without a reachable server it says so and exits 0.
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const load = (rel) => import(pathToFileURL(path.join(root, rel)).href)
const requireStore = createRequire(path.join(root, "packages/store/package.json"))
const { Effect, Layer, Stream } = await load("packages/store/node_modules/effect/dist/esm/index.js")
const { EventStore, Ndjson, SqlEventStore } = await load("packages/store/dist/index.js")
const { Compliance, Relevance, Time } = await load("packages/domain/dist/index.js")
const { Scenario } = await load("packages/fixtures/dist/index.js")
const Pg = requireStore("pg")

const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]))
const cap = env("BENCH_EVENTS", 200_000)
const connections = env("CONNECTIONS", 8)
const fmt = (n) => Math.round(n).toLocaleString("en-US")
const rate = (n, ms) => (n * 1000) / ms
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`
const run = (effect) => Effect.runPromise(effect)

const server = process.env.KEHOACH_BENCH_PG ?? process.env.KEHOACH_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test"
const schema = `kehoach_bench_${process.pid}`
const db = `${server}${server.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`
const query = async (url, statement) => {
  const client = new Pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    return (await client.query(statement)).rows
  } finally {
    await client.end()
  }
}
try {
  await query(server, "SELECT 1")
} catch (error) {
  console.log(`no PostgreSQL server reachable at ${server} (${error.message}): skipped`)
  process.exit(0)
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-bench-pg-"))
const servers = []
let dropped = false
const cleanup = async () => {
  for (const s of servers) if (s.exitCode === null) s.kill("SIGKILL")
  fs.rmSync(dir, { recursive: true, force: true })
  if (!dropped) {
    dropped = true
    await query(server, `DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  }
}
process.on("SIGINT", () => cleanup().then(() => process.exit(130)))
process.on("unhandledRejection", (error) => {
  console.error(error)
  cleanup().then(() => process.exit(1))
})
await query(server, `DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`)

// ---------------------------------------------------------------------------
// The log

const options = { seed: 2018, provinces: "all" }
const file = path.join(dir, "sample.ndjson")
function* capped(lines, n) {
  let i = 0
  for (const line of lines) {
    if (i++ >= n) return
    yield line
  }
}
const events = Scenario.writeNdjson(file, capped(Scenario.events(options), cap))
console.log(
  `log: ${fmt(events)} events (Scenario seed 2018, all provinces, the first ${fmt(cap)}), ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MB of NDJSON; PostgreSQL ${
    (await query(server, "SHOW server_version"))[0].server_version
  } at ${server.replace(/:[^:@/]*@/, ":***@")}, schema ${schema}`
)

// ---------------------------------------------------------------------------
// 1. Import

let t0 = performance.now()
const imported = await run(
  Ndjson.importFile(file, { recordedBy: "bench" }).pipe(Effect.provide(SqlEventStore.layerPg({ url: db })))
)
const importMs = performance.now() - t0
const importRate = rate(imported.imported, importMs)
console.log(
  `import into PostgreSQL: ${fmt(imported.imported)} events in ${secs(importMs)} = ${fmt(importRate)} events/s (target >= 50,000)`
)

// ---------------------------------------------------------------------------
// 2. The floor: a plain COPY of the same rows

{
  const rows = await query(db, "SELECT position, id, type, unit_id, plan_id, line FROM events ORDER BY position")
  const escape = (v) =>
    v === null ? "\\N" : String(v).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n")
  const copyFile = path.join(dir, "rows.tsv")
  fs.writeFileSync(
    copyFile,
    rows.map((r) => [r.position, r.id, r.type, r.unit_id, r.plan_id, r.line].map(escape).join("\t")).join("\n") + "\n"
  )
  await query(
    db,
    "CREATE TABLE floor (position bigint PRIMARY KEY, id text NOT NULL, type text NOT NULL, unit_id text, plan_id text, line text NOT NULL)"
  )
  const psql = spawnSync("psql", ["--version"])
  if (psql.status !== 0) {
    console.log("floor: psql not found, no COPY figure")
  } else {
    // As the store's import into an empty log does: the secondary indexes built at the end, in one transaction.
    const script = [
      "BEGIN;",
      `\\copy floor (position, id, type, unit_id, plan_id, line) FROM '${copyFile}'`,
      "CREATE UNIQUE INDEX floor_id ON floor (id);",
      "CREATE INDEX floor_unit ON floor (unit_id, position) WHERE unit_id IS NOT NULL;",
      "CREATE INDEX floor_plan ON floor (plan_id, position) WHERE plan_id IS NOT NULL;",
      "CREATE INDEX floor_type ON floor (type, position);",
      "COMMIT;"
    ].join("\n")
    t0 = performance.now()
    const copied = spawnSync("psql", [db, "-v", "ON_ERROR_STOP=1", "-q"], { input: script, encoding: "utf8" })
    const copyMs = performance.now() - t0
    if (copied.status !== 0) throw new Error(`psql failed: ${copied.stderr}`)
    const copyRate = rate(rows.length, copyMs)
    console.log(
      `floor: plain COPY of the same ${fmt(rows.length)} rows (psql \\copy, the same indexes built at the end) in ${secs(copyMs)} = ${fmt(copyRate)} rows/s; import / COPY = ${(importRate / copyRate).toFixed(2)} (target >= 0.5)`
    )
  }
  await query(db, "DROP TABLE floor")
}

// ---------------------------------------------------------------------------
// 3. Replay

// The plan with the most events in the sample.
const planId =
  (
    await query(
      db,
      "SELECT plan_id FROM events WHERE plan_id IS NOT NULL GROUP BY plan_id ORDER BY count(*) DESC LIMIT 1"
    )
  )[0]?.plan_id ?? "none"
const asOf = Time.parseQueryTime("2018-12-31")
const complianceOf = (layer) =>
  run(
    Effect.scoped(
      Effect.gen(function* () {
        const ctx = yield* Layer.build(layer)
        const store = ctx.unsafeMap.get(EventStore.EventStore.key)
        const t = performance.now()
        const state = yield* store.state
        const folded = performance.now() - t
        const compliance = yield* store.project(Relevance.compliance(planId), (s) =>
          Compliance.project(s, { planId, asOf, knownAt: Number.MAX_SAFE_INTEGER })
        )
        return { folded, position: state.position, json: JSON.stringify(compliance) }
      })
    )
  )
globalThis.gc?.()
const fromSnapshot = await complianceOf(SqlEventStore.layerPg({ url: db }))
await query(db, "DELETE FROM snapshot_parts; DELETE FROM snapshots")
globalThis.gc?.()
const fromLog = await complianceOf(SqlEventStore.layerPg({ url: db }))
console.log(
  `replay from PostgreSQL: ${fmt(fromLog.position)} events folded from position 0 in ${secs(fromLog.folded)} = ${fmt(rate(fromLog.position, fromLog.folded))} events/s (target >= 200,000); from the import's snapshot: ${secs(fromSnapshot.folded)}`
)

// ---------------------------------------------------------------------------
// 4. The same figures from SQLite

{
  const sqliteFile = path.join(dir, "sample.db")
  t0 = performance.now()
  await run(
    Ndjson.importFile(file, { recordedBy: "bench" }).pipe(Effect.provide(SqlEventStore.layer({ filename: sqliteFile })))
  )
  const sqliteMs = performance.now() - t0
  const fromSqlite = await complianceOf(SqlEventStore.layer({ filename: sqliteFile }))
  const same = fromSqlite.json === fromLog.json && fromSnapshot.json === fromLog.json
  console.log(
    `import into SQLite, same sample: ${secs(sqliteMs)} = ${fmt(rate(events, sqliteMs))} events/s; compliance of ${planId} from both stores: ${same ? "identical JSON" : "DIFFERENT"} (${fmt(fromLog.json.length / 1024)} KiB)`
  )
}

// ---------------------------------------------------------------------------
// 5. Appends over HTTP, two server processes on the database (SERVERS to change)

const tokens = [{ token: "bench-admin-token", actor: "bench-admin", role: "admin" }]
fs.writeFileSync(path.join(dir, "tokens.json"), JSON.stringify(tokens), { mode: 0o600 })
const start = () => {
  const child = spawn(
    process.execPath,
    [
      path.join(root, "apps/server/dist/main.js"),
      "--db",
      db,
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--tokens",
      path.join(dir, "tokens.json")
    ],
    { stdio: ["ignore", "pipe", "inherit"] }
  )
  servers.push(child)
  return new Promise((resolve, reject) => {
    let out = ""
    child.stdout.on("data", (chunk) => {
      out += chunk
      const m = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) resolve(m[1])
    })
    child.on("exit", (code) => reject(new Error(`server exited (${code}) before listening`)))
  })
}
const bases = await Promise.all(Array.from({ length: env("SERVERS", 2) }, start))
const at = "2018-12-15T08:00:00+07:00"
const subtree = await (
  await fetch(`${bases[0]}/units/08/subtree?asOf=${encodeURIComponent(at)}`, {
    headers: { authorization: `Bearer ${tokens[0].token}` }
  })
).json()
const areas = (subtree.units ?? []).filter((u) => u.level === "residential-area").map((u) => u.unitId)
if (areas.length === 0) throw new Error("no residential area open in 08 in the sample: raise BENCH_EVENTS")
const append = (base, i) =>
  fetch(`${base}/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${tokens[0].token}`, "content-type": "application/json" },
    body: JSON.stringify({
      type: "ModelEstablished",
      occurredAt: at,
      data: {
        modelId: `bench-${i}`,
        unitId: areas[i % areas.length],
        kind: "self-managed",
        name: `Mô hình ${i}`,
        households: 40,
        committed: 30
      }
    })
  })
const drive = async (seconds, offset) => {
  const latencies = []
  let next = offset
  let failures = 0
  const deadline = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(
    bases.flatMap((base) =>
      Array.from({ length: connections }, async () => {
        while (performance.now() < deadline) {
          const i = next++
          const t = performance.now()
          const response = await append(base, i)
          await response.arrayBuffer()
          latencies.push(performance.now() - t)
          if (response.status !== 200 && failures++ === 0) console.log(`  first failure: ${response.status}`)
        }
      })
    )
  )
  return { ms: performance.now() - started, latencies: latencies.sort((a, b) => a - b), failures }
}
await drive(2, 10_000_000)
const appends = await drive(env("APPEND_SECONDS", 10), 0)
const pct = (p) =>
  appends.latencies[Math.min(appends.latencies.length - 1, Math.floor((p / 100) * appends.latencies.length))]
console.log(
  `POST /events on ${bases.length} server processes, ${connections} connections each: ${fmt(appends.latencies.length)} appends in ${secs(appends.ms)} = ${fmt(rate(appends.latencies.length, appends.ms))}/s together; p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms${appends.failures > 0 ? `, ${appends.failures} failed` : ""} (target 2,000/s, p99 < 30 ms)`
)
for (const s of servers) s.kill("SIGTERM")
await Promise.all(
  servers.map((s) => new Promise((resolve) => (s.exitCode === null ? s.on("exit", resolve) : resolve())))
)
const verified = await run(
  Effect.flatMap(EventStore.EventStore, (store) => store.verify()).pipe(
    Effect.provide(SqlEventStore.layerPg({ url: db }))
  )
)
console.log(
  `verify after the appends: ${verified.ok ? `ok, ${fmt(verified.position)} events` : `BROKEN at ${verified.position}: ${verified.reason}`}`
)

await cleanup()
