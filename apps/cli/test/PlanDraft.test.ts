/**
 * `kehoach plan draft` through the built bundle (`pnpm build`): plan 182 as
 * text and as .docx drafted against the demo database and imported into a
 * store that has only the units; the review table; and every bad input
 * refused with one line, nothing written.
 */
import { Events } from "@kehoach/domain"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const cliDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")
const bundle = path.join(cliDir, "dist", "bundle", "kehoach.mjs")
const plans = path.join(cliDir, "..", "..", "docs", "examples", "plans")
const seedTxt = path.join(plans, "ke-hoach-182-KH-MTTQ-BTT-2018.txt")
const seedDocx = path.join(plans, "ke-hoach-182-KH-MTTQ-BTT-2018.docx")

let tmp: string
let demo: string

interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

const run = (args: ReadonlyArray<string>, input = ""): Promise<Run> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env }
    delete env["KEHOACH_DB"]
    const child = spawn(process.execPath, [bundle, ...args], { cwd: tmp, env })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, stdout, stderr }))
    child.stdin.end(input)
  })

const ok = async (args: ReadonlyArray<string>): Promise<Run> => {
  const r = await run(args)
  expect(r.status, `kehoach ${args.join(" ")}: ${r.stderr}`).toBe(0)
  return r
}

/** Expects a refusal: non-zero status, one line on stderr, nothing on stdout. */
const refused = async (args: ReadonlyArray<string>): Promise<string> => {
  const r = await run(args)
  expect(r.status).not.toBe(0)
  const lines = r.stderr.split("\n").filter((l) => l !== "")
  expect(lines, r.stderr).toHaveLength(1)
  expect(r.stdout).toBe("")
  return lines[0]!
}

const file = (name: string, content: string | Uint8Array): string => {
  const p = path.join(tmp, name)
  fs.writeFileSync(p, content)
  return p
}

/** A database with the units of the demo only: the place a draft of plan 182 is imported into. */
const unitsOnly = async (name: string): Promise<string> => {
  const exported = await ok(["export", "--db", demo])
  const units = exported.stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === "UnitRegistered" || e.type === "UnitMoved" || e.type === "UnitClosed")
    .map((e) => JSON.stringify({ type: e.type, occurredAt: e.occurredAt, data: e.data }))
  const db = path.join(tmp, name)
  await ok(["import", file(`${name}.ndjson`, units.join("\n") + "\n"), "--db", db])
  return db
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-plan-draft-"))
  demo = path.join(tmp, "demo.db")
  await ok(["demo", "--db", demo])
})

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe("kehoach plan draft", () => {
  it("drafts plan 182 against the demo's units, and the draft imports into a store of those units", async () => {
    const out = path.join(tmp, "draft-182.ndjson")
    const r = await ok([
      "plan",
      "draft",
      seedTxt,
      "--issuer",
      "08",
      "--db",
      demo,
      "--sub-plan-due",
      "district=2018-02-15",
      "--sub-plan-due",
      "commune=2018-02-28",
      "--output",
      out
    ])
    expect(r.stdout).toBe("")
    // The review: each field, its value, and the sentence it came from.
    expect(r.stderr).toMatch(/^number +182\/KH-MTTQ-BTT +line 8: Số: 182\/KH- MTTQ-BTT$/m)
    expect(r.stderr).toMatch(
      /^schedule monthly +monthly, before day 20 +line 46: - Báo cáo tháng: Trước ngày 20 hàng tháng\.$/m
    )
    expect(r.stderr).toMatch(/^assigned district +own plan required, due by 2018-02-15; 7 unit\(s\) from/m)
    expect(r.stderr).toContain("Drafted 149 events (PlanIssued version 1, 148 UnitAssigned)")
    const lines = fs
      .readFileSync(out, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l))
    expect(lines).toHaveLength(1 + 7 + 141)
    expect(lines[0].data.schedules).toEqual([
      { scheduleId: "monthly", kind: "monthly", dueBeforeDay: 20 },
      { scheduleId: "annual", kind: "once", period: "2018", dueBefore: "2018-11-30" }
    ])

    const db = await unitsOnly("units-182.db")
    const imported = await ok(["import", out, "--db", db])
    expect(imported.stdout).toContain("Imported 149 events")
    // Each district owes 11 monthly reports, the annual report and its own plan: 13, all missing in a log of no reports.
    const c = JSON.parse(
      (
        await ok([
          "compliance",
          "--plan",
          "182-2018",
          "--as-of",
          "2018-12-31",
          "--unit",
          "070",
          "--depth",
          "0",
          "--format",
          "json",
          "--db",
          db
        ])
      ).stdout
    )
    expect(c.units[0].self).toMatchObject({ onTime: 0, late: 0, missing: 13, pending: 0 })
  })

  it("reads the .docx of plan 182 (header in a table) into the same draft as its text", async () => {
    const fromText = await ok(["plan", "draft", seedTxt, "--issuer", "08", "--units", "district=070,071"])
    const fromDocx = await ok(["plan", "draft", seedDocx, "--issuer", "08", "--units", "district=070,071"])
    expect(fromDocx.stdout).toBe(fromText.stdout)
    expect(fromDocx.stdout.split("\n").filter((l) => l !== "")).toHaveLength(3)
  })

  it("a quarterly regime drafts PlanIssued version 2, which the store takes once it knows version 2", async () => {
    const text = fs
      .readFileSync(seedTxt, "utf8")
      .replace("- Báo cáo năm: Trước ngày 30/11/2018.", "- Báo cáo quý: Trước ngày 15 tháng đầu quý sau.")
    const r = await ok(["plan", "draft", file("quarterly.txt", text), "--issuer", "08", "--units", "district=070"])
    const plan = JSON.parse(r.stdout.split("\n")[0]!)
    expect(plan.version).toBe(2)
    expect(plan.data.schedules[1]).toEqual({
      scheduleId: "quarterly",
      kind: "quarterly",
      dueBeforeDay: 15,
      dueMonthOffset: 1
    })
    const db = await unitsOnly("units-v2.db")
    const imported = await run(["import", file("quarterly.ndjson", r.stdout), "--db", db])
    if (Events.currentVersion.PlanIssued >= 2) expect(imported.stdout).toContain("Imported 2 events")
    else expect(imported.stderr).toContain("version 2 of PlanIssued is newer than this software knows (1)")
  })

  it("lists what the document leaves out after the review, and writes nothing", async () => {
    const out = path.join(tmp, "none.ndjson")
    const r = await run(["plan", "draft", seedTxt, "--output", out])
    expect(r.status).toBe(1)
    expect(r.stdout).toBe("")
    const last = r.stderr.trimEnd().split("\n").pop()!
    expect(last).toBe(
      `kehoach: ${seedTxt}: cannot draft the plan: not found in the document and not given: issuer unit (--issuer)`
    )
    expect(r.stderr).toContain("issuer unit")
    expect(fs.existsSync(out)).toBe(false)
  })

  it("refuses bad input with one line and writes nothing", async () => {
    const out = path.join(tmp, "bad.ndjson")
    const seed = fs.readFileSync(seedTxt, "utf8")
    const cases: ReadonlyArray<readonly [string, string]> = [
      [file("empty.txt", ""), "the document is empty"],
      [file("empty.docx", ""), "not a .docx file: it is not a zip archive"],
      [file("fake.docx", "Số: 182/KH-MTTQ-BTT, not a zip"), "not a .docx file: it is not a zip archive"],
      [
        file("notword.docx", Buffer.from("504b0506000000000000000000000000000000000000", "hex")),
        "not a Word document (.docx)"
      ],
      [
        file("letter.txt", fs.readFileSync(path.join(plans, "ba-ria-vung-tau-2539-UBND-SNV-2012-regime.txt"))),
        "not a plan (kế hoạch)"
      ],
      [
        file("bad-date.txt", seed.replace("ngày  30 tháng 01 năm 2018", "ngày 30 tháng 02 năm 2018")),
        'line 14: the date "ngày 30 tháng 02 năm 2018" does not exist'
      ],
      [
        file("bad-deadline.txt", seed.replace("30/11/2018", "31/11/2018")),
        'line 48: the date "31/11/2018" does not exist'
      ],
      [file("binary.txt", Buffer.from([0x4b, 0x00, 0x48, 0x00])), "is not a text file"],
      [path.join(tmp, "missing.txt"), "no such file"]
    ]
    const lines = await Promise.all(
      cases.map(([input]) => refused(["plan", "draft", input, "--issuer", "08", "--output", out]))
    )
    cases.forEach(([input, reason], i) => {
      expect(lines[i]!.startsWith(`kehoach: ${input}: `), lines[i]).toBe(true)
      expect(lines[i]).toContain(reason)
    })
    expect(fs.existsSync(out)).toBe(false)
  })

  it("refuses options it cannot use with one line", async () => {
    expect(await refused(["plan", "draft", seedTxt, "--issuer", "08", "--units", "county=1"])).toContain(
      '--units "county=1"'
    )
    expect(await refused(["plan", "draft", seedTxt, "--issuer", "08", "--until", "2018-02-30"])).toContain(
      '--until "2018-02-30"'
    )
    expect(await refused(["plan", "draft", seedTxt, "--issuer", "99", "--db", demo])).toContain(
      '--issuer "99": expected a unit of'
    )
    expect(await refused(["plan", "draft", seedTxt, "--db", demo])).toContain("--db needs --issuer")
    expect(await refused(["plan", "draft", seedTxt, "--issuer", "08", "--db", path.join(tmp, "nowhere.db")])).toContain(
      "no such database"
    )
    expect(fs.existsSync(path.join(tmp, "nowhere.db"))).toBe(false)
  })
})
