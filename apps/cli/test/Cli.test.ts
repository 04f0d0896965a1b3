/**
 * The built `kehoach` (the bundle `pnpm build` writes) run as a child
 * process against temporary databases: every command and format, the tables
 * read back for their numbers, and every error path.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Sample from "./Sample.js"

const cliDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")
const bundle = path.join(cliDir, "dist", "bundle", "kehoach.mjs")
const emptyDigest = `0:${"0".repeat(64)}`
const sampleSize = Sample.lines().length

let tmp: string
let db: string

interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

interface RunOptions {
  readonly cwd?: string
  readonly input?: string
  readonly env?: Record<string, string>
}

// Asynchronous, so that the independent runs of one test go side by side.
const run = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...options.env }
    if (options.env?.["KEHOACH_DB"] === undefined) delete env["KEHOACH_DB"]
    const child = spawn(process.execPath, [bundle, ...args], { cwd: options.cwd ?? tmp, env })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, stdout, stderr }))
    child.stdin.end(options.input ?? "")
  })

/** Runs against the sample database and expects success. */
const ok = async (...args: ReadonlyArray<string>): Promise<string> => {
  const r = await run([...args, "--db", db])
  expect(r.stderr, `stderr of kehoach ${args.join(" ")}`).toBe("")
  expect(r.status, `status of kehoach ${args.join(" ")}`).toBe(0)
  return r.stdout
}

/** Expects a failure: non-zero status, exactly one line on stderr, no stack trace. */
const fails = async (args: ReadonlyArray<string>, options?: RunOptions): Promise<string> => {
  const r = await run(args, options)
  expect(r.status, `status of kehoach ${args.join(" ")}`).not.toBe(0)
  const lines = r.stderr.split("\n").filter((l) => l !== "")
  expect(lines, `stderr of kehoach ${args.join(" ")}`).toHaveLength(1)
  expect(r.stderr).not.toMatch(/\n\s+at /)
  return lines[0]!
}

const json = async (...args: ReadonlyArray<string>): Promise<any> => JSON.parse(await ok(...args, "--format", "json"))

beforeAll(async () => {
  // The bundle is built from the compiled sources (tsc -b), as `pnpm build` does.
  const built = spawnSync(process.execPath, [path.join(cliDir, "scripts", "bundle.mjs")], { encoding: "utf8" })
  if (built.status !== 0) throw new Error(`bundling failed: ${built.stderr}`)
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-cli-"))
  db = path.join(tmp, "sample.db")
  const file = path.join(tmp, "sample.ndjson")
  fs.writeFileSync(file, Sample.text())
  const r = await run(["import", file, "--db", db])
  expect(r.stderr).toBe("")
  expect(r.stdout).toContain(`Imported ${sampleSize} events`)
})

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

// ---------------------------------------------------------------------------
// Reading a table back

interface TableRow {
  readonly depth: number
  readonly cells: ReadonlyArray<string>
}

/** The rows of the first table in the text: after its dashes line, up to the first blank line. */
const parseTable = (text: string): Array<TableRow> => {
  const lines = text.split("\n")
  const start = lines.findIndex((l) => /^-+( +-+)+$/.test(l))
  expect(start).toBeGreaterThan(0)
  const rows: Array<TableRow> = []
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") break
    const indent = line.length - line.trimStart().length
    rows.push({ depth: indent / 2, cells: line.trim().split(/ {2,}/) })
  }
  return rows
}

/** The rows directly below row `i` (by indentation). */
const childrenOf = (rows: ReadonlyArray<TableRow>, i: number): Array<TableRow> => {
  const out: Array<TableRow> = []
  for (let j = i + 1; j < rows.length && rows[j]!.depth > rows[i]!.depth; j++) {
    if (rows[j]!.depth === rows[i]!.depth + 1) out.push(rows[j]!)
  }
  return out
}

const rate = (cell: string): number | null => (cell === "-" ? null : Number(cell.replace("%", "")) / 100)

// ---------------------------------------------------------------------------

describe("help", () => {
  it("lists every command, and every command has help with an example", async () => {
    const commands = [
      "import",
      "export",
      "verify",
      "digest",
      "snapshot",
      "log",
      "compliance",
      "coverage",
      "explain",
      "demo",
      "serve"
    ]
    const [top, ...each] = await Promise.all([run(["--help"]), ...commands.map((c) => run([c, "--help"]))])
    expect(top!.status).toBe(0)
    for (const c of commands) expect(top!.stdout).toContain(`- ${c} `)
    for (const [i, h] of each.entries()) {
      expect(h.status, commands[i]).toBe(0)
      expect(h.stdout, commands[i]).toMatch(/Examples?:/)
      expect(h.stdout, commands[i]).toContain(`$ kehoach ${commands[i]}`)
    }
  })
})

describe("import, export, verify, digest", () => {
  it("exports every event with the ten fields of the contract, and another log imports it", async () => {
    const file = path.join(tmp, "exported.ndjson")
    const [out, digest] = await Promise.all([ok("export"), ok("digest"), ok("export", "--out", file)])
    const lines = out.trimEnd().split("\n")
    expect(lines).toHaveLength(sampleSize)
    for (const [i, line] of lines.entries()) {
      const e = JSON.parse(line)
      expect(Object.keys(e).sort()).toEqual([
        "data",
        "hash",
        "id",
        "occurredAt",
        "position",
        "prevHash",
        "recordedAt",
        "recordedBy",
        "type",
        "version"
      ])
      expect(e.position).toBe(i + 1)
    }
    expect(fs.readFileSync(file, "utf8")).toBe(out)
    const copy = path.join(tmp, "copy.db")
    expect((await run(["import", file, "--db", copy])).status).toBe(0)
    expect((await run(["digest", "--db", copy])).stdout).toBe(digest)
    // The same lines again are all skipped.
    expect((await run(["import", file, "--db", copy])).stdout).toContain("Imported 0 events")
  })

  it("imports from stdin with -", async () => {
    const r = await run(["import", "-", "--db", path.join(tmp, "stdin.db")], { input: Sample.text() })
    expect(r.stderr).toBe("")
    expect(r.stdout).toContain(`Imported ${sampleSize} events from stdin`)
  })

  it("verifies the chain, and a kept digest", async () => {
    const digest = (await ok("digest")).trim()
    expect(digest).toMatch(new RegExp(`^${sampleSize}:[0-9a-f]{64}$`))
    const wrong = `${sampleSize}:${"0".repeat(64)}`
    const [plain, kept, broken, malformed] = await Promise.all([
      ok("verify"),
      ok("verify", "--digest", digest),
      fails(["verify", "--digest", wrong, "--db", db]),
      fails(["verify", "--digest", "12-abc", "--db", db])
    ])
    expect(plain).toContain(`OK: the hash chain of ${sampleSize} events verifies`)
    expect(kept).toContain(`extends the kept digest ${digest}`)
    expect(broken).toMatch(/does not verify at position/)
    expect(malformed).toContain('--digest "12-abc": expected POSITION:HASH')
  })

  it("saves a snapshot at the head of the log; the export and the digest stay as they were", async () => {
    const [before, digest] = await Promise.all([ok("export"), ok("digest")])
    const saved = await ok("snapshot")
    expect(saved).toMatch(new RegExp(`^Saved a snapshot of the state at position ${sampleSize} \\(\\d+\\.\\d MB\\)`))
    const [after, again] = await Promise.all([ok("export"), ok("digest")])
    expect(after).toBe(before)
    expect(again).toBe(digest)
  })

  it("takes the database from --db (before or after the command), then KEHOACH_DB, then ./kehoach.db", async () => {
    const empty = fs.mkdtempSync(path.join(tmp, "cwd-"))
    const [expected, before, fromEnv, byDefault] = await Promise.all([
      ok("digest"),
      run(["--db", db, "digest"]),
      run(["digest"], { env: { KEHOACH_DB: db } }),
      run(["digest"], { cwd: empty })
    ])
    expect(before.stdout).toBe(expected)
    expect(fromEnv.stdout).toBe(expected)
    expect(byDefault.stdout.trim()).toBe(emptyDigest)
    expect(fs.existsSync(path.join(empty, "kehoach.db"))).toBe(true)
  })
})

describe("log", () => {
  it("filters by type, unit, plan and position, in every format", async () => {
    const [all, reports, ofUnit, ofPlan, range, limited, table, csv] = await Promise.all([
      json("log"),
      json("log", "--type", "ReportFiled"),
      json("log", "--unit", "son-duong", "--type", "ReportFiled"),
      json("log", "--plan", "p-1"),
      json("log", "--from", "2", "--to", "5"),
      json("log", "--limit", "2"),
      ok("log", "--type", "ReportFiled"),
      ok("log", "--type", "ReportFiled", "--format", "csv")
    ])
    expect(all).toHaveLength(sampleSize)
    expect(reports.map((e: any) => e.data.reportId)).toEqual(["r-nh-02", "r-sd-02", "r-tl-02", "r-nh-03", "r-sd-03"])
    expect(ofUnit.map((e: any) => e.data.reportId)).toEqual(["r-sd-02", "r-sd-03"])
    expect(ofPlan.length).toBeGreaterThan(0)
    expect(ofPlan.every((e: any) => e.data.planId === "p-1")).toBe(true)
    // After position 2, up to 5 (one meaning of `from` with GET /events).
    expect(range.map((e: any) => e.position)).toEqual([3, 4, 5])
    expect(limited.map((e: any) => e.position)).toEqual([1, 2])
    expect(parseTable(table).map((r) => r.cells[3])).toEqual(Array(5).fill("ReportFiled"))
    expect(table).toContain("5 events")
    expect(csv.split("\r\n").filter((l) => l !== "")).toHaveLength(6)
    expect(csv.startsWith("position,id,type,")).toBe(true)
  })
})

describe("compliance", () => {
  const asOf = ["--plan", "p-1", "--as-of", "2018-03-31"]

  it("prints exactly the contract JSON of DOMAIN.md §5", async () => {
    const c = await json("compliance", ...asOf)
    // The fields of §5 as they are, then the per-schedule figures (added by issue 11).
    expect(Object.keys(c)).toEqual(["planId", "asOf", "knownAt", "units", "obligations", "schedule", "schedules"])
    expect(c.asOf).toBe("2018-03-31T23:59:59.999+07:00")
    for (const u of c.units) {
      expect(Object.keys(u)).toEqual(["unitId", "name", "level", "parentId", "self", "total", "bySchedule"])
      expect(Object.keys(u.total)).toEqual(["onTime", "late", "missing", "pending", "reportingRate", "onTimeRate"])
    }
    // The fields of §5, then how each report reached the log (issue 20, DOMAIN.md "Filing time").
    for (const o of c.obligations) {
      expect(Object.keys(o)).toEqual([
        "unitId",
        "scheduleId",
        "period",
        "deadline",
        "status",
        "filedAt",
        "reportId",
        "channel",
        "recordedAt",
        "registerNumber"
      ])
    }
    const sd = c.obligations.find((o: any) => o.unitId === "son-duong" && o.period === "2018-03")
    expect(sd).toMatchObject({ status: "late", reportId: "r-sd-03", deadline: "2018-03-20T00:00:00+07:00" })
    expect(sd).toMatchObject({ channel: "paper", registerNumber: "sđ-r-sd-03" })
    expect(Date.parse(sd.recordedAt)).toBeGreaterThan(Date.parse(sd.filedAt))
    expect(c.units[0].unitId).toBe("tq")
    expect(c.units[0].total).toEqual({
      onTime: 4,
      late: 1,
      missing: 5,
      pending: 50,
      reportingRate: 0.5,
      onTimeRate: 0.4
    })
  })

  it("prints a table whose numbers are the JSON's and add up down the tree", async () => {
    const [c, text] = await Promise.all([json("compliance", ...asOf), ok("compliance", ...asOf)])
    const rows = parseTable(text)
    expect(rows).toHaveLength(c.units.length)
    const counts = (cells: ReadonlyArray<string>, from: number) => cells.slice(from, from + 4).map(Number)
    for (const [i, row] of rows.entries()) {
      const u = c.units[i]
      expect(row.cells[0]).toBe(u.name.normalize("NFC"))
      expect(row.cells[1]).toBe(u.unitId)
      expect(counts(row.cells, 3)).toEqual([u.self.onTime, u.self.late, u.self.missing, u.self.pending])
      expect(counts(row.cells, 7)).toEqual([u.total.onTime, u.total.late, u.total.missing, u.total.pending])
      expect(rate(row.cells[11]!)).toBeCloseTo(u.total.reportingRate, 3)
      expect(rate(row.cells[12]!)).toBeCloseTo(u.total.onTimeRate, 3)
      // "This unit and all below" is the unit's own counts plus its children's.
      const expected = counts(row.cells, 3).map(
        (n, k) => n + childrenOf(rows, i).reduce((s, ch) => s + counts(ch.cells, 7)[k]!, 0)
      )
      expect(counts(row.cells, 7), u.unitId).toEqual(expected)
    }
    // The footer is the sum of the "this unit" columns, and the number of obligations.
    const sums = [0, 1, 2, 3].map((k) => rows.reduce((s, r) => s + counts(r.cells, 3)[k]!, 0))
    expect(text).toContain(
      `${c.obligations.length} = ${sums[0]} on time + ${sums[1]} late + ${sums[2]} missing + ${sums[3]} pending`
    )
  })

  it("keeps a subtree with --unit and levels with --depth", async () => {
    const [sub, top, table] = await Promise.all([
      json("compliance", ...asOf, "--unit", "na-hang"),
      json("compliance", ...asOf, "--depth", "1"),
      ok("compliance", ...asOf, "--depth", "1")
    ])
    const kept = ["na-hang", "khau-tinh", "thuong-lam"]
    expect(sub.units.map((u: any) => u.unitId)).toEqual(kept)
    expect(sub.obligations.every((o: any) => kept.includes(o.unitId))).toBe(true)
    expect(top.units.map((u: any) => u.unitId)).toEqual(["tq", "na-hang", "son-duong"])
    expect(parseTable(table).map((r) => r.depth)).toEqual([0, 1, 1])
  })

  it("prints RFC 4180 CSV with a header and the JSON's figures", async () => {
    const [c, csv] = await Promise.all([json("compliance", ...asOf), ok("compliance", ...asOf, "--format", "csv")])
    expect(csv.endsWith("\r\n")).toBe(true)
    const records = csv
      .slice(0, -2)
      .split("\r\n")
      .map((l) => l.split(","))
    const header = records[0]!
    expect(header.slice(0, 5)).toEqual(["planId", "unitId", "name", "level", "parentId"])
    expect(header).toContain("totalReportingRate")
    expect(records).toHaveLength(c.units.length + 1)
    for (const [i, u] of c.units.entries()) {
      const rec = Object.fromEntries(header.map((h, k) => [h, records[i + 1]![k]]))
      expect(rec["unitId"]).toBe(u.unitId)
      expect(rec["parentId"]).toBe(u.parentId ?? "")
      expect(Number(rec["totalMissing"])).toBe(u.total.missing)
      expect(Number(rec["selfOnTime"])).toBe(u.self.onTime)
      expect(rec["totalOnTimeRate"]).toBe(u.total.onTimeRate === null ? "" : String(u.total.onTimeRate))
    }
  })

  it("answers with what was known at a knowledge time", async () => {
    // The sample was recorded today: in 2018 the log knew nothing of plan p-1.
    const [then, now] = await Promise.all([
      fails(["compliance", ...asOf, "--known-at", "2018-06-25", "--db", db]),
      json("compliance", ...asOf, "--known-at", new Date(Date.now() + 60_000).toISOString())
    ])
    expect(then).toBe("kehoach: plan p-1 is not issued")
    expect(now.units.length).toBeGreaterThan(0)
  })
})

describe("coverage", () => {
  const asOf = ["--as-of", "2018-12-31"]

  it("prints the contract JSON: unit rows of exactly eight fields, and the plan block with --plan", async () => {
    const [c, p, selfManaged, tagged] = await Promise.all([
      json("coverage", ...asOf),
      json("coverage", ...asOf, "--plan", "p-1"),
      json("coverage", ...asOf, "--kind", "self-managed"),
      json("coverage", ...asOf, "--tag", "program-135")
    ])
    expect(Object.keys(c)).toEqual(["asOf", "knownAt", "units"])
    for (const u of c.units) {
      expect(Object.keys(u)).toEqual([
        "unitId",
        "name",
        "level",
        "residentialAreas",
        "covered",
        "coverage",
        "households",
        "committed"
      ])
    }
    expect(c.units[0]).toMatchObject({
      unitId: "tq",
      residentialAreas: 4,
      covered: 3,
      coverage: 0.75,
      households: 75,
      committed: 67
    })
    expect(p.plan.planId).toBe("p-1")
    expect(p.plan.levels.find((l: any) => l.level === "district")).toMatchObject({ units: 2, assigned: 2, share: 1 })
    expect(selfManaged.units[0]).toMatchObject({ covered: 2, households: 65 })
    expect(tagged.units[0]).toMatchObject({ residentialAreas: 1, covered: 1 })
  })

  it("prints a table with the JSON's numbers, each row the sum of the rows below it", async () => {
    const [c, text, plan] = await Promise.all([
      json("coverage", ...asOf),
      ok("coverage", ...asOf),
      ok("coverage", ...asOf, "--plan", "p-1")
    ])
    const rows = parseTable(text)
    expect(rows).toHaveLength(c.units.length)
    for (const [i, row] of rows.entries()) {
      const u = c.units[i]
      expect(row.cells.slice(1, 5)).toEqual([u.unitId, u.level, String(u.residentialAreas), String(u.covered)])
      expect(rate(row.cells[5]!)).toBeCloseTo(u.coverage, 3)
      expect(row.cells.slice(6).map(Number)).toEqual([u.households, u.committed])
      const children = childrenOf(rows, i)
      if (children.length > 0) {
        for (const k of [3, 4, 6, 7]) {
          expect(
            children.reduce((s, ch) => s + Number(ch.cells[k]), 0),
            `${u.unitId} column ${k}`
          ).toBe(Number(row.cells[k]))
        }
      }
    }
    expect(plan).toContain("Plan p-1: open units under its issuer tq")
  })

  it("prints CSV, one row per unit", async () => {
    expect(await ok("coverage", ...asOf, "--unit", "na-hang", "--format", "csv")).toBe(
      "unitId,name,level,parentId,residentialAreas,covered,coverage,households,committed\r\n" +
        "na-hang,Huyện Na Hang,district,tq,3,2,0.6666666666666666,65,63\r\n" +
        "khau-tinh,Xã Khâu Tinh,commune,na-hang,1,1,1,25,25\r\n" +
        "khuoi-phuong,Thôn Khuổi Phường,residential-area,khau-tinh,1,1,1,25,25\r\n" +
        "thuong-lam,Xã Thượng Lâm,commune,na-hang,2,1,0.5,40,38\r\n" +
        "ban-bung,Thôn Bản Bung,residential-area,thuong-lam,1,1,1,40,38\r\n" +
        "na-khan,Thôn Nà Khán,residential-area,thuong-lam,1,0,0,0,0\r\n"
    )
  })
})

describe("explain", () => {
  it("explains an obligation by the events that decided it", async () => {
    const args = [
      "--plan",
      "p-1",
      "--unit",
      "son-duong",
      "--schedule",
      "monthly",
      "--period",
      "2018-03",
      "--as-of",
      "2018-12-31"
    ]
    const [x, table, reports] = await Promise.all([
      json("explain", ...args),
      ok("explain", ...args),
      json("log", "--type", "ReportFiled")
    ])
    expect(x.obligation).toMatchObject({ status: "late", reportId: "r-sd-03" })
    expect(x.rollsUpTo).toEqual(["tq"])
    expect(x.events.map((e: any) => e.position)).toContain(
      reports.find((e: any) => e.data.reportId === "r-sd-03").position
    )
    expect(table).toContain("Status: late, filed at 2018-03-25T09:00:00+07:00 (r-sd-03)")
    expect(parseTable(table).map((r) => Number(r.cells[0]))).toEqual(x.events.map((e: any) => e.position))
  })

  it("explains a coverage figure", async () => {
    const [x, table] = await Promise.all([
      json("explain", "--unit", "na-hang", "--as-of", "2018-12-31", "--kind", "self-managed"),
      ok("explain", "--unit", "na-hang", "--as-of", "2018-12-31")
    ])
    expect(x.row).toMatchObject({ unitId: "na-hang", residentialAreas: 3, covered: 2 })
    expect(x.events.some((e: any) => e.role === "model m-1 established in ban-bung")).toBe(true)
    expect(table).toContain("Coverage of Huyện Na Hang")
  })
})

describe("errors: one line on stderr, non-zero status", () => {
  it("a file that does not exist", async () => {
    const missing = path.join(tmp, "nope.ndjson")
    expect(await fails(["import", missing, "--db", db])).toBe(`kehoach: ${missing}: no such file`)
  })

  it("a bad line, by its number, and nothing of the file stored", async () => {
    const fresh = path.join(tmp, "bad.db")
    const badField = path.join(tmp, "bad-field.ndjson")
    const badRule = path.join(tmp, "bad-rule.ndjson")
    const lines = Sample.lines()
    lines.splice(
      2,
      1,
      JSON.stringify({
        type: "UnitRegistered",
        occurredAt: "2017-10-15T09:00:00+07:00",
        data: { unitId: "x", name: "X", level: "tinh" }
      })
    )
    fs.writeFileSync(badField, lines.join("\n") + "\n")
    // A rule broken on the last line: a report from a unit that does not exist.
    const rule = [
      ...Sample.lines(),
      JSON.stringify({
        type: "ReportFiled",
        occurredAt: "2018-04-01T09:00:00+07:00",
        data: {
          reportId: "r-x",
          planId: "p-1",
          unitId: "tq-none",
          scheduleId: "monthly",
          period: "2018-03",
          channel: "paper",
          registerNumber: "sđ-9"
        }
      })
    ]
    fs.writeFileSync(badRule, rule.join("\n") + "\n")
    const field = await fails(["import", badField, "--db", fresh])
    expect(field).toContain(`${badField}, line 3: invalid event: data.level`)
    expect(field).toContain("nothing from the file was stored")
    expect(await fails(["import", badRule, "--db", fresh])).toMatch(new RegExp(`, line ${rule.length}: .*tq-none`))
    expect((await run(["digest", "--db", fresh])).stdout.trim()).toBe(emptyDigest)
  })

  it("an unknown plan, a bad date, a bad format, an unknown unit, missing options, an unknown command", async () => {
    const cases: Array<[ReadonlyArray<string>, string | RegExp]> = [
      [["compliance", "--plan", "nope"], "kehoach: plan nope is not issued"],
      [["compliance", "--plan", "p-1", "--as-of", "2018-02-30"], '--as-of "2018-02-30" is not a date'],
      [["coverage", "--known-at", "yesterday"], '--known-at "yesterday" is not a date'],
      [["compliance", "--plan", "p-1", "--format", "xml"], 'kehoach: --format "xml": expected table, json or csv'],
      [["compliance", "--plan", "p-1", "--unit", "nowhere"], "unit nowhere does not exist at"],
      [["compliance"], "--plan"],
      [["explain", "--plan", "p-1", "--unit", "na-hang"], "--schedule and --period"],
      [
        ["explain", "--plan", "p-1", "--unit", "na-hang", "--schedule", "monthly", "--period", "2017-01"],
        "has no obligation of unit na-hang"
      ],
      [["explain", "--unit", "nowhere"], "nowhere"],
      [["compliance", "--plan", "p-1", "--depth", "-1"], "--depth"],
      [["log", "--type", "Nothing"], "Nothing"],
      [["frobnicate"], "frobnicate"]
    ]
    const lines = await Promise.all(cases.map(([args]) => fails([...args, "--db", db])))
    for (const [i, line] of lines.entries()) {
      const expected = cases[i]![1]
      if (typeof expected === "string") expect(line, cases[i]![0].join(" ")).toContain(expected)
      else expect(line).toMatch(expected)
    }
  })
})

describe("demo", () => {
  it("builds the plan 182 scenario into ./kehoach.db of an empty folder, rebuilds only an untouched demo", async () => {
    const cwd = fs.mkdtempSync(path.join(tmp, "demo-"))
    const r = await run(["demo"], { cwd })
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(fs.existsSync(path.join(cwd, "kehoach.db"))).toBe(true)
    expect(r.stdout).toContain("Plan 182-2018: compliance as of 2018-12-31T23:59:59.999+07:00")
    expect(r.stdout).toContain("Tỉnh Tuyên Quang")
    // Depth 1: the province and its districts.
    const rows = parseTable(r.stdout)
    expect(rows[0]!.depth).toBe(0)
    expect(rows.length).toBeGreaterThan(1)
    expect(rows.slice(1).every((row) => row.depth === 1 && row.cells[2] === "district")).toBe(true)
    // The commands it suggests are the exact commands (the explain one names a real late report).
    const suggested = r.stdout.split("\n").filter((l) => /^ {2}kehoach /.test(l))
    expect(suggested.length).toBeGreaterThan(5)
    const explain = suggested.find((l) => l.startsWith("  kehoach explain --plan"))!
    const explained = await run(explain.trim().split(/\s+/).slice(1), { cwd })
    expect(explained.stderr).toBe("")
    expect(explained.stdout).toContain("Status: late")
    // Running the demo again rebuilds an untouched earlier demo (the README's demo command can be rerun)...
    const again = await run(["demo"], { cwd })
    expect([again.status, again.stderr]).toEqual([0, ""])
    // ...but a database holding anything else is never replaced without --force.
    const other = fs.mkdtempSync(path.join(tmp, "demo-other-"))
    expect((await run(["demo"], { cwd: other })).status).toBe(0)
    const mine = path.join(other, "mine.ndjson")
    fs.writeFileSync(
      mine,
      JSON.stringify({
        type: "ModelEstablished",
        occurredAt: "2019-01-05T09:00:00+07:00",
        data: { modelId: "mine", unitId: "02200-01", kind: "self-managed", name: "Tổ tự quản mới" }
      }) + "\n"
    )
    expect((await run(["import", mine], { cwd: other })).status).toBe(0)
    const refused = await run(["demo"], { cwd: other })
    expect(refused.status).not.toBe(0)
    expect(refused.stderr.trim()).toMatch(
      /^kehoach: \.\/kehoach\.db already holds \d+ events: give another --db, or --force to replace it$/
    )
    expect(
      (await run(["log", "--type", "ModelEstablished", "--unit", "02200-01", "--format", "json"], { cwd: other }))
        .stdout
    ).toContain('"mine"')

    // The first `$ kehoach` example of each command in docs/cli.md runs there as written (the copy.db
    // ones after the export, in order); one per command keeps the suite fast.
    const docs = fs.readFileSync(path.join(cliDir, "..", "..", "docs", "cli.md"), "utf8")
    const examples = docs
      .split("\n")
      .filter((l) => /^\$ (\w+=\S+ )*kehoach /.test(l))
      .map((l) => l.slice(2))
    expect(examples.length).toBeGreaterThan(15)
    const seen = new Set<string>()
    const commands = examples.filter((l) => {
      const key = `${/kehoach (\S+)/.exec(l)![1]}${l.includes("copy.db") ? " copy" : ""}${/^\w+=/.test(l) ? " env" : ""}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    expect(commands.length).toBeGreaterThan(8)
    const runDoc = (line: string) => {
      const words = line.split(/\s+/)
      const env: Record<string, string> = {}
      while (words[0]!.includes("=")) {
        const [k, v] = words.shift()!.split("=")
        env[k!] = v!
      }
      return run(words.slice(1), { cwd, env })
    }
    const first = commands.filter((c) => !c.includes("copy.db"))
    const then = commands.filter((c) => c.includes("copy.db"))
    const outcomes = await Promise.all(first.map(runDoc))
    for (const c of then) outcomes.push(await runDoc(c))
    for (const [i, o] of outcomes.entries()) {
      const line = [...first, ...then][i]
      expect(o.stderr, line).toBe("")
      expect(o.status, line).toBe(0)
    }
  })
})

describe("serve", () => {
  it("serves the database over HTTP until interrupted", async () => {
    const tokens = path.join(tmp, "tokens.json")
    fs.writeFileSync(tokens, JSON.stringify([{ token: "t-auditor-0123456789", actor: "auditor", role: "auditor" }]), {
      mode: 0o600
    })
    const child = spawn(process.execPath, [bundle, "serve", "--port", "0", "--tokens", tokens, "--db", db], {
      cwd: tmp
    })
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = ""
        const timer = setTimeout(() => reject(new Error(`no address in ${out}`)), 20_000)
        const seen = (d: Buffer) => {
          out += d.toString()
          const m = /http:\/\/[\d.]+:\d+/.exec(out)
          if (m !== null) {
            clearTimeout(timer)
            resolve(m[0])
          }
        }
        child.stdout.on("data", seen)
        child.stderr.on("data", seen)
        child.on("exit", () => reject(new Error(`serve exited: ${out}`)))
      })
      const health = await fetch(`${address}/health`)
      expect(health.status).toBe(200)
      const compliance = await fetch(`${address}/compliance?planId=p-1&asOf=2018-03-31`, {
        headers: { Authorization: "Bearer t-auditor-0123456789" }
      })
      expect(compliance.status).toBe(200)
      const body = (await compliance.json()) as { units: Array<{ unitId: string }> }
      expect(body.units.map((u) => u.unitId)).toEqual(
        (await json("compliance", "--plan", "p-1", "--as-of", "2018-03-31")).units.map((u: any) => u.unitId)
      )
    } finally {
      const exited = new Promise((resolve) => child.on("exit", resolve))
      child.kill("SIGINT")
      await exited
    }
  })

  it("names a port that is taken, in one line", async () => {
    const tokens = path.join(tmp, "tokens.json")
    fs.writeFileSync(tokens, JSON.stringify([{ token: "t-auditor-0123456789", actor: "auditor", role: "auditor" }]), {
      mode: 0o600
    })
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    const port = (taken.address() as net.AddressInfo).port
    try {
      expect(await fails(["serve", "--port", String(port), "--tokens", tokens, "--db", db])).toBe(
        `kehoach: cannot listen on 127.0.0.1:${port}: the port is already in use (give another --port)`
      )
    } finally {
      taken.close()
    }
  })
})

describe("audit backdated", () => {
  it("lists the reports recorded more than the window after their filing time, by unit, with both times", async () => {
    // The sample's five reports were received on paper in 2018 and imported now: each is listed.
    const all = await json("audit", "backdated", "--over", "3d")
    expect(all.overDays).toBe(3)
    expect(all.filings.map((f: any) => f.reportId)).toEqual(["r-nh-02", "r-nh-03", "r-sd-02", "r-sd-03", "r-tl-02"])
    for (const f of all.filings) {
      expect(f.channel).toBe("paper")
      expect(f.registerNumber).toBe(`sđ-${f.reportId}`)
      expect(Date.parse(f.recordedAt) - Date.parse(f.filedAt)).toBeGreaterThan(3 * 86_400_000)
      expect(f.days).toBe(Math.floor((Date.parse(f.recordedAt) - Date.parse(f.filedAt)) / 86_400_000))
    }
    // Filtered by unit; a window wider than the gap lists nothing.
    const sd = await json("audit", "backdated", "--over", "3d", "--unit", "son-duong")
    expect(sd.filings.map((f: any) => f.reportId)).toEqual(["r-sd-02", "r-sd-03"])
    expect((await json("audit", "backdated", "--over", "366d", "--plan", "no-such-plan")).filings).toEqual([])
    const table = await ok("audit", "backdated", "--over", "2w")
    expect(table).toContain("5 filings of 3 units.")
    const csv = await ok("audit", "backdated", "--format", "csv")
    expect(csv.split("\r\n")[0]).toBe(
      "unitId,planId,scheduleId,period,reportId,channel,registerNumber,filedAt,recordedAt,days,recordedBy,position"
    )
    expect(await fails(["audit", "backdated", "--over", "3x", "--db", db])).toMatch(/--over "3x" is not a window/)
  })
})
