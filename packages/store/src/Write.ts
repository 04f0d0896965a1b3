/**
 * The store's one write path, for appends and imports alike: a batch of
 * events (typed by the caller, or parsed from NDJSON lines) is split into the
 * repeats of ids already stored, which must match what is stored and are
 * then no-ops, and the new events, which the domain's `Decider` checks,
 * stamps and folds while this module seals them into the hash chain; then
 * the rows are inserted, with the Merkle tree's nodes they complete. It runs inside the caller's write transaction, on
 * the state caught up to the head of the log.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Errors } from "@kehoach/domain"
import { Decider, Events, State } from "@kehoach/domain"
import canonicalize from "canonicalize"
import { Effect, Either } from "effect"
import { randomUUID } from "node:crypto"
import type { Digest, StoredEvent } from "./EventStore.js"
import { ConcurrencyConflict, IdConflict } from "./EventStore.js"
import * as HashChain from "./HashChain.js"
import * as Merkle from "./Merkle.js"
import * as MerkleTree from "./MerkleTree.js"
import type { DigestSet } from "./internal/DigestSet.js"
import type { UuidSet } from "./internal/UuidSet.js"
import * as Ndjson from "./Ndjson.js"
import * as Read from "./Read.js"
import * as Rows from "./Rows.js"

/** One event to write: decoded to the current payload version, with the envelope fields it carried. */
export interface Incoming {
  readonly line: Events.EventLine
  /** The payload as written: what is stored and hashed (it differs from `line.data` only for an older version). */
  readonly written: unknown
}

/** A line whose stated envelope does not fit the log (position, prevHash, hash, size). */
export class LineRefused {
  readonly _tag = "LineRefused"
  constructor(
    readonly message: string,
    readonly field: string
  ) {}
}

/** Why a batch was refused, at which index of it; nothing of it was written. */
export interface Refusal {
  readonly index: number
  readonly error: Errors.RuleViolation | IdConflict | LineRefused | ConcurrencyConflict
}

/**
 * An import into an empty log: event ids and report ids are kept in compact
 * sets, and the indexes are built at the end, unless a lookup needs one first.
 */
export interface Bulk {
  readonly seen: UuidSet
  /** The report ids this import wrote (a hit is a "maybe", confirmed in the database). */
  readonly reportIds: DigestSet
  /**
   * Builds a dropped index now (once), so that a lookup through it does not
   * scan the log: `events_id` (a possible repeat), `events_plan` (warming a
   * plan) or `events_report` (a possible report id).
   */
  readonly ensureIndex: (name: string) => Effect.Effect<void, SqlError>
}

/** What a write needs besides the batch. */
export interface Context {
  readonly sql: SqlClient.SqlClient
  readonly state: State.State
  /** The head of the chain: the hash at `State.position(state)`. */
  readonly head: Digest
  /** The right edge of the Merkle tree of the log, of `head.position` leaves; `undefined`: no tree is kept. */
  readonly tree: Merkle.Frontier | undefined
  /** `recordedBy` of events that carry none. */
  readonly recordedBy: string
  /** The store's clock, an instant. */
  readonly now: string
  /** Largest exported line of one event, in UTF-8 bytes. */
  readonly maxEventBytes: number
  /** Refuse the batch unless the log is at this position (checked when the batch is empty or writes anything). */
  readonly expectedPosition?: number | undefined
  readonly bulk?: Bulk | undefined
  /** See `Decider.Options.undoable`. */
  readonly undoable: boolean
}

/** What a write did. */
export interface Written {
  /** Per event of the batch, as stored (the stored one for a repeat). */
  readonly events: ReadonlyArray<StoredEvent>
  readonly appended: number
  /** The new head of the chain. */
  readonly head: Digest
  /** The new right edge of the Merkle tree. */
  readonly tree: Merkle.Frontier | undefined
}

const envelopeFields = ["version", "recordedAt", "recordedBy", "position", "prevHash", "hash"] as const

/**
 * Whether an incoming event is the stored one again: same type, valid time
 * and payload, and every envelope field the line states equal to the stored
 * one (a line that keeps an event's id and hash but changes its content is
 * not a repeat: it is refused).
 */
const isRepeat = (incoming: Incoming, stored: StoredEvent): boolean => {
  const l = incoming.line
  if (l.type !== stored.type) return false
  // An online filing is stamped with the time the log received it: a resend states another time.
  const stamped = l.type === "ReportFiled" && l.data.channel === "online" && l.recordedAt === undefined
  if (!stamped && l.occurredAt !== stored.occurredAt) return false
  for (const field of envelopeFields) {
    if (l[field] !== undefined && l[field] !== stored[field]) return false
  }
  return canonicalize(incoming.written) === canonicalize(stored.data)
}

/** Two events of one batch with the same id: the same content, and no stated envelope field that differs. */
const sameIncoming = (a: Incoming, b: Incoming): boolean =>
  a.line.type === b.line.type &&
  a.line.occurredAt === b.line.occurredAt &&
  envelopeFields.every((f) => a.line[f] === undefined || b.line[f] === undefined || a.line[f] === b.line[f]) &&
  canonicalize(a.written) === canonicalize(b.written)

/** The stored events among the batch's ids (for `decide`), by id. */
export const lookUp = (
  ctx: Pick<Context, "sql" | "bulk">,
  batch: ReadonlyArray<Incoming>
): Effect.Effect<Map<string, StoredEvent>, SqlError> =>
  Effect.gen(function* () {
    const ids: Array<string> = []
    for (const { line } of batch) {
      if (line.id === undefined) continue
      // In a bulk import only this import's ids are stored: an id new to the set is new to the log.
      if (ctx.bulk === undefined || !ctx.bulk.seen.add(line.id)) ids.push(line.id)
    }
    if (ids.length === 0) return new Map()
    if (ctx.bulk !== undefined) yield* ctx.bulk.ensureIndex("events_id")
    return yield* Rows.byId(ctx.sql, ids)
  })

/**
 * Before the rules see a batch that files reports (DOMAIN §3: a report id is
 * not taken; a correction names a report of its obligation; one first report
 * per obligation): warms the plans it files for, and looks the report ids it
 * names (`reportId`, `supersedes`) up in the log, warming the plans holding
 * them, so that the rules see every report they ask about without an index of
 * every report in memory. What was found, for `State.resolveReportIds`.
 */
const prepareReports = (
  ctx: Omit<Context, "tree">,
  fresh: ReadonlyArray<Decider.Proposal>
): Effect.Effect<ReadonlyMap<string, string | undefined> | undefined, SqlError> =>
  Effect.gen(function* () {
    const filings = fresh.flatMap((p) => (p.type === "ReportFiled" ? [p.data] : []))
    if (filings.length === 0) return undefined
    const { bulk, sql, state } = ctx
    const warm = (planIds: Iterable<string>) =>
      Effect.gen(function* () {
        const cold = [...new Set(planIds)].filter(
          (id) => !State.isWarm(state, id) && State.plan(state, id) !== undefined
        )
        if (cold.length === 0) return
        if (bulk !== undefined) yield* bulk.ensureIndex("events_plan")
        yield* Read.warm(sql, state, cold)
      })
    yield* warm(filings.map((d) => d.planId))
    const resolved = new Map<string, string | undefined>()
    const lookUp: Array<string> = []
    for (const d of filings) {
      resolved.set(d.reportId, undefined)
      // In a bulk import, only this import's report ids are in the log: one it did not write is new.
      if (bulk === undefined || bulk.reportIds.has(d.reportId)) lookUp.push(d.reportId)
      if (d.supersedes === undefined) continue
      // A correction names a report of its own obligation, most often found there without a query.
      if (State.reportOfObligation(state, d.planId, d.unitId, d.scheduleId, d.period, d.supersedes)) {
        resolved.set(d.supersedes, d.planId)
      } else {
        resolved.set(d.supersedes, undefined)
        lookUp.push(d.supersedes)
      }
    }
    if (lookUp.length > 0) {
      if (bulk !== undefined) yield* bulk.ensureIndex("events_report")
      const found = yield* Read.plansOfReports(sql, lookUp)
      for (const [reportId, planId] of found) resolved.set(reportId, planId)
      yield* warm(found.values())
    }
    if (bulk !== undefined) for (const d of filings) bulk.reportIds.add(d.reportId)
    return resolved
  })

/** A batch decided and sealed: its events as stored, the rows to insert, the head of the chain after it. */
export interface Decided {
  /** Per event of the batch, as stored (the stored one for a repeat). */
  readonly events: ReadonlyArray<StoredEvent>
  /** The rows of its new events, in log order (not inserted yet). */
  readonly rows: ReadonlyArray<Rows.Row>
  readonly head: Digest
}

/**
 * Decides a batch: all of it, or none of it and the refusal of its first bad
 * event. `stored` holds the events already in the log (or accepted before in
 * the same transaction) under the batch's ids, from `lookUp`. On success the
 * state includes the batch and its rows are returned for `insert`; on a
 * refusal with `undoable`, the state is as it was; without, the caller throws
 * the state away. The tree is not touched (see `insert`).
 */
export const decide = (
  ctx: Omit<Context, "tree">,
  batch: ReadonlyArray<Incoming>,
  stored: ReadonlyMap<string, StoredEvent>
): Effect.Effect<Decided, Refusal | SqlError> =>
  Effect.gen(function* () {
    const events: Array<StoredEvent | undefined> = new Array(batch.length)
    const fresh: Array<Decider.Proposal> = []
    // Where each fresh proposal sits in the batch, and the first fresh event of each id.
    const indexOf: Array<number> = []
    const firstById = new Map<string, number>()
    const repeatsInBatch: Array<readonly [index: number, of: number]> = []
    for (let index = 0; index < batch.length; index++) {
      const incoming = batch[index]!
      const l = incoming.line
      if (l.id !== undefined) {
        const before = stored.get(l.id)
        if (before !== undefined) {
          if (!isRepeat(incoming, before)) {
            return yield* Effect.fail<Refusal>({
              index,
              error: new IdConflict({ id: l.id, position: before.position })
            })
          }
          events[index] = before
          continue
        }
        const earlier = firstById.get(l.id)
        if (earlier !== undefined) {
          if (!sameIncoming(incoming, batch[earlier]!)) {
            return yield* Effect.fail<Refusal>({
              index,
              error: new LineRefused(`event id ${l.id} appears twice in the batch with other content`, "id")
            })
          }
          repeatsInBatch.push([index, earlier])
          continue
        }
      }
      // A stated position is checked before the rules: a line that does not continue the log is refused as such,
      // whatever the rules would say of it on a state it does not follow.
      const next = ctx.head.position + fresh.length + 1
      if (l.position !== undefined && l.position !== next) {
        return yield* Effect.fail<Refusal>({
          index,
          error: new LineRefused(
            `position ${l.position} does not continue the log (the next position is ${next})`,
            "position"
          )
        })
      }
      const id = l.id ?? randomUUID()
      firstById.set(id, index)
      indexOf.push(index)
      fresh.push({
        type: l.type,
        data: l.data,
        occurredAt: l.occurredAt,
        id,
        version: l.version ?? Events.currentVersion[l.type],
        recordedAt: l.recordedAt,
        recordedBy: l.recordedBy ?? ctx.recordedBy
      } as Decider.Proposal)
    }
    if (
      ctx.expectedPosition !== undefined &&
      (fresh.length > 0 || batch.length === 0) &&
      ctx.expectedPosition !== ctx.head.position
    ) {
      return yield* Effect.fail<Refusal>({
        index: 0,
        error: new ConcurrencyConflict({ expectedPosition: ctx.expectedPosition, actualPosition: ctx.head.position })
      })
    }

    const rows: Array<Rows.Row> = []
    let prevHash = ctx.head.hash
    // The seal's refusals name the field at fault; the decider hands them back as they are.
    const refuse = (field: string, reason: string) => new Decider.Refused(reason, field)
    const seal = (accepted: Decider.Accepted, i: number): StoredEvent | Decider.Refused => {
      const l = batch[indexOf[i]!]!.line
      if (l.prevHash !== undefined && l.prevHash !== prevHash) {
        return refuse(
          "prevHash",
          `prevHash ${l.prevHash} does not match the hash of position ${accepted.position - 1} (${prevHash})`
        )
      }
      // One object, in the field order of the exported line; the hash is set last.
      const event = {
        position: accepted.position,
        id: accepted.id,
        type: accepted.type,
        version: accepted.version,
        occurredAt: accepted.occurredAt,
        recordedAt: accepted.recordedAt,
        recordedBy: accepted.recordedBy,
        data: batch[indexOf[i]!]!.written,
        prevHash,
        hash: ""
      } as StoredEvent & { hash: string }
      // The payload is serialised once: its canonical form is both hashed and stored.
      let dataJson: string
      try {
        dataJson = HashChain.canonicalData(event.data)
        event.hash = HashChain.sha256(HashChain.canonicalJsonWith(event, dataJson))
      } catch (error) {
        return refuse("data", `the event cannot be hashed: ${(error as Error).message}`)
      }
      if (l.hash !== undefined && l.hash !== event.hash) {
        return refuse("hash", `hash ${l.hash} does not match the line's content, which hashes to ${event.hash}`)
      }
      const line = Ndjson.exportLine(event, dataJson)
      if (line.length > ctx.maxEventBytes / 3) {
        const bytes = Buffer.byteLength(line)
        if (bytes > ctx.maxEventBytes) {
          return refuse("data", `the event is ${bytes} bytes, over the limit of ${ctx.maxEventBytes} bytes per event`)
        }
      }
      rows.push({ ...Rows.columnsOf(event), line })
      prevHash = event.hash
      return event
    }
    State.resolveReportIds(ctx.state, yield* prepareReports(ctx, fresh))
    let decided: ReturnType<typeof Decider.decide<StoredEvent>>
    try {
      decided = Decider.decide(ctx.state, fresh, { now: ctx.now, seal, undoable: ctx.undoable })
    } finally {
      State.resolveReportIds(ctx.state, undefined)
    }
    if (Either.isLeft(decided)) {
      const { error, index } = decided.left
      return yield* Effect.fail<Refusal>({
        index: indexOf[index]!,
        error: error instanceof Decider.Refused ? new LineRefused(error.reason, error.field) : error
      })
    }
    decided.right.forEach((event, i) => (events[indexOf[i]!] = event))
    for (const [index, of] of repeatsInBatch) events[index] = events[of]
    const last = decided.right[decided.right.length - 1]
    return {
      events: events as Array<StoredEvent>,
      rows,
      head: last === undefined ? ctx.head : { position: last.position, hash: last.hash }
    } satisfies Decided
  })

/**
 * Inserts decided rows, with the Merkle tree's nodes they complete (the tree's
 * leaves are the lines); the new right edge of the tree (`undefined`: no tree is kept).
 */
export const insert = (
  ctx: Pick<Context, "sql" | "tree">,
  rows: ReadonlyArray<Rows.Row>
): Effect.Effect<Merkle.Frontier | undefined, SqlError> =>
  Effect.gen(function* () {
    if (rows.length === 0) return ctx.tree
    yield* Rows.insert(ctx.sql, rows)
    if (ctx.tree === undefined) return undefined
    const grown = Merkle.extend(
      ctx.tree,
      rows.map((r) => Merkle.leafHash(r.line)),
      MerkleTree.storedLevel
    )
    yield* MerkleTree.insertNodes(ctx.sql, grown.completed)
    return grown.frontier
  })

/**
 * Writes a batch: all of it, or nothing and the refusal of its first bad
 * event (`lookUp`, `decide`, `insert`). On success the rows are inserted and
 * the state includes the batch. On a refusal with `undoable`, the state is as
 * it was; without, the caller throws the state away.
 */
export const write = (ctx: Context, batch: ReadonlyArray<Incoming>): Effect.Effect<Written, Refusal | SqlError> =>
  Effect.gen(function* () {
    const decided = yield* decide(ctx, batch, yield* lookUp(ctx, batch))
    const tree = yield* insert(ctx, decided.rows)
    return { events: decided.events, appended: decided.rows.length, head: decided.head, tree } satisfies Written
  })
