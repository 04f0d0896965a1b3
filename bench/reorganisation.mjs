// The reorganisation of 1 July 2025 (issue 12):
//
//   pnpm build && node bench/reorganisation.mjs
//
//   1. `kehoach units load units-2025-06-30.csv --at 2025-01-01 --apply` into a
//      fresh database (10,789 events), then the whole country's
//      `kehoach units reorganise reorganisation-2025-07-01.csv --at 2025-07-01
//      --apply`: planned and applied (13,975 events), each a fresh process as
//      a user types it (target: under 5 s);
//   2. national compliance across the boundary: the seeded national
//      scenario (`Reorganisation2025.events({ newProvinces: "all" })`, every
//      province's plan of January 2025, reports through the year, the
//      reorganisation in the middle) folded in memory, then the compliance of
//      all 34 plans of 2025 as of 2025-12-31, judged with the hierarchy of
//      each deadline (target: under 2 s for all of them).
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { Compliance, State, Time } from "../packages/domain/dist/index.js"
import { Reorganisation2025 } from "../packages/fixtures/dist/index.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const bundle = path.join(root, "apps/cli/dist/bundle/kehoach.mjs")
const data = path.join(root, "packages/fixtures/data")
if (!fs.existsSync(bundle)) {
  console.error(`bench/reorganisation.mjs: ${bundle} is missing: run pnpm build`)
  process.exit(1)
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-bench-reorg-"))
const s = (ms) => `${(ms / 1000).toFixed(3)} s`
let failed = false
const report = (label, ms, targetMs) => {
  const ok = targetMs === undefined || ms < targetMs
  if (!ok) failed = true
  console.log(
    `${label.padEnd(64)} ${s(ms)}${targetMs === undefined ? "" : `  (target < ${s(targetMs)}: ${ok ? "met" : "MISSED"})`}`
  )
}
const kehoach = (args) => {
  const start = performance.now()
  const r = spawnSync(process.execPath, [bundle, ...args], {
    cwd: tmp,
    encoding: "utf8",
    env: { ...process.env, KEHOACH_DB: "" }
  })
  if (r.status !== 0) throw new Error(`kehoach ${args.join(" ")} failed: ${r.stderr}`)
  return { ms: performance.now() - start, stdout: r.stdout }
}

console.log(
  `node ${process.version}, ${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`
)
try {
  // 1. The whole country, through the CLI.
  const db = path.join(tmp, "units.db")
  const load = kehoach([
    "units",
    "load",
    path.join(data, "units-2025-06-30.csv"),
    "--at",
    "2025-01-01",
    "--apply",
    "--db",
    db
  ])
  report("units load units-2025-06-30.csv --apply (10,789 events)", load.ms)
  const dry = kehoach([
    "units",
    "reorganise",
    path.join(data, "reorganisation-2025-07-01.csv"),
    "--at",
    "2025-07-01",
    "--db",
    db
  ])
  report("units reorganise (dry run: planned and printed)", dry.ms, 5000)
  const applied = kehoach([
    "units",
    "reorganise",
    path.join(data, "reorganisation-2025-07-01.csv"),
    "--at",
    "2025-07-01",
    "--apply",
    "--db",
    db
  ])
  report(
    `units reorganise --apply (${applied.stdout.match(/Applied (\d+)/)?.[1]} events planned and applied)`,
    applied.ms,
    5000
  )

  // 2. National compliance across the boundary.
  let start = performance.now()
  const lines = Reorganisation2025.events({ newProvinces: "all" })
  report(`national scenario generated (${lines.length} events)`, performance.now() - start)
  start = performance.now()
  const state = State.fold(lines.map((l, i) => ({ ...l, position: i + 1 })))
  report("folded", performance.now() - start)
  const asOf = Time.parseQueryTime("2025-12-31")
  const plans = State.plans(state).filter((p) => p.planId.startsWith("05-2025-"))
  const times = []
  let obligations = 0
  for (let run = 0; run < 3; run++) {
    start = performance.now()
    obligations = 0
    for (const p of plans) {
      const result = Compliance.project(state, { planId: p.planId, asOf, knownAt: asOf })
      if (result._tag !== "Right") throw new Error(`${p.planId}: ${result.left.message}`)
      obligations += result.right.obligations.length
    }
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  report(
    `compliance of ${plans.length} plans of 2025 as of 2025-12-31 (${obligations} obligations), median of 3`,
    times[1],
    2000
  )
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
