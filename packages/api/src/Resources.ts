/**
 * The JSON shapes the HTTP contract carries: events in the NDJSON line shape
 * of DOMAIN.md §5, the compliance and coverage objects (the same JSON as the
 * CLI's `--format json`), explanations, plans, units and the chain's digest.
 *
 * They are schemas so that the OpenAPI document, the server's encoder and
 * `HttpApiClient`'s decoder are all derived from one source.
 */
import { Compliance as DomainCompliance, Coverage as DomainCoverage, Events, Explain, Hierarchy } from "@kehoach/domain"
import { Schema } from "effect"

const Hex64 = Schema.String.annotations({ description: "64 lowercase hex digits (SHA-256)" })

const eventOf = <K extends Events.EventType>(type: K) =>
  Schema.Struct({
    position: Schema.Number,
    id: Schema.String,
    type: Schema.Literal(type),
    version: Schema.Number,
    occurredAt: Schema.String,
    recordedAt: Schema.String,
    recordedBy: Schema.String,
    data: Events.payloads[type] as unknown as Schema.Schema<Events.EventData[K]>,
    prevHash: Hex64,
    hash: Hex64
  })

/**
 * An event as the log holds it: exactly the ten fields of an exported NDJSON
 * line (`position`, `id`, `type`, `version`, `occurredAt`, `recordedAt`,
 * `recordedBy`, `data`, `prevHash`, `hash`).
 */
export const StoredEvent = Schema.Union(
  eventOf("UnitRegistered"),
  eventOf("UnitMoved"),
  eventOf("UnitClosed"),
  eventOf("PlanIssued"),
  eventOf("UnitAssigned"),
  eventOf("ReportFiled"),
  eventOf("ModelEstablished"),
  eventOf("ModelDissolved")
).annotations({ identifier: "StoredEvent" })
export type StoredEvent = typeof StoredEvent.Type

const proposedOf = <K extends Events.EventType>(type: K) =>
  Schema.Struct({
    id: Schema.optional(Schema.String.annotations({ description: "a UUID; repeating a stored id is a no-op" })),
    type: Schema.Literal(type),
    version: Schema.optional(Schema.Number),
    occurredAt: Schema.String.annotations({ description: "ISO 8601 instant with offset (valid time)" }),
    data: Events.payloads[type] as unknown as Schema.Schema<Events.EventData[K]>
  })

/**
 * One event to append, in the NDJSON line shape: `type`, `occurredAt`,
 * `data`, optionally `id` and `version`. The server sets `recordedAt` and
 * `recordedBy` (the token's actor); other envelope fields are ignored.
 */
export const ProposedEvent = Schema.Union(
  proposedOf("UnitRegistered"),
  proposedOf("UnitMoved"),
  proposedOf("UnitClosed"),
  proposedOf("PlanIssued"),
  proposedOf("UnitAssigned"),
  proposedOf("ReportFiled"),
  proposedOf("ModelEstablished"),
  proposedOf("ModelDissolved")
).annotations({ identifier: "ProposedEvent" })
export type ProposedEvent = typeof ProposedEvent.Type

/** A batch of events appended atomically, optionally only if the log is still at `expectedPosition`. */
export const AppendBatch = Schema.Struct({
  events: Schema.Array(ProposedEvent),
  expectedPosition: Schema.optional(Schema.Number)
}).annotations({ identifier: "AppendBatch" })
export type AppendBatch = typeof AppendBatch.Type

/** The body of `POST /events`: one event, or a batch. */
export const AppendRequest = Schema.Union(ProposedEvent, AppendBatch)
export type AppendRequest = typeof AppendRequest.Type

/** What an append did: the events as stored (the stored ones for repeated ids), how many were new, the log's position. */
export const AppendResult = Schema.Struct({
  appended: Schema.Number,
  position: Schema.Number,
  events: Schema.Array(StoredEvent)
}).annotations({ identifier: "AppendResult" })
export type AppendResult = typeof AppendResult.Type

/** What an import did. */
export const ImportResult = Schema.Struct({
  imported: Schema.Number,
  skipped: Schema.Number.annotations({ description: "lines whose id was already stored with the same content" }),
  position: Schema.Number
}).annotations({ identifier: "ImportResult" })
export type ImportResult = typeof ImportResult.Type

/** A page of the log; `next` is the `from` of the next page, `null` at the end. */
export const EventPage = Schema.Struct({
  events: Schema.Array(StoredEvent),
  next: Schema.NullOr(Schema.Number)
}).annotations({ identifier: "EventPage" })
export type EventPage = typeof EventPage.Type

// The projections' results are the domain's schemas, declared once there (DOMAIN.md §5).

/** The compliance of a plan (DOMAIN.md §4.1, §5): the same JSON as `kehoach compliance --format json`. */
export const Compliance = DomainCompliance.Compliance
export type Compliance = typeof Compliance.Type

/** Coverage (DOMAIN.md §4.2, §5): the same JSON as `kehoach coverage --format json`. */
export const Coverage = DomainCoverage.Contract
export type Coverage = typeof Coverage.Type

/** The answer of `GET /explain`: an obligation (with `planId`) or a coverage figure (without). */
export const Explanation = Explain.Explanation
export type Explanation = typeof Explanation.Type

/** The result of walking the hash chain. */
export const VerifyResult = Schema.Union(
  Schema.Struct({
    ok: Schema.Literal(true),
    position: Schema.Number,
    hash: Schema.String,
    rootHash: Schema.optionalWith(Schema.String, { exact: true })
  }),
  Schema.Struct({ ok: Schema.Literal(false), position: Schema.Number, reason: Schema.String })
).annotations({ identifier: "VerifyResult" })
export type VerifyResult = typeof VerifyResult.Type

/** The position and hash of the last event: what an auditor keeps. */
export const Digest = Schema.Struct({ position: Schema.Number, hash: Schema.String }).annotations({
  identifier: "Digest"
})
export type Digest = typeof Digest.Type

/** The server is up. */
export const Health = Schema.Struct({ status: Schema.Literal("ok") })

/** A plan as the log knows it, without its assignments. */
export const PlanSummary = Schema.Struct({
  planId: Schema.String,
  documentNumber: Schema.String,
  title: Schema.String,
  issuerId: Schema.String,
  parentPlanId: Schema.NullOr(Schema.String),
  effectiveFrom: Schema.String,
  effectiveUntil: Schema.String,
  issuedAt: Schema.String,
  position: Schema.Number
}).annotations({ identifier: "PlanSummary" })
export type PlanSummary = typeof PlanSummary.Type

/** A plan with its tasks, schedules, assignments and sub-plans. */
export const PlanDetail = Schema.Struct({
  ...PlanSummary.fields,
  basis: Schema.Array(Schema.String),
  tasks: Schema.Array(Events.Task),
  schedules: Schema.Array(Events.Schedule),
  assignments: Schema.Array(
    Schema.Struct({
      unitId: Schema.String,
      assignedAt: Schema.String,
      position: Schema.Number,
      schedules: Schema.Array(Schema.String),
      tasks: Schema.NullOr(Schema.Array(Schema.String)),
      subPlanDueBy: Schema.NullOr(Schema.String)
    })
  ),
  subPlans: Schema.Array(Schema.Struct({ planId: Schema.String, issuerId: Schema.String }))
}).annotations({ identifier: "PlanDetail" })
export type PlanDetail = typeof PlanDetail.Type

/** A unit and its history: parents over time, closure. */
export const Unit = Schema.Struct({
  unitId: Schema.String,
  name: Schema.String,
  level: Schema.String,
  tags: Schema.Array(Schema.String),
  registeredAt: Schema.String,
  position: Schema.Number,
  parents: Schema.Array(Schema.Struct({ parentId: Schema.NullOr(Schema.String), from: Schema.String })),
  closedAt: Schema.NullOr(Schema.String),
  successorId: Schema.NullOr(Schema.String)
}).annotations({ identifier: "Unit" })
export type Unit = typeof Unit.Type

/** The open units of a subtree as it stood at `asOf`, depth first. */
export const Subtree = Schema.Struct({
  unitId: Schema.String,
  asOf: Schema.String,
  knownAt: Schema.String,
  units: Schema.Array(Hierarchy.SubtreeRow)
}).annotations({ identifier: "Subtree" })
export type Subtree = typeof Subtree.Type
