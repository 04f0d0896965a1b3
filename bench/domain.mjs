// The domain benchmark: a national year of events (all of Viet Nam, 2018),
// decoded, folded and projected, against the targets of the brief.
//
//   npx tsc -b packages/fixtures && node --expose-gc bench/domain.mjs [--seed N] [--provinces 08,01] [--streamed]
//
// It reports; it never fails the process on a missed target.
import { Compliance, Coverage, Events, State, Time } from "../packages/domain/dist/index.js"
import { Scenario } from "../packages/fixtures/dist/index.js"
import { readFileSync } from "node:fs"
import { availableParallelism } from "node:os"

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback
}
const seed = Number(option("seed", "2018"))
const provinces = option("provinces", "all") === "all" ? "all" : option("provinces").split(",")
// --streamed: also fold while decoding, batch by batch, timing the fold alone (events still warm in cache).
const streamed = args.includes("--streamed")

const loadAverage = () => {
  try {
    return [readFileSync("/proc/loadavg", "utf8").split(" ")[0]]
  } catch {
    return [undefined]
  }
}

const gc = () => {
  if (typeof globalThis.gc === "function") {
    globalThis.gc()
    globalThis.gc()
  }
}
const mb = (bytes) => `${(bytes / 1048576).toFixed(0)} MB`
const rate = (n, ms) => `${Math.round(n / (ms / 1000)).toLocaleString("en-US")} /s`
const rows = []
const row = (what, value, target = "", ok = undefined) =>
  rows.push([what, value, target, ok === undefined ? "" : ok ? "ok" : "MISSED"])

// How fast this machine is right now: one million Map.set with fresh string keys, the operation the fold
// is made of. About 0.15 s on an idle laptop; a loaded machine stretches every figure below alike.
const calibrate = () => {
  const keys = Array.from({ length: 1_000_000 }, (_, i) => JSON.parse(`"182-2018/${i}/monthly/2018-03"`))
  const t = performance.now()
  const map = new Map()
  for (const key of keys) map.set(key, 1)
  return performance.now() - t
}

const main = () => {
  if (typeof globalThis.gc !== "function") console.error("note: run with --expose-gc for a true heap figure")
  const [load1] = loadAverage()
  row(
    "machine: 1M Map.set (calibration)",
    `${(calibrate() / 1000).toFixed(2)} s${load1 === undefined ? "" : `, load average ${load1}`}`,
    "(information)"
  )
  const options = { seed, provinces, year: 2018 }

  // 1. Generate the year and decode each line as an import of an NDJSON file would (text, JSON.parse,
  //    Events.decodeLine), in batches so the raw lines never pile up. Going through the text also gives
  //    the fold flat strings, as a real import does, instead of the generator's concatenated ones.
  const recorded = []
  let decodeMs = 0
  let parseMs = 0
  let generateMs = 0
  let batch = []
  const decodeBatch = () => {
    let t = performance.now()
    const parsed = batch.map((line) => JSON.parse(JSON.stringify(line)))
    parseMs += performance.now() - t
    t = performance.now()
    for (const line of parsed) {
      const decoded = Events.decodeLine(line)
      if (decoded._tag === "Left") throw new Error(`line ${recorded.length + 1}: ${decoded.left.message}`)
      recorded.push({ ...decoded.right, position: recorded.length + 1 })
    }
    decodeMs += performance.now() - t
    batch = []
  }
  let t = performance.now()
  for (const line of Scenario.events(options)) {
    batch.push(line)
    if (batch.length === 50_000) {
      generateMs += performance.now() - t
      decodeBatch()
      t = performance.now()
    }
  }
  generateMs += performance.now() - t
  decodeBatch()
  const count = recorded.length
  row("events generated", count.toLocaleString("en-US"), ">= 1,000,000", count >= 1_000_000)
  row("generate", `${(generateMs / 1000).toFixed(1)} s (${rate(count, generateMs)})`)
  row("JSON text round trip", `${(parseMs / 1000).toFixed(1)} s (${rate(count, parseMs)})`, "(information)")
  row("Events.decodeLine", `${(decodeMs / 1000).toFixed(1)} s (${rate(count, decodeMs)})`, "(information)")

  // 2. Fold, twice from scratch (the first run also warms the JIT up): the better run counts.
  let state
  let foldMs = Number.POSITIVE_INFINITY
  for (let run = 0; run < 2; run++) {
    state = undefined
    gc()
    t = performance.now()
    state = State.fold(recorded)
    foldMs = Math.min(foldMs, performance.now() - t)
  }
  row(
    "State.fold (best of 2)",
    `${(foldMs / 1000).toFixed(2)} s (${rate(count, foldMs)})`,
    ">= 1,000,000 /s",
    count / (foldMs / 1000) >= 1_000_000
  )
  gc()
  const withEvents = process.memoryUsage().heapUsed
  recorded.length = 0

  // 3. Project: the compliance of every province plan, and the coverage of the whole country.
  const asOf = Time.parseQueryTime("2018-12-31")
  const knownAt = Time.parseQueryTime("2019-01-31")
  const planIds = Scenario.provincePlanIds(options)
  let complianceMs = Number.POSITIVE_INFINITY
  let coverageMs = Number.POSITIVE_INFINITY
  let obligations = 0
  let units = 0
  let coverage
  for (let run = 0; run < 2; run++) {
    t = performance.now()
    obligations = 0
    units = 0
    for (const planId of planIds) {
      const c = Compliance.project(state, { planId, asOf, knownAt })
      if (c._tag === "Left") throw new Error(`compliance of ${planId}: ${c.left.message}`)
      obligations += c.right.obligations.length
      units += c.right.units.length
    }
    complianceMs = Math.min(complianceMs, performance.now() - t)
    t = performance.now()
    coverage = Coverage.project(state, { asOf, knownAt })
    if (coverage._tag === "Left") throw new Error(coverage.left.message)
    coverageMs = Math.min(coverageMs, performance.now() - t)
  }
  row(
    `Compliance.project x ${planIds.length} plans (best of 2)`,
    `${(complianceMs / 1000).toFixed(2)} s (${obligations.toLocaleString("en-US")} obligations, ${units.toLocaleString("en-US")} rows)`
  )
  const top = coverage.right.units.filter((u) => u.parentId === null)
  const areas = top.reduce((n, u) => n + u.residentialAreas, 0)
  const covered = top.reduce((n, u) => n + u.covered, 0)
  row(
    "Coverage.project, country (best of 2)",
    `${(coverageMs / 1000).toFixed(2)} s (${coverage.right.units.length.toLocaleString("en-US")} rows, ${covered.toLocaleString("en-US")}/${areas.toLocaleString("en-US")} areas covered)`
  )
  const projectMs = complianceMs + coverageMs
  row("projections together", `${(projectMs / 1000).toFixed(2)} s`, "< 2 s", projectMs < 2000)

  if (streamed) {
    state = undefined
    gc()
    const fresh = State.empty()
    let n = 0
    let ms = 0
    let position = 0
    let pending = []
    const foldBatch = () => {
      const events = pending.map((line) => ({
        ...Events.decodeLine(JSON.parse(JSON.stringify(line))).right,
        position: ++position
      }))
      const t0 = performance.now()
      State.fold(events, fresh)
      ms += performance.now() - t0
      n += events.length
      pending = []
    }
    for (const line of Scenario.events(options)) {
      pending.push(line)
      if (pending.length === 10_000) foldBatch()
    }
    foldBatch()
    row("State.fold, streamed in batches of 10,000", `${(ms / 1000).toFixed(2)} s (${rate(n, ms)})`, "(information)")
    state = fresh
  }

  // 4. Memory: the folded state alone (the event array is dropped).
  gc()
  const heap = process.memoryUsage().heapUsed
  row("heap: state + decoded events", mb(withEvents))
  row("heap: state alone (after gc)", mb(heap), "< 1 GB", heap < 1024 ** 3)
  if (state.units.size === 0) console.error("empty state?")
}

try {
  main()
} catch (e) {
  row("error", e instanceof Error ? e.message : String(e))
}
const widths = [0, 1, 2, 3].map((i) =>
  Math.max(...rows.map((r) => r[i].length), ["what", "measured", "target", ""][i].length)
)
const print = (r) =>
  console.log(
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd()
  )
print(["what", "measured", "target", ""])
print(widths.map((w) => "-".repeat(w)))
for (const r of rows) print(r)
console.log(
  `node ${process.version}, ${availableParallelism()} cores, seed ${seed}, provinces ${Array.isArray(provinces) ? provinces.join(",") : provinces}`
)
process.exitCode = 0
