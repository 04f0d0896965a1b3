// The command line's speed (issue 4):
//
//   pnpm build && node bench/cli.mjs
//
//   1. `kehoach --help`, 10 runs (target: under 0.5 s each);
//   2. `kehoach compliance --plan 182-2018 --as-of 2018-12-31` on the demo
//      database, 10 runs (target: under 0.5 s each);
//   3. all of Viet Nam: the generated national year (the fixtures' seeded
//      `Scenario`, every province) written as NDJSON, imported with
//      `kehoach import` (timed once), then `compliance --format json` and
//      `coverage --format json` on it, 3 runs each (target: under 2 s).
//
// Each run is a fresh `node` process on the bundle, as a user types it.
// The national file and database are kept in bench-data/ (git-ignored) and
// reused; delete them to start over. BENCH_NATIONAL=0 skips part 3.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const bundle = path.join(root, "apps/cli/dist/bundle/kehoach.mjs")
if (!fs.existsSync(bundle)) {
  console.error(
    `bench/cli.mjs: ${bundle} is missing: run pnpm build (or node apps/cli/scripts/bundle.mjs after tsc -b)`
  )
  process.exit(1)
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-bench-cli-"))
const data = path.join(root, "bench-data")
const s = (ms) => `${(ms / 1000).toFixed(3)} s`
let failed = false

const kehoach = (args, options = {}) => {
  const start = performance.now()
  const r = spawnSync(process.execPath, [bundle, ...args], {
    cwd: tmp,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    stdio: ["ignore", options.inherit ? "inherit" : "pipe", "pipe"],
    env: { ...process.env, KEHOACH_DB: "" }
  })
  const ms = performance.now() - start
  if (r.status !== 0) throw new Error(`kehoach ${args.join(" ")} failed: ${r.stderr}`)
  return { ms, stdout: r.stdout ?? "" }
}

const timed = (label, args, runs, targetMs) => {
  kehoach(args) // warm the file cache
  const times = []
  let bytes = 0
  for (let i = 0; i < runs; i++) {
    const r = kehoach(args)
    times.push(r.ms)
    bytes = r.stdout.length
  }
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]
  const ok = times[times.length - 1] < targetMs
  if (!ok) failed = true
  console.log(
    `${label.padEnd(58)} median ${s(median)}  min ${s(times[0])}  max ${s(times[times.length - 1])}  ` +
      `(${runs} runs, ${(bytes / 1024).toFixed(0)} kB out; target < ${s(targetMs)}: ${ok ? "met" : "MISSED"})`
  )
}

console.log(
  `node ${process.version}, ${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`
)

// 1. Help
timed("kehoach --help", ["--help"], 10, 500)

// 2. The demo database
const demoDb = path.join(tmp, "demo.db")
const demo = kehoach(["demo", "--db", demoDb])
console.log(`${"kehoach demo (build the plan 182 scenario, print it)".padEnd(58)} ${s(demo.ms)}`)
timed(
  "kehoach compliance --plan 182-2018 (demo db, table)",
  ["compliance", "--plan", "182-2018", "--as-of", "2018-12-31", "--db", demoDb],
  10,
  500
)
timed(
  "kehoach compliance --plan 182-2018 --format json (demo db)",
  ["compliance", "--plan", "182-2018", "--as-of", "2018-12-31", "--format", "json", "--db", demoDb],
  10,
  500
)

// 3. All of Viet Nam
if (process.env.BENCH_NATIONAL !== "0") {
  fs.mkdirSync(data, { recursive: true })
  const file = path.join(data, "cli-national-2018.ndjson")
  const db = path.join(data, "cli-national-2018.db")
  if (!fs.existsSync(file)) {
    const { Scenario } = await import(pathToFileURL(path.join(root, "packages/fixtures/dist/index.js")).href)
    const start = performance.now()
    const n = Scenario.writeNdjson(file, Scenario.events({ seed: 2018, provinces: "all", year: 2018 }))
    console.log(
      `${"generate the national year (fixtures Scenario)".padEnd(58)} ${s(performance.now() - start)}  (${n.toLocaleString("en-US")} events, ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MB)`
    )
  }
  if (!fs.existsSync(db)) {
    const r = kehoach(["import", file, "--db", db])
    console.log(`${"kehoach import (national year)".padEnd(58)} ${s(r.ms)}  ${r.stdout.trim()}`)
  }
  const position = kehoach(["digest", "--db", db]).stdout.split(":")[0]
  console.log(
    `national database: ${Number(position).toLocaleString("en-US")} events, ${(fs.statSync(db).size / 2 ** 20).toFixed(0)} MB`
  )
  timed(
    "kehoach compliance --plan 182-2018 --format json (national)",
    ["compliance", "--plan", "182-2018", "--as-of", "2018-12-31", "--format", "json", "--db", db],
    3,
    2000
  )
  timed(
    "kehoach coverage --format json (national, every unit)",
    ["coverage", "--as-of", "2018-12-31", "--format", "json", "--db", db],
    3,
    2000
  )
}

fs.rmSync(tmp, { recursive: true, force: true })
if (failed) console.log("Some targets were missed (see MISSED above).")
