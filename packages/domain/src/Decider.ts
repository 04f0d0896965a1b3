/**
 * The one write path of the log, as a pure decision over the domain state:
 * a batch of proposed events is checked against the rules (`Decide`), each
 * against the state including the earlier events of the batch, stamped by the
 * store (position, knowledge time, hash) and folded in (`State.evolve`); the
 * first event the rules refuse refuses the whole batch, naming its index, and
 * leaves the state exactly as it was.
 *
 * Appends and imports both go through `decide`: the store owns the database,
 * the ids and the hash chain; the domain owns what may be recorded and what
 * the state becomes. The undo journal that makes a refused batch leave no
 * trace is private to this module.
 */
import { Either } from "effect"
import * as Decide from "./Decide.js"
import type * as Errors from "./Errors.js"
import type { DomainEvent, RecordedEvent } from "./Events.js"
import type { State } from "./State.js"
import * as StateModule from "./State.js"
import * as Time from "./Time.js"

/**
 * An event proposed for the log, with the envelope the store or the line
 * already gives it: an id (the store makes one when the caller gave none),
 * its payload version, and, from an exported line, its knowledge time.
 */
export type Proposal = DomainEvent & {
  readonly id: string
  readonly occurredAt: string
  /** The payload version as written (`data` is always the current version). */
  readonly version: number
  /** The knowledge time the line carries; absent: the store's clock (`Options.now`). */
  readonly recordedAt?: string | undefined
  readonly recordedBy: string
}

/** An event the rules accepted, with its position and knowledge time, before the store seals it. */
export type Accepted = Proposal & {
  readonly position: number
  readonly recordedAt: string
}

/**
 * The store's part of recording an event: it seals the accepted event (hash
 * chain, stored row) and returns its own record of it, or a reason to refuse
 * it that is the store's to give (a line whose stated hash does not match).
 */
export type Seal<R> = (event: Accepted, index: number) => R | Refused

/** A refusal by the store's seal, with its reason and the field of the event at fault. */
export class Refused {
  readonly _tag = "Refused"
  constructor(
    readonly reason: string,
    readonly field: string = ""
  ) {}
}

/** Why a batch was refused: the index of the first event refused in it, and why. */
export interface Rejection {
  readonly index: number
  readonly error: Errors.RuleViolation | Refused
}

/** What `decide` needs besides the state and the batch. */
export interface Options<R> {
  /** The store's clock, as an instant: the knowledge time of events that carry none. */
  readonly now: string
  readonly seal: Seal<R>
  /**
   * Whether a refused batch is undone (default). A bulk import of millions of
   * events in one database transaction passes `false`: it keeps no journal,
   * and on a refusal the state holds the events before the refused one, so
   * the caller must throw it away (the database rolls back alike).
   */
  readonly undoable?: boolean | undefined
}

/**
 * The knowledge time of an event that carries none: the store's clock, or the
 * last knowledge time of the log when the clock is behind it, since
 * `recordedAt` never decreases along the log (DOMAIN.md §3).
 */
export const recordedAtFor = (state: State, now: string): string => {
  const last = StateModule.lastRecordedAt(state)
  const t = Time.parseInstant(now)
  return last !== undefined && t !== undefined && t < last.at ? last.text : now
}

/**
 * The store's stamp on a proposal that carries no knowledge time: its recording time, and, for a
 * report filed online, its filing time too (DOMAIN.md "Filing time": an online filing is filed when
 * the log received it, whatever time the sender's clock stated; the server has already refused a
 * stated time beyond the clock allowance).
 */
const stamp = (proposal: Proposal, recordedAt: string): Proposal =>
  proposal.type === "ReportFiled" && proposal.data.channel === "online"
    ? { ...proposal, recordedAt, occurredAt: recordedAt }
    : { ...proposal, recordedAt }

/**
 * Decides a batch: checks, stamps and folds every event in order, in place.
 * On success the state includes the whole batch and the store's records of
 * its events are returned, in order; on the first refusal the state is
 * rolled back to what it was, and the rejection names the event's index.
 */
export const decide = <R>(
  state: State,
  batch: ReadonlyArray<Proposal>,
  options: Options<R>
): Either.Either<ReadonlyArray<R>, Rejection> => {
  const clock = recordedAtFor(state, options.now)
  const journal = options.undoable === false ? undefined : begin(state)
  const out: Array<R> = []
  for (let index = 0; index < batch.length; index++) {
    const proposal = batch[index]!
    const recordedAt = proposal.recordedAt ?? clock
    const candidate = proposal.recordedAt === recordedAt ? proposal : stamp(proposal, recordedAt)
    const violation = Decide.violation(state, candidate)
    if (violation !== undefined) return reject(state, journal, index, violation)
    const accepted = { ...candidate, position: state.position + 1 } as Accepted
    const sealed = options.seal(accepted, index)
    if (sealed instanceof Refused) return reject(state, journal, index, sealed)
    StateModule.evolve(state, accepted as unknown as RecordedEvent)
    out.push(sealed)
  }
  end(state)
  return Either.right(out)
}

// ---------------------------------------------------------------------------
// The journal: every change `evolve` makes while a batch is open is recorded
// with how to undo it, so a refused batch is undone instead of the state rebuilt.

const begin = (state: State): Array<() => void> => {
  const { lastRecordedAt, lastRecordedAtText, position, reportIndex, heldReports } = state
  const journal: Array<() => void> = [
    () => {
      state.heldReports = heldReports
      state.position = position
      state.lastRecordedAt = lastRecordedAt
      state.lastRecordedAtText = lastRecordedAtText
      // An index built during the batch (by the rules) may hold its reports: drop it, it is rebuilt on use.
      if (reportIndex === undefined) state.reportIndex = undefined
    }
  ]
  state.journal = journal
  return journal
}

const end = (state: State): void => {
  state.journal = undefined
}

const reject = <R>(
  state: State,
  journal: ReadonlyArray<() => void> | undefined,
  index: number,
  error: Errors.RuleViolation | Refused
): Either.Either<ReadonlyArray<R>, Rejection> => {
  end(state)
  StateModule.forgetCaches(state)
  if (journal !== undefined) for (let i = journal.length - 1; i >= 0; i--) journal[i]!()
  return Either.left({ index, error })
}
