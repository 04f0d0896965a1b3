import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { Coverage, Explain } from "../src/index.js"
import type { Step } from "./Given.js"
import { assign, given, issued, on, t, tuyenQuang } from "./Given.js"

const model = (
  modelId: string,
  unitId: string,
  at: string,
  households = 0,
  committed = 0,
  kind = "self-managed"
): Step =>
  on(at, {
    type: "ModelEstablished",
    data: { modelId, unitId, kind, name: `Mô hình ${modelId}`, households, committed }
  })

const steps: ReadonlyArray<Step> = [
  ...tuyenQuang,
  model("m1", "02200-01", "2018-03-01T08:00:00+07:00", 120, 110),
  model("m2", "02200-01", "2018-04-01T08:00:00+07:00", 30, 30, "security"),
  model("m3", "02209-01", "2018-05-01T08:00:00+07:00", 80, 75),
  model("m4", "02215-01", "2018-05-01T08:00:00+07:00", 60, 40),
  on("2018-09-01T08:00:00+07:00", { type: "ModelDissolved", data: { modelId: "m4" } }, "2018-09-10T08:00:00+07:00")
]

const project = (asOf: string, extra: Partial<Coverage.Query> = {}, knownAt = asOf) =>
  Either.getOrThrow(Coverage.project(given(steps), { asOf: t(asOf), knownAt: t(knownAt), ...extra }))

const row = (c: Coverage.Coverage, unitId: string) => c.units.find((u) => u.unitId === unitId)!

describe("Coverage (DOMAIN.md §4.2)", () => {
  it("counts open residential areas and those with an active model, up the tree", () => {
    const c = project("2018-06-30")
    assert.deepStrictEqual([row(c, "08").residentialAreas, row(c, "08").covered, row(c, "08").coverage], [5, 3, 3 / 5])
    assert.deepStrictEqual([row(c, "070").residentialAreas, row(c, "070").covered], [3, 2])
    assert.deepStrictEqual(
      [row(c, "02200").covered, row(c, "02200").households, row(c, "02200").committed],
      [1, 150, 140]
    )
    assert.strictEqual(row(c, "08").households, 120 + 30 + 80 + 60)
    assert.strictEqual(row(c, "02200-01").coverage, 1)
    assert.strictEqual(row(c, "02200-02").coverage, 0)
  })

  it("stops counting a dissolved model, as far as the log knew", () => {
    assert.strictEqual(row(project("2018-09-30"), "071").covered, 0)
    assert.strictEqual(row(project("2018-09-30", {}, "2018-09-05"), "071").covered, 1)
  })

  it("counts nothing before it happened", () => {
    const c = project("2018-02-28")
    assert.deepStrictEqual([row(c, "08").covered, row(c, "08").households], [0, 0])
  })

  it("selects a subtree, and names an unknown unit", () => {
    assert.deepStrictEqual(
      project("2018-06-30", { unit: "071", depth: 1 }).units.map((u) => u.unitId),
      ["071", "02215"]
    )
    const unknown = Coverage.project(given(steps), { asOf: t("2018-06-30"), knownAt: t("2018-06-30"), unit: "zz" })
    assert.strictEqual(Either.isLeft(unknown) && unknown.left._tag, "UnitNotFound")
  })

  it("filters models by kind", () => {
    const c = project("2018-06-30", { kind: "security" })
    assert.deepStrictEqual([row(c, "08").covered, row(c, "08").households], [1, 30])
  })

  it("restricts to residential areas that carry a tag or lie under a unit that carries it", () => {
    const c = project("2018-06-30", { tag: "key-area" })
    assert.deepStrictEqual([row(c, "08").residentialAreas, row(c, "08").covered, row(c, "08").households], [1, 1, 80])
    assert.deepStrictEqual([row(c, "071").residentialAreas, row(c, "071").coverage], [0, null])
  })

  it("uses the hierarchy as it stands at asOf, and leaves closed units out", () => {
    const moved = [
      ...steps,
      on("2018-07-01T00:00:00+07:00", { type: "UnitMoved", data: { unitId: "02209", parentId: "071" } }),
      on("2018-07-02T00:00:00+07:00", { type: "UnitClosed", data: { unitId: "02200-02" } })
    ]
    const c = Either.getOrThrow(Coverage.project(given(moved), { asOf: t("2018-07-31"), knownAt: t("2018-12-31") }))
    assert.deepStrictEqual([row(c, "070").residentialAreas, row(c, "071").residentialAreas], [1, 3])
    assert.isUndefined(row(c, "02200-02"))
  })

  it("gives a plan's share of open units at each level under the issuer that are assigned to it", () => {
    const c = Either.getOrThrow(
      Coverage.project(given([...steps, issued, assign("070"), assign("071"), assign("02200")]), {
        asOf: t("2018-12-31"),
        knownAt: t("2018-12-31"),
        planId: "182-2018"
      })
    )
    assert.deepStrictEqual(c.plan?.levels, [
      { level: "district", units: 2, assigned: 2, share: 1 },
      { level: "commune", units: 3, assigned: 1, share: 1 / 3 },
      { level: "residential-area", units: 5, assigned: 0, share: 0 }
    ])
  })

  it("explains a figure with the residential areas and models behind it", () => {
    const explained = Either.getOrThrow(
      Explain.coverage(given(steps), { unitId: "02200", asOf: t("2018-06-30"), knownAt: t("2018-06-30") })
    )
    assert.strictEqual(explained.row.covered, 1)
    const roles = explained.events.map((e) => e.role)
    assert.includeMembers(roles, [
      "residential area 02200-01 registered",
      "residential area 02200-02 registered",
      "model m1 established in 02200-01",
      "model m2 established in 02200-01"
    ])
    assert.strictEqual(
      Either.isLeft(Explain.coverage(given(steps), { unitId: "zz", asOf: t("2018-06-30"), knownAt: t("2018-06-30") })),
      true
    )
  })
})

describe("Coverage: the JSON contract", () => {
  it("has exactly the fields of DOMAIN.md §5 in each row", () => {
    const c = Coverage.toContract(project("2018-06-30", { kind: "self-managed" }))
    assert.deepStrictEqual(Object.keys(c), ["asOf", "knownAt", "kind", "units"])
    assert.deepStrictEqual(Object.keys(c.units[0]!), [
      "unitId",
      "name",
      "level",
      "residentialAreas",
      "covered",
      "coverage",
      "households",
      "committed"
    ])
  })
})
