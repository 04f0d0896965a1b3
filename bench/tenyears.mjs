// Ten national years (issue 9): generate, import with the CLI, serve, query.
//
//   pnpm build && node bench/tenyears.mjs          (or: node scripts/bench.mjs tenyears)
//
// Not part of the default `pnpm bench`: on this 2-core machine the ten years (about 16 million
// events, about 6 GB of NDJSON, a database of about 14 GB) take most of an hour.
//
// 1. generate BENCH_YEARS (10) consecutive national years from 2016 with the fixtures' seeded
//    `Scenario` (units registered once, each year its plans, reports, models and restructuring)
//    into bench-data/tenyears-<years>.ndjson (kept and reused; BENCH_PROVINCES=08,02 for a
//    small run);
// 2. `kehoach import FILE --db bench-data/tenyears-<years>.db --quiet` in a child process:
//    wall time, events/s, the child's peak RSS (target: the import completes); BENCH_KEEP_DB=1
//    serves the database an earlier run imported instead;
// 3. `kehoach serve` (apps/server/dist/main.js) on that database: time to listen, time to the
//    first province compliance answered, RSS (target: < 10 s within 2 GB);
// 4. GET /compliance of a province subtree, plans of the last year and of the first year at
//    random, 12 connections for QUERY_SECONDS (20): req/s, p50, p99 (target p99 < 50 ms), RSS.
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const load = (rel) => import(pathToFileURL(path.join(root, rel)).href)
const env = (name, fallback) => (process.env[name] === undefined ? fallback : process.env[name])
const years = Number(env("BENCH_YEARS", "10"))
const firstYear = 2016
const provinces = env("BENCH_PROVINCES", "all")
const querySeconds = Number(env("QUERY_SECONDS", "20"))
const connections = Number(env("CONNECTIONS", "12"))
const fmt = (n) => Math.round(n).toLocaleString("en-US")
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`

const { Scenario } = await load("packages/fixtures/dist/index.js")
const options = {
  seed: 2018,
  year: firstYear,
  years,
  provinces: provinces === "all" ? "all" : provinces.split(",")
}
const tag = `${years}${provinces === "all" ? "" : `-${provinces.replaceAll(",", "_")}`}`
const dataDir = path.join(root, "bench-data")
fs.mkdirSync(dataDir, { recursive: true })
const file = path.join(dataDir, `tenyears-${tag}.ndjson`)
const db = path.join(dataDir, `tenyears-${tag}.db`)
console.log(
  `node ${process.version}, load ${(await import("node:os"))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`
)

// 1. Generate
if (!fs.existsSync(file)) {
  const t = performance.now()
  const count = Scenario.writeNdjson(`${file}.part`, Scenario.events(options))
  fs.renameSync(`${file}.part`, file)
  console.log(
    `generate: ${fmt(count)} events, ${years} years from ${firstYear}, ${fmt(fs.statSync(file).size / 2 ** 20)} MB in ${secs(performance.now() - t)}`
  )
} else {
  console.log(`generate: reusing ${path.relative(root, file)} (${fmt(fs.statSync(file).size / 2 ** 20)} MB)`)
}
const events = Number(spawnSync("wc", ["-l", file], { encoding: "utf8" }).stdout.trim().split(" ")[0])

// 2. Import with the CLI, in a child process measured by /usr/bin/time
const cli = path.join(root, "apps/cli/dist/bundle/kehoach.mjs")
// BENCH_KEEP_DB=1 serves the database of an earlier run again (its import figures are in that run's output).
const keep = process.env.BENCH_KEEP_DB === "1" && fs.existsSync(db)
if (!keep) for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true })
if (keep) console.log(`import: reusing ${path.relative(root, db)} (BENCH_KEEP_DB=1)`)
else {
  const t = performance.now()
  const run = spawnSync("/usr/bin/time", ["-v", process.execPath, cli, "import", file, "--db", db, "--quiet"], {
    encoding: "utf8",
    maxBuffer: 1 << 26
  })
  const ms = performance.now() - t
  const peak = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? NaN)
  if (run.status !== 0) {
    console.log(run.stdout, run.stderr)
    console.log(`import FAILED (exit ${run.status}) after ${secs(ms)}, peak RSS ${fmt(peak / 1024)} MB`)
    process.exit(1)
  }
  console.log(
    `import (CLI): ${fmt(events)} events in ${secs(ms)} = ${fmt(events / (ms / 1000))} events/s; peak RSS ${fmt(peak / 1024)} MB; database ${fmt(fs.statSync(db).size / 2 ** 20)} MB  (target: completes)`
  )
}

// 3. Serve
const token = "bench-ten-years-admin-token"
const tokensFile = path.join(dataDir, "tenyears-tokens.json")
fs.writeFileSync(tokensFile, JSON.stringify([{ token, actor: "bench", role: "admin" }]), { mode: 0o600 })
fs.chmodSync(tokensFile, 0o600)
const port = 18000 + Math.floor(Math.random() * 1000)
const base = `http://127.0.0.1:${port}`
const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024
const lastYear = firstYear + years - 1
const { Units } = await load("packages/fixtures/dist/index.js")
const provinceCodes = Units.vietnam()
  .units.filter((u) => u.level === "province" && (options.provinces === "all" || options.provinces.includes(u.code)))
  .map((u) => u.code)
const planOf = (code, year) => Scenario.provincePlanId(code, year)
const get = async (p) => {
  const r = await fetch(base + p, { headers: { authorization: `Bearer ${token}` } })
  await r.arrayBuffer()
  return r.status
}
const t0 = performance.now()
const server = spawn(
  process.execPath,
  [path.join(root, "apps/server/dist/main.js"), "--db", db, "--port", String(port), "--tokens", tokensFile],
  {
    stdio: ["ignore", "pipe", "inherit"]
  }
)
process.on("exit", () => server.kill("SIGKILL"))
let listening
server.stdout.on("data", (d) => {
  if (listening === undefined && /Listening/i.test(String(d))) listening = performance.now() - t0
})
// Tuyên Quang when it is there (a 500 KB answer, as in bench/server.mjs), else the first province.
const firstCode = provinceCodes.includes("08") ? "08" : provinceCodes[0]
let first
for (;;) {
  try {
    const status = await get(
      `/compliance?planId=${planOf(firstCode, lastYear)}&unit=${firstCode}&asOf=${lastYear}-12-31`
    )
    first = { ms: performance.now() - t0, status }
    break
  } catch {
    await new Promise((r) => setTimeout(r, 50))
  }
}
const rssStart = rssOf(server.pid)
console.log(
  `serve: listening in ${listening === undefined ? "?" : secs(listening)}, first province compliance (${lastYear}) ${first.status} in ${secs(first.ms)}; RSS ${fmt(rssStart)} MB  (target < 10 s within 2 GB: ${first.ms < 10_000 && rssStart < 2048 ? "met" : "NOT met"})`
)

// 4. Province compliance queries: every province plan of the first and the last year in turn (126
// plans, more than the server's cache of 64 answers: each one projected), then one plan asked again
// and again (answered from the cache, as bench/server.mjs measures it on one year).
const load4 = async (label, pick) => {
  const latencies = []
  let failures = 0
  const until = performance.now() + (querySeconds / 2) * 1000
  let n = 0
  const worker = async () => {
    while (performance.now() < until) {
      const [code, year] = pick(n++)
      const t = performance.now()
      const status = await get(`/compliance?planId=${planOf(code, year)}&unit=${code}&asOf=${year}-12-31`)
      latencies.push(performance.now() - t)
      if (status !== 200) failures++
    }
  }
  const tq = performance.now()
  await Promise.all(Array.from({ length: connections }, worker))
  const elapsed = performance.now() - tq
  latencies.sort((a, b) => a - b)
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
  console.log(
    `GET /compliance, ${label}: ${fmt(latencies.length)} requests in ${secs(elapsed)}, ${connections} connections = ${fmt(latencies.length / (elapsed / 1000))} req/s; p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, ${failures} not 200  (target p99 < 50 ms: ${q(0.99) < 50 ? "met" : "NOT met"})`
  )
}
await load4(`every province plan of ${firstYear} and ${lastYear} in turn`, (i) => [
  provinceCodes[Math.floor(i / 2) % provinceCodes.length],
  i % 2 === 0 ? lastYear : firstYear
])
await load4(`one province plan of ${lastYear} again and again`, () => [firstCode, lastYear])
console.log(`server RSS after the queries: ${fmt(rssOf(server.pid))} MB`)
server.kill("SIGTERM")
