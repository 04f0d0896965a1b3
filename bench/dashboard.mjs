// The dashboard's first paint (issue 14), in headless Chromium (/usr/bin/chromium):
//
//   pnpm run build && node bench/dashboard.mjs
//
// 1. a national plan of a year. The domain has no level above the province, so
//    the plan's issuer is a board "VN" registered as a province, the 63 provinces
//    of the GSO list (2017-10-15) are registered under it at the next level, and
//    their ~11,000 communes directly under them: 63 rows, every commune one click
//    away, as the issue asks. The plan is assigned to every commune, monthly
//    reports before the 20th, ~85% filed (seeded); imported into a fresh SQLite file;
// 2. the server on 127.0.0.1 over it; Chromium signs in and the clock runs from
//    navigation to the heat map's rows on screen (target < 2 s), then one click
//    opens a province (its communes);
// 3. a tree of about 1,000 rows (provinces opened to their communes) scrolled top to bottom.
// Skips (exit 0, with a line saying why) where Chromium is missing.
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const load = (rel) => import(pathToFileURL(path.join(root, rel)).href)
const chromiumPath = process.env.KEHOACH_CHROMIUM ?? "/usr/bin/chromium"
if (!fs.existsSync(chromiumPath)) {
  console.log(`dashboard: skipped, Chromium is missing at ${chromiumPath}`)
  process.exit(0)
}
const { chromium } = await import(
  pathToFileURL(path.join(root, "apps/web/node_modules/playwright-core/index.mjs")).href
)
const { Units } = await load("packages/fixtures/dist/index.js")
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-bench-dashboard-"))
let server
process.on("exit", () => {
  if (server !== undefined && server.exitCode === null) server.kill("SIGKILL")
  fs.rmSync(dir, { recursive: true, force: true })
})

// 1. The log.
let rng = 2018
const random = () => (rng = (Math.imul(rng, 1103515245) + 12345) >>> 0) / 2 ** 32
const lines = []
let position = 0
const push = (type, occurredAt, data) =>
  lines.push(
    JSON.stringify({
      id: `00000000-0000-7000-8000-${String(++position).padStart(12, "0")}`,
      type,
      version: 1,
      occurredAt,
      recordedAt: occurredAt.replace("+07:00", "+07:00"),
      recordedBy: "bench",
      data
    })
  )
const at = (d) => `${d}T08:00:00+07:00`
const list = Units.vietnam().units
push("UnitRegistered", at("2018-01-01"), { unitId: "VN", name: "Ủy ban Trung ương MTTQ Việt Nam", level: "province" })
const provinceOf = new Map()
for (const u of list) {
  if (u.level === "province") {
    push("UnitRegistered", at("2018-01-01"), { unitId: u.code, name: u.name, level: "district", parentId: "VN" })
  } else if (u.level === "district") {
    provinceOf.set(u.code, u.parentCode)
  } else {
    push("UnitRegistered", at("2018-01-01"), {
      unitId: u.code,
      name: u.name,
      level: "commune",
      parentId: provinceOf.get(u.parentCode)
    })
  }
}
push("PlanIssued", at("2018-01-10"), {
  planId: "vn-2018",
  documentNumber: "01/KH-MTTW",
  title: "Kế hoạch toàn quốc năm 2018",
  issuerId: "VN",
  effectiveFrom: "2018-01-10",
  effectiveUntil: "2018-12-31",
  schedules: [{ scheduleId: "monthly", kind: "monthly", dueBeforeDay: 20 }]
})
const communes = list.filter((u) => u.level === "commune")
for (const c of communes) push("UnitAssigned", at("2018-01-11"), { planId: "vn-2018", unitId: c.code })
for (let m = 1; m <= 12; m++) {
  const month = String(m).padStart(2, "0")
  for (const c of communes) {
    const r = random()
    if (r > 0.85) continue
    const day = r < 0.7 ? "15" : "25"
    push("ReportFiled", at(`2018-${month}-${day}`), {
      reportId: `${c.code}/${month}`,
      planId: "vn-2018",
      unitId: c.code,
      scheduleId: "monthly",
      period: `2018-${month}`
    })
  }
}
// recordedAt must not go back in time: sort by occurredAt (stable), then renumber.
lines.sort((a, b) => JSON.parse(a).occurredAt.localeCompare(JSON.parse(b).occurredAt))
const file = path.join(dir, "national-plan.ndjson")
fs.writeFileSync(
  file,
  lines
    .map((l, i) => l.replace(/"id":"[^"]+"/, `"id":"00000000-0000-7000-8000-${String(i + 1).padStart(12, "0")}"`))
    .join("\n") + "\n"
)
const cli = path.join(root, "apps/cli/dist/bundle/kehoach.mjs")
const db = path.join(dir, "bench.db")
{
  const started = performance.now()
  const run = spawn(process.execPath, [cli, "--db", db, "import", file], { stdio: ["ignore", "ignore", "inherit"] })
  const code = await new Promise((resolve) => run.on("exit", resolve))
  if (code !== 0) throw new Error(`import failed (${code})`)
  console.log(
    `log: ${lines.length.toLocaleString("en-US")} events (${communes.length.toLocaleString("en-US")} communes assigned to one national plan, 12 months) imported in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
}

// 2. The server and the browser.
fs.writeFileSync(
  path.join(dir, "tokens.json"),
  JSON.stringify([{ token: "bench-admin-token", actor: "bench", role: "admin" }]),
  { mode: 0o600 }
)
server = spawn(process.execPath, [cli, "--db", db, "serve", "--port", "0", "--tokens", path.join(dir, "tokens.json")], {
  stdio: ["ignore", "pipe", "inherit"]
})
const port = await new Promise((resolve, reject) => {
  let out = ""
  server.stdout.on("data", (chunk) => {
    out += chunk
    const m = /Listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
    if (m) resolve(Number(m[1]))
  })
  server.on("exit", (code) => reject(new Error(`server exited (${code}) before listening`)))
})
{
  const call = async (p) => {
    const started = performance.now()
    const response = await fetch(`http://127.0.0.1:${port}${p}`, {
      headers: { authorization: "Bearer bench-admin-token" }
    })
    const bytes = (await response.arrayBuffer()).byteLength
    if (response.status !== 200) throw new Error(`${p}: ${response.status}`)
    return `${Math.round(performance.now() - started)} ms (${Math.round(bytes / 1024)} kB)`
  }
  console.log(`server: GET /plans (the state read from the database) ${await call("/plans")}`)
  console.log(
    `server: GET /compliance/matrix, the whole plan projected, 63 rows sent: ${await call("/compliance/matrix?planId=vn-2018&asOf=2018-11-30&unit=VN&depth=1")}`
  )
  console.log(
    `server: the same, kept: ${await call("/compliance/matrix?planId=vn-2018&asOf=2018-11-30&unit=VN&depth=1")}`
  )
  console.log(
    `server: GET /compliance for comparison, depth 1: ${await call("/compliance?planId=vn-2018&asOf=2018-11-30&unit=VN&depth=1")}`
  )
}
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run"
  ]
})
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
const base = `http://127.0.0.1:${port}`
const ms = (t) => `${Math.round(performance.now() - t)} ms`
for (const label of ["first paint (the server's first projection of this view)", "first paint (again)"]) {
  await page.goto(`${base}/#plan=vn-2018&asOf=2018-12-31`)
  await page.evaluate(() => sessionStorage.setItem("kehoach.token", "bench-admin-token"))
  const started = performance.now()
  await page.reload()
  await page.waitForSelector('table.heatmap tbody tr[data-unit="01"]')
  console.log(`heat map, national plan, ${label}: ${ms(started)} (target < 2 s)`)
}
{
  const started = performance.now()
  await page.click('tr[data-unit="08"] button.toggle')
  await page.waitForSelector('tr[data-unit="02200"]')
  console.log(`one click opens a province (its communes): ${ms(started)}`)
}
{
  // Clicked from inside the page: Playwright's click scrolls, and a scrolled virtual list redraws its rows.
  await page.evaluate(async () => {
    const table = document.querySelector("table.heatmap")
    for (let i = 0; i < 20 && Number(table.getAttribute("aria-rowcount")) < 1000; i++) {
      const toggle = document.querySelector('tr[data-unit] button.toggle[aria-expanded="false"]')
      if (toggle === null) break
      const before = table.getAttribute("aria-rowcount")
      toggle.click()
      while (table.getAttribute("aria-rowcount") === before) await new Promise((r) => setTimeout(r, 10))
    }
  })
  const rows =
    Number(await page.evaluate(() => document.querySelector("table.heatmap")?.getAttribute("aria-rowcount"))) - 2
  const inDom = await page.$$eval("table.heatmap tbody tr[data-unit]", (els) => els.length)
  const frames = await page.evaluate(async () => {
    const scroller = document.querySelector(".grid-scroll")
    const long = []
    const observer = new PerformanceObserver((list) => long.push(...list.getEntries().map((e) => e.duration)))
    observer.observe({ type: "longtask", buffered: false })
    // Each step: scroll by 300 px, let the page redraw its rows (its own rAF), and time the frame's work.
    const times = []
    for (let y = 0; y < scroller.scrollHeight; y += 300) {
      const started = performance.now()
      scroller.scrollTop = y
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
      times.push(performance.now() - started)
    }
    await new Promise((r) => setTimeout(r, 100))
    observer.disconnect()
    times.sort((a, b) => a - b)
    return {
      steps: times.length,
      p50: times[Math.floor(times.length / 2)],
      max: times[times.length - 1],
      long: long.length,
      longest: Math.max(0, ...long)
    }
  })
  console.log(
    `tree of ${rows} rows, ${inDom} rows in the DOM: scrolled in ${frames.steps} steps of 300 px, scroll-to-redrawn p50 ${frames.p50.toFixed(1)} ms, max ${frames.max.toFixed(1)} ms, ${frames.long} long tasks (> 50 ms)${frames.long > 0 ? `, longest ${frames.longest.toFixed(0)} ms` : ""}`
  )
}
await browser.close()
process.exit(0)
