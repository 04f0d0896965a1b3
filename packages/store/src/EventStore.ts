/**
 * The event store port: what the CLI and the server ask of the log. The SQL
 * adapter (`SqlEventStore`) implements it on `@effect/sql`; the domain never
 * sees SQL.
 */
import type { Errors, Events, Proofs, Relevance, State } from "@kehoach/domain"
import { Context, Schema } from "effect"
import type { Effect, Either, Stream } from "effect"

/** An event as stored: the envelope of DOMAIN.md §3, with the hash chain. */
export type StoredEvent = Events.RecordedEvent & {
  readonly prevHash: string
  readonly hash: string
}

/** The log has moved past the position the appender expected. */
export class ConcurrencyConflict extends Schema.TaggedError<ConcurrencyConflict>()("ConcurrencyConflict", {
  expectedPosition: Schema.Number,
  actualPosition: Schema.Number
}) {
  override get message(): string {
    return `expected the log at position ${this.expectedPosition}, but it is at ${this.actualPosition}`
  }
}

/** An event id already stored with other content. */
export class IdConflict extends Schema.TaggedError<IdConflict>()("IdConflict", {
  id: Schema.String,
  position: Schema.Number
}) {
  override get message(): string {
    return `event id ${this.id} is already stored at position ${this.position} with other content`
  }
}

/**
 * A line of an NDJSON import that cannot be taken (1-based `line`), or the
 * input itself could not be read (`line` 0); nothing from the file was stored.
 */
export class ImportError extends Schema.TaggedError<ImportError>()("ImportError", {
  line: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return this.line === 0 ? this.reason : `line ${this.line}: ${this.reason}`
  }
}

/**
 * The refusal of an import line longer than the per-event limit, in UTF-8
 * bytes without its line end: one wording for the line splitter, which
 * refuses it as it reads (`Ndjson.linesOfBytes`), and the store, which checks
 * the lines it is given as strings.
 */
export const lineOverLimit = (line: number, maxEventBytes: number): ImportError =>
  new ImportError({ line, reason: `the line is over the limit of ${maxEventBytes} bytes per event` })

/** The caller's `authorize` refused the events, judged on the state inside the store's lock. */
export class AppendForbidden extends Schema.TaggedError<AppendForbidden>()("AppendForbidden", {
  reason: Schema.String
}) {
  override get message(): string {
    return this.reason
  }
}

/**
 * Judges whether the events may be appended, on the state as it is inside the
 * store's write lock (so no other append can move a unit between the check
 * and the write): the reason to refuse, or `undefined` to go on.
 */
export type Authorize = (
  state: State.State,
  events: ReadonlyArray<Events.DomainEvent & { readonly occurredAt: string }>
) => string | undefined

/** Why an append was refused; nothing was stored. */
export type AppendError =
  Errors.RuleViolation | Errors.InvalidEvent | ConcurrencyConflict | IdConflict | AppendForbidden

/** One request of `appendEach`: its events, who records them, and its access check. */
export interface AppendRequest {
  readonly events: ReadonlyArray<Events.ProposedEvent>
  readonly recordedBy: string
  /** Access control, checked inside the lock before the rules (see `Authorize`). */
  readonly authorize?: Authorize | undefined
}

/** What an append did. */
export interface AppendResult {
  /** The events of the request, as stored (already-stored ones for repeated ids). */
  readonly events: ReadonlyArray<StoredEvent>
  /** How many were new. */
  readonly appended: number
  /** The log's position after the append. */
  readonly position: number
}

/** What an import did. */
export interface ImportResult {
  readonly imported: number
  /** Lines whose id was already stored with the same content. */
  readonly skipped: number
  readonly position: number
}

/** A proof cannot be given for what was asked: an event or a tree size the log does not hold. */
export class ProofUnavailable extends Schema.TaggedError<ProofUnavailable>()("ProofUnavailable", {
  reason: Schema.String
}) {
  override get message(): string {
    return this.reason
  }
}

/** The event an inclusion proof is asked for: by position, or by event id. */
export type ProofTarget = { readonly position: number } | { readonly id: string }

/** The result of walking the hash chain (and recomputing the Merkle tree: `rootHash` is its root). */
export type VerifyResult =
  | { readonly ok: true; readonly position: number; readonly hash: string; readonly rootHash: string }
  | { readonly ok: false; readonly position: number; readonly reason: string }

/** A (position, hash) pair an auditor keeps, to check later that the log still extends it. */
export interface Digest {
  readonly position: number
  readonly hash: string
}

/** A digest kept with the Merkle root of the log at its position (a tree head): `verify` checks both. */
export interface KeptHead extends Digest {
  readonly rootHash?: string | undefined
}

/** A snapshot of the state that the store saved: its position and size. */
export interface SnapshotResult {
  readonly position: number
  readonly bytes: number
}

/** Filters for reading the log. */
export interface ReadQuery {
  /** Only events after this position (exclusive, like `tail(from)`); 0 or absent for the start. */
  readonly from?: number | undefined
  /** Only events up to this position (inclusive). */
  readonly to?: number | undefined
  /** At most this many events, the first ones in log order. */
  readonly limit?: number | undefined
  readonly type?: Events.EventType | undefined
  readonly unitId?: string | undefined
  readonly planId?: string | undefined
}

/** The event store. */
export class EventStore extends Context.Tag("@kehoach/store/EventStore")<
  EventStore,
  {
    /**
     * Appends events atomically: each is checked by the domain's rules against
     * the state including the earlier events of the batch; one rejection rejects
     * the batch. `recordedAt` comes from the store's clock; `recordedBy` from the caller.
     */
    readonly append: (
      events: ReadonlyArray<Events.ProposedEvent>,
      options: {
        readonly recordedBy: string
        readonly expectedPosition?: number | undefined
        /** Access control, checked inside the lock before the rules (see `Authorize`). */
        readonly authorize?: Authorize | undefined
      }
    ) => Effect.Effect<AppendResult, AppendError>
    /**
     * Appends the events of several requests in one transaction and one
     * commit, each request judged as if it were appended alone after the ones
     * before it: its access check, its ids and the rules see the log including
     * the events of the earlier requests. A refused request stores nothing and
     * gets its own error; the others are stored. Each request's events are
     * atomic, as in `append`. The answers are in the order of the requests.
     * A server shares one commit between concurrent requests with it.
     */
    readonly appendEach: (
      requests: ReadonlyArray<AppendRequest>
    ) => Effect.Effect<ReadonlyArray<Either.Either<AppendResult, AppendError>>>
    /**
     * The largest line (and exported event) this store takes, in UTF-8 bytes.
     * A line stream read from bytes for `importLines` should refuse a longer
     * line as it reads it (`Ndjson.linesOfFile` with this limit), so that a
     * huge line is never held in memory; the store refuses one it is given.
     */
    readonly maxEventBytes: number
    /** Imports NDJSON lines, all or nothing, streaming. */
    readonly importLines: (
      lines: Stream.Stream<string, ImportError>,
      options: { readonly recordedBy: string; readonly onProgress?: ((lines: number) => void) | undefined }
    ) => Effect.Effect<ImportResult, ImportError>
    /** The log as exported NDJSON lines (without newline), byte-stable. */
    readonly exportLines: (query?: ReadQuery) => Stream.Stream<string>
    /** Reads events by position range and filters. */
    readonly read: (query: ReadQuery) => Effect.Effect<ReadonlyArray<StoredEvent>>
    /**
     * Walks the chain and recomputes the Merkle tree from the lines (checking
     * every stored node); with a kept digest, also checks the log still extends
     * it (and, with its `rootHash`, that the tree at that size has that root).
     */
    readonly verify: (kept?: KeptHead) => Effect.Effect<VerifyResult>
    /** The head of the Merkle tree now: size, root hash, chain hash, and the store's clock as timestamp. */
    readonly treeHead: Effect.Effect<Proofs.TreeHead>
    /** The inclusion proof of an event in the tree of `treeSize` events (default: the whole log). */
    readonly inclusionProof: (
      target: ProofTarget,
      treeSize?: number
    ) => Effect.Effect<Proofs.InclusionProof, ProofUnavailable>
    /** The consistency proof from the tree of `first` events to the tree of `second` (default: the whole log). */
    readonly consistencyProof: (
      first: number,
      second?: number
    ) => Effect.Effect<Proofs.ConsistencyProof, ProofUnavailable>
    /** The position and hash of the last event (position 0 and 64 zeros for an empty log). */
    readonly digest: Effect.Effect<Digest>
    /** The current position of the log. */
    readonly position: Effect.Effect<number>
    /**
     * The domain state, caught up to the current position. The reports of some
     * plans may not be in memory (cold: see the domain's `State.warm`): a
     * projection that reads reports asks `project` or `stateFor` instead.
     */
    readonly state: Effect.Effect<State.State>
    /**
     * A state good for the projections that read `selection` (see the domain's
     * `Relevance`): the state this store keeps in memory (a server), with the
     * selection's plan warm, else a fold of only the selected events, read
     * through indexes (a one-off command on a national log need not parse every
     * report of every plan). In a process where other fibers use the store, use
     * `project`: the plan may go cold again once another operation runs.
     */
    readonly stateFor: (selection: Relevance.Selection) => Effect.Effect<State.State>
    /**
     * Runs a projection on the state with the selection's plan warm, inside the
     * store's lock, so that no other operation makes it cold meanwhile.
     */
    readonly project: <A>(selection: Relevance.Selection, f: (state: State.State) => A) => Effect.Effect<A>
    /**
     * Saves the state at the head of the log as a snapshot, so that the next
     * open folds only the events after it (the store also saves one after an
     * import and every so many appended events).
     */
    readonly snapshot: Effect.Effect<SnapshotResult>
    /** Events appended after `from`, first the stored ones, then live. */
    readonly tail: (from: number) => Stream.Stream<StoredEvent>
  }
>() {}
