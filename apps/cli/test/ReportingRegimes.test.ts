/**
 * Issue 11 end to end, through the built `kehoach` on a real SQLite file: a
 * plan with all five kinds of schedule on real dates across the
 * reorganisation of 1 July 2025 (the district closes, its communes move under
 * the province), a leap-year deadline, compliance by schedule, explain, the
 * due list in three formats, bad schedules refused naming the field, and a
 * version-1 PlanIssued that keeps its bytes through export and import.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"

const cliDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")
const bundle = path.join(cliDir, "dist", "bundle", "kehoach.mjs")

let tmp: string
let db: string

const run = (args: ReadonlyArray<string>): Promise<{ status: number | null; stdout: string; stderr: string }> =>
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
    child.stdin.end("")
  })

const ok = async (...args: ReadonlyArray<string>): Promise<string> => {
  const r = await run([...args, "--db", db])
  expect(r.stderr, `stderr of kehoach ${args.join(" ")}`).toBe("")
  expect(r.status).toBe(0)
  return r.stdout
}
const json = async (...args: ReadonlyArray<string>): Promise<any> => JSON.parse(await ok(...args, "--format", "json"))
const fails = async (...args: ReadonlyArray<string>): Promise<string> => {
  const r = await run(args)
  expect(r.status).not.toBe(0)
  const lines = r.stderr.split("\n").filter((l) => l !== "")
  expect(lines).toHaveLength(1)
  return lines[0]!
}

const line = (type: string, occurredAt: string, data: object, extra: object = {}) =>
  JSON.stringify({ type, occurredAt, ...extra, data })

const unit = (unitId: string, name: string, level: string, parentId?: string) =>
  line("UnitRegistered", "2024-01-01T08:00:00+07:00", { unitId, name, level, ...(parentId ? { parentId } : {}) })

/** Kế hoạch 15/KH-MTTQ-BTT: every kind of schedule, in force for 2025 and 2026. */
const plan = {
  planId: "15-2025",
  documentNumber: "15/KH-MTTQ-BTT",
  title: "Phòng, chống ma túy giai đoạn 2025-2026",
  issuerId: "08",
  effectiveFrom: "2025-01-01",
  effectiveUntil: "2026-12-31",
  schedules: [
    { scheduleId: "thang", kind: "monthly", dueBeforeDay: 20 },
    { scheduleId: "quy", kind: "quarterly", dueBeforeDay: 20, dueMonthOffset: 1 },
    { scheduleId: "6thang", kind: "half-yearly", dueBeforeDay: 15, dueMonthOffset: 0 },
    { scheduleId: "nam", kind: "yearly", dueBeforeDay: 30, dueMonthOffset: -1 },
    { scheduleId: "giua-ky", kind: "once", period: "so-ket-giua-ky", dueBefore: "2025-12-15" }
  ]
}

const log = [
  unit("08", "Tỉnh Tuyên Quang", "province"),
  unit("070", "Thành phố Tuyên Quang", "district", "08"),
  unit("02200", "Phường Phan Thiết", "commune", "070"),
  unit("02215", "Xã Tràng Đà", "commune", "070"),
  line("PlanIssued", "2025-01-10T08:00:00+07:00", plan),
  line("UnitAssigned", "2025-01-15T08:00:00+07:00", {
    planId: "15-2025",
    unitId: "070",
    schedules: ["quy"],
    subPlanDueBy: "2025-02-28"
  }),
  line("UnitAssigned", "2025-01-15T08:00:00+07:00", { planId: "15-2025", unitId: "02200" }),
  line("UnitAssigned", "2025-01-15T08:00:00+07:00", { planId: "15-2025", unitId: "02215", schedules: ["quy", "nam"] }),
  line("PlanIssued", "2025-03-05T08:00:00+07:00", {
    planId: "15-2025-070",
    documentNumber: "07/KH-MTTQ",
    title: "Kế hoạch thực hiện",
    issuerId: "070",
    parentPlanId: "15-2025",
    effectiveFrom: "2025-03-05",
    effectiveUntil: "2025-06-30",
    schedules: []
  }),
  line("ReportFiled", "2025-04-10T09:00:00+07:00", {
    channel: "paper",
    registerNumber: "sđ-203",
    reportId: "q1-02200",
    planId: "15-2025",
    unitId: "02200",
    scheduleId: "quy",
    period: "2025-Q1"
  }),
  line("ReportFiled", "2025-06-14T16:00:00+07:00", {
    channel: "paper",
    registerNumber: "sđ-301",
    reportId: "h1-02200",
    planId: "15-2025",
    unitId: "02200",
    scheduleId: "6thang",
    period: "2025-H1"
  }),
  // The reorganisation of 1 July 2025: no district level; the communes sit under the province.
  line("UnitMoved", "2025-07-01T00:00:00+07:00", { unitId: "02200", parentId: "08" }),
  line("UnitMoved", "2025-07-01T00:00:00+07:00", { unitId: "02215", parentId: "08" }),
  line("UnitClosed", "2025-07-01T00:00:00+07:00", { unitId: "070" }),
  line("ReportFiled", "2025-07-25T10:00:00+07:00", {
    channel: "paper",
    registerNumber: "sđ-608",
    reportId: "q2-02200",
    planId: "15-2025",
    unitId: "02200",
    scheduleId: "quy",
    period: "2025-Q2"
  }),
  // A plan of 2028 whose yearly review is due before 29 February (a leap year).
  line("PlanIssued", "2027-12-01T08:00:00+07:00", {
    planId: "2028",
    documentNumber: "01/KH-2028",
    title: "Kế hoạch năm 2028",
    issuerId: "08",
    effectiveFrom: "2028-01-01",
    effectiveUntil: "2028-12-31",
    schedules: [{ scheduleId: "nam", kind: "yearly", dueBeforeDay: 29, dueMonthOffset: -10 }]
  }),
  line("UnitAssigned", "2027-12-02T08:00:00+07:00", { planId: "2028", unitId: "02200" })
]

beforeAll(async () => {
  const built = spawnSync(process.execPath, [path.join(cliDir, "scripts", "bundle.mjs")], { encoding: "utf8" })
  if (built.status !== 0) throw new Error(`bundling failed: ${built.stderr}`)
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-i11-"))
  db = path.join(tmp, "regimes.db")
  fs.writeFileSync(path.join(tmp, "regimes.ndjson"), log.join("\n") + "\n")
  await ok("import", path.join(tmp, "regimes.ndjson"))
}, 60_000)

describe.concurrent("A plan with all five kinds of schedule, across 1 July 2025", () => {
  it("imports, and each schedule's periods and deadlines are the ones written", async () => {
    const c = await json("compliance", "--plan", "15-2025", "--as-of", "2027-06-30", "--unit", "02200")
    const periods = (id: string) =>
      c.obligations.filter((o: any) => o.scheduleId === id).map((o: any) => `${o.period} ${o.deadline.slice(0, 10)}`)
    expect(periods("quy")).toEqual([
      "2025-Q1 2025-04-20",
      "2025-Q2 2025-07-20",
      "2025-Q3 2025-10-20",
      "2025-Q4 2026-01-20",
      "2026-Q1 2026-04-20",
      "2026-Q2 2026-07-20",
      "2026-Q3 2026-10-20",
      "2026-Q4 2027-01-20"
    ])
    expect(periods("6thang")).toEqual([
      "2025-H1 2025-06-15",
      "2025-H2 2025-12-15",
      "2026-H1 2026-06-15",
      "2026-H2 2026-12-15"
    ])
    expect(periods("nam")).toEqual(["2025 2025-11-30", "2026 2026-11-30"])
    expect(periods("giua-ky")).toEqual(["so-ket-giua-ky 2025-12-15"])
    expect(periods("thang")).toHaveLength(24)
    expect(c.schedules.map((s: any) => `${s.scheduleId}:${s.kind}`)).toEqual([
      "thang:monthly",
      "quy:quarterly",
      "6thang:half-yearly",
      "nam:yearly",
      "giua-ky:once",
      "sub-plan:sub-plan"
    ])
  })

  it("counts by schedule, rolled up by the hierarchy of each deadline", async () => {
    const [c, all, table, unknown] = await Promise.all([
      json("compliance", "--plan", "15-2025", "--as-of", "2025-08-01", "--schedule", "quy"),
      json("compliance", "--plan", "15-2025", "--as-of", "2025-08-01"),
      ok("compliance", "--plan", "15-2025", "--as-of", "2025-08-01"),
      fails("compliance", "--plan", "15-2025", "--schedule", "tuan", "--db", db)
    ])
    expect(c.schedule).toBe("quy")
    expect(new Set(c.obligations.map((o: any) => o.scheduleId))).toEqual(new Set(["quy"]))
    const row = (id: string) => c.units.find((u: any) => u.unitId === id)
    // Q1 (due 20 April) rolls up to the district; Q2 (due 20 July, after the reorganisation) straight to the province.
    expect(row("070").total).toMatchObject({ onTime: 1, late: 0, missing: 2, pending: 0 })
    expect(row("08").total).toMatchObject({ onTime: 1, late: 1, missing: 3, pending: 12 })
    expect(row("02200").self).toMatchObject({ onTime: 1, late: 1, missing: 0, pending: 6 })
    expect(Object.keys(row("08").bySchedule)).toEqual(["quy"])
    expect(row("08").bySchedule.quy.total).toEqual(row("08").total)

    const province = all.units.find((u: any) => u.unitId === "08")
    expect(Object.keys(province.bySchedule)).toEqual(["thang", "quy", "6thang", "nam", "giua-ky", "sub-plan"])
    // The counts by schedule add up to the totals, field by field.
    for (const k of ["onTime", "late", "missing", "pending"]) {
      const sum = Object.values(province.bySchedule).reduce((n: number, s: any) => n + s.total[k], 0)
      expect(sum, k).toBe(province.total[k])
    }
    expect(province.bySchedule["sub-plan"].total).toMatchObject({ onTime: 0, late: 1 })
    expect(province.bySchedule["6thang"].total).toMatchObject({ onTime: 1, missing: 0, pending: 3 })

    expect(table).toMatch(
      /sub-plan\s+1 = 0 on time \+ 1 late \+ 0 missing \+ 0 pending.*\(sub-plans to issue, not reports\)/
    )
    expect(table).toMatch(/quy\s+.*\(quarterly reports\)/)
    expect(unknown).toBe("kehoach: plan 15-2025 has no schedule tuan")
  })

  it("explains a quarter on each side of the reorganisation", async () => {
    const explain = (period: string) =>
      json(
        "explain",
        "--plan",
        "15-2025",
        "--unit",
        "02200",
        "--schedule",
        "quy",
        "--period",
        period,
        "--as-of",
        "2025-08-01"
      )
    const [q1, q2] = await Promise.all([explain("2025-Q1"), explain("2025-Q2")])
    expect(q1.obligation).toMatchObject({
      status: "on-time",
      deadline: "2025-04-20T00:00:00+07:00",
      reportId: "q1-02200"
    })
    expect(q1.rollsUpTo).toEqual(["070", "08"])
    expect(q2.obligation).toMatchObject({ status: "late", deadline: "2025-07-20T00:00:00+07:00", reportId: "q2-02200" })
    expect(q2.rollsUpTo).toEqual(["08"])
  })

  it("lists what falls due within 7 days and what is overdue, by unit, in three formats", async () => {
    const [d, csv, table, badWindow] = await Promise.all([
      json("due", "--plan", "15-2025", "--within", "7d", "--as-of", "2025-07-13"),
      ok("due", "--plan", "15-2025", "--as-of", "2025-07-13", "--unit", "02215", "--format", "csv"),
      ok("due", "--plan", "15-2025", "--as-of", "2025-07-13"),
      fails("due", "--plan", "15-2025", "--within", "soon", "--db", db)
    ])
    expect(d.withinDays).toBe(7)
    const q2 = d.items.find((r: any) => r.unitId === "02215" && r.period === "2025-Q2")
    expect(q2).toEqual({
      unitId: "02215",
      name: "Xã Tràng Đà",
      level: "commune",
      parentId: "08",
      parentName: "Tỉnh Tuyên Quang",
      scheduleId: "quy",
      kind: "quarterly",
      period: "2025-Q2",
      deadline: "2025-07-20T00:00:00+07:00",
      status: "due",
      daysLeft: 7,
      daysLate: null
    })
    const q1 = d.items.find((r: any) => r.unitId === "02215" && r.period === "2025-Q1")
    expect(q1).toMatchObject({ status: "overdue", daysLeft: null, daysLate: 85 })
    // The closed district is reminded of nothing; the half-year filed in time is not listed.
    expect(d.items.some((r: any) => r.unitId === "070")).toBe(false)
    expect(d.items.some((r: any) => r.scheduleId === "6thang")).toBe(false)
    expect(d.items.find((r: any) => r.unitId === "02200" && r.period === "2025-07")).toMatchObject({
      status: "due",
      daysLeft: 7
    })
    expect(d.items.some((r: any) => r.period === "2025-08")).toBe(false)
    // Units in the order of the hierarchy, each unit's rows by deadline.
    const units = d.items.map((r: any) => r.unitId)
    expect(units).toEqual([...units].sort())

    const rows = csv.trimEnd().split("\r\n")
    expect(rows[0]).toBe(
      "planId,unitId,name,level,parentId,parentName,scheduleId,kind,period,deadline,status,daysLeft,daysLate"
    )
    expect(rows).toContain(
      "15-2025,02215,Xã Tràng Đà,commune,08,Tỉnh Tuyên Quang,quy,quarterly,2025-Q2,2025-07-20T00:00:00+07:00,due,7,"
    )
    expect(rows.slice(1).every((r) => r.startsWith("15-2025,02215,"))).toBe(true)

    expect(table).toContain("Plan 15-2025: due within 7 days")
    expect(table).toMatch(/quarterly report\s+2025-Q2\s+2025-07-20\s+due\s+7 left/)
    expect(table).toMatch(/2025-Q1\s+2025-04-20\s+overdue\s+85 late/)

    expect(badWindow).toMatch(/^kehoach: --within "soon"/)
  })

  it("a leap year's 29 February is a deadline", async () => {
    const c = await json("compliance", "--plan", "2028", "--as-of", "2028-12-31")
    expect(c.obligations).toEqual([
      {
        unitId: "02200",
        scheduleId: "nam",
        period: "2028",
        deadline: "2028-02-29T00:00:00+07:00",
        status: "missing",
        filedAt: null,
        reportId: null,
        channel: null,
        recordedAt: null,
        registerNumber: null
      }
    ])
    expect(c.schedules).toEqual([
      { scheduleId: "nam", kind: "yearly", counts: expect.objectContaining({ missing: 1 }) }
    ])
  })
})

describe.concurrent("Bad schedules are refused on import, naming the line and the field", () => {
  const importing = async (schedules: ReadonlyArray<object>, name: string) => {
    const file = path.join(tmp, `${name}.ndjson`)
    fs.writeFileSync(
      file,
      [unit("08", "Tỉnh", "province"), line("PlanIssued", "2025-01-10T08:00:00+07:00", { ...plan, schedules })].join(
        "\n"
      ) + "\n"
    )
    return fails("import", file, "--db", path.join(tmp, `${name}.db`))
  }

  it("a due day 31 in a 30-day month", async () => {
    expect(
      await importing([{ scheduleId: "quy", kind: "quarterly", dueBeforeDay: 31, dueMonthOffset: 1 }], "day31")
    ).toMatch(/line 2.*schedules\.0\.dueBeforeDay: day 31 does not exist in April 2025, the due month of 2025-Q1/)
  })

  it("29 February in a year that has none", async () => {
    expect(
      await importing([{ scheduleId: "nam", kind: "yearly", dueBeforeDay: 29, dueMonthOffset: -10 }], "feb29")
    ).toMatch(/schedules\.0\.dueBeforeDay: day 29 does not exist in February 2025/)
  })

  it("a half-year due before its period starts", async () => {
    expect(
      await importing([{ scheduleId: "h", kind: "half-yearly", dueBeforeDay: 15, dueMonthOffset: -6 }], "early")
    ).toMatch(/schedules\.0\.dueMonthOffset: a half-yearly period would be due before it starts/)
  })

  it("an unknown kind", async () => {
    expect(await importing([{ scheduleId: "w", kind: "weekly", dueBeforeDay: 1 }], "weekly")).toMatch(
      /line 2.*data\.schedules\.0\.kind: expected one of "monthly", "once", "quarterly", "half-yearly", "yearly", got "weekly"/
    )
  })
})

describe("PlanIssued version 1 keeps its bytes", () => {
  it("a version-1 line is stored as written, verifies, and round-trips through export and import byte for byte", async () => {
    const v1 = path.join(tmp, "v1.ndjson")
    fs.writeFileSync(
      v1,
      [
        unit("08", "Tỉnh", "province"),
        line(
          "PlanIssued",
          "2024-01-30T08:00:00+07:00",
          {
            planId: "182-2018",
            documentNumber: "182/KH-MTTQ-BTT",
            title: "Kế hoạch 182",
            issuerId: "08",
            effectiveFrom: "2018-01-30",
            effectiveUntil: "2018-12-31",
            schedules: [{ scheduleId: "monthly", kind: "monthly", dueBeforeDay: 20 }]
          },
          { version: 1 }
        )
      ].join("\n") + "\n"
    )
    const first = path.join(tmp, "v1-first.db")
    const second = path.join(tmp, "v1-second.db")
    expect((await run(["import", v1, "--db", first])).status).toBe(0)
    const exported = (await run(["export", "--db", first])).stdout
    const lines = exported
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l))
    expect(lines[1]).toMatchObject({ type: "PlanIssued", version: 1 })
    fs.writeFileSync(path.join(tmp, "v1-export.ndjson"), exported)
    expect((await run(["import", path.join(tmp, "v1-export.ndjson"), "--db", second])).status).toBe(0)
    expect((await run(["export", "--db", second])).stdout).toBe(exported)
    expect((await run(["verify", "--db", second])).status).toBe(0)
    // A version-1 line may not carry the kinds of version 2.
    const bad = path.join(tmp, "v1-bad.ndjson")
    fs.writeFileSync(
      bad,
      [unit("08", "Tỉnh", "province"), line("PlanIssued", "2025-01-10T08:00:00+07:00", plan, { version: 1 })].join(
        "\n"
      ) + "\n"
    )
    expect(await fails("import", bad, "--db", path.join(tmp, "v1-bad.db"))).toMatch(
      /data\.schedules\.1\.kind: expected one of "monthly", "once", got "quarterly" \(in version 1 of PlanIssued\)/
    )
  })
})
