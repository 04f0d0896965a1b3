/**
 * Official unit lists (the GSO's danh mục hành chính, one commune a line with
 * its district and province) turned into the events that bring a log's
 * hierarchy up to date on a given day: `UnitRegistered` for the units that are
 * new, `UnitMoved` for those whose parent changed, `UnitClosed` for those gone.
 *
 * Pure: the caller reads the file and hands over its text and the state. Ids
 * follow docs/decisions/0008: a unit of the list is the open unit with the
 * same code and the same name; a unit that is new gets its code as id, or
 * `CODE@YYYY-MM-DD` (the day it came into being) when an earlier unit already
 * holds that code.
 */
import { Either, Schema } from "effect"
import type { Level, ProposedEvent } from "./Events.js"
import * as Hierarchy from "./Hierarchy.js"
import * as Csv from "./internal/csv.js"
import type { State, UnitRecord } from "./State.js"
import * as StateModule from "./State.js"
import * as Time from "./Time.js"

/** A list or mapping refused as a whole: the file, the line (1 for the header, 0 for the whole file) and what is wrong. */
export class InvalidUnitList extends Schema.TaggedError<InvalidUnitList>()("InvalidUnitList", {
  source: Schema.String,
  line: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return this.line > 0 ? `${this.source}, line ${this.line}: ${this.reason}` : `${this.source}: ${this.reason}`
  }
}

/** One unit of a list, with the line that named it first. */
export interface Listed {
  readonly code: string
  readonly name: string
  readonly level: "province" | "district" | "commune"
  readonly parentCode: string | undefined
  readonly line: number
}

/** A checked list: provinces, then districts, then communes, each in file order. */
export interface List {
  readonly source: string
  readonly units: ReadonlyArray<Listed>
}

/** One change a plan makes, with the line of the file it comes from (0 when it follows from others). */
export interface Change {
  readonly event: ProposedEvent
  readonly line: number
}

/** The events that bring the log up to date at `at`, in the order they must be appended. */
export interface Plan {
  readonly at: string
  readonly changes: ReadonlyArray<Change>
}

/** The separator between a GSO code and the day a later unit with the same code came into being. */
export const idSeparator = "@"

/** The GSO code of a unit id: `00004@2025-07-01` → `00004`. */
export const codeOf = (unitId: string): string => {
  const at = unitId.indexOf(idSeparator)
  return at < 0 ? unitId : unitId.slice(0, at)
}

/**
 * The id of a new unit with GSO code `code` that comes into being on `date`:
 * the code itself when no unit ever held it, else `CODE@date`; `undefined`
 * when that id is taken too.
 */
export const newId = (state: State, code: string, date: string, taken: ReadonlySet<string>): string | undefined => {
  if (!StateModule.hasUnit(state, code) && !taken.has(code)) return code
  const dated = `${code}${idSeparator}${date}`
  return StateModule.hasUnit(state, dated) || taken.has(dated) ? undefined : dated
}

const codePattern = /^[0-9A-Za-z][0-9A-Za-z._-]*$/

/** Whether a code can be a GSO-style code (no spaces, no `@`, which the id scheme reserves). */
export const isCode = (code: string): boolean => codePattern.test(code) && code.length <= 40

/**
 * Parses a GSO-style CSV list: columns `communeCode, communeName,
 * provinceCode, provinceName`, and `districtCode, districtName` for a
 * three-level list (other columns are ignored). Refuses the whole list on
 * the first malformed code, duplicate commune, commune without a province,
 * unit named two ways or placed under two parents, or code used at two levels.
 */
export const parse = (text: string, source: string): Either.Either<List, InvalidUnitList> => {
  try {
    return Either.right(parseOrThrow(text, source))
  } catch (e) {
    if (e instanceof InvalidUnitList) return Either.left(e)
    throw e
  }
}

const parseOrThrow = (text: string, source: string): List => {
  const fail = (line: number, reason: string): never => {
    throw new InvalidUnitList({ source, line, reason })
  }
  const rows = Csv.parse(text, ["communeCode", "communeName", "provinceCode", "provinceName"], fail)
  if (rows.length === 0) fail(0, "the list has no units")
  const withDistricts = rows[0]!.fields["districtCode"] !== undefined
  const byCode = new Map<string, Listed>()
  const out: Record<Listed["level"], Array<Listed>> = { province: [], district: [], commune: [] }
  const note = (line: number, code: string, name: string, level: Listed["level"], parentCode: string | undefined) => {
    const what = `${level} ${code}`
    if (code === "") fail(line, `the ${level} has no code${level === "commune" ? "" : ` (commune ${name})`}`)
    if (!isCode(code)) fail(line, `${what}: not a code (letters, digits, '.', '_' or '-', no '${idSeparator}')`)
    if (name === "") fail(line, `${what} has no name`)
    const seen = byCode.get(code)
    if (seen === undefined) {
      const unit: Listed = { code, name, level, parentCode, line }
      byCode.set(code, unit)
      out[level].push(unit)
      return
    }
    if (seen.level !== level) {
      fail(
        line,
        `code ${code} is a ${level} here and a ${seen.level} on line ${seen.line} (a unit would be its own ancestor)`
      )
    }
    if (level === "commune") fail(line, `commune ${code} is listed twice (first on line ${seen.line})`)
    if (seen.name !== name)
      fail(line, `${what} is named ${JSON.stringify(name)} here and ${JSON.stringify(seen.name)} on line ${seen.line}`)
    if (seen.parentCode !== parentCode) {
      fail(line, `${what} lies in ${parentCode} here and in ${seen.parentCode} on line ${seen.line}`)
    }
  }
  for (const { fields: f, line } of rows) {
    const province = f["provinceCode"]!
    const commune = f["communeCode"]!
    if (province === "") fail(line, `commune ${commune || f["communeName"]} has no province`)
    note(line, province, f["provinceName"]!, "province", undefined)
    let parent = province
    if (withDistricts) {
      const district = f["districtCode"]!
      if (district === "") fail(line, `commune ${commune || f["communeName"]} has no district`)
      note(line, district, f["districtName"] ?? "", "district", province)
      parent = district
    }
    note(line, commune, f["communeName"]!, "commune", parent)
  }
  return { source, units: [...out.province, ...out.district, ...out.commune] }
}

/**
 * The open units of the GSO levels at instant `t`, by code; throws when the
 * log has a unit with a listed code that is registered only after `t`.
 */
export const openByCode = (state: State, t: number): Map<string, UnitRecord> => {
  const open = new Map<string, UnitRecord>()
  for (const unit of StateModule.units(state)) {
    if (unit.level === "residential-area" || !Hierarchy.isOpenAt(unit, t, Hierarchy.everything)) continue
    open.set(codeOf(unit.unitId), unit)
  }
  return open
}

/** The units registered after `t` (the date is before they existed), by code. */
export const laterByCode = (state: State, t: number): Map<string, UnitRecord> => {
  const later = new Map<string, UnitRecord>()
  for (const unit of StateModule.units(state)) {
    if (unit.level !== "residential-area" && unit.registered.at > t) later.set(codeOf(unit.unitId), unit)
  }
  return later
}

const levels: ReadonlyArray<Level> = ["province", "district", "commune"]

/**
 * The changes that make the log's open provinces, districts and communes at
 * the start of `date` (Asia/Ho_Chi_Minh) those of the list: a listed unit
 * matches the open unit with its code, level and name; a new one is
 * registered; one whose parent differs is moved; an open unit the list does
 * not have is closed (residential areas are not in GSO lists and are left
 * alone, so a commune that still has some cannot be closed by a list: the
 * reorganisation mapping says where they go).
 */
export const plan = (state: State, list: List, date: string): Either.Either<Plan, InvalidUnitList> => {
  const t = Time.startOfDate(date)
  const at = Time.formatInstant(t)
  const fail = (line: number, reason: string) => Either.left(new InvalidUnitList({ source: list.source, line, reason }))
  const open = openByCode(state, t)
  const later = laterByCode(state, t)
  const idOf = new Map<string, string>()
  const kept = new Set<string>()
  const taken = new Set<string>()
  const registers: Array<Change> = []
  const moves: Array<Change> = []
  for (const u of list.units) {
    const existing = open.get(u.code)
    const parentId = u.parentCode === undefined ? undefined : idOf.get(u.parentCode)!
    if (existing !== undefined && existing.level === u.level && existing.name === u.name) {
      idOf.set(u.code, existing.unitId)
      kept.add(existing.unitId)
      if (Hierarchy.parentAt(existing, t, Hierarchy.everything) !== parentId && parentId !== undefined) {
        moves.push({
          line: u.line,
          event: { type: "UnitMoved", occurredAt: at, data: { unitId: existing.unitId, parentId } }
        })
      }
      continue
    }
    const future = later.get(u.code)
    if (existing === undefined && future !== undefined) {
      return fail(
        u.line,
        `${u.level} ${u.code} is registered only from ${Time.formatInstant(future.registered.at)}, after ${date}`
      )
    }
    const unitId = newId(state, u.code, date, taken)
    if (unitId === undefined)
      return fail(u.line, `${u.level} ${u.code}: the ids ${u.code} and ${u.code}${idSeparator}${date} are both taken`)
    taken.add(unitId)
    idOf.set(u.code, unitId)
    registers.push({
      line: u.line,
      event: {
        type: "UnitRegistered",
        occurredAt: at,
        data: { unitId, name: u.name, level: u.level, ...(parentId === undefined ? {} : { parentId }) }
      }
    })
  }
  const closes: Array<Change> = []
  const closing = [...open.values()].filter((u) => !kept.has(u.unitId))
  closing.sort((a, b) => levels.indexOf(b.level) - levels.indexOf(a.level) || a.unitId.localeCompare(b.unitId))
  const closingIds = new Set(closing.map((u) => u.unitId))
  for (const u of closing) {
    const stranded = Hierarchy.openChildrenAt(state, u.unitId, t, Hierarchy.everything).filter((c) => {
      if (closingIds.has(c)) return false
      const child = StateModule.unit(state, c)!
      // A listed unit that stays under it is moved off by the list itself.
      return child.level === "residential-area"
    })
    if (stranded.length > 0) {
      return fail(
        0,
        `${u.level} ${u.unitId} is not in the list but still has open residential areas (${stranded.slice(0, 3).join(", ")}${stranded.length > 3 ? ", …" : ""}); give a reorganisation mapping that says where they go`
      )
    }
    closes.push({ line: 0, event: { type: "UnitClosed", occurredAt: at, data: { unitId: u.unitId } } })
  }
  return Either.right({ at, changes: [...registers, ...moves, ...closes] })
}

/** Counts of a plan's changes by event type and level, for a summary line. */
export const summary = (state: State, plan: Plan): Record<string, Record<string, number>> => {
  const counts: Record<string, Record<string, number>> = { UnitRegistered: {}, UnitMoved: {}, UnitClosed: {} }
  const levelOf = new Map<string, string>()
  for (const { event } of plan.changes) {
    let level: string
    if (event.type === "UnitRegistered") {
      level = event.data.level
      levelOf.set(event.data.unitId, level)
    } else if (event.type === "UnitMoved" || event.type === "UnitClosed") {
      level = levelOf.get(event.data.unitId) ?? StateModule.unit(state, event.data.unitId)?.level ?? "unit"
    } else continue
    const byLevel = counts[event.type]!
    byLevel[level] = (byLevel[level] ?? 0) + 1
  }
  return counts
}
