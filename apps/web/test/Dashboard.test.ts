/**
 * The dashboard in a real browser (headless Debian Chromium driven by
 * playwright-core), against `kehoach serve` (the built CLI, in a child
 * process) over a real SQLite file holding the plan-182 demo and a 2025 plan:
 * every figure the page shows is checked against the API's answer for the
 * same question.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import type { Browser, Page } from "playwright-core"
import * as Chromium from "./Browser.js"
import * as Scenario from "./Scenario.js"

const tokens = {
  admin: { token: "tok-admin-dashboard", actor: "admin@08", role: "admin" },
  auditor: { token: "tok-auditor-dashboard", actor: "kiem-toan", role: "auditor" },
  rec070: { token: "tok-rec-070-dashboard", actor: "can-bo@070", role: "recorder", unitId: "070" },
  clerk070: { token: "tok-clerk-070-dashboard", actor: "van-thu@070", role: "clerk", unitId: "070" }
} as const

/** Today in Viet Nam, as a date. */
const todayInVietnam = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)

const repo = fileURLToPath(new URL("../../../", import.meta.url))
// KEHOACH_SCREENSHOTS=docs writes the screenshots the README links to; otherwise they go to the temp dir.
const shots = process.env["KEHOACH_SCREENSHOTS"] === "docs" ? Path.join(repo, "docs", "images") : undefined

const test = it.skipIf(!Chromium.available && !Chromium.required)

let dir = ""
let url = ""
let server: ChildProcess.ChildProcess | undefined
const cli = Path.join(repo, "apps", "cli", "dist", "bundle", "kehoach.mjs")
let browser: Browser | undefined
let closeBrowser: (() => Promise<void>) | undefined

const api = async <A = any>(path: string, token: string = tokens.admin.token, init: RequestInit = {}): Promise<A> => {
  const response = await fetch(url + path, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers as object) }
  })
  return (await response.json()) as A
}

const shot = async (page: Page, name: string) => {
  const target = Path.join(shots ?? dir, `dashboard-${name}.png`)
  Fs.mkdirSync(Path.dirname(target), { recursive: true })
  await page.screenshot({ path: target })
}

const open = async (token: string, hash = "") => {
  const context = await browser!.newContext({
    viewport: { width: 1400, height: 900 },
    locale: "vi-VN",
    timezoneId: "Asia/Ho_Chi_Minh"
  })
  const page = await context.newPage()
  const errors: Array<string> = []
  page.on("pageerror", (e) => errors.push(e.message))
  await page.goto(`${url}/${hash}`)
  await page.fill("#token", token)
  await page.click("form button[type=submit]")
  return { page, errors, close: () => context.close() }
}

const rootTotals = async (page: Page, unitId: string) => {
  const row = page.locator(`table.heatmap tbody tr[data-unit="${unitId}"]`).first()
  return {
    rates: [await row.locator("td.total-col").nth(0).innerText(), await row.locator("td.total-col").nth(1).innerText()],
    counts: await row.locator("td.count-col").innerText()
  }
}

const percent = (r: number | null) =>
  r === null ? "—" : `${(r * 100).toLocaleString("vi-VN", { maximumFractionDigits: 1 })}%`

const ddmmyyyy = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`

describe("the dashboard in Chromium", () => {
  beforeAll(async () => {
    if (!Chromium.available) {
      if (Chromium.required)
        throw new Error(`Chromium is missing at ${Chromium.executablePath} and KEHOACH_REQUIRE_BROWSER=1`)
      return
    }
    dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "kehoach-web-"))
    const db = Path.join(dir, "kehoach.db")
    const demo = ChildProcess.spawnSync(process.execPath, [cli, "--db", db, "demo"], { encoding: "utf8" })
    if (demo.status !== 0) throw new Error(`kehoach demo failed: ${demo.stderr}`)
    Fs.writeFileSync(Path.join(dir, "tokens.json"), JSON.stringify(Object.values(tokens)), { mode: 0o600 })
    server = ChildProcess.spawn(
      process.execPath,
      [cli, "--db", db, "serve", "--port", "0", "--tokens", Path.join(dir, "tokens.json")],
      {
        stdio: ["ignore", "pipe", "inherit"]
      }
    )
    const port = await new Promise<number>((resolve, reject) => {
      let out = ""
      server!.stdout!.on("data", (chunk) => {
        out += chunk
        const m = /Listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
        if (m) resolve(Number(m[1]))
      })
      server!.on("exit", (code) => reject(new Error(`kehoach serve exited (${code}) before listening`)))
    })
    url = `http://127.0.0.1:${port}`
    const added = await api("/events", tokens.admin.token, {
      method: "POST",
      body: JSON.stringify({ events: Scenario.events2025() })
    })
    if (typeof added.appended !== "number") throw new Error(`the 2025 events were refused: ${JSON.stringify(added)}`)
    ;({ browser, close: closeBrowser } = await Chromium.launch())
  }, 120_000)

  afterAll(async () => {
    await closeBrowser?.()
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.on("exit", resolve))
      server.kill("SIGTERM")
      await exited
    }
    if (dir !== "") Fs.rmSync(dir, { recursive: true, force: true })
  })

  test(`a wrong token is refused in words; signed in, the heat map's totals are the API's${Chromium.suffix}`, async () => {
    const { close, errors, page } = await open("not-a-token")
    await page.waitForSelector("#signin-error")
    assert.include(await page.innerText("#signin-error"), "Mã truy cập không đúng")
    await page.fill("#token", tokens.auditor.token)
    await page.click("form button[type=submit]")
    await page.waitForSelector('table.heatmap tbody tr[data-unit="08"]')
    const asOf = await page.inputValue("#as-of")
    const compliance = await api(`/compliance?planId=182-2018&asOf=${asOf}&depth=1`)
    for (const unit of compliance.units) {
      const shown = await rootTotals(page, unit.unitId)
      assert.deepStrictEqual(
        shown.rates,
        [percent(unit.total.reportingRate), percent(unit.total.onTimeRate)],
        unit.unitId
      )
      assert.strictEqual(
        shown.counts,
        `${unit.total.onTime} ${unit.total.late} ${unit.total.missing} ${unit.total.pending}`
      )
    }
    // The legend says each status in words and symbols, not colour alone.
    assert.include(await page.innerText(".legend"), "✗")
    assert.include(await page.innerText(".legend"), "Chưa nộp")
    await shot(page, "heatmap")
    assert.deepStrictEqual(errors, [])
    await close()
  })

  test(`the as-of slider moves the view, and the figures follow the API${Chromium.suffix}`, async () => {
    const { close, errors, page } = await open(tokens.admin.token)
    await page.waitForSelector('table.heatmap tbody tr[data-unit="08"]')
    await page.focus("#as-of-slider")
    await page.keyboard.press("Home")
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("ArrowRight")
    const asOf = await page.inputValue("#as-of")
    assert.strictEqual(asOf, "2018-03-20")
    await page.waitForFunction((d) => document.getElementById("view-line")?.textContent?.includes(d), ddmmyyyy(asOf))
    const compliance = await api(`/compliance?planId=182-2018&asOf=${asOf}&depth=0`)
    const shown = await rootTotals(page, "08")
    const total = compliance.units[0].total
    assert.strictEqual(shown.counts, `${total.onTime} ${total.late} ${total.missing} ${total.pending}`)
    assert.isAbove(total.pending, 0)
    // The date field too, and the page's address keeps the view.
    await page.fill("#as-of", "2018-06-30")
    await page.waitForFunction(() => document.getElementById("view-line")?.textContent?.includes("30/06/2018"))
    assert.include(page.url(), "asOf=2018-06-30")
    assert.deepStrictEqual(errors, [])
    await close()
  })

  test(`a cell opens its explanation: the obligation, the deadline and the events with positions and hashes${Chromium.suffix}`, async () => {
    const { close, errors, page } = await open(tokens.auditor.token, "#plan=182-2018&asOf=2018-12-31")
    await page.waitForSelector('table.heatmap tbody tr[data-unit="070"]')
    // By keyboard: the district's expander, then right along the row to March, then Enter.
    await page.focus('tr[data-unit="070"] button.toggle')
    await page.keyboard.press("ArrowRight")
    const cell = page.locator('tr[data-unit="070"] button[aria-label*="monthly 2018-03"]')
    await cell.focus()
    await page.keyboard.press("Enter")
    await page.waitForSelector("#explain-events tbody tr")
    const explained = await api("/explain?planId=182-2018&unitId=070&scheduleId=monthly&period=2018-03&asOf=2018-12-31")
    assert.strictEqual(await page.innerText("#explain-period"), "2018-03")
    assert.include(await page.innerText("#explain-deadline"), explained.obligation.deadline)
    assert.include(
      await page.innerText("#explain-status"),
      explained.obligation.status === "on-time"
        ? "Đúng hạn"
        : explained.obligation.status === "late"
          ? "Trễ hạn"
          : "Chưa nộp"
    )
    const rows = page.locator("#explain-events tbody tr")
    const positions = await rows.evaluateAll((trs) => trs.map((tr) => Number((tr as HTMLElement).dataset["position"])))
    assert.deepStrictEqual(
      positions,
      explained.events.map((e: { position: number }) => e.position)
    )
    for (const [i, position] of positions.entries()) {
      const page1 = await api(`/events?from=${position - 1}&limit=1`)
      assert.strictEqual(await rows.nth(i).locator("td.hash code").innerText(), page1.events[0].hash)
    }
    await shot(page, "explanation")
    // Escape closes it and gives the focus back to the cell.
    await page.keyboard.press("Escape")
    assert.isTrue(await page.locator("#explain").isHidden())
    assert.include(
      await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? ""),
      "monthly 2018-03"
    )
    assert.deepStrictEqual(errors, [])
    await close()
  })

  test(`a recorder files online, now: the page says when the filing falls after the view, jumps to it, offers the correction path, and the heat map follows the live tail${Chromium.suffix}`, async () => {
    const today = todayInVietnam()
    const watcher = await open(tokens.admin.token, `#plan=182-2018&asOf=${today}`)
    await watcher.page.waitForSelector('tr[data-unit="070"]')
    await watcher.page.click('tr[data-unit="070"] button.toggle')
    const { close, errors, page } = await open(tokens.rec070.token, "#plan=182-2018&asOf=2018-12-31&tab=filing")
    await page.waitForSelector("details.obligation")
    const missing = page.locator("details.obligation.missing").first()
    const key = (await missing.getAttribute("data-obligation"))!
    const [unitId, scheduleId, period] = key.split("|") as [string, string, string]
    const query = (asOf: string) => `/compliance?planId=182-2018&asOf=${asOf}&unit=${unitId}&depth=0`
    const statusIn = async (asOf: string) =>
      (await api(query(asOf))).obligations.find((o: any) => o.scheduleId === scheduleId && o.period === period)
    assert.strictEqual((await statusIn("2018-12-31")).status, "missing")
    await missing.locator("summary").click()
    // An online filing has no time to choose: it is filed when the server receives it.
    assert.strictEqual(await missing.locator("input[name=filedAt], input[name=receivedAt]").count(), 0)
    await missing.locator("input[name=documentRef]").fill("99/BC-TEST")
    const sentAt = Date.now()
    await missing.locator("button[type=submit]").click()
    await page.waitForSelector("#filing-status")
    const status = await page.innerText("#filing-status")
    assert.include(status, "Đã ghi vào sổ")
    // The view is as of 31/12/2018: the page says plainly that the filing is after it.
    assert.include(status, "sau ngày đang xem")
    assert.strictEqual((await statusIn("2018-12-31")).status, "missing")
    const filed = await statusIn(today)
    assert.strictEqual(filed.status, "late")
    assert.strictEqual(filed.channel, "online")
    assert.strictEqual(filed.filedAt, filed.recordedAt)
    assert.isAtMost(Math.abs(Date.parse(filed.filedAt) - sentAt), 60_000)
    // Filing the same period again, still in the 2018 view: the correction path, not a bare refusal.
    const again = page.locator(`details[data-obligation="${key}"]`)
    await again.locator("summary").click()
    await again.locator("input[name=documentRef]").fill("100/BC-TEST")
    await again.locator("button[type=submit]").click()
    await again.locator("button.supersede").waitFor()
    assert.include(await again.locator(".form-message").innerText(), `${unitId}/99/BC-TEST`)
    await shot(page, "filing")
    await again.locator("button.supersede").click()
    await page.waitForSelector("#jump-to-filing")
    // The log holds the correction, superseding the report on record (the first filing still decides the status).
    const reports = await api(`/events?type=ReportFiled&unitId=${unitId}&limit=10000`)
    const correction = reports.events.at(-1)
    assert.strictEqual(correction.data.reportId, `${unitId}/100/BC-TEST`)
    assert.strictEqual(correction.data.supersedes, `${unitId}/99/BC-TEST`)
    assert.strictEqual(correction.data.channel, "online")
    // The jump moves the view to the filing's date: the obligation is now shown as filed late.
    await page.click("#jump-to-filing")
    await page.waitForFunction((d) => (document.getElementById("as-of") as HTMLInputElement | null)?.value === d, today)
    await page.click("#tab-filing")
    await page.waitForSelector(`details[data-obligation="${key}"].late`)
    // The admin's heat map as of today, open all along, shows the late report without a reload.
    await watcher.page.waitForFunction(
      ([u, label]) =>
        document.querySelector(`tr[data-unit="${u}"] button[aria-label*="${label}"]`)?.textContent === "!",
      [unitId, `${scheduleId} ${period}`] as const,
      { timeout: 5000 }
    )
    // The recorder's heat map starts at its own unit.
    await page.click("#tab-heatmap")
    await page.waitForSelector("table.heatmap tbody tr[data-unit]")
    assert.strictEqual(await page.locator("table.heatmap tbody tr[data-unit]").first().getAttribute("data-unit"), "070")
    assert.deepStrictEqual(errors, [])
    assert.deepStrictEqual(watcher.errors, [])
    await close()
    await watcher.close()
  })

  test(`a clerk enters a report received on paper with its date and register number, under the API's rules and messages${Chromium.suffix}`, async () => {
    // As of today: the period the recorder filed above is no longer missing.
    const { close, errors, page } = await open(
      tokens.clerk070.token,
      `#plan=182-2018&asOf=${todayInVietnam()}&tab=filing`
    )
    await page.waitForSelector("details.obligation.missing")
    const missing = page.locator("details.obligation.missing").first()
    const key = (await missing.getAttribute("data-obligation"))!
    const [unitId, scheduleId, period] = key.split("|") as [string, string, string]
    await missing.locator("summary").click()
    // A date before the unit was assigned: refused, with the API's own message.
    await missing.locator("input[name=receivedAt]").fill("2017-12-30T09:30")
    await missing.locator("input[name=registerNumber]").fill("125/SĐ")
    await missing.locator("input[name=documentRef]").fill("98/BC-TEST")
    await missing.locator("button[type=submit]").click()
    await missing.locator(".form-message.error").waitFor()
    const refused = await api("/events", tokens.clerk070.token, {
      method: "POST",
      body: JSON.stringify({
        type: "ReportFiled",
        occurredAt: "2017-12-30T09:30:00+07:00",
        data: {
          reportId: `${unitId}/98/BC-TEST`,
          planId: "182-2018",
          unitId,
          scheduleId,
          period,
          channel: "paper",
          registerNumber: "125/SĐ"
        }
      })
    })
    // Beyond the clerk's backdating window (60 days): the server's refusal, its receipt time aside.
    assert.match(refused.message, /^occurredAt: 2017-12-30T09:30:00\+07:00 is more than 60 days before receipt/)
    const withoutReceipt = (m: string) => m.replace(/receipt \([^)]*\)/, "receipt")
    assert.strictEqual(
      withoutReceipt(await missing.locator(".form-message").innerText()),
      withoutReceipt(`Máy chủ báo lỗi: ${refused.message}`)
    )
    // Received yesterday, within the clerk's backdating window: accepted, with both times on record.
    const yesterday = new Date(Date.now() + 7 * 3600_000 - 86_400_000).toISOString().slice(0, 10)
    await missing.locator("input[name=receivedAt]").fill(`${yesterday}T09:30`)
    await missing.locator("button[type=submit]").click()
    await page.waitForSelector("#filing-status")
    assert.include(await page.innerText("#filing-status"), "Đã ghi vào sổ")
    const after = await api(`/compliance?planId=182-2018&asOf=${todayInVietnam()}&unit=${unitId}&depth=0`)
    const filed = after.obligations.find((o: any) => o.scheduleId === scheduleId && o.period === period)
    assert.strictEqual(filed.channel, "paper")
    assert.strictEqual(filed.registerNumber, "125/SĐ")
    assert.strictEqual(filed.filedAt, `${yesterday}T09:30:00+07:00`)
    assert.isAbove(Date.parse(filed.recordedAt), Date.parse(filed.filedAt))
    await shot(page, "filing-paper")
    assert.deepStrictEqual(errors, [])
    await close()
  })

  test(`coverage: a table with bars, the 2025 communes on the map, a note for units without coordinates; English${Chromium.suffix}`, async () => {
    const { close, errors, page } = await open(
      tokens.auditor.token,
      `#plan=${Scenario.planId2025}&asOf=2025-12-31&tab=coverage`
    )
    await page.waitForSelector(".map svg")
    const coverage = await api(
      `/coverage?planId=${Scenario.planId2025}&unit=${Scenario.province2025}&depth=2&asOf=2025-12-31`
    )
    const communes = coverage.units.filter((u: any) => u.level === "commune")
    assert.strictEqual(communes.length, 124)
    assert.strictEqual((await page.locator(".map svg circle, .map svg path[transform]").count()) >= 124, true)
    const firstRow = page.locator("table.coverage-table tbody tr").first()
    assert.strictEqual(await firstRow.getAttribute("data-unit"), Scenario.province2025)
    assert.include(await firstRow.innerText(), percent(coverage.units[0].coverage))
    await shot(page, "coverage")
    await page.click("button.lang")
    await page.waitForSelector("#tab-coverage")
    assert.strictEqual(await page.innerText("#tab-coverage"), "Model coverage")
    assert.strictEqual(await page.getAttribute("html", "lang"), "en")
    // Plan 182's units are of 2017: only the communes that carried on into 2025 as the same unit (same code
    // and name, decision 0008) have a centre; the others are counted in words, and the table is complete.
    await page.selectOption("#plan", "182-2018")
    await page.waitForSelector(".map-host figcaption")
    assert.include(await page.innerText(".map-host figcaption"), "units without coordinates are in the table only")
    assert.isAbove(await page.locator("table.coverage-table tbody tr").count(), 10)
    assert.deepStrictEqual(errors, [])
    await close()
  })

  test(`kehoach report --html writes one file that shows the same figures with no server and no network${Chromium.suffix}`, async () => {
    const file = Path.join(dir, "bao-cao.html")
    const run = ChildProcess.spawnSync(
      process.execPath,
      [
        cli,
        "--db",
        Path.join(dir, "kehoach.db"),
        "report",
        "--html",
        file,
        "--plan",
        "182-2018",
        "--as-of",
        "2018-06-30"
      ],
      { encoding: "utf8" }
    )
    assert.strictEqual(run.status, 0, run.stderr)
    const context = await browser!.newContext({ viewport: { width: 1400, height: 900 }, locale: "vi-VN" })
    const requests: Array<string> = []
    await context.route("**/*", (route) => {
      if (route.request().url().startsWith("file:")) return route.continue()
      requests.push(route.request().url())
      return route.abort()
    })
    const page = await context.newPage()
    await page.goto(`file://${file}`)
    await page.waitForSelector('table.heatmap tbody tr[data-unit="08"]')
    const compliance = await api("/compliance?planId=182-2018&asOf=2018-06-30&depth=0")
    const total = compliance.units[0].total
    assert.strictEqual(
      (await rootTotals(page, "08")).counts,
      `${total.onTime} ${total.late} ${total.missing} ${total.pending}`
    )
    await page.click('tr[data-unit="070"] button[aria-label*="monthly 2018-03"]')
    await page.waitForSelector("#explain-events tbody tr")
    const explained = await api("/explain?planId=182-2018&unitId=070&scheduleId=monthly&period=2018-03&asOf=2018-06-30")
    const positions = await page
      .locator("#explain-events tbody tr")
      .evaluateAll((trs) => trs.map((tr) => Number((tr as HTMLElement).dataset["position"])))
    assert.deepStrictEqual(
      positions,
      explained.events.map((e: { position: number }) => e.position)
    )
    assert.deepStrictEqual(requests, [])
    await shot(page, "report")
    await context.close()
  })
})
