/**
 * The reorganisation of 1 July 2025 through the built `kehoach`: the demo
 * scenario loaded, the plan that ran across the date judged against the
 * hierarchy of each deadline, and `units load|reorganise` on real files,
 * bad ones included.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const cliDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")
const bundle = path.join(cliDir, "dist", "bundle", "kehoach.mjs")
const data = path.join(cliDir, "..", "..", "packages", "fixtures", "data")

let tmp: string
let db: string

const run = (args: ReadonlyArray<string>) => {
  const env = { ...process.env }
  delete env["KEHOACH_DB"]
  const r = spawnSync(process.execPath, [bundle, ...args], { cwd: tmp, env, encoding: "utf8" })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const json = (args: ReadonlyArray<string>) => {
  const r = run([...args, "--db", db, "--format", "json"])
  expect(r.stderr).toBe("")
  expect(r.status).toBe(0)
  return JSON.parse(r.stdout) as {
    units: Array<{ unitId: string; level: string; parentId?: string; total: Record<string, number> }>
    obligations: Array<{ unitId: string; period: string; deadline: string; status: string }>
  }
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-reorg-"))
  db = path.join(tmp, "demo.db")
  const r = run(["demo", "--scenario", "reorganisation-2025", "--db", db])
  expect(r.stderr).toBe("")
  expect(r.status).toBe(0)
  expect(r.stdout).toContain("Loaded the Tuyên Quang 2025-2026 scenario")
}, 120_000)

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe("a plan that ran across 1 July 2025", () => {
  it("is judged against the hierarchy as it stood at each deadline", () => {
    const all = json(["compliance", "--plan", "05-2025-08", "--as-of", "2025-12-31"])
    const byId = new Map(all.units.map((u) => [u.unitId, u]))
    const july = Date.parse("2025-07-01T00:00:00+07:00")
    // A district owes and rolls up only deadlines before its closure.
    const district = byId.get("070")!
    expect(district.level).toBe("district")
    const due = (o: { deadline: string }) => Date.parse(o.deadline)
    const communesOf070 = all.units.filter((u) => u.parentId === "070").map((u) => u.unitId)
    expect(communesOf070.length).toBeGreaterThan(5)
    for (const o of all.obligations.filter((o) => o.unitId === "070" || communesOf070.includes(o.unitId))) {
      expect(due(o)).toBeLessThan(july)
    }
    const counted = (u: { total: Record<string, number> }) =>
      u.total["onTime"]! + u.total["late"]! + u.total["missing"]! + u.total["pending"]!
    const under070 = all.obligations.filter((o) => o.unitId === "070" || communesOf070.includes(o.unitId)).length
    expect(counted(district)).toBe(under070)
    // New communes sit directly under the province and owe only deadlines after the change.
    const fresh = all.units.filter((u) => u.unitId.endsWith("@2025-07-01"))
    expect(fresh.length).toBeGreaterThan(50)
    for (const u of fresh) expect(u.parentId).toBe("08")
    for (const o of all.obligations.filter((o) => o.unitId.endsWith("@2025-07-01")))
      expect(due(o)).toBeGreaterThan(july)
    // The province's total counts every obligation once, before and after.
    expect(counted(byId.get("08")!)).toBe(all.obligations.length)
    expect(all.obligations.some((o) => due(o) < july)).toBe(true)
  })

  it("as of 30 June 2025 is the same with or without the reorganisation in the log", () => {
    const before = json(["compliance", "--plan", "05-2025-08", "--as-of", "2025-06-30", "--known-at", "2025-06-30"])
    const plain = path.join(tmp, "june.db")
    const exported = path.join(tmp, "june.ndjson")
    expect(run(["export", "--db", db, "--out", exported]).status).toBe(0)
    // Keep only what was recorded before the reorganisation: the log as it stood on 30 June.
    const lines = fs
      .readFileSync(exported, "utf8")
      .split("\n")
      .filter((l) => l !== "" && JSON.parse(l).recordedAt < "2025-07-01")
    fs.writeFileSync(exported, lines.join("\n") + "\n")
    expect(run(["import", exported, "--db", plain]).status).toBe(0)
    const r = run([
      "compliance",
      "--plan",
      "05-2025-08",
      "--as-of",
      "2025-06-30",
      "--known-at",
      "2025-06-30",
      "--db",
      plain,
      "--format",
      "json"
    ])
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(before)
  })

  it("the 2026 plan of the new province covers all its 124 communes", () => {
    const plan = json(["compliance", "--plan", "12-2026-08", "--as-of", "2026-11-30"])
    expect(plan.units.filter((u) => u.level === "commune")).toHaveLength(124)
    expect(plan.units.filter((u) => u.level === "district")).toHaveLength(0)
  })
})

describe("kehoach units", () => {
  it("loads the 2025 list, reorganises, and finds the list of 1 July already true", () => {
    const units = path.join(tmp, "units.db")
    const dry = run(["units", "load", path.join(data, "units-2025-06-30.csv"), "--at", "2025-01-01", "--db", units])
    expect(dry.status).toBe(0)
    expect(dry.stdout.split("\n")[0]).toBe(
      "Dry run: 10789 changes on 2025-01-01T00:00:00+07:00: register 63 provinces, 691 districts, 10035 communes; move nothing; close nothing."
    )
    expect(run(["verify", "--db", units]).stdout).toContain("0 events")
    expect(
      run(["units", "load", path.join(data, "units-2025-06-30.csv"), "--at", "2025-01-01", "--db", units, "--apply"])
        .status
    ).toBe(0)
    const reorg = run([
      "units",
      "reorganise",
      path.join(data, "reorganisation-2025-07-01.csv"),
      "--at",
      "2025-07-01",
      "--db",
      units,
      "--apply"
    ])
    expect(reorg.stderr).toBe("")
    expect(reorg.stdout).toContain(
      "register 7 provinces, 3206 communes; move 115 communes; close 9920 communes, 691 districts, 36 provinces"
    )
    const after = run(["units", "load", path.join(data, "units-2025-07-01.csv"), "--at", "2025-07-01", "--db", units])
    expect(after.stdout).toContain("Nothing to do.")
  }, 120_000)

  it("refuses a bad list as a whole, with the line and what is wrong", () => {
    const bad = path.join(tmp, "bad.csv")
    const header = "communeCode,communeName,districtCode,districtName,provinceCode,provinceName"
    const cases: Array<[string, string]> = [
      [
        `${header}\n00001,Phường A,001,Quận B,01,Hà Nội\n00001,Phường C,001,Quận B,01,Hà Nội\n`,
        "line 3: commune 00001 is listed twice (first on line 2)"
      ],
      [`${header}\n00001,Phường A,001,Quận B,,Hà Nội\n`, "line 2: commune 00001 has no province"],
      [
        `${header}\n00001,Phường A,001,Quận B,001,Hà Nội\n`,
        "line 2: code 001 is a district here and a province on line 2 (a unit would be its own ancestor)"
      ]
    ]
    for (const [text, expected] of cases) {
      fs.writeFileSync(bad, text)
      const r = run(["units", "load", bad, "--at", "2025-01-01", "--db", path.join(tmp, "bad.db"), "--apply"])
      expect(r.status).not.toBe(0)
      expect(r.stderr).toBe(`kehoach: ${bad}, line ${expected.slice(5)}\n`)
    }
    fs.writeFileSync(
      bad,
      "oldProvinceCode,oldDistrictCode,oldCommuneCode,oldCommuneName,split,newProvinceCode,newProvinceName,newCommuneCode,newCommuneName,newCommuneType\n01,001,99999,X,no,01,Hà Nội,00004,Phường Ba Đình,Phường\n"
    )
    const r = run(["units", "reorganise", bad, "--at", "2025-07-01", "--db", path.join(tmp, "units.db")])
    expect(r.status).not.toBe(0)
    expect(r.stderr).toMatch(/line 2: unknown (province|district|commune) /)
    const early = run([
      "units",
      "reorganise",
      path.join(data, "reorganisation-2025-07-01.csv"),
      "--at",
      "2024-12-01",
      "--db",
      db,
      "--province",
      "08"
    ])
    expect(early.status).not.toBe(0)
    expect(early.stderr).toContain("is registered only from 2025-01-01T00:00:00+07:00, after 2024-12-01")
  })
})
