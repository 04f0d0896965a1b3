/**
 * The event store on `@effect/sql`: an embedded SQLite file by default
 * (`layer`), a PostgreSQL database (`layerPg`), either chosen by what `--db`
 * holds (`layerFor`), or any `SqlClient` already provided (`layerFromClient`).
 *
 * This module composes the others: `Migrations` (the schema), `Transaction`
 * (the write transaction, `BEGIN IMMEDIATE`), `Write` (the one write path of
 * appends and imports, on the domain's `Decider`), `Read` (lines, filters,
 * catch-up, partial states), `Verify` (the chain and the tree), `MerkleTree`
 * (the Merkle tree over the lines, and its proofs) and `Snapshots` (the state
 * saved at a position). It keeps the domain state in memory once something
 * asks for it, restored from the newest good snapshot and caught up from the
 * log before every write (another process may have appended), so fibers and
 * processes appending at once never leave a gap, a duplicate position or a
 * broken chain. See docs/decisions/0003-sql-event-store.md,
 * docs/decisions/0004-snapshots-and-one-write-path.md and
 * docs/decisions/0005-postgresql-store.md (the same modules on PostgreSQL:
 * the differences are the migrations, the write lock and the bulk insert).
 */
import type * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Errors, Events, State, Time } from "@kehoach/domain"
import type { Relevance } from "@kehoach/domain"
import { Cause, Chunk, Clock, Context, Deferred, Effect, Either, Layer, Option, Scope, Stream } from "effect"
import { randomUUID } from "node:crypto"
import type { AppendError, AppendResult, Digest, ImportResult, StoredEvent } from "./EventStore.js"
import { AppendForbidden, EventStore, ImportError, lineOverLimit } from "./EventStore.js"
import * as HashChain from "./HashChain.js"
import { DigestSet } from "./internal/DigestSet.js"
import { UuidSet } from "./internal/UuidSet.js"
import type * as Merkle from "./Merkle.js"
import * as MerkleTree from "./MerkleTree.js"
import * as Migrations from "./Migrations.js"
import * as Postgres from "./Postgres.js"
import * as Read from "./Read.js"
import * as Rows from "./Rows.js"
import * as Snapshots from "./Snapshots.js"
import * as Transaction from "./Transaction.js"
import * as Verify from "./Verify.js"
import * as Write from "./Write.js"

/** How the store is tuned. */
export interface Options {
  /** Largest exported line of one event, in UTF-8 bytes (default 1 MiB, as `POST /events`). */
  readonly maxEventBytes?: number | undefined
  /** A snapshot is saved when this many events were written since the last one (default 100,000); 0: never on append. */
  readonly snapshotEvery?: number | undefined
  /**
   * How many report records the in-memory state may hold (default 1,500,000,
   * about 350 MB): past it, the reports of the plans used least recently leave
   * memory (the plans are cold, and warmed from the log when next asked about).
   */
  readonly reportBudget?: number | undefined
  /** Told of every snapshot passed over on open, and why. */
  readonly onSnapshotIgnored?: ((ignored: Snapshots.Ignored) => void) | undefined
  /** Told how the state was opened: the snapshot it started from (0: none) and how many events were folded after it. */
  readonly onOpened?: ((opened: Opened) => void) | undefined
  /**
   * A connection for reads of its own (set by `layer`: a second, read-only
   * connection to the SQLite file, which in WAL mode sees the last commit), so
   * that a long import in this process does not hold reads up. Without it,
   * reads share the store's client (PostgreSQL's pool already has several).
   */
  readonly reader?: Effect.Effect<SqlClient.SqlClient, never, Scope.Scope> | undefined
  /** How errors name the database (a PostgreSQL server, shown without its password); set by `layerPg`. */
  readonly database?: string | undefined
  /**
   * Keep the Merkle tree as events are written (default true). `false` exists only to measure
   * what the tree costs (bench/proofs.mjs): a log written so lacks its tree, which `verify`
   * reports and proofs fail on; never use it on a log you keep.
   */
  readonly merkleTree?: boolean | undefined
}

/** How the in-memory state was opened. */
export interface Opened {
  /** The position of the snapshot restored; 0 when the whole log was folded. */
  readonly snapshot: number
  /** Events folded after it. */
  readonly folded: number
}

/** The defaults of `Options`. */
export const defaults = { maxEventBytes: 1024 * 1024, snapshotEvery: 100_000, reportBudget: 1_500_000 } as const

/** Lines an import writes at once (and between which it lets the process's reads run). */
const importBatch = 1000

/** Lets the event loop run (I/O callbacks: requests waiting for a read), unlike a yield to other fibers only. */
const toEventLoop: Effect.Effect<void> = Effect.async<void>((resume) => {
  const pending = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(pending))
})

/** The state the store keeps in memory, and the head of the chain at its position. */
interface Live {
  readonly state: State.State
  head: Digest
  /** The right edge of the Merkle tree, of `head.position` leaves (loaded when it is not). */
  tree: Merkle.Frontier | undefined
}

/**
 * The store over the `SqlClient` in context: runs the migrations, then serves
 * the `EventStore` port.
 */
export const makeWith = (
  options: Options = {}
): Effect.Effect<EventStore["Type"], SqlError | Migrator.MigrationError, SqlClient.SqlClient | Scope.Scope> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* Migrations.migrate
    // Opened after the migrations: a read-only connection cannot create the file or its tables.
    const reader = options.reader === undefined ? sql : yield* options.reader
    if (reader !== sql) yield* reader`PRAGMA busy_timeout = 10000`.unprepared
    const maxEventBytes = options.maxEventBytes ?? defaults.maxEventBytes
    const snapshotEvery = options.snapshotEvery ?? defaults.snapshotEvery
    const reportBudget = options.reportBudget ?? defaults.reportBudget
    const keepTree = options.merkleTree !== false

    // `undefined` until something needs the state, and again after a write that may have left it wrong.
    let live: Live | undefined
    let snapshotAt = 0
    // One writer (append or import) at a time in this process; taken before `stateLock` when both are.
    const writeLock = yield* Effect.makeSemaphore(1)
    // One user of the in-memory state at a time: a catch-up, an append's decision, a warm-up, a projection.
    // An import works on a state of its own and takes it only to swap it in: reads go on while it runs.
    const stateLock = yield* Effect.makeSemaphore(1)
    // Woken after every commit of this process, for live tails.
    let appended = yield* Deferred.make<void>()
    const notify = Effect.suspend(() => {
      const previous = appended
      return Deferred.make<void>().pipe(
        Effect.tap((next) => {
          appended = next
        }),
        Effect.zipRight(Deferred.succeed(previous, undefined))
      )
    })

    // On PostgreSQL, each commit is announced (delivered when its transaction commits) with the store's schema
    // and this process's token; one listener per process wakes its live tails when another process commits, and
    // tells `state` whether the log may have moved since it last caught up (see `fresh`).
    const commits = yield* Effect.serviceOption(Postgres.Commits)
    const schema = Option.isSome(commits)
      ? ((yield* sql<{ schema: string }>`SELECT current_schema() AS schema`)[0]?.schema ?? "")
      : ""
    const token = `${schema} ${randomUUID()}`
    const announce = Option.isSome(commits)
      ? Effect.asVoid(sql`SELECT pg_notify(${Postgres.channel}, ${token})`)
      : Effect.void
    // Whether the listener is known to hear every commit (it heard its own probe), and whether another process
    // committed since the last catch-up. Until the first, and after the listener fails, every read catches up.
    let listening = false
    let foreign = true
    if (Option.isSome(commits)) {
      const probe = `${token} probe`
      const heard = (payload: string) => {
        if (payload === probe) listening = true
        else if (payload !== token && payload.startsWith(`${schema} `)) {
          foreign = true
          return notify
        }
        return Effect.void
      }
      yield* Effect.forkScoped(
        Stream.runForEach(commits.value, heard).pipe(
          Effect.ensuring(
            Effect.sync(() => {
              listening = false
            })
          ),
          Effect.ignore
        )
      )
      // LISTEN is issued by the listener's fiber: probe until it hears itself.
      yield* Effect.forkScoped(
        Effect.ignore(sql`SELECT pg_notify(${Postgres.channel}, ${probe})`).pipe(
          Effect.zipRight(Effect.sleep("100 millis")),
          Effect.repeat({ until: () => listening, times: 50 })
        )
      )
    }

    /** A state restored from the newest good snapshot (or empty), not caught up. */
    const restored = (conn: SqlClient.SqlClient): Effect.Effect<Live, SqlError> =>
      Effect.map(Snapshots.load(conn, options.onSnapshotIgnored), (loaded) =>
        loaded === undefined
          ? { state: State.empty(), head: { position: 0, hash: HashChain.genesis }, tree: undefined }
          : { ...loaded, tree: undefined }
      )

    /** Folds what the log holds after a state into it, on a connection, with the tree's right edge. */
    const catchUp = (conn: SqlClient.SqlClient, l: Live): Effect.Effect<Live, SqlError> =>
      Effect.gen(function* () {
        l.head = yield* Read.catchUp(conn, l.state, l.head)
        if (keepTree && l.tree?.size !== l.head.position) l.tree = yield* MerkleTree.frontier(conn, l.head.position)
        return l
      })

    /**
     * The live state, restored from the newest good snapshot when not in
     * memory, caught up to the log on a connection (the write transaction's, or
     * the reader's). Under `stateLock`.
     */
    const caughtUpOn = (conn: SqlClient.SqlClient): Effect.Effect<Live, SqlError> =>
      Effect.gen(function* () {
        const opening = live === undefined
        if (live === undefined) {
          live = yield* restored(conn)
          snapshotAt = live.head.position
        }
        foreign = false
        const l = yield* catchUp(conn, live)
        if (opening) options.onOpened?.({ snapshot: snapshotAt, folded: l.head.position - snapshotAt })
        return l
      })
    const caughtUp = caughtUpOn(sql)

    // On SQLite, the writing connection's `PRAGMA data_version` when the live state was last caught up in a write:
    // it changes only when another connection commits, so while it stays the same the live state is the head of
    // the log (every commit on this connection went through it) and a write need not read the log to catch up.
    let versionCaughtUp: number | undefined
    /** The live state at the head of the log, inside the write transaction (see `caughtUp`). */
    const caughtUpInWrite: Effect.Effect<Live, SqlError> = sql.onDialectOrElse({
      sqlite: () =>
        Effect.gen(function* () {
          const version = (yield* sql<{ data_version: number }>`PRAGMA data_version`)[0]?.data_version
          if (live !== undefined && version !== undefined && version === versionCaughtUp) return live
          const l = yield* caughtUp
          versionCaughtUp = version
          return l
        }),
      orElse: () => caughtUp
    })

    /**
     * The state for a read: as `caughtUp`, but on PostgreSQL without a query
     * when the listener heard no other process commit since the last catch-up
     * (a write always catches up inside its transaction, whatever this says).
     */
    const fresh: Effect.Effect<Live, SqlError> = Effect.suspend(() =>
      live !== undefined && listening && !foreign ? Effect.succeed(live) : caughtUpOn(reader)
    )

    const now = Effect.map(Clock.currentTimeMillis, Time.formatInstant)

    // When each plan's reports were last used (a write filed for it, a projection read it), for `trim`.
    const lastUse = new Map<string, number>()
    let uses = 0
    const touch = (planId: string) => {
      lastUse.delete(planId)
      lastUse.set(planId, ++uses)
    }
    /**
     * Keeps the report records in memory within the budget: past it, the plans
     * used least recently are made cold until a fifth of the budget is free.
     * Only under the lock, between operations (a projection never sees a plan go cold under it).
     */
    const trim = (state: State.State) => {
      if (State.heldReports(state) <= reportBudget) return
      const byUse = [...State.warmPlans(state)].sort((a, b) => (lastUse.get(a) ?? 0) - (lastUse.get(b) ?? 0))
      for (const planId of byUse) {
        if (State.heldReports(state) <= reportBudget * 0.8) break
        State.release(state, planId)
        lastUse.delete(planId)
      }
    }

    const saveSnapshot = (l: Live) =>
      Effect.flatMap(now, (createdAt) => Snapshots.save(sql, l.state, l.head, createdAt)).pipe(
        Effect.tap((saved) => {
          snapshotAt = saved.position
        })
      )

    /** After a commit: wakes the live tails, keeps the reports within the budget, saves a snapshot when due. */
    const afterCommit = (l: Live, snapshot: boolean) =>
      Effect.gen(function* () {
        yield* notify
        trim(l.state)
        if (snapshot) yield* Effect.ignore(saveSnapshot(l).pipe(Effect.provideService(SqlClient.SqlClient, sql)))
      })

    /**
     * Runs an append in the write transaction, on the live state caught up in
     * it, under both locks. A refusal of an `undoable` write leaves the state as
     * it was (the decider undid it); any other failure may have left it wrong,
     * and it is thrown away (the next use restores it from a snapshot and the log).
     */
    const write = <A, E>(
      body: (l: Live) => Effect.Effect<A, E | SqlError>,
      isRefusal: (error: E | SqlError) => boolean,
      snapshotAfter: (a: A) => boolean
    ) =>
      writeLock.withPermits(1)(
        stateLock.withPermits(1)(
          Effect.gen(function* () {
            const exit = yield* Effect.exit(
              Transaction.immediate(Effect.flatMap(caughtUpInWrite, body).pipe(Effect.zipLeft(announce))).pipe(
                Effect.provideService(SqlClient.SqlClient, sql)
              )
            )
            if (exit._tag === "Failure") {
              const failure = Cause.failureOption(exit.cause)
              if (Option.isNone(failure) || !isRefusal(failure.value)) live = undefined
              // A refused write may have warmed plans for its rules: the budget holds all the same.
              if (live !== undefined) trim(live.state)
              return yield* exit
            }
            if (live !== undefined) yield* afterCommit(live, snapshotAfter(exit.value))
            return exit.value
          })
        )
      )

    /**
     * Runs an import in the write transaction, on a state of its own (restored
     * from the newest snapshot and caught up inside the transaction), so that
     * reads go on with the live state while it runs; once committed, it becomes
     * the live state. A failed import leaves the live state as it was.
     */
    const writeApart = <A, E>(body: (l: Live) => Effect.Effect<A, E | SqlError>, snapshotAfter: (a: A) => boolean) =>
      writeLock.withPermits(1)(
        Effect.gen(function* () {
          const [value, own] = yield* Transaction.immediate(
            Effect.gen(function* () {
              const own = yield* Effect.flatMap(restored(sql), (l) => catchUp(sql, l))
              return [yield* body(own), own] as const
            }).pipe(Effect.zipLeft(announce))
          ).pipe(Effect.provideService(SqlClient.SqlClient, sql))
          yield* stateLock.withPermits(1)(
            Effect.suspend(() => {
              live = own
              foreign = false
              return afterCommit(own, snapshotAfter(value))
            })
          )
          return value
        })
      )

    const dueForSnapshot = () =>
      snapshotEvery > 0 && live !== undefined && live.head.position - snapshotAt >= snapshotEvery

    /** The events of an append, validated (an HTTP body may not be what its type says), as the write path takes them. */
    const incomingOf = (
      proposed: ReadonlyArray<Events.ProposedEvent>
    ): Either.Either<Array<Write.Incoming>, Errors.InvalidEvent> => {
      const batch: Array<Write.Incoming> = []
      for (const p of proposed) {
        const decoded = Events.decodeLine({ type: p.type, occurredAt: p.occurredAt, data: p.data })
        if (Either.isLeft(decoded)) return Either.left(decoded.left)
        batch.push({ line: { ...decoded.right, id: p.id }, written: decoded.right.data })
      }
      return Either.right(batch)
    }

    /** A refusal of the write path, as the port names it. */
    const refusalOf = (refusal: Write.Refusal): AppendError =>
      refusal.error._tag === "LineRefused"
        ? new Errors.InvalidEvent({ field: refusal.error.field, reason: refusal.error.message })
        : refusal.error

    const append: EventStore["Type"]["append"] = (proposed, appendOptions) =>
      write<AppendResult, AppendError>(
        (l) =>
          Effect.gen(function* () {
            const batch = yield* incomingOf(proposed)
            if (appendOptions.authorize !== undefined) {
              const denied = appendOptions.authorize(l.state, proposed)
              if (denied !== undefined) return yield* new AppendForbidden({ reason: denied })
            }
            const written = yield* Effect.mapError(
              Write.write(
                {
                  sql,
                  state: l.state,
                  head: l.head,
                  tree: l.tree,
                  recordedBy: appendOptions.recordedBy,
                  now: yield* now,
                  maxEventBytes,
                  expectedPosition: appendOptions.expectedPosition,
                  undoable: true
                },
                batch
              ),
              (e) => ("index" in e ? refusalOf(e) : e)
            )
            l.head = written.head
            l.tree = written.tree
            for (const p of proposed) if (p.type === "ReportFiled") touch(p.data.planId)
            return { events: written.events, appended: written.appended, position: l.head.position }
          }),
        (e) => e._tag !== "SqlError",
        () => dueForSnapshot()
      ).pipe(Effect.catchTag("SqlError", Effect.die))

    const appendEach: EventStore["Type"]["appendEach"] = (requests) =>
      write<ReadonlyArray<Either.Either<AppendResult, AppendError>>, never>(
        (l) =>
          Effect.gen(function* () {
            const clock = yield* now
            const batches = requests.map((r) => incomingOf(r.events))
            // The ids of every request in one query; an event accepted for an earlier request is then stored for the later ones.
            const stored = yield* Write.lookUp(
              { sql },
              batches.flatMap((b) => (Either.isRight(b) ? b.right : []))
            )
            const rows: Array<Rows.Row> = []
            const results: Array<Either.Either<AppendResult, AppendError>> = []
            for (const [i, request] of requests.entries()) {
              const batch = batches[i]!
              if (Either.isLeft(batch)) {
                results.push(Either.left(batch.left))
                continue
              }
              const denied = request.authorize?.(l.state, request.events)
              if (denied !== undefined) {
                results.push(Either.left(new AppendForbidden({ reason: denied })))
                continue
              }
              // A refused request leaves the state as it was (the decider undoes it) and the next is judged without it.
              const decided = yield* Effect.either(
                Write.decide(
                  {
                    sql,
                    state: l.state,
                    head: l.head,
                    recordedBy: request.recordedBy,
                    now: clock,
                    maxEventBytes,
                    undoable: true
                  },
                  batch.right,
                  stored
                )
              )
              if (Either.isLeft(decided)) {
                if (!("index" in decided.left)) return yield* decided.left
                results.push(Either.left(refusalOf(decided.left)))
                continue
              }
              const { events, head } = decided.right
              l.head = head
              rows.push(...decided.right.rows)
              for (const event of events) stored.set(event.id, event)
              for (const p of request.events) if (p.type === "ReportFiled") touch(p.data.planId)
              results.push(Either.right({ events, appended: decided.right.rows.length, position: head.position }))
            }
            // One insert for every request, and the tree's nodes they complete.
            l.tree = yield* Write.insert({ sql, tree: l.tree }, rows)
            return results
          }),
        // A request's refusal is its answer, not the write's: the write fails only on the database.
        () => false,
        () => dueForSnapshot()
      ).pipe(Effect.catchTag("SqlError", Effect.die))

    const importLines: EventStore["Type"]["importLines"] = (lines, importOptions) =>
      writeApart<ImportResult, ImportError>(
        (l) =>
          Effect.gen(function* () {
            const clock = yield* now
            // Into an empty log, the unique index on ids and the secondary indexes are built once at
            // the end (one sort each) instead of taking a million random insertions; meanwhile the ids
            // are kept in a compact set, and a possible repeat is confirmed in the database (with the
            // id index built then). The DROPs are part of the transaction: a failure restores them.
            const indexes: Record<string, string> = {
              events_id: Migrations.idIndex,
              ...Migrations.secondaryIndexesOf(sql)
            }
            // The indexes dropped and not built again yet.
            const dropped = new Set<string>()
            let bulk: Write.Bulk | undefined
            if (State.position(l.state) === 0) {
              for (const name of Object.keys(indexes)) {
                yield* sql.unsafe(`DROP INDEX IF EXISTS ${name}`).unprepared
                dropped.add(name)
              }
              bulk = {
                seen: new UuidSet(),
                reportIds: new DigestSet(),
                ensureIndex: (name) =>
                  Effect.suspend(() => {
                    if (!dropped.delete(name)) return Effect.void
                    return Effect.asVoid(sql.unsafe(indexes[name]!).unprepared)
                  })
              }
            }
            let lineNo = 0
            let imported = 0
            let skipped = 0
            const writeBatch = (batch: ReadonlyArray<Write.Incoming>, lineOf: ReadonlyArray<number>) =>
              Effect.map(
                Effect.mapError(
                  Write.write(
                    {
                      sql,
                      state: l.state,
                      head: l.head,
                      tree: l.tree,
                      recordedBy: importOptions.recordedBy,
                      now: clock,
                      maxEventBytes,
                      bulk,
                      undoable: false
                    },
                    batch
                  ),
                  (e) => ("index" in e ? new ImportError({ line: lineOf[e.index]!, reason: e.error.message }) : e)
                ),
                (written) => {
                  l.head = written.head
                  l.tree = written.tree
                  imported += written.appended
                  skipped += batch.length - written.appended
                  // A long import keeps the reports in memory within the budget too (plans used least recently go cold).
                  for (const incoming of batch)
                    if (incoming.line.type === "ReportFiled") touch(incoming.line.data.planId)
                  trim(l.state)
                }
              )
            const processChunk = (chunk: Chunk.Chunk<string>) =>
              Effect.gen(function* () {
                const batch: Array<Write.Incoming> = []
                const lineOf: Array<number> = []
                for (const text of chunk) {
                  lineNo++
                  if (text.trim() === "") continue
                  // A line over the per-event limit is refused before it is parsed (an exported line is the event).
                  if (text.length > maxEventBytes / 3 && Buffer.byteLength(text) > maxEventBytes) {
                    yield* writeBatch(batch, lineOf)
                    return yield* lineOverLimit(lineNo, maxEventBytes)
                  }
                  const parsed = parse(text)
                  if (Either.isLeft(parsed)) {
                    // The lines before it may hold an earlier error: they are written (and refused) first.
                    yield* writeBatch(batch, lineOf)
                    return yield* new ImportError({ line: lineNo, reason: parsed.left.message })
                  }
                  batch.push(parsed.right)
                  lineOf.push(lineNo)
                }
                yield* writeBatch(batch, lineOf)
                importOptions.onProgress?.(lineNo)
              })
            // Batches of at most `importBatch` lines (a chunk of the input cut up), yielding between them: the reads of this process (which do
            // not wait for the import) are answered within a batch's time, not a whole chunk's of the input.
            yield* Stream.runForEachChunk(lines, (chunk) =>
              Effect.forEach(
                Chunk.chunksOf(chunk, importBatch),
                (piece) => Effect.zipRight(processChunk(piece), toEventLoop),
                {
                  discard: true
                }
              )
            )
            if (bulk !== undefined) for (const name of Object.keys(indexes)) yield* bulk.ensureIndex(name)
            return { imported, skipped, position: l.head.position } satisfies ImportResult
          }),
        (result) => result.imported > 0
      ).pipe(
        Effect.catchTag("SqlError", (e) =>
          Effect.fail(
            new ImportError({
              line: 0,
              reason: `database error${options.database === undefined ? "" : ` on ${options.database}`}: ${Postgres.reasonOf(
                e
              )}`
            })
          )
        )
      )

    const exportLines: EventStore["Type"]["exportLines"] = (query) => Stream.orDie(Read.lines(reader, query))

    const read: EventStore["Type"]["read"] = (query) =>
      Effect.orDie(
        Effect.map(Stream.runCollect(Read.lines(reader, query)), (ls) =>
          Chunk.toReadonlyArray(ls).map(Rows.eventOfLine)
        )
      )

    const digest: Effect.Effect<Digest> = Effect.orDie(Read.head(reader))

    const stateNow: Effect.Effect<State.State> = Effect.orDie(
      stateLock.withPermits(1)(Effect.map(fresh, (l) => l.state))
    )

    /** The plan whose reports a selection reads, if any. */
    const reportsRead = (selection: Relevance.Selection): string | undefined =>
      selection.plan?.types.includes("ReportFiled") === true ? selection.plan.planId : undefined

    /** The live state, caught up, with the plan whose reports the selection reads warm (under the lock). */
    const warmFor = (selection: Relevance.Selection) =>
      Effect.gen(function* () {
        const l = yield* fresh
        const planId = reportsRead(selection)
        if (planId !== undefined) {
          trim(l.state)
          touch(planId)
          yield* Read.warm(reader, l.state, [planId])
        }
        return l.state
      })

    const project: EventStore["Type"]["project"] = (selection, f) =>
      Effect.orDie(stateLock.withPermits(1)(Effect.map(warmFor(selection), f)))

    const stateFor: EventStore["Type"]["stateFor"] = (selection) =>
      Effect.suspend(() =>
        live !== undefined
          ? Effect.orDie(stateLock.withPermits(1)(warmFor(selection)))
          : Effect.orDie(Read.selection(reader, selection))
      )

    const snapshot: EventStore["Type"]["snapshot"] = Effect.orDie(
      writeLock.withPermits(1)(
        stateLock.withPermits(1)(
          Effect.flatMap(caughtUp, saveSnapshot).pipe(Effect.provideService(SqlClient.SqlClient, sql))
        )
      )
    )

    const tail: EventStore["Type"]["tail"] = (from) =>
      Stream.paginateChunkEffect(from, (after) =>
        Effect.gen(function* () {
          // Take the wake-up signal before reading, so a commit between the read and the wait is not missed.
          const wake = appended
          const rows = yield* Rows.linesAfter(reader, after, 1000)
          if (rows.length === 0) {
            yield* Effect.raceFirst(Deferred.await(wake), Effect.sleep("200 millis"))
            return [Chunk.empty<StoredEvent>(), Option.some(after)] as const
          }
          const events = rows.map((r) => Rows.eventOfLine(r[0]))
          return [Chunk.fromIterable(events), Option.some(events[events.length - 1]!.position)] as const
        })
      ).pipe(Stream.orDie)

    return EventStore.of({
      maxEventBytes,
      append,
      appendEach,
      importLines,
      exportLines,
      read,
      verify: (kept) => Effect.orDie(Verify.verify(reader, kept)),
      treeHead: Effect.orDie(Effect.flatMap(now, (timestamp) => MerkleTree.treeHead(reader, timestamp))),
      inclusionProof: (target, treeSize) =>
        MerkleTree.inclusionProof(reader, target, treeSize).pipe(Effect.catchTag("SqlError", Effect.die)),
      consistencyProof: (first, second) =>
        MerkleTree.consistencyProof(reader, first, second).pipe(Effect.catchTag("SqlError", Effect.die)),
      digest,
      position: Effect.map(digest, (d) => d.position),
      state: stateNow,
      stateFor,
      project,
      snapshot,
      tail
    })
  })

/** `makeWith` with the default options. */
export const make = makeWith()

/**
 * Parses and validates one NDJSON line, keeping the payload as written (the
 * log keeps what was written; the decoded, upcast payload is what the rules see).
 */
const parse = (text: string): Either.Either<Write.Incoming, Errors.InvalidEvent> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.map(Events.parseLine(text), (line) => ({ line, written: line.data }))
  }
  return Either.map(Events.decodeLine(json), (line) => ({ line, written: (json as { readonly data: unknown }).data }))
}

/** The store over any `SqlClient` already provided (another @effect/sql driver can go under it). */
export const layerFromClient = (options: Options = {}): Layer.Layer<EventStore, never, SqlClient.SqlClient> =>
  Layer.scoped(EventStore, Effect.orDie(makeWith(options)))

/** The store in an embedded SQLite file, created and migrated when new (WAL mode, busy timeout). */
export const layer = (options: { readonly filename: string } & Options): Layer.Layer<EventStore> =>
  layerFromClient({
    reader: Effect.orDie(
      Effect.map(
        Layer.build(SqliteClient.layer({ filename: options.filename, readonly: true, disableWAL: true })),
        (context) => Context.get(context, SqlClient.SqlClient)
      )
    ),
    ...options
  }).pipe(Layer.provide(Layer.orDie(SqliteClient.layer({ filename: options.filename }))))

/**
 * The store in a PostgreSQL database (a `postgres://` URL), its tables
 * created and migrated when new; several processes and servers may share it.
 * Fails with `Postgres.Unavailable`, naming the server, when it cannot connect.
 */
export const layerPg = (
  options: { readonly url: string; readonly maxConnections?: number | undefined } & Options
): Layer.Layer<EventStore, Postgres.Unavailable> =>
  Layer.scoped(
    EventStore,
    Effect.mapError(
      makeWith({ database: Postgres.describe(options.url), ...options }),
      (e) =>
        new Postgres.Unavailable({
          database: Postgres.describe(options.url),
          reason: e._tag === "SqlError" ? Postgres.reasonOf(e) : e.message
        })
    )
  ).pipe(Layer.provide(Postgres.clientLayer(options.url, options)))

/** The store named by a `--db` value: a `postgres://` URL (`layerPg`) or a SQLite file path (`layer`). */
export const layerFor = (options: { readonly db: string } & Options): Layer.Layer<EventStore, Postgres.Unavailable> =>
  Postgres.isUrl(options.db) ? layerPg({ ...options, url: options.db }) : layer({ ...options, filename: options.db })
