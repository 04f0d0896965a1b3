// `pnpm bench`: runs every benchmark in bench/ one after the other (they compete for 2 cores otherwise).
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { fileURLToPath } from "node:url"

const dir = fileURLToPath(new URL("../bench/", import.meta.url))
const only = process.argv.slice(2)
const order = [
  "domain.mjs",
  "store.mjs",
  "postgres.mjs",
  "proofs.mjs",
  "cli.mjs",
  "server.mjs",
  "dashboard.mjs",
  "reorganisation.mjs"
]
const files = readdirSync(dir)
  // The ten national years take most of an hour: only when asked for (`node scripts/bench.mjs tenyears`).
  .filter(
    (f) => f.endsWith(".mjs") && (only.length === 0 ? !f.startsWith("tenyears") : only.some((o) => f.startsWith(o)))
  )
  .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
let failed = 0
for (const file of files) {
  console.log(`\n=== bench/${file}`)
  const run = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=4096", dir + file], {
    stdio: "inherit"
  })
  if (run.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
