/**
 * A reorganisation from an old-to-new commune mapping (the merger lists of
 * 1 July 2025): on the day, the new provinces and communes are registered,
 * a commune that carries on unchanged is moved under its province, the
 * residential areas of every other old commune move to its successor, the old
 * communes close with their successor, every district closes, and the
 * provinces merged away close with the province that absorbed them.
 *
 * Pure, like `UnitList`: the caller hands over the text and the state. The
 * rules (ids, split communes, residential areas) are docs/decisions/0008.
 */
import { Either } from "effect"
import type { ProposedEvent } from "./Events.js"
import * as Hierarchy from "./Hierarchy.js"
import * as Csv from "./internal/csv.js"
import type { State, UnitRecord } from "./State.js"
import * as StateModule from "./State.js"
import * as Time from "./Time.js"
import type { Change, Plan } from "./UnitList.js"
import { InvalidUnitList, isCode, laterByCode, newId, openByCode } from "./UnitList.js"

/** One row of the mapping: an old commune (or, with no commune, an island district) and one new commune it went into. */
export interface Row {
  readonly line: number
  readonly oldProvinceCode: string
  readonly oldDistrictCode: string
  /** Empty for an island district without communes that became a special zone. */
  readonly oldCommuneCode: string
  readonly split: boolean
  readonly newProvinceCode: string
  readonly newProvinceName: string
  readonly newCommuneCode: string
  readonly newCommuneName: string
}

/** A checked mapping. */
export interface Mapping {
  readonly source: string
  readonly rows: ReadonlyArray<Row>
}

const columns = [
  "oldProvinceCode",
  "oldDistrictCode",
  "oldCommuneCode",
  "split",
  "newProvinceCode",
  "newProvinceName",
  "newCommuneCode",
  "newCommuneName"
] as const

/**
 * Parses the mapping CSV (the columns of `reorganisation-2025-07-01.csv`).
 * Refuses the whole file on the first malformed code, an old commune mapped
 * twice without `split = yes`, a split commune with one target, a pair listed
 * twice, or a new unit given two names or two provinces.
 */
export const parse = (text: string, source: string): Either.Either<Mapping, InvalidUnitList> => {
  try {
    return Either.right(parseOrThrow(text, source))
  } catch (e) {
    if (e instanceof InvalidUnitList) return Either.left(e)
    throw e
  }
}

const parseOrThrow = (text: string, source: string): Mapping => {
  const fail = (line: number, reason: string): never => {
    throw new InvalidUnitList({ source, line, reason })
  }
  const raw = Csv.parse(text, columns, fail)
  if (raw.length === 0) fail(0, "the mapping has no rows")
  const rows: Array<Row> = []
  const byOld = new Map<string, Array<Row>>()
  const newCommunes = new Map<string, Row>()
  const newProvinces = new Map<string, Row>()
  for (const { fields: f, line } of raw) {
    for (const c of columns) {
      if (c === "oldCommuneCode") continue
      if (f[c] === "") fail(line, `${c} is empty`)
      if (c.endsWith("Code") && !isCode(f[c]!)) fail(line, `${c} ${JSON.stringify(f[c])} is not a code`)
    }
    if (f["oldCommuneCode"] !== "" && !isCode(f["oldCommuneCode"]!))
      fail(line, `oldCommuneCode ${JSON.stringify(f["oldCommuneCode"])} is not a code`)
    if (f["split"] !== "yes" && f["split"] !== "no")
      fail(line, `split: expected yes or no, got ${JSON.stringify(f["split"])}`)
    const row: Row = {
      line,
      oldProvinceCode: f["oldProvinceCode"]!,
      oldDistrictCode: f["oldDistrictCode"]!,
      oldCommuneCode: f["oldCommuneCode"]!,
      split: f["split"] === "yes",
      newProvinceCode: f["newProvinceCode"]!,
      newProvinceName: f["newProvinceName"]!,
      newCommuneCode: f["newCommuneCode"]!,
      newCommuneName: f["newCommuneName"]!
    }
    const key = row.oldCommuneCode === "" ? `district:${row.oldDistrictCode}` : row.oldCommuneCode
    const earlier = byOld.get(key)
    if (earlier !== undefined) {
      const what = row.oldCommuneCode === "" ? `district ${row.oldDistrictCode}` : `commune ${row.oldCommuneCode}`
      const same = earlier.find((r) => r.newCommuneCode === row.newCommuneCode)
      if (same !== undefined) fail(line, `${what} → ${row.newCommuneCode} is listed twice (first on line ${same.line})`)
      if (!row.split || earlier.some((r) => !r.split)) {
        fail(line, `${what} is mapped a second time (first on line ${earlier[0]!.line}) without split = yes on both`)
      }
      earlier.push(row)
    } else byOld.set(key, [row])
    const commune = newCommunes.get(row.newCommuneCode)
    if (
      commune !== undefined &&
      (commune.newCommuneName !== row.newCommuneName || commune.newProvinceCode !== row.newProvinceCode)
    ) {
      fail(
        line,
        `new commune ${row.newCommuneCode} is ${row.newCommuneName} in ${row.newProvinceCode} here and ${commune.newCommuneName} in ${commune.newProvinceCode} on line ${commune.line}`
      )
    }
    if (commune === undefined) newCommunes.set(row.newCommuneCode, row)
    const province = newProvinces.get(row.newProvinceCode)
    if (province !== undefined && province.newProvinceName !== row.newProvinceName) {
      fail(
        line,
        `new province ${row.newProvinceCode} is named ${row.newProvinceName} here and ${province.newProvinceName} on line ${province.line}`
      )
    }
    if (province === undefined) newProvinces.set(row.newProvinceCode, row)
    if (newCommunes.has(row.newProvinceCode) || newProvinces.has(row.newCommuneCode)) {
      fail(
        line,
        `code ${newProvinces.has(row.newCommuneCode) ? row.newCommuneCode : row.newProvinceCode} is both a new province and a new commune (a unit would be its own ancestor)`
      )
    }
    rows.push(row)
  }
  for (const group of byOld.values()) {
    if (group[0]!.split && group.length < 2) {
      fail(group[0]!.line, `commune ${group[0]!.oldCommuneCode} is split = yes but goes into one new commune only`)
    }
  }
  return { source, rows }
}

/** The rows of a mapping whose new province is one of `provinceCodes` (a province's part of a national mapping). */
export const within = (mapping: Mapping, provinceCodes: ReadonlyArray<string>): Mapping => {
  const keep = new Set(provinceCodes)
  return { source: mapping.source, rows: mapping.rows.filter((r) => keep.has(r.newProvinceCode)) }
}

const everything = Hierarchy.everything

/**
 * The events of the reorganisation on `date` (at the start of the day,
 * Asia/Ho_Chi_Minh), checked against the log as it stands then: every old
 * code must name an open unit of that level in the stated district and
 * province, and every open commune of the old provinces involved must be
 * mapped. Refused as a whole with the line and what is wrong.
 */
export const plan = (state: State, mapping: Mapping, date: string): Either.Either<Plan, InvalidUnitList> => {
  const t = Time.startOfDate(date)
  const at = Time.formatInstant(t)
  const fail = (line: number, reason: string) =>
    Either.left(new InvalidUnitList({ source: mapping.source, line, reason }))
  const open = openByCode(state, t)
  const later = laterByCode(state, t)
  const parentOf = (u: UnitRecord) => Hierarchy.parentAt(u, t, everything)
  const event = (e: ProposedEvent["type"], data: object): ProposedEvent =>
    ({ type: e, occurredAt: at, data }) as ProposedEvent
  const openAs = (code: string, level: UnitRecord["level"], line: number): UnitRecord | InvalidUnitList => {
    const unit = open.get(code)
    if (unit !== undefined && unit.level === level) return unit
    const future = later.get(code)
    const reason =
      future !== undefined
        ? `${level} ${code} is registered only from ${Time.formatInstant(future.registered.at)}, after ${date}`
        : `unknown ${level} ${code}: no open ${level} has that code on ${date}`
    return new InvalidUnitList({ source: mapping.source, line, reason })
  }

  // The old units, checked: each commune in its stated district and province.
  const oldProvinces = new Map<string, UnitRecord>()
  const oldDistricts = new Map<string, UnitRecord>()
  const rowsOfOld = new Map<string, Array<Row>>()
  const islands = new Map<string, Row>()
  for (const row of mapping.rows) {
    const province = openAs(row.oldProvinceCode, "province", row.line)
    if (province instanceof InvalidUnitList) return Either.left(province)
    oldProvinces.set(province.unitId, province)
    // An island district without communes is in no commune list: when the log never had it, there is nothing to close.
    if (row.oldCommuneCode === "" && !open.has(row.oldDistrictCode) && !later.has(row.oldDistrictCode)) continue
    const district = openAs(row.oldDistrictCode, "district", row.line)
    if (district instanceof InvalidUnitList) return Either.left(district)
    if (parentOf(district) !== province.unitId) {
      return fail(
        row.line,
        `district ${row.oldDistrictCode} lies in ${parentOf(district)}, not in province ${row.oldProvinceCode}, on ${date}`
      )
    }
    oldDistricts.set(district.unitId, district)
    if (row.oldCommuneCode === "") {
      const communes = Hierarchy.openChildrenAt(state, district.unitId, t, everything)
      if (communes.length > 0)
        return fail(
          row.line,
          `district ${row.oldDistrictCode} has no commune code here but has open units (${communes.slice(0, 3).join(", ")})`
        )
      islands.set(district.unitId, row)
      continue
    }
    const commune = openAs(row.oldCommuneCode, "commune", row.line)
    if (commune instanceof InvalidUnitList) return Either.left(commune)
    if (parentOf(commune) !== district.unitId) {
      return fail(
        row.line,
        `commune ${row.oldCommuneCode} lies in ${parentOf(commune)}, not in district ${row.oldDistrictCode}, on ${date}`
      )
    }
    const list = rowsOfOld.get(commune.unitId)
    if (list === undefined) rowsOfOld.set(commune.unitId, [row])
    else list.push(row)
  }
  // Every open district and commune of the provinces involved must be accounted for.
  for (const province of oldProvinces.values()) {
    for (const districtId of Hierarchy.openChildrenAt(state, province.unitId, t, everything)) {
      const district = StateModule.unit(state, districtId)!
      if (district.level === "commune" && !rowsOfOld.has(districtId)) {
        return fail(0, `commune ${districtId} of province ${province.unitId} is open on ${date} but not in the mapping`)
      }
      if (district.level !== "district") continue
      oldDistricts.set(districtId, district)
      for (const communeId of Hierarchy.openChildrenAt(state, districtId, t, everything)) {
        if (StateModule.unit(state, communeId)!.level === "commune" && !rowsOfOld.has(communeId)) {
          return fail(
            0,
            `commune ${communeId} of district ${districtId} (province ${province.unitId}) is open on ${date} but not in the mapping`
          )
        }
      }
    }
  }

  const taken = new Set<string>()
  const registers: Array<Change> = []
  const moves: Array<Change> = []
  const closes: Array<Change> = []

  // Provinces: the one whose code and name the new province keeps carries on; the others close into it.
  const newProvinceId = new Map<string, string>()
  for (const row of mapping.rows) {
    if (newProvinceId.has(row.newProvinceCode)) continue
    const keeps = open.get(row.newProvinceCode)
    if (keeps !== undefined && keeps.level === "province" && keeps.name === row.newProvinceName) {
      newProvinceId.set(row.newProvinceCode, keeps.unitId)
      continue
    }
    const unitId = newId(state, row.newProvinceCode, date, taken)
    if (unitId === undefined) return fail(row.line, `province ${row.newProvinceCode}: its ids are all taken`)
    taken.add(unitId)
    newProvinceId.set(row.newProvinceCode, unitId)
    registers.push({
      line: row.line,
      event: event("UnitRegistered", { unitId, name: row.newProvinceName, level: "province" })
    })
  }
  const successorProvince = new Map<string, string>()
  for (const row of mapping.rows) {
    const oldId = open.get(row.oldProvinceCode)!.unitId
    const successor = newProvinceId.get(row.newProvinceCode)!
    const earlier = successorProvince.get(oldId)
    if (earlier !== undefined && earlier !== successor) {
      return fail(
        row.line,
        `province ${row.oldProvinceCode} goes into ${earlier} and into ${successor}: a province is merged whole`
      )
    }
    successorProvince.set(oldId, successor)
  }

  // Communes: one that is exactly one old commune, whole, with its code and name, carries on; the rest are new.
  const newCommuneId = new Map<string, string>()
  const sources = new Map<string, Array<Row>>()
  for (const row of mapping.rows) {
    const list = sources.get(row.newCommuneCode)
    if (list === undefined) sources.set(row.newCommuneCode, [row])
    else list.push(row)
  }
  const carriesOn = new Set<string>()
  for (const [code, rows] of sources) {
    const first = rows[0]!
    const provinceId = newProvinceId.get(first.newProvinceCode)!
    const only = rows.length === 1 && !first.split && first.oldCommuneCode === code ? open.get(code) : undefined
    if (only !== undefined && only.name === first.newCommuneName) {
      carriesOn.add(only.unitId)
      newCommuneId.set(code, only.unitId)
      moves.push({ line: first.line, event: event("UnitMoved", { unitId: only.unitId, parentId: provinceId }) })
      continue
    }
    const unitId = newId(state, code, date, taken)
    if (unitId === undefined)
      return fail(first.line, `commune ${code}: the ids ${code} and ${code}@${date} are both taken`)
    taken.add(unitId)
    newCommuneId.set(code, unitId)
    registers.push({
      line: first.line,
      event: event("UnitRegistered", { unitId, name: first.newCommuneName, level: "commune", parentId: provinceId })
    })
  }

  // Old communes: residential areas to the successor (the first row of a split commune), then closed into it.
  for (const [communeId, rows] of rowsOfOld) {
    if (carriesOn.has(communeId)) continue
    const successorId = newCommuneId.get(rows[0]!.newCommuneCode)!
    for (const childId of Hierarchy.openChildrenAt(state, communeId, t, everything)) {
      moves.push({ line: rows[0]!.line, event: event("UnitMoved", { unitId: childId, parentId: successorId }) })
    }
    closes.push({ line: rows[0]!.line, event: event("UnitClosed", { unitId: communeId, successorId }) })
  }
  // Districts: closed into their province's successor (an island district into its special zone).
  for (const [districtId, district] of oldDistricts) {
    const island = islands.get(districtId)
    const successorId =
      island !== undefined ? newCommuneId.get(island.newCommuneCode)! : successorProvince.get(parentOf(district)!)!
    for (const childId of Hierarchy.openChildrenAt(state, districtId, t, everything)) {
      if (StateModule.unit(state, childId)!.level === "residential-area") {
        moves.push({ line: 0, event: event("UnitMoved", { unitId: childId, parentId: successorId }) })
      }
    }
    closes.push({ line: island?.line ?? 0, event: event("UnitClosed", { unitId: districtId, successorId }) })
  }
  for (const [provinceId, successorId] of successorProvince) {
    if (provinceId === successorId) continue
    for (const childId of Hierarchy.openChildrenAt(state, provinceId, t, everything)) {
      const child = StateModule.unit(state, childId)!
      if (child.level === "residential-area")
        moves.push({ line: 0, event: event("UnitMoved", { unitId: childId, parentId: successorId }) })
    }
    closes.push({ line: 0, event: event("UnitClosed", { unitId: provinceId, successorId }) })
  }
  return Either.right({ at, changes: [...registers, ...moves, ...closes] })
}
