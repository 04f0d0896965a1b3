// The HTTP server's speed (issue 5), from a second process, over loopback only:
//
//   npx tsc -b apps/server packages/fixtures && node bench/server.mjs
//
// 1. generate a national year (the fixtures' seeded `Scenario`, all provinces;
//    BENCH_EVENTS caps it) and start `apps/server/dist/main.js` in a child
//    process on 127.0.0.1, port 0, over a fresh SQLite file in a temp dir;
// 2. POST /import the NDJSON file, streamed (events/s);
// 3. single-event appends (ModelEstablished in Tuyên Quang's residential areas,
//    as Tuyên Quang's recorder) from CONNECTIONS concurrent connections,
//    bounded by APPEND_COUNT and APPEND_SECONDS: req/s, p50/p99 (target 2,000/s, p99 < 20 ms);
// 2b. restart the server on that database: time to listen and to answer the first compliance, RSS;
// 4. GET /compliance of plan 182 for the province subtree (unit=08, asOf=2018-12-31),
//    bounded by QUERY_COUNT and QUERY_SECONDS: req/s, p50/p99 (target 500/s, p99 < 50 ms).
// Environment: BENCH_EVENTS (default all), CONNECTIONS (12), APPEND_COUNT (20000),
// APPEND_SECONDS (15), QUERY_COUNT (10000), QUERY_SECONDS (15).
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Readable } from "node:stream"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const load = (rel) => import(pathToFileURL(path.join(root, rel)).href)
const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]))
const cap = env("BENCH_EVENTS", Infinity)
const connections = env("CONNECTIONS", 12)
const fmt = (n) => Math.round(n).toLocaleString("en-US")
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-bench-server-"))
let server

const cleanup = () => {
  if (server !== undefined && server.exitCode === null) server.kill("SIGKILL")
  fs.rmSync(dir, { recursive: true, force: true })
}
process.on("exit", cleanup)
process.on("SIGINT", () => process.exit(130))

// ---------------------------------------------------------------------------
// 1. The log and the server

const { Scenario } = await load("packages/fixtures/dist/index.js")
const options = { seed: 2018, provinces: "all" }
const province = "08"
const planId = Scenario.provincePlanId(province, 2018)
const file = path.join(dir, "national.ndjson")
function* capped(lines, n) {
  let i = 0
  for (const line of lines) {
    if (i++ >= n) return
    yield line
  }
}
let events = 0
{
  const started = performance.now()
  events = Scenario.writeNdjson(file, capped(Scenario.events(options), cap))
  const mb = fs.statSync(file).size / 2 ** 20
  console.log(
    `log: ${fmt(events)} events (${mb.toFixed(0)} MB NDJSON, Scenario seed 2018, all provinces${cap === Infinity ? "" : `, capped`}) generated in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
}

const tokens = {
  admin: { token: "bench-admin-token", actor: "bench-admin", role: "admin" },
  recorder: { token: "bench-recorder-token", actor: "bench-recorder-08", role: "recorder", unitId: province }
}
fs.writeFileSync(path.join(dir, "tokens.json"), JSON.stringify(Object.values(tokens)), { mode: 0o600 })

/** Starts the server on the bench database; resolves with its port once it listens. */
const startServer = async () => {
  server = spawn(
    process.execPath,
    [
      // SERVER_PROF=DIR: the server writes a CPU profile there when it stops.
      ...(process.env.SERVER_PROF === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", process.env.SERVER_PROF]),
      path.join(root, "apps/server/dist/main.js"),
      "--db",
      path.join(dir, "bench.db"),
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--tokens",
      path.join(dir, "tokens.json")
    ],
    { stdio: ["ignore", "pipe", "inherit"] }
  )
  return new Promise((resolve, reject) => {
    let out = ""
    server.stdout.on("data", (chunk) => {
      out += chunk
      const m = /Listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    server.on("exit", (code) => reject(new Error(`server exited (${code}) before listening`)))
  })
}
const stopServer = async () => {
  server.kill("SIGTERM")
  return new Promise((resolve) => server.on("exit", resolve))
}
/** The resident set of the server process, from /proc. */
const rssOf = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
  return m ? Number(m[1]) / 1024 : NaN
}
let port = await startServer()
let base = `http://127.0.0.1:${port}`
const call = (p, token, init = {}) =>
  fetch(base + p, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } })

// ---------------------------------------------------------------------------
// 2. Import

{
  const started = performance.now()
  const response = await call("/import", tokens.admin.token, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: Readable.toWeb(fs.createReadStream(file)),
    duplex: "half"
  })
  const body = await response.json()
  const ms = performance.now() - started
  if (response.status !== 200) throw new Error(`import failed: ${response.status} ${JSON.stringify(body)}`)
  console.log(
    `POST /import: ${fmt(body.imported)} events in ${(ms / 1000).toFixed(1)} s = ${fmt((body.imported * 1000) / ms)} events/s`
  )
}

// ---------------------------------------------------------------------------
// 2b. Start on the national store: a fresh process restores the snapshot the import saved and
// answers its first compliance query (the state in memory); the time to that answer and the RSS.

{
  await stopServer()
  const started = performance.now()
  port = await startServer()
  base = `http://127.0.0.1:${port}`
  const listening = performance.now() - started
  const first = await call(
    `/compliance?planId=${encodeURIComponent(planId)}&unit=${province}&asOf=2018-12-31`,
    tokens.admin.token
  )
  await first.arrayBuffer()
  const answered = performance.now() - started
  console.log(
    `serve start on ${fmt(events)} events: listening in ${(listening / 1000).toFixed(1)} s, first compliance answered in ${(answered / 1000).toFixed(1)} s` +
      ` (status ${first.status}); RSS ${rssOf(server.pid).toFixed(0)} MB  (target < 3 s, RSS < 1 GB)`
  )
}

// ---------------------------------------------------------------------------
// Load driver

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

/** Runs `request(i)` from `connections` loops until `count` requests or `seconds` pass; returns the figures. */
const drive = async (label, request, { count, seconds, target }) => {
  const latencies = []
  let next = 0
  let failures = 0
  const deadline = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < count && performance.now() < deadline) {
        const i = next++
        const t = performance.now()
        const response = await request(i)
        await response.arrayBuffer()
        latencies.push(performance.now() - t)
        if (response.status !== 200) {
          if (failures++ === 0) console.log(`  ${label}: first failure ${response.status}`)
        }
      }
    })
  )
  const ms = performance.now() - started
  latencies.sort((a, b) => a - b)
  const rate = (latencies.length * 1000) / ms
  const p99 = percentile(latencies, 99)
  console.log(
    `${label}: ${fmt(latencies.length)} requests in ${(ms / 1000).toFixed(1)} s, ${connections} connections = ${fmt(rate)} req/s; ` +
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms` +
      `${failures > 0 ? `, ${failures} failed` : ""} (target ${fmt(target.rate)}/s, p99 < ${target.p99} ms: ${rate >= target.rate && p99 < target.p99 ? "met" : "NOT met"})`
  )
}

// ---------------------------------------------------------------------------
// 3. Single-event appends

const at = "2018-12-15T08:00:00+07:00"
const subtree = await (
  await call(`/units/${province}/subtree?asOf=${encodeURIComponent(at)}`, tokens.admin.token)
).json()
const areas = subtree.units.filter((u) => u.level === "residential-area").map((u) => u.unitId)
if (areas.length === 0) throw new Error(`no residential area open in ${province} at ${at}`)
const model = (i) =>
  JSON.stringify({
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
const append = (i) =>
  call("/events", tokens.recorder.token, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: model(i)
  })
await drive("warm-up appends", (i) => append(1_000_000 + i), {
  count: 300,
  seconds: 10,
  target: { rate: 0, p99: Infinity }
})
await drive("POST /events (one event each)", append, {
  count: env("APPEND_COUNT", 20_000),
  seconds: env("APPEND_SECONDS", 15),
  target: { rate: 2000, p99: 20 }
})

// ---------------------------------------------------------------------------
// 4. Compliance of a province subtree

const query = `/compliance?planId=${encodeURIComponent(planId)}&unit=${province}&asOf=2018-12-31`
{
  const response = await call(query, tokens.admin.token)
  const body = await response.json()
  if (response.status !== 200) throw new Error(`compliance failed: ${response.status} ${JSON.stringify(body)}`)
  console.log(
    `GET ${query}: ${fmt(body.units.length)} unit rows, ${fmt(body.obligations.length)} obligations, ${fmt(JSON.stringify(body).length / 1024)} KiB`
  )
}
await drive("warm-up compliance", () => call(query, tokens.admin.token), {
  count: 100,
  seconds: 10,
  target: { rate: 0, p99: Infinity }
})
await drive("GET /compliance (province subtree)", () => call(query, tokens.recorder.token), {
  count: env("QUERY_COUNT", 10_000),
  seconds: env("QUERY_SECONDS", 15),
  target: { rate: 500, p99: 50 }
})

// ---------------------------------------------------------------------------

console.log(`server RSS after the load: ${rssOf(server.pid).toFixed(0)} MB`)
const code = await stopServer()
console.log(`server stopped with SIGTERM: exit ${code}`)
