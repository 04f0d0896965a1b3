/**
 * `kehoach report --html`: one self-contained file (its figures are checked
 * in a real browser by apps/web's tests), and bad input as one line.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const bundle = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "bundle", "kehoach.mjs")
let tmp = ""
let db = ""

const run = (...args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, [bundle, "--db", db, ...args], { encoding: "utf8" })

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-report-"))
  db = path.join(tmp, "demo.db")
  const demo = run("demo")
  if (demo.status !== 0) throw new Error(demo.stderr)
}, 120_000)
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe("kehoach report --html", () => {
  it("writes one HTML file with the page, its style and the plan's data inside, and nothing to fetch", () => {
    const file = path.join(tmp, "bao-cao.html")
    const r = run("report", "--html", file, "--plan", "182-2018", "--as-of", "2018-12-31")
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/^Wrote .*bao-cao\.html \(\d+ kB\): plan 182-2018, \d+ units, 14 periods\.\n$/)
    const html = fs.readFileSync(file, "utf8")
    expect(html).toContain('<script type="application/json" id="kehoach-data">')
    expect(html).toContain("<style>")
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet/)
    const json = html.slice(html.indexOf('id="kehoach-data">') + 18, html.indexOf("</script>"))
    const data = JSON.parse(json)
    expect(data.plan.planId).toBe("182-2018")
    expect(data.matrix.asOf).toBe("2018-12-31T23:59:59.999+07:00")
    expect(data.matrix.rows[0].unitId).toBe("08")
    expect(Object.keys(data.explanations).length).toBeGreaterThan(1000)
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([])
  })

  it("says what is wrong in one line: an unknown plan, a missing directory, a bad date", () => {
    for (const [args, message] of [
      [["--plan", "nope", "--html", path.join(tmp, "x.html")], /plan nope is not issued/],
      [["--plan", "182-2018", "--html", path.join(tmp, "no", "x.html")], /the directory .* does not exist/],
      [
        ["--plan", "182-2018", "--html", path.join(tmp, "x.html"), "--as-of", "31/12/2018"],
        /--as-of "31\/12\/2018" is not a date/
      ]
    ] as const) {
      const r = run("report", ...args)
      expect(r.status).not.toBe(0)
      const lines = r.stderr.split("\n").filter((l) => l !== "")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(message)
    }
    expect(fs.existsSync(path.join(tmp, "x.html"))).toBe(false)
  })
})
