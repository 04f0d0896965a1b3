import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { Compliance, ComplianceMatrix } from "../src/index.js"
import type { Step } from "./Given.js"
import { assign, given, issued, report, t, tuyenQuang } from "./Given.js"

const base: ReadonlyArray<Step> = [
  ...tuyenQuang,
  issued,
  assign("070"),
  assign("071"),
  assign("02200"),
  assign("02215")
]

const both = (steps: ReadonlyArray<Step>, query: { asOf: string; unit?: string; depth?: number }) => {
  const state = given(steps)
  const q = { planId: "182-2018", asOf: t(query.asOf), knownAt: t(query.asOf), unit: query.unit, depth: query.depth }
  const m = ComplianceMatrix.project(state, q)
  const c = Compliance.project(state, q)
  if (Either.isLeft(m) || Either.isLeft(c)) throw new Error("plan not found")
  return { matrix: m.right, compliance: c.right }
}

describe("ComplianceMatrix", () => {
  it("has one column per (schedule, period) of the plan, by deadline, and the province's cells roll up its units", () => {
    const { matrix } = both([...base, report("r1", "070", "2018-03", "2018-03-10T09:00:00+07:00")], {
      asOf: "2018-03-31"
    })
    assert.deepStrictEqual(
      matrix.columns.map((c) => `${c.scheduleId}/${c.period}`),
      [
        ...["02", "03", "04", "05", "06", "07", "08", "09", "10", "11"].map((m) => `monthly/2018-${m}`),
        "annual/2018",
        "monthly/2018-12"
      ]
    )
    assert.deepStrictEqual(
      matrix.columns.slice(9, 11).map((c) => c.period),
      ["2018-11", "2018"]
    )
    const march = matrix.columns.findIndex((c) => c.period === "2018-03")
    const province = matrix.rows.find((r) => r.unitId === "08")!
    // 070 on time, 071, 02200 and 02215 missing.
    assert.deepStrictEqual(province.cells[march], { counts: [1, 0, 3, 0], own: null })
    const district = matrix.rows.find((r) => r.unitId === "070")!
    assert.deepStrictEqual(district.cells[march], { counts: [1, 0, 1, 0], own: "on-time" })
    assert.strictEqual(district.children, 1)
    assert.strictEqual(
      matrix.rows.find((r) => r.unitId === "02209"),
      undefined
    )
  })

  it("selects rows as compliance does (unit, depth) and keeps every column", () => {
    const { compliance, matrix } = both(base, { asOf: "2018-06-30", unit: "070", depth: 1 })
    assert.deepStrictEqual(
      matrix.rows.map((r) => r.unitId),
      compliance.units.map((u) => u.unitId)
    )
    assert.strictEqual(matrix.columns.length, 12)
  })

  it("law: each row's cells add up to the row's compliance total, whatever was filed and whenever asked", () => {
    const months = ["2018-02", "2018-03", "2018-04", "2018-05", "2018-06", "2018-07", "2018-08"]
    const units = ["070", "071", "02200", "02215"]
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            unit: fc.constantFrom(...units),
            month: fc.constantFrom(...months),
            day: fc.integer({ min: 1, max: 28 })
          }),
          { maxLength: 12, selector: (f) => `${f.unit}/${f.month}` }
        ),
        fc.constantFrom("2018-02-28", "2018-05-19", "2018-05-20", "2018-09-01", "2019-01-01"),
        (filings, asOf) => {
          const steps = [
            ...base,
            ...filings.map((f, i) =>
              report(`r${i}`, f.unit, f.month, `${f.month}-${String(f.day).padStart(2, "0")}T09:00:00+07:00`)
            )
          ]
          const { compliance, matrix } = both(steps, { asOf })
          assert.deepStrictEqual(
            matrix.rows.map((r) => r.unitId),
            compliance.units.map((u) => u.unitId)
          )
          for (const row of matrix.rows) {
            const sum = [0, 0, 0, 0]
            for (const cell of row.cells) if (cell !== null) cell.counts.forEach((n, k) => (sum[k] += n))
            const total = compliance.units.find((u) => u.unitId === row.unitId)!.total
            assert.deepStrictEqual(sum, [total.onTime, total.late, total.missing, total.pending])
            assert.deepStrictEqual(row.total, total)
          }
        }
      ),
      { numRuns: 60 }
    )
  })
})
