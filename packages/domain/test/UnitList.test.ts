/**
 * Unit lists and reorganisation mappings on small hand-made files: the ids,
 * the rule for split communes and residential areas, the order the rules
 * accept, and every refusal with its line.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { Decide, Events, Hierarchy, Reorganisation, State, Time, UnitList } from "../src/index.js"

const listHeader = "communeCode,communeName,communeType,districtCode,districtName,provinceCode,provinceName"
const oldList = [
  listHeader,
  "00001,Phường Phúc Xá,Phường,001,Quận Ba Đình,01,Thành phố Hà Nội",
  "00004,Phường Trúc Bạch,Phường,001,Quận Ba Đình,01,Thành phố Hà Nội",
  "00007,Phường Cống Vị,Phường,001,Quận Ba Đình,01,Thành phố Hà Nội",
  "00010,Xã Yên,Xã,002,Huyện Sóc,02,Tỉnh Hà Giang"
].join("\n")

const mappingHeader =
  "oldProvinceCode,oldDistrictCode,oldCommuneCode,oldCommuneName,split,newProvinceCode,newProvinceName,newCommuneCode,newCommuneName,newCommuneType"
const mapping = [
  mappingHeader,
  "01,001,00001,Phường Phúc Xá,no,01,Thành phố Hà Nội,00004,Phường Ba Đình,Phường",
  "01,001,00004,Phường Trúc Bạch,no,01,Thành phố Hà Nội,00004,Phường Ba Đình,Phường",
  "01,001,00007,Phường Cống Vị,yes,01,Thành phố Hà Nội,00025,Phường Giảng Võ,Phường",
  "01,001,00007,Phường Cống Vị,yes,01,Thành phố Hà Nội,00004,Phường Ba Đình,Phường",
  "02,002,00010,Xã Yên,no,01,Thành phố Hà Nội,00010,Xã Yên,Xã"
].join("\n")

/** Applies events one by one through the rules, as the store does. */
const apply = (state: State.State, events: ReadonlyArray<Events.ProposedEvent>): State.State => {
  let position = State.position(state) + 1
  for (const event of events) {
    const e = {
      ...event,
      id: `e${position}`,
      position,
      version: 1,
      recordedAt: event.occurredAt,
      recordedBy: "test"
    } as Events.RecordedEvent
    position++
    const violation = Decide.violation(state, e)
    if (violation !== undefined) throw new Error(`${e.type} ${JSON.stringify(e.data)}: ${violation.message}`)
    State.evolve(state, e)
  }
  return state
}

const registered = (): State.State => {
  const list = Either.getOrThrow(UnitList.parse(oldList, "old.csv"))
  const state = apply(
    State.empty(),
    Either.getOrThrow(UnitList.plan(State.empty(), list, "2025-01-01")).changes.map((c) => c.event)
  )
  // Two residential areas under the split commune, one under a merged one.
  return apply(
    state,
    ["00007-01", "00007-02", "00001-01"].map(
      (unitId) =>
        ({
          type: "UnitRegistered",
          occurredAt: "2025-01-01T00:00:00+07:00",
          data: {
            unitId,
            name: `Tổ dân phố ${unitId.slice(-1)}`,
            level: "residential-area",
            parentId: unitId.slice(0, 5)
          }
        }) as Events.ProposedEvent
    )
  )
}

const july = Time.startOfDate("2025-07-01")
const parentOn = (state: State.State, unitId: string) =>
  Hierarchy.parentAt(State.unit(state, unitId)!, july, Hierarchy.everything)

describe("UnitList", () => {
  it("registers a list into an empty log, provinces first, with the GSO codes as ids", () => {
    const list = Either.getOrThrow(UnitList.parse(oldList, "old.csv"))
    const plan = Either.getOrThrow(UnitList.plan(State.empty(), list, "2025-01-01"))
    assert.deepStrictEqual(
      plan.changes.map((c) => [c.event.type, (c.event.data as { unitId: string }).unitId, c.line]),
      [
        ["UnitRegistered", "01", 2],
        ["UnitRegistered", "02", 5],
        ["UnitRegistered", "001", 2],
        ["UnitRegistered", "002", 5],
        ["UnitRegistered", "00001", 2],
        ["UnitRegistered", "00004", 3],
        ["UnitRegistered", "00007", 4],
        ["UnitRegistered", "00010", 5]
      ]
    )
    assert.strictEqual(plan.at, "2025-01-01T00:00:00+07:00")
  })

  it("moves, renames as a new unit CODE@DATE, and closes what the list no longer has", () => {
    const state = apply(
      State.empty(),
      Either.getOrThrow(
        UnitList.plan(State.empty(), Either.getOrThrow(UnitList.parse(oldList, "old.csv")), "2025-01-01")
      ).changes.map((c) => c.event)
    )
    const next = [
      "communeCode,communeName,provinceCode,provinceName",
      "00001,Phường Phúc Xá,01,Thành phố Hà Nội",
      "00004,Phường Ba Đình,01,Thành phố Hà Nội"
    ].join("\n")
    const plan = Either.getOrThrow(
      UnitList.plan(state, Either.getOrThrow(UnitList.parse(next, "new.csv")), "2025-07-01")
    )
    assert.deepStrictEqual(
      plan.changes.map((c) => `${c.event.type} ${JSON.stringify(c.event.data)}`),
      [
        `UnitRegistered {"unitId":"00004@2025-07-01","name":"Phường Ba Đình","level":"commune","parentId":"01"}`,
        `UnitMoved {"unitId":"00001","parentId":"01"}`,
        `UnitClosed {"unitId":"00004"}`,
        `UnitClosed {"unitId":"00007"}`,
        `UnitClosed {"unitId":"00010"}`,
        `UnitClosed {"unitId":"001"}`,
        `UnitClosed {"unitId":"002"}`,
        `UnitClosed {"unitId":"02"}`
      ]
    )
    apply(
      state,
      plan.changes.map((c) => c.event)
    )
    assert.deepStrictEqual(
      Either.getOrThrow(UnitList.plan(state, Either.getOrThrow(UnitList.parse(next, "new.csv")), "2025-07-01")).changes,
      []
    )
  })

  it("refuses a bad list as a whole, with the line and what is wrong", () => {
    const refused = (text: string) => {
      const parsed = UnitList.parse(text, "l.csv")
      return Either.isLeft(parsed) ? parsed.left.message : "accepted"
    }
    assert.strictEqual(
      refused("a,b\n"),
      "l.csv, line 1: the header lacks the columns communeCode, communeName, provinceCode, provinceName"
    )
    assert.strictEqual(refused(`${listHeader}\n`), "l.csv: the list has no units")
    assert.strictEqual(
      refused(`${listHeader}\n00001,A,Xã,001,B,01,C\n00001,D,Xã,001,B,01,C`),
      "l.csv, line 3: commune 00001 is listed twice (first on line 2)"
    )
    assert.strictEqual(refused(`${listHeader}\n00001,A,Xã,001,B,,C`), "l.csv, line 2: commune 00001 has no province")
    assert.strictEqual(
      refused(`${listHeader}\n00001,A,Xã,001,B,01,C\n00002,A,Xã,001,B,02,D`),
      "l.csv, line 3: district 001 lies in 02 here and in 01 on line 2"
    )
    assert.strictEqual(
      refused(`${listHeader}\n00001,A,Xã,001,B,01,C\n00002,A,Xã,001,E,01,C`),
      'l.csv, line 3: district 001 is named "E" here and "B" on line 2'
    )
    assert.strictEqual(
      refused(`${listHeader}\n001,A,Xã,001,B,01,C`),
      "l.csv, line 2: code 001 is a commune here and a district on line 2 (a unit would be its own ancestor)"
    )
    assert.strictEqual(
      refused(`${listHeader}\n00001@x,A,Xã,001,B,01,C`),
      "l.csv, line 2: commune 00001@x: not a code (letters, digits, '.', '_' or '-', no '@')"
    )
    assert.strictEqual(
      refused(`${listHeader}\n00001,A,Xã,001,B,01`),
      "l.csv, line 2: expected 7 fields as in the header, got 6"
    )
  })

  it("refuses a date before a listed unit existed, and a closure that would strand residential areas", () => {
    const state = registered()
    const list = Either.getOrThrow(UnitList.parse(oldList, "old.csv"))
    const early = UnitList.plan(state, list, "2024-12-31")
    assert.isTrue(Either.isLeft(early))
    assert.strictEqual(
      Either.isLeft(early) && early.left.message,
      "old.csv, line 2: province 01 is registered only from 2025-01-01T00:00:00+07:00, after 2024-12-31"
    )
    const shorter = Either.getOrThrow(UnitList.parse(oldList.split("\n").slice(0, 3).join("\n"), "short.csv"))
    const stranded = UnitList.plan(state, shorter, "2025-07-01")
    assert.strictEqual(
      Either.isLeft(stranded) && stranded.left.message,
      "short.csv: commune 00007 is not in the list but still has open residential areas (00007-01, 00007-02); give a reorganisation mapping that says where they go"
    )
  })
})

describe("Reorganisation", () => {
  it("registers new communes, carries one on, moves residential areas to the first successor of a split commune, closes the rest", () => {
    const state = registered()
    const plan = Either.getOrThrow(
      Reorganisation.plan(state, Either.getOrThrow(Reorganisation.parse(mapping, "m.csv")), "2025-07-01")
    )
    assert.deepStrictEqual(
      plan.changes.map((c) => `${c.event.type} ${JSON.stringify(c.event.data)}`),
      [
        `UnitRegistered {"unitId":"00004@2025-07-01","name":"Phường Ba Đình","level":"commune","parentId":"01"}`,
        `UnitRegistered {"unitId":"00025","name":"Phường Giảng Võ","level":"commune","parentId":"01"}`,
        `UnitMoved {"unitId":"00010","parentId":"01"}`,
        `UnitMoved {"unitId":"00001-01","parentId":"00004@2025-07-01"}`,
        `UnitMoved {"unitId":"00007-01","parentId":"00025"}`,
        `UnitMoved {"unitId":"00007-02","parentId":"00025"}`,
        `UnitClosed {"unitId":"00001","successorId":"00004@2025-07-01"}`,
        `UnitClosed {"unitId":"00004","successorId":"00004@2025-07-01"}`,
        `UnitClosed {"unitId":"00007","successorId":"00025"}`,
        `UnitClosed {"unitId":"001","successorId":"01"}`,
        `UnitClosed {"unitId":"002","successorId":"01"}`,
        `UnitClosed {"unitId":"02","successorId":"01"}`
      ]
    )
    apply(
      state,
      plan.changes.map((c) => c.event)
    )
    assert.strictEqual(parentOn(state, "00007-02"), "00025")
    assert.strictEqual(parentOn(state, "00010"), "01")
    // History stays true: on 30 June the areas and the commune are where they were.
    const june = july - 1
    assert.strictEqual(Hierarchy.parentAt(State.unit(state, "00007-02")!, june, Hierarchy.everything), "00007")
    assert.deepStrictEqual(Hierarchy.ancestorsAt(state, "00010", june, Hierarchy.everything), ["002", "02"])
  })

  it("refuses a bad mapping as a whole, with the line and what is wrong", () => {
    const state = registered()
    const refused = (text: string, date = "2025-07-01") => {
      const parsed = Reorganisation.parse(text, "m.csv")
      if (Either.isLeft(parsed)) return parsed.left.message
      const plan = Reorganisation.plan(state, parsed.right, date)
      return Either.isLeft(plan) ? plan.left.message : "accepted"
    }
    const rows = mapping.split("\n")
    const without = (i: number, ...extra: Array<string>) => [...rows.filter((_, j) => j !== i), ...extra].join("\n")
    assert.strictEqual(
      refused(without(1)),
      "m.csv: commune 00001 of district 001 (province 01) is open on 2025-07-01 but not in the mapping"
    )
    assert.strictEqual(
      refused(without(5, "02,002,00099,X,no,01,Thành phố Hà Nội,00010,Xã Yên,Xã")),
      "m.csv, line 6: unknown commune 00099: no open commune has that code on 2025-07-01"
    )
    assert.strictEqual(
      refused(without(5, "02,001,00010,X,no,01,Thành phố Hà Nội,00010,Xã Yên,Xã")),
      "m.csv, line 6: district 001 lies in 01, not in province 02, on 2025-07-01"
    )
    assert.strictEqual(
      refused(without(4)),
      "m.csv, line 4: commune 00007 is split = yes but goes into one new commune only"
    )
    assert.strictEqual(
      refused([...rows, rows[1]!].join("\n")),
      "m.csv, line 7: commune 00001 → 00004 is listed twice (first on line 2)"
    )
    assert.strictEqual(
      refused([...rows, "01,001,00001,X,no,01,Thành phố Hà Nội,00025,Phường Giảng Võ,Phường"].join("\n")),
      "m.csv, line 7: commune 00001 is mapped a second time (first on line 2) without split = yes on both"
    )
    assert.strictEqual(
      refused([...rows, "01,001,00001,X,yes,02,Tỉnh Khác,00026,Xã Khác,Xã"].join("\n")),
      "m.csv, line 7: commune 00001 is mapped a second time (first on line 2) without split = yes on both"
    )
    assert.strictEqual(
      refused(without(5, "02,002,00010,Xã Yên,no,01,Hà Nội,00010,Xã Yên,Xã")),
      "m.csv, line 6: new province 01 is named Hà Nội here and Thành phố Hà Nội on line 2"
    )
    assert.strictEqual(
      refused(mapping, "2024-12-01"),
      "m.csv, line 2: province 01 is registered only from 2025-01-01T00:00:00+07:00, after 2024-12-01"
    )
  })
})
