/**
 * A hand-written validator of the event line, exactly as strict as the
 * schemas in `Events.ts` and never less: when it accepts, the schema accepts
 * the same value; when it refuses, `Events.decodeLine` asks the schema, which
 * names the field. Schema decoding runs at tens of thousands of lines a
 * second, this at millions, and imports of national logs are made of valid
 * lines. `test/Events.test.ts` checks the two agree on mutated lines.
 */
import * as Time from "../Time.js"

type Check = (u: unknown) => boolean

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const id: Check = (u) => typeof u === "string" && u.length > 0 && u.length <= 200 && u.trim() === u
const text: Check = (u) => typeof u === "string" && u.trim().length > 0
const string: Check = (u) => typeof u === "string"
const instant: Check = (u) => typeof u === "string" && Time.parseInstant(u) !== undefined
const localDate: Check = (u) => typeof u === "string" && Time.isLocalDate(u)
const count: Check = (u) => typeof u === "number" && Number.isSafeInteger(u) && u >= 0
const positive: Check = (u) => typeof u === "number" && Number.isSafeInteger(u) && u >= 1
const literal =
  (...values: ReadonlyArray<string>): Check =>
  (u) =>
    typeof u === "string" && values.includes(u)
const arrayOf =
  (item: Check): Check =>
  (u) =>
    Array.isArray(u) && u.every(item)
const recordOf =
  (value: Check): Check =>
  (u) =>
    isObject(u) && Object.values(u).every(value)
const hex64: Check = (u) => typeof u === "string" && /^[0-9a-f]{64}$/.test(u)
const uuid: Check = (u) =>
  typeof u === "string" && /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(u)

/** A struct: required and optional fields, nothing else. */
const struct = (required: Record<string, Check>, optional: Record<string, Check> = {}): Check => {
  const requiredKeys = Object.keys(required)
  return (u) => {
    if (!isObject(u)) return false
    for (const key of requiredKeys) {
      if (!Object.hasOwn(u, key) || !required[key]!(u[key])) return false
    }
    for (const key of Object.keys(u)) {
      if (Object.hasOwn(required, key)) continue
      if (!Object.hasOwn(optional, key) || !optional[key]!(u[key])) return false
    }
    return true
  }
}

const dueBeforeDay: Check = (u) => typeof u === "number" && Number.isInteger(u) && u >= 1 && u <= 31
const dueMonthOffset: Check = (u) => typeof u === "number" && Number.isInteger(u) && u >= -11 && u <= 12
const monthly = struct({ scheduleId: id, kind: literal("monthly"), dueBeforeDay })
const once = struct({ scheduleId: id, kind: literal("once"), period: id, dueBefore: localDate })
const recurring = struct({
  scheduleId: id,
  kind: literal("quarterly", "half-yearly", "yearly"),
  dueBeforeDay,
  dueMonthOffset
})
const schedule: Check = (u) =>
  isObject(u) && (u["kind"] === "monthly" ? monthly(u) : u["kind"] === "once" ? once(u) : recurring(u))

/** Validators of each payload, at its current version. */
export const payloads: Readonly<Record<string, Check>> = {
  UnitRegistered: struct(
    { unitId: id, name: text, level: literal("province", "district", "commune", "residential-area") },
    { parentId: id, tags: arrayOf(id) }
  ),
  UnitMoved: struct({ unitId: id, parentId: id }),
  UnitClosed: struct({ unitId: id }, { successorId: id }),
  PlanIssued: struct(
    {
      planId: id,
      documentNumber: id,
      title: text,
      issuerId: id,
      effectiveFrom: localDate,
      effectiveUntil: localDate,
      schedules: arrayOf(schedule)
    },
    { parentPlanId: id, basis: arrayOf(text), tasks: arrayOf(struct({ code: id, text })) }
  ),
  UnitAssigned: struct(
    { planId: id, unitId: id },
    { tasks: arrayOf(id), schedules: arrayOf(id), subPlanDueBy: localDate }
  ),
  ReportFiled: struct(
    { reportId: id, planId: id, unitId: id, scheduleId: id, period: id },
    {
      metrics: recordOf(count),
      summary: string,
      supersedes: id,
      channel: literal("online", "paper"),
      registerNumber: id
    }
  ),
  ModelEstablished: struct(
    { modelId: id, unitId: id, kind: id, name: text },
    { planId: id, households: count, committed: count }
  ),
  ModelDissolved: struct({ modelId: id })
}

/** The envelope of a line, with `data` left to the payload check. */
export const envelope = (types: ReadonlyArray<string>): Check =>
  struct(
    { type: literal(...types), occurredAt: instant, data: () => true },
    {
      position: positive,
      id: uuid,
      version: positive,
      recordedAt: instant,
      recordedBy: text,
      prevHash: hex64,
      hash: hex64
    }
  )
