/**
 * The events of DOMAIN.md §3: payload schemas, the envelope, and decoding of
 * unknown JSON (an NDJSON line, an HTTP body) into typed events.
 *
 * Decoding names the field that was wrong and what was expected
 * (`data.level: expected "province" | "district" | …, got "tinh"`), refuses
 * fields it does not know (a misspelt `suppersedes` must not be silently
 * dropped), and upcasts old payload versions before validating them.
 */
import { Either, ParseResult, Schema } from "effect"
import * as Time from "./Time.js"
import { InvalidEvent } from "./Errors.js"
import * as FastCheck from "./internal/fastCheck.js"

// ---------------------------------------------------------------------------
// Scalars

/** An identifier: a non-empty string without surrounding spaces. */
export const Id = Schema.String.pipe(
  Schema.filter((s) => s.length > 0 && s.length <= 200 && s.trim() === s, {
    message: () => "expected a non-empty identifier (at most 200 characters, no surrounding spaces)"
  })
)

const Text = Schema.String.pipe(
  Schema.filter((s) => s.trim().length > 0, { message: () => "expected a non-empty text" })
)

/** An ISO 8601 instant with an offset, kept as written (the hash chain covers it). */
export const Instant = Schema.String.pipe(
  Schema.filter((s) => Time.parseInstant(s) !== undefined, {
    message: (issue) =>
      `expected an ISO 8601 instant with offset such as 2018-03-19T23:59:59+07:00, got ${JSON.stringify(issue.actual)}`
  })
)

/** A calendar date `YYYY-MM-DD`, read in Asia/Ho_Chi_Minh. */
export const LocalDate = Schema.String.pipe(
  Schema.filter(Time.isLocalDate, {
    message: (issue) => `expected a date YYYY-MM-DD, got ${JSON.stringify(issue.actual)}`
  })
)

const Count = Schema.Number.pipe(
  Schema.filter((n) => Number.isSafeInteger(n) && n >= 0, {
    message: (issue) => `expected a whole number >= 0, got ${JSON.stringify(issue.actual)}`
  })
)

/** The levels of the hierarchy, from the top: tỉnh, huyện, xã, khu dân cư. */
export const Level = Schema.Literal("province", "district", "commune", "residential-area").annotations({
  message: (issue) => ({
    message: `expected one of "province", "district", "commune", "residential-area", got ${JSON.stringify(issue.actual)}`,
    override: true
  })
})
export type Level = typeof Level.Type

/** Rank of a level: a parent must have a strictly smaller rank than its child. */
export const levelRank: Readonly<Record<Level, number>> = {
  province: 0,
  district: 1,
  commune: 2,
  "residential-area": 3
}

// ---------------------------------------------------------------------------
// Payloads

/** A unit exists from `occurredAt`. Only a province may have no parent. */
export const UnitRegistered = Schema.Struct({
  unitId: Id,
  name: Text,
  level: Level,
  parentId: Schema.optional(Id),
  tags: Schema.optional(Schema.Array(Id))
})
export type UnitRegistered = typeof UnitRegistered.Type

/** A unit has a new parent from `occurredAt`. */
export const UnitMoved = Schema.Struct({ unitId: Id, parentId: Id })
export type UnitMoved = typeof UnitMoved.Type

/** A unit is closed from `occurredAt`, merged into `successorId` when given. */
export const UnitClosed = Schema.Struct({ unitId: Id, successorId: Schema.optional(Id) })
export type UnitClosed = typeof UnitClosed.Type

/** One task of a plan's section II, e.g. `{ code: "II.2", text: "Đẩy mạnh công tác tuyên truyền…" }`. */
export const Task = Schema.Struct({ code: Id, text: Text })
export type Task = typeof Task.Type

const DueBeforeDay = Schema.Number.pipe(
  Schema.filter((n) => Number.isInteger(n) && n >= 1 && n <= 31, {
    message: (issue) => `expected a day of the month from 1 to 31, got ${JSON.stringify(issue.actual)}`
  })
)

/** Báo cáo tháng: a report due before day `dueBeforeDay` of every month. */
export const MonthlySchedule = Schema.Struct({
  scheduleId: Id,
  kind: Schema.Literal("monthly"),
  dueBeforeDay: DueBeforeDay
})
export type MonthlySchedule = typeof MonthlySchedule.Type

/** A report due once, e.g. Báo cáo năm: period `2018`, due before 2018-11-30. */
export const OnceSchedule = Schema.Struct({
  scheduleId: Id,
  kind: Schema.Literal("once"),
  period: Id,
  dueBefore: LocalDate
})
export type OnceSchedule = typeof OnceSchedule.Type

/**
 * Báo cáo quý, sơ kết 6 tháng, báo cáo năm (PlanIssued version 2): a report
 * for every quarter (`2026-Q1`), half-year (`2026-H1`) or year (`2026`) of the
 * plan, due before day `dueBeforeDay` of the month `dueMonthOffset` months
 * after the period's last month (0 the last month itself, 1 the month after,
 * -1 the month before). "Before the 20th of the month after the quarter" is
 * `{ kind: "quarterly", dueBeforeDay: 20, dueMonthOffset: 1 }`. The rules
 * that need the plan's dates are in `Schedule.ts`.
 */
export const RecurringSchedule = Schema.Struct({
  scheduleId: Id,
  kind: Schema.Literal("quarterly", "half-yearly", "yearly"),
  dueBeforeDay: DueBeforeDay,
  dueMonthOffset: Schema.Number.pipe(
    Schema.filter((n) => Number.isInteger(n) && n >= -11 && n <= 12, {
      message: (issue) =>
        `expected a whole number of months from -11 to 12 after the period's last month, got ${JSON.stringify(
          issue.actual
        )}`
    })
  )
})
export type RecurringSchedule = typeof RecurringSchedule.Type

/** The schedule kinds, by the version of PlanIssued that introduced them. */
export const scheduleKinds = ["monthly", "once", "quarterly", "half-yearly", "yearly"] as const

/** A reporting schedule of a plan. */
export const Schedule = Schema.Union(MonthlySchedule, OnceSchedule, RecurringSchedule)
export type Schedule = typeof Schedule.Type

/** The schedules of PlanIssued version 1: monthly and once only. */
export const ScheduleV1 = Schema.Union(MonthlySchedule, OnceSchedule)

const planIssuedWith = <S extends Schema.Schema.Any>(schedule: S) =>
  Schema.Struct({
    planId: Id,
    documentNumber: Id,
    title: Text,
    issuerId: Id,
    parentPlanId: Schema.optional(Id),
    basis: Schema.optional(Schema.Array(Text)),
    tasks: Schema.optional(Schema.Array(Task)),
    effectiveFrom: LocalDate,
    effectiveUntil: LocalDate,
    schedules: Schema.Array(schedule)
  })

/** Kế hoạch: a plan issued by a unit, with its reporting regime (version 2: every schedule kind). */
export const PlanIssued = planIssuedWith(Schedule)
export type PlanIssued = typeof PlanIssued.Type

/** PlanIssued version 1, as logs written before the recurring schedules hold it: monthly and once schedules only. */
export const PlanIssuedV1 = planIssuedWith(ScheduleV1)

/** A unit must carry out a plan from `occurredAt`. */
export const UnitAssigned = Schema.Struct({
  planId: Id,
  unitId: Id,
  tasks: Schema.optional(Schema.Array(Id)),
  schedules: Schema.optional(Schema.Array(Id)),
  subPlanDueBy: Schema.optional(LocalDate)
})
export type UnitAssigned = typeof UnitAssigned.Type

const reportFields = {
  reportId: Id,
  planId: Id,
  unitId: Id,
  scheduleId: Id,
  period: Id,
  metrics: Schema.optional(Schema.Record({ key: Schema.String, value: Count })),
  summary: Schema.optional(Schema.String),
  supersedes: Schema.optional(Id)
}

/**
 * How a report reached the log (DOMAIN.md "Filing time"): `online`, sent through the server by the
 * unit itself and filed when the server received it; `paper`, received on paper and entered by a
 * clerk (văn thư) of a receiving unit with the date received and the incoming register number (số đến).
 */
export const Channel = Schema.Literal("online", "paper").annotations({
  message: (issue) => ({
    message: `expected one of "online", "paper", got ${JSON.stringify(issue.actual)}`,
    override: true
  })
})
export type Channel = typeof Channel.Type

/**
 * A report filed at `occurredAt` for one (plan, unit, schedule, period) (version 2: its channel).
 * `channel` is absent only in version-1 lines, written before channels: their filing time is as
 * the filer stated it (read as the channel `"stated"`, see `channelOf`). `registerNumber` is the
 * incoming register reference (số đến) of a paper filing, and only of one.
 */
export const ReportFiled = Schema.Struct({
  ...reportFields,
  channel: Schema.optional(Channel),
  registerNumber: Schema.optional(Id)
})
export type ReportFiled = typeof ReportFiled.Type

/** ReportFiled version 1, as logs written before channels hold it. */
export const ReportFiledV1 = Schema.Struct(reportFields)

/** A filing's channel as read: a version-1 line, before channels, is `"stated"` (its time is the filer's word). */
export type ChannelReading = Channel | "stated"

/** The channel of a report payload, `"stated"` for one written before channels. */
export const channelOf = (data: { readonly channel?: Channel | undefined }): ChannelReading => data.channel ?? "stated"

/** Mô hình tự quản: a model set up in a unit, normally a residential area. */
export const ModelEstablished = Schema.Struct({
  modelId: Id,
  unitId: Id,
  kind: Id,
  name: Text,
  planId: Schema.optional(Id),
  households: Schema.optional(Count),
  committed: Schema.optional(Count)
})
export type ModelEstablished = typeof ModelEstablished.Type

/** A model stops counting from `occurredAt`. */
export const ModelDissolved = Schema.Struct({ modelId: Id })
export type ModelDissolved = typeof ModelDissolved.Type

/** The payload schema of every event type, by type name. */
export const payloads = {
  UnitRegistered,
  UnitMoved,
  UnitClosed,
  PlanIssued,
  UnitAssigned,
  ReportFiled,
  ModelEstablished,
  ModelDissolved
} as const

/** The payload of each event type. */
export type EventData = { readonly [K in keyof typeof payloads]: (typeof payloads)[K]["Type"] }

/** The name of an event type. */
export type EventType = keyof EventData

/** The event types, in the order of DOMAIN.md §3. */
export const eventTypes = Object.keys(payloads) as ReadonlyArray<EventType>

/** An event type's name, as a schema (a filter of the log by type, say). */
export const EventType: Schema.Schema<EventType> = Schema.Literal(...(eventTypes as [EventType, ...Array<EventType>]))

/** An event's type and payload, discriminated by `type`. */
export type DomainEvent = { readonly [K in EventType]: { readonly type: K; readonly data: EventData[K] } }[EventType]

/** An event as proposed for the log: what happened and when, before the store records it. */
export type ProposedEvent = DomainEvent & {
  readonly occurredAt: string
  readonly id?: string | undefined
}

/**
 * An event as the log holds it: the payload and the envelope the store set
 * (position, id, version, knowledge time and who recorded it).
 */
export type RecordedEvent = DomainEvent & {
  readonly position: number
  readonly id: string
  readonly version: number
  readonly occurredAt: string
  readonly recordedAt: string
  readonly recordedBy: string
}

/** The version of each payload schema that this software writes. */
export const currentVersion: Readonly<Record<EventType, number>> = {
  UnitRegistered: 1,
  UnitMoved: 1,
  UnitClosed: 1,
  PlanIssued: 2,
  UnitAssigned: 1,
  ReportFiled: 2,
  ModelEstablished: 1,
  ModelDissolved: 1
}

// ---------------------------------------------------------------------------
// The NDJSON line

const Hex64 = Schema.String.pipe(
  Schema.filter((s) => /^[0-9a-f]{64}$/.test(s), { message: () => "expected 64 lowercase hex digits" })
)

const Uuid = Schema.String.pipe(
  Schema.filter((s) => /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s), {
    message: (issue) => `expected a UUID, got ${JSON.stringify(issue.actual)}`
  })
)

const PositiveInt = Schema.Number.pipe(
  Schema.filter((n) => Number.isSafeInteger(n) && n >= 1, {
    message: (issue) => `expected a whole number >= 1, got ${JSON.stringify(issue.actual)}`
  })
)

/**
 * One line of the NDJSON contract (DOMAIN.md §5): `type`, `occurredAt` and
 * `data` always; the envelope fields when the line comes from an export.
 */
export const EventLine = Schema.Struct({
  position: Schema.optional(PositiveInt),
  id: Schema.optional(Uuid),
  type: Schema.Literal(...eventTypes).annotations({
    message: (issue) => ({
      message: `expected one of ${eventTypes.join(", ")}, got ${JSON.stringify(issue.actual)}`,
      override: true
    })
  }),
  version: Schema.optional(PositiveInt),
  occurredAt: Instant,
  recordedAt: Schema.optional(Instant),
  recordedBy: Schema.optional(Text),
  data: Schema.Unknown,
  prevHash: Schema.optional(Hex64),
  hash: Schema.optional(Hex64)
})

/** A decoded NDJSON line: a typed, current-version event and whatever envelope fields it carried. */
export type EventLine = DomainEvent & {
  readonly occurredAt: string
  readonly position?: number | undefined
  readonly id?: string | undefined
  readonly version?: number | undefined
  readonly recordedAt?: string | undefined
  readonly recordedBy?: string | undefined
  readonly prevHash?: string | undefined
  readonly hash?: string | undefined
}

// ---------------------------------------------------------------------------
// Upcasting

/**
 * Upcasters turn the raw payload of version `n` of a type into version `n + 1`
 * before it is validated. The log keeps what was written (its version and
 * data, byte for byte, so the hash chain still verifies); readers see the
 * current shape.
 */
export type Upcasters = { readonly [K in EventType]?: { readonly [fromVersion: number]: (data: unknown) => unknown } }

/** The payload schemas of older versions, by type and version: an old line is checked against its own version first. */
export type OlderPayloads = { readonly [K in EventType]?: { readonly [version: number]: Schema.Schema.AnyNoContext } }

/** What a decoder needs to know about versions. */
export interface Versions {
  readonly current: Readonly<Record<EventType, number>>
  readonly upcasters: Upcasters
  readonly older?: OlderPayloads | undefined
}

/**
 * The versions this software knows. PlanIssued version 2 added the quarterly,
 * half-yearly and yearly schedules; a version-1 payload is already a valid
 * version 2, so its upcaster keeps it as it is, after checking that it holds
 * only version 1's kinds (a version-1 line with a quarterly schedule is refused).
 * ReportFiled version 2 added the channel: a version-1 payload (no channel, no
 * register number) reads as it is, with the channel `"stated"`.
 */
export const versions: Versions = {
  current: currentVersion,
  upcasters: { PlanIssued: { 1: (data) => data }, ReportFiled: { 1: (data) => data } },
  older: { PlanIssued: { 1: PlanIssuedV1 }, ReportFiled: { 1: ReportFiledV1 } }
}

const parseOptions = { errors: "first", onExcessProperty: "error" } as const

const decodeLineEnvelope = Schema.decodeUnknownEither(EventLine, parseOptions)

const payloadDecoders = Object.fromEntries(
  eventTypes.map((type) => [
    type,
    Schema.decodeUnknownEither(payloads[type] as Schema.Schema<unknown, unknown>, parseOptions)
  ])
) as { readonly [K in EventType]: (u: unknown) => Either.Either<unknown, ParseResult.ParseError> }

const firstIssue = (error: ParseResult.ParseError, prefix: ReadonlyArray<PropertyKey>, note = ""): InvalidEvent => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const [issue, message] = kindIssue(issues) ?? [issues[0], issues[0]?.message ?? "invalid"]
  const path = [...prefix, ...(issue?.path ?? [])].map(String).join(".")
  return new InvalidEvent({
    field: path,
    reason: readable(message, issue?.path.length === 0 && prefix.length === 0) + note
  })
}

/**
 * A union of schedules reports every member's complaint. When the `kind` is
 * known, the complaint that matters is the matching member's (a missing
 * `dueMonthOffset`), not the other members' "expected monthly"; when it is
 * unknown, one message lists every kind.
 */
const kindIssue = (
  issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>
): readonly [ParseResult.ArrayFormatterIssue, string] | undefined => {
  const first = issues[0]
  if (first === undefined || first.path[first.path.length - 1] !== "kind") return undefined
  const samePath = (i: ParseResult.ArrayFormatterIssue) =>
    i.path.length === first.path.length && i.path.every((p, k) => p === first.path[k])
  const other = issues.find((i) => !samePath(i))
  if (other !== undefined) return [other, other.message]
  const literals = issues.map((i) => /^Expected (".*"), actual (.*)$/.exec(i.message))
  if (literals.some((m) => m === null)) return undefined
  const kinds = literals.flatMap((m) => m![1]!.split(" | "))
  return [first, `expected one of ${kinds.join(", ")}, got ${literals[0]![2]}`]
}

// Effect's messages for unknown keys and missing keys are terse; say what they mean.
const readable = (message: string, atRoot: boolean): string =>
  message === "is unexpected, expected: never" || message.startsWith("is unexpected")
    ? "is not a field of this event"
    : message === "is missing"
      ? "is required but missing"
      : atRoot && message.startsWith("Expected {")
        ? "expected a JSON object"
        : message

const fastEnvelope = FastCheck.envelope(eventTypes)

/**
 * Decodes unknown JSON (a parsed NDJSON line or HTTP body) into a typed event
 * of the current version, or an `InvalidEvent` naming the field and what was
 * expected. A valid current-version line is checked by a hand-written
 * validator exactly as strict as the schemas and returned as it is (its
 * fields in the order written); anything else goes through the schemas.
 */
export const decodeLine = (input: unknown, known: Versions = versions): Either.Either<EventLine, InvalidEvent> => {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return Either.left(new InvalidEvent({ field: "", reason: "expected a JSON object" }))
  }
  if (known === versions && fastEnvelope(input)) {
    const line = input as { readonly type: EventType; readonly version?: number; readonly data: unknown }
    const version = line.version ?? currentVersion[line.type]
    if (version === currentVersion[line.type] && FastCheck.payloads[line.type]!(line.data)) {
      return Either.right(input as EventLine)
    }
  }
  const envelope = decodeLineEnvelope(input)
  if (Either.isLeft(envelope)) return Either.left(firstIssue(envelope.left, []))
  const line = envelope.right
  const type = line.type
  const current = known.current[type]
  // A line without `version` is of the current version, on both paths: it is a proposal (the store
  // writes `version` into every line it stores, and an exported line always carries it), written
  // by someone using this software's schemas, and it is stored as the current version. Reading it
  // as version 1 would refuse today's PlanIssued schedule kinds in every proposal that omits it.
  const version = line.version ?? current
  if (version > current) {
    return Either.left(
      new InvalidEvent({
        field: "version",
        reason: `version ${version} of ${type} is newer than this software knows (${current})`
      })
    )
  }
  let data = line.data
  for (let v = version; v < current; v++) {
    const older = known.older?.[type]?.[v]
    if (older !== undefined) {
      const valid = Schema.decodeUnknownEither(older, parseOptions)(data)
      if (Either.isLeft(valid)) return Either.left(firstIssue(valid.left, ["data"], ` (in version ${v} of ${type})`))
    }
    const upcast = known.upcasters[type]?.[v]
    if (upcast === undefined) {
      return Either.left(
        new InvalidEvent({ field: "version", reason: `no upcaster from version ${v} of ${type} to version ${v + 1}` })
      )
    }
    data = upcast(data)
  }
  const payload = payloadDecoders[type](data)
  if (Either.isLeft(payload)) return Either.left(firstIssue(payload.left, ["data"]))
  return Either.right({ ...line, data: payload.right } as EventLine)
}

/**
 * Why text is not JSON, in one line: the parser's message with control
 * characters escaped (it quotes the input, which may hold a newline) and cut
 * to a readable length, so a refusal is always one line, whatever was sent.
 */
export const jsonSyntaxReason = (error: unknown): string => {
  const message = (error as Error)?.message ?? String(error)
  const escaped = message.replace(
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped here
    /[\u0000-\u001f\u007f\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")
  )
  return `not valid JSON (${escaped.length > 200 ? escaped.slice(0, 200) + "…" : escaped})`
}

/** Parses one NDJSON line (text) and decodes it; a JSON syntax error is an `InvalidEvent` too. */
export const parseLine = (text: string, known: Versions = versions): Either.Either<EventLine, InvalidEvent> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return Either.left(new InvalidEvent({ field: "", reason: jsonSyntaxReason(e) }))
  }
  return decodeLine(json, known)
}

/**
 * The unit an event concerns, for access control and filters: the unit acted
 * on, the issuer of a plan, the unit a report or model belongs to. Model
 * dissolution names only the model, so it has none here.
 */
export const unitOf = (event: DomainEvent): string | undefined => {
  switch (event.type) {
    case "PlanIssued":
      return event.data.issuerId
    case "ModelDissolved":
      return undefined
    default:
      return event.data.unitId
  }
}

/** The plan an event concerns, if any. */
export const planOf = (event: DomainEvent): string | undefined => {
  switch (event.type) {
    case "PlanIssued":
    case "UnitAssigned":
    case "ReportFiled":
      return event.data.planId
    case "ModelEstablished":
      return event.data.planId
    default:
      return undefined
  }
}
