// The event store's speed, side by side in one run (issue 3):
//
//   npx tsc -b packages/store && node --expose-gc bench/store.mjs
//
// On a generated national year (>= 1 million events; the fixtures' seeded
// `Scenario` when packages/fixtures is built, else a simple generator below):
//   1. import the NDJSON file into a fresh SQLite file with `Ndjson.importFile`
//      (parse, validate, decide, hash, insert; one transaction), events/s;
//   2. open from the snapshot the import saved (restore + projections), and
//      replay from the log with no snapshot (every line parsed and folded)
//      against `JSON.parse` alone over the same stored lines;
//   3. peak RSS of 1 and 2;
//   4. the floors: raw better-sqlite3 inserting the same rows (same table) in one
//      transaction, reading them from the imported file; and a raw script that
//      parses the generated lines, computes the same sha256 chain (RFC 8785 via
//      `canonicalize`) and inserts the same rows in one transaction;
//   5. Emmett's SQLite event store (@event-driven-io/emmett-sqlite) appending a
//      50,000-event sample in batches of 100.
// Environment: BENCH_EVENTS (cap on events, default: all), EMMETT_EVENTS (default 50000).
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const storeDir = path.join(root, "packages/store")
const requireStore = createRequire(path.join(storeDir, "package.json"))
const load = (rel) => import(pathToFileURL(path.join(root, rel)).href)

// The same module instances the store's dist uses.
const { Effect, Layer } = await load("packages/store/node_modules/effect/dist/esm/index.js")
const { EventStore, Ndjson, SqlEventStore } = await load("packages/store/dist/index.js")
const { Compliance, Coverage, Relevance, Time } = await load("packages/domain/dist/index.js")
const Database = requireStore("better-sqlite3")

const cap = process.env.BENCH_EVENTS === undefined ? Infinity : Number(process.env.BENCH_EVENTS)
const emmettEvents = Number(process.env.EMMETT_EVENTS ?? 50_000)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-bench-"))
const gc = () => globalThis.gc?.()
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`
const rate = (n, ms) => Math.round((n * 1000) / ms)
const fmt = (n) => n.toLocaleString("en-US")

// ---------------------------------------------------------------------------
// The log

/** A simple valid log when the fixtures are not built: units, models, plans, assignments, monthly reports. */
function* simpleLog() {
  const at = "2018-01-01T00:00:00+07:00"
  let n = 0
  const id = () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, "0")}`
  const line = (type, occurredAt, data) => ({ id: id(), type, occurredAt, data })
  yield line("UnitRegistered", at, { unitId: "P", name: "Tỉnh P", level: "province" })
  const assigned = []
  for (let d = 0; d < 10; d++) {
    const dId = `P.${d}`
    assigned.push(dId)
    yield line("UnitRegistered", at, { unitId: dId, name: `Huyện ${d}`, level: "district", parentId: "P" })
    for (let c = 0; c < 20; c++) {
      const cId = `${dId}.${c}`
      assigned.push(cId)
      yield line("UnitRegistered", at, { unitId: cId, name: `Xã ${d}.${c}`, level: "commune", parentId: dId })
      for (let a = 0; a < 10; a++) {
        const aId = `${cId}.${a}`
        yield line("UnitRegistered", at, { unitId: aId, name: `Thôn ${a}`, level: "residential-area", parentId: cId })
        yield line("ModelEstablished", "2018-02-01T08:00:00+07:00", {
          modelId: `m-${aId}`,
          unitId: aId,
          kind: "self-managed",
          name: `Mô hình ${aId}`,
          households: 40 + a,
          committed: 30
        })
      }
    }
  }
  for (let p = 0; p < 366; p++) {
    const planId = `plan-${p}`
    yield line("PlanIssued", "2018-01-30T08:00:00+07:00", {
      planId,
      documentNumber: `${p}/KH-MTTQ-BTT`,
      title: `Kế hoạch ${p}`,
      issuerId: "P",
      effectiveFrom: "2018-01-30",
      effectiveUntil: "2018-12-31",
      schedules: [
        { scheduleId: "monthly", kind: "monthly", dueBeforeDay: 20 },
        { scheduleId: "annual", kind: "once", period: "2018", dueBefore: "2018-11-30" }
      ]
    })
    for (const unitId of assigned) yield line("UnitAssigned", "2018-01-30T09:00:00+07:00", { planId, unitId })
    for (let m = 2; m <= 12; m++) {
      const mm = String(m).padStart(2, "0")
      for (const unitId of assigned) {
        yield line("ReportFiled", `2018-${mm}-15T10:00:00+07:00`, {
          reportId: `r-${planId}-${unitId}-${m}`,
          planId,
          unitId,
          scheduleId: "monthly",
          period: `2018-${mm}`,
          metrics: { sessions: m, peopleReached: 100 + m }
        })
      }
    }
    for (const unitId of assigned)
      yield line("ReportFiled", "2018-11-25T10:00:00+07:00", {
        reportId: `r-${planId}-${unitId}-y`,
        planId,
        unitId,
        scheduleId: "annual",
        period: "2018"
      })
  }
}

let source = "simple generator (bench/store.mjs)"
let lines = simpleLog()
let planId = "plan-0"
try {
  const { Scenario } = await load("packages/fixtures/dist/index.js")
  const options = { seed: 2018, provinces: "all" }
  lines = Scenario.events(options)
  planId = Scenario.provincePlanIds(options)[0]
  source = 'fixtures Scenario.events({ seed: 2018, provinces: "all" })'
} catch (error) {
  console.log(`(fixtures not built: ${error.message.split("\n")[0]}; using the simple generator)`)
}

const file = path.join(dir, "year.ndjson")
{
  const fd = fs.openSync(file, "w")
  let chunk = ""
  let count = 0
  for (const line of lines) {
    if (count >= cap) break
    chunk += JSON.stringify(line) + "\n"
    count++
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk)
      chunk = ""
    }
  }
  fs.writeSync(fd, chunk)
  fs.closeSync(fd)
  console.log(`log: ${fmt(count)} events from ${source}, ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MB of NDJSON`)
}
lines = undefined
gc()

const run = (effect) => Effect.runPromise(effect)

// ---------------------------------------------------------------------------
// 1. Import

const dbFile = path.join(dir, "store.db")
let t0 = performance.now()
const imported = await run(
  Ndjson.importFile(file, { recordedBy: "bench" }).pipe(Effect.provide(SqlEventStore.layer({ filename: dbFile })))
)
const importMs = performance.now() - t0
const events = imported.position
const importRate = rate(events, importMs)
console.log(
  `import:  ${fmt(events)} events in ${(importMs / 1000).toFixed(1)} s = ${fmt(importRate)} events/s (rss now ${mb(process.memoryUsage().rss / 1024)})`
)
gc()

// ---------------------------------------------------------------------------
// 2. Open from the snapshot, and replay from the log

const open = async (label, options = {}) => {
  const start = performance.now()
  const result = await run(
    Effect.scoped(
      Effect.gen(function* () {
        let opened
        const ctx = yield* Layer.build(
          SqlEventStore.layer({ filename: dbFile, ...options, onOpened: (o) => (opened = o) })
        )
        const store = ctx.unsafeMap.get(EventStore.EventStore.key)
        const state = yield* store.state
        const folded = performance.now() - start
        gc()
        const heap = process.memoryUsage().heapUsed
        const t1 = performance.now()
        const asOf = Time.parseQueryTime("2018-12-31")
        // A restored state holds no reports: the store warms the plan's from the log (part of the figure).
        const compliance = yield* store.project(Relevance.compliance(planId), (s) =>
          Compliance.project(s, { planId, asOf, knownAt: Number.MAX_SAFE_INTEGER })
        )
        const coverage = Coverage.project(state, { asOf, knownAt: Number.MAX_SAFE_INTEGER })
        const projected = performance.now() - t1
        return {
          folded,
          projected,
          heap,
          opened,
          position: state.position,
          units: compliance._tag === "Right" ? compliance.right.units.length : compliance.left.message,
          coverageRows: coverage._tag === "Right" ? coverage.right.units.length : coverage.left.message
        }
      })
    )
  )
  console.log(
    `${label}: ${fmt(result.position)} events (snapshot at ${fmt(result.opened.snapshot)}, ${fmt(result.opened.folded)} folded) in ${(result.folded / 1000).toFixed(1)} s, heap with the state ${mb(result.heap / 1024)}; projections ${(result.projected / 1000).toFixed(1)} s (compliance of ${planId}: ${result.units} unit rows; coverage: ${result.coverageRows} rows)`
  )
  return result
}

const restored = await open("open from snapshot")
gc()
// The same log with its snapshots set aside: the whole log is parsed and folded.
{
  const db = new Database(dbFile)
  db.exec(
    "ALTER TABLE snapshots RENAME TO snapshots_kept; CREATE TABLE snapshots AS SELECT * FROM snapshots_kept WHERE 0"
  )
  db.close()
}
const replay = await open("replay from the log")
{
  const db = new Database(dbFile)
  db.exec("DROP TABLE snapshots; ALTER TABLE snapshots_kept RENAME TO snapshots")
  db.close()
}
const replayMs = replay.folded
const replayRate = rate(replay.position, replayMs)
gc()
// JSON.parse alone over the same stored lines, read the same way (pages of the events table).
let parseMs
{
  const db = new Database(dbFile, { readonly: true })
  const page = db
    .prepare("SELECT position, line FROM events WHERE position > ? ORDER BY position LIMIT 10000")
    .raw(true)
  const start = performance.now()
  let after = 0
  for (;;) {
    const rows = page.all(after)
    for (const r of rows) JSON.parse(r[1])
    if (rows.length < 10000) break
    after = rows[rows.length - 1][0]
  }
  parseMs = performance.now() - start
  db.close()
}
const parseRate = rate(replay.position, parseMs)
console.log(
  `replay:  ${fmt(replayRate)} events/s; JSON.parse alone over the same stored lines ${(parseMs / 1000).toFixed(1)} s = ${fmt(parseRate)} lines/s`
)
const peakKb = process.resourceUsage().maxRSS
console.log(`peak RSS (generation, import, open, replay): ${mb(peakKb)}`)
gc()

// ---------------------------------------------------------------------------
// 3. The floor: raw better-sqlite3, same rows, same table, one transaction

// Two floors: inserting into the table as it is (unique id index in place), and the best raw
// bulk load (the id index dropped and rebuilt at the end, as the store's import does into an empty log).
const floor = async (name, indexAtEnd) => {
  const floorFile = path.join(dir, `${name}.db`)
  await run(Effect.scoped(Layer.build(SqlEventStore.layer({ filename: floorFile })))) // the same schema
  const from = new Database(dbFile, { readonly: true })
  const to = new Database(floorFile)
  to.pragma("journal_mode = WAL")
  to.pragma("synchronous = NORMAL")
  to.pragma("cache_size = -65536")
  const rows = from.prepare("SELECT position, id, type, unit_id, plan_id, line FROM events ORDER BY position").raw(true)
  const start = performance.now()
  to.transaction(() => {
    if (indexAtEnd) to.exec("DROP INDEX events_id")
    const insert = to.prepare(
      "INSERT INTO events (position, id, type, unit_id, plan_id, line) VALUES (?, ?, ?, ?, ?, ?)"
    )
    for (const r of rows.iterate()) insert.run(r)
    if (indexAtEnd) to.exec("CREATE UNIQUE INDEX events_id ON events (id)")
  })()
  const ms = performance.now() - start
  from.close()
  to.close()
  fs.rmSync(floorFile, { force: true })
  return ms
}
const floorMs = await floor("floor", false)
const floorBulkMs = await floor("floor-bulk", true)
const floorBulkRate = rate(events, floorBulkMs)
const floorRate = rate(events, floorMs)
console.log(
  `floor:   raw better-sqlite3, ${fmt(events)} rows in ${(floorMs / 1000).toFixed(1)} s = ${fmt(floorRate)} rows/s; with the id index built at the end ${(floorBulkMs / 1000).toFixed(1)} s = ${fmt(floorBulkRate)} rows/s`
)

// The floor of the issue: a plain script that reads the same NDJSON lines, gives each its envelope,
// computes the same sha256 chain over RFC 8785 canonical JSON and inserts the same rows in one transaction.
let chainFloorMs
{
  const canonicalize = (await import(pathToFileURL(requireStore.resolve("canonicalize")).href)).default
  const { createHash } = await import("node:crypto")
  const { createInterface } = await import("node:readline")
  const floorFile = path.join(dir, "floor-chain.db")
  await run(Effect.scoped(Layer.build(SqlEventStore.layer({ filename: floorFile }))))
  const to = new Database(floorFile)
  to.pragma("synchronous = NORMAL")
  to.pragma("cache_size = -65536")
  const insert = to.prepare("INSERT INTO events (position, id, type, unit_id, plan_id, line) VALUES (?, ?, ?, ?, ?, ?)")
  const start = performance.now()
  to.exec("BEGIN IMMEDIATE")
  let position = 0
  let prevHash = "0".repeat(64)
  for await (const text of createInterface({
    input: fs.createReadStream(file, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity
  })) {
    if (text === "") continue
    const l = JSON.parse(text)
    const event = {
      position: ++position,
      id: l.id,
      type: l.type,
      version: l.version ?? 1,
      occurredAt: l.occurredAt,
      recordedAt: l.recordedAt,
      recordedBy: l.recordedBy,
      data: l.data,
      prevHash
    }
    const hash = createHash("sha256").update(canonicalize(event)).digest("hex")
    const line = JSON.stringify({ ...event, data: JSON.parse(canonicalize(l.data)), hash })
    insert.run(position, l.id, l.type, l.data.unitId ?? null, l.data.planId ?? null, line)
    prevHash = hash
  }
  to.exec("COMMIT")
  chainFloorMs = performance.now() - start
  to.close()
  fs.rmSync(floorFile, { force: true })
}
const chainFloorRate = rate(events, chainFloorMs)
console.log(
  `floor:   raw script with the same sha256 chain, ${fmt(events)} events in ${(chainFloorMs / 1000).toFixed(1)} s = ${fmt(chainFloorRate)} events/s`
)

// ---------------------------------------------------------------------------
// 4. Emmett's SQLite event store

let emmettRate
try {
  const { getSQLiteEventStore } = await import(
    pathToFileURL(requireStore.resolve("@event-driven-io/emmett-sqlite")).href.replace(/index\.cjs$/, "index.js")
  )
  const emmettFile = path.join(dir, "emmett.db")
  // Emmett sets WAL mode on each connection while its schema migration may hold a transaction
  // ("cannot change into wal mode from within a transaction", raised as an unhandled 'error'
  // event): create the file in WAL mode first (the mode is persistent), so its pragma changes nothing.
  {
    const Database = requireStore("better-sqlite3")
    const pre = new Database(emmettFile)
    pre.pragma("journal_mode = WAL")
    pre.close()
  }
  const store = getSQLiteEventStore({ fileName: emmettFile, schema: { autoMigration: "CreateOrUpdate" } })
  const sample = []
  const { createInterface } = await import("node:readline")
  const input = fs.createReadStream(file)
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    if (sample.length >= Math.min(emmettEvents, events)) break
    const line = JSON.parse(text)
    sample.push({ type: line.type, data: line.data, metadata: { occurredAt: line.occurredAt } })
  }
  input.destroy()
  // Our import of the same sample, for a like-for-like ratio.
  const sampleFile = path.join(dir, "sample.ndjson")
  {
    const fd = fs.openSync(sampleFile, "w")
    const rl = createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })
    let k = 0
    for await (const text of rl) {
      if (k++ >= sample.length) break
      fs.writeSync(fd, text + "\n")
    }
    rl.close()
    fs.closeSync(fd)
  }
  t0 = performance.now()
  await run(
    Ndjson.importFile(sampleFile, { recordedBy: "bench" }).pipe(
      Effect.provide(SqlEventStore.layer({ filename: path.join(dir, "sample.db") }))
    )
  )
  var sampleRate = rate(sample.length, performance.now() - t0)
  console.log(`import of the same ${fmt(sample.length)}-event sample: ${fmt(sampleRate)} events/s`)
  // Let Emmett create its schema before the clock starts (its first append otherwise races it).
  await store.readStream("warm-up")
  t0 = performance.now()
  for (let i = 0; i < sample.length; i += 100) {
    // One stream per unit is what an Emmett user would write; the sample is appended in batches of 100 to a stream each.
    await store.appendToStream(`log-${i / 100}`, sample.slice(i, i + 100))
  }
  const emmettMs = performance.now() - t0
  emmettRate = rate(sample.length, emmettMs)
  console.log(
    `emmett:  @event-driven-io/emmett-sqlite 0.42.4, ${fmt(sample.length)} events in batches of 100 in ${(emmettMs / 1000).toFixed(1)} s = ${fmt(emmettRate)} events/s`
  )
  await store.close?.()
} catch (error) {
  console.log(`emmett:  not measured: ${error.stack ?? error}`)
}

// ---------------------------------------------------------------------------

console.log("")
console.log(`import ${fmt(importRate)} events/s  (target >= 100,000)`)
console.log(
  `import / raw script with the sha256 chain = ${(importRate / chainFloorRate).toFixed(2)}x  (target >= 0.5x)`
)
console.log(
  `import / raw insert floor = ${(importRate / floorRate).toFixed(2)}x; / raw bulk insert floor = ${(importRate / floorBulkRate).toFixed(2)}x`
)
if (emmettRate !== undefined) {
  console.log(
    `import / Emmett = ${(importRate / emmettRate).toFixed(1)}x (whole log vs Emmett's sample); on the same sample ${(sampleRate / emmettRate).toFixed(1)}x`
  )
}
console.log(
  `replay ${fmt(replayRate)} events/s  (target >= 300,000); / JSON.parse alone = ${(replayRate / parseRate).toFixed(2)}x  (target >= 0.7x)`
)
console.log(
  `open from snapshot + national compliance + coverage, in process: ${((restored.folded + restored.projected) / 1000).toFixed(1)} s`
)
console.log(`peak RSS ${mb(peakKb)}`)
fs.rmSync(dir, { recursive: true, force: true })
