/**
 * The event store on `@effect/sql`: an embedded SQLite file by default
 * (`layer`), or any `SqlClient` already provided (`layerFromClient`).
 *
 * One table, `events`: the position (the row id), the event id (unique), the
 * type and the unit and plan it concerns (for filters), and the exported line
 * itself as one TEXT column; the other envelope fields and the payload are
 * generated columns read from that line. Replay and export read the line:
 * one `JSON.parse` per event for replay, no re-serialisation for export.
 *
 * Writes take the SQLite write lock first (`BEGIN IMMEDIATE`), then catch the
 * in-memory domain state up from the database (another process may have
 * appended), then decide, then insert; so fibers and processes appending at
 * once never leave a gap, a duplicate position or a broken chain.
 * See docs/decisions/0003-sql-event-store.md.
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Decide, Errors, Events, State, Time } from "@kehoach/domain"
import { Chunk, Clock, Deferred, Effect, Either, Layer, Option, Stream } from "effect"
import { randomUUID } from "node:crypto"
import canonicalize from "canonicalize"
import type { AppendResult, Digest, ImportResult, ReadQuery, StoredEvent, VerifyResult } from "./EventStore.js"
import { AppendForbidden, ConcurrencyConflict, EventStore, IdConflict, ImportError } from "./EventStore.js"
import * as HashChain from "./HashChain.js"
import { UuidSet } from "./internal/UuidSet.js"
import * as Ndjson from "./Ndjson.js"

// ---------------------------------------------------------------------------
// Schema

/**
 * The secondary indexes of the events table, as the migrations create them; a
 * bulk import into an empty log drops them and creates them again at its end
 * (inside its transaction, so a failure or a crash restores them).
 */
const secondaryIndexes = {
  events_unit: "CREATE INDEX events_unit ON events (unit_id, position) WHERE unit_id IS NOT NULL",
  events_plan: "CREATE INDEX events_plan ON events (plan_id, position) WHERE plan_id IS NOT NULL",
  events_type: "CREATE INDEX events_type ON events (type, position)"
} as const

/** The numbered migrations of the store's schema. */
export const migrations: Migrator.Loader = Migrator.fromRecord({
  "0001_create_events": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE events (
      position INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      type TEXT NOT NULL,
      unit_id TEXT,
      plan_id TEXT,
      line TEXT NOT NULL,
      version INTEGER GENERATED ALWAYS AS (json_extract(line, '$.version')) VIRTUAL,
      occurred_at TEXT GENERATED ALWAYS AS (json_extract(line, '$.occurredAt')) VIRTUAL,
      recorded_at TEXT GENERATED ALWAYS AS (json_extract(line, '$.recordedAt')) VIRTUAL,
      recorded_by TEXT GENERATED ALWAYS AS (json_extract(line, '$.recordedBy')) VIRTUAL,
      data TEXT GENERATED ALWAYS AS (json_extract(line, '$.data')) VIRTUAL,
      prev_hash TEXT GENERATED ALWAYS AS (json_extract(line, '$.prevHash')) VIRTUAL,
      hash TEXT GENERATED ALWAYS AS (json_extract(line, '$.hash')) VIRTUAL
    )`.unprepared
    // A named index (not an inline UNIQUE), so a bulk import into an empty log can build it at the end.
    yield* sql`CREATE UNIQUE INDEX events_id ON events (id)`.unprepared
    yield* sql.unsafe(secondaryIndexes.events_unit).unprepared
    yield* sql.unsafe(secondaryIndexes.events_plan).unprepared
  }),
  // Projections read the hierarchy and the models of every unit but the reports of one plan
  // (`stateFor`): an index by type finds the former without scanning the reports.
  "0002_index_events_by_type": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(secondaryIndexes.events_type.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS")).unprepared
  })
})

/** The migrations table of the store. */
export const migrationsTable = "kehoach_migrations"

/** Runs the migrations on the provided client (inside the write lock, so two processes opening a new file agree). */
export const migrate: Effect.Effect<void, SqlError | Migrator.MigrationError, SqlClient.SqlClient> = Effect.gen(
  function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql.onDialectOrElse({
      sqlite: () =>
        Effect.all([
          sql`PRAGMA busy_timeout = 10000`.unprepared,
          // Safe in WAL mode against a crashed process (only a power loss can lose the last commits).
          sql`PRAGMA synchronous = NORMAL`.unprepared,
          // 64 MB of page cache, so a large import does not spill to the WAL on every batch.
          sql`PRAGMA cache_size = -65536`.unprepared
        ], { discard: true }),
      orElse: () => Effect.void
    })
    yield* immediate(Migrator.make({})({ loader: migrations, table: migrationsTable }))
  }
)

// ---------------------------------------------------------------------------
// Transactions

/**
 * Runs an effect in a transaction that takes the write lock at once
 * (`BEGIN IMMEDIATE` on SQLite), waiting up to the busy timeout for another
 * process to finish. `SqlClient.withTransaction` issues a deferred `BEGIN`,
 * which would let two processes read the same head and then race to write it.
 * Statements inside use the reserved connection (they see
 * `SqlClient.TransactionConnection`); nested `withTransaction` calls become
 * savepoints. Commits on success, rolls back on any failure, defect or interruption.
 */
export const immediate = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.scoped(
        Effect.gen(function*() {
          const conn = yield* sql.reserve
          const begin = sql.onDialectOrElse({ sqlite: () => "BEGIN IMMEDIATE", orElse: () => "BEGIN" })
          yield* conn.executeUnprepared(begin, [], undefined)
          const exit = yield* Effect.exit(
            restore(Effect.provideService(effect, SqlClient.TransactionConnection, [conn, 0] as const))
          )
          if (exit._tag === "Success") {
            const committed = yield* Effect.exit(conn.executeUnprepared("COMMIT", [], undefined))
            if (committed._tag === "Failure") {
              yield* Effect.ignore(conn.executeUnprepared("ROLLBACK", [], undefined))
              return yield* Effect.failCause(committed.cause)
            }
            return exit.value
          }
          yield* Effect.ignore(conn.executeUnprepared("ROLLBACK", [], undefined))
          return yield* exit
        })
      )
    )
  )

// ---------------------------------------------------------------------------
// Rows

interface Row {
  readonly position: number
  readonly id: string
  readonly type: string
  readonly unitId: string | null
  readonly planId: string | null
  readonly line: string
}

/** Rows per multi-row INSERT: 5 parameters each, far below SQLite's limit of 32766. */
const insertBatch = 400

const insertSql = (n: number): string =>
  "INSERT INTO events (position, id, type, unit_id, plan_id, line) VALUES " + "(?,?,?,?,?,?),".repeat(n - 1) +
  "(?,?,?,?,?,?)"

const insertSqlFull = insertSql(insertBatch)

/** The event as the domain folds it: parsed from its line, upcast when written by an older version. */
const eventOfLine = (line: string): StoredEvent => {
  const e = JSON.parse(line) as StoredEvent
  if (e.version !== Events.currentVersion[e.type]) {
    const upcast = Events.decodeLine({ type: e.type, version: e.version, occurredAt: e.occurredAt, data: e.data })
    if (Either.isLeft(upcast)) throw new Error(`position ${e.position}: ${upcast.left.message}`)
    return { ...e, data: upcast.right.data } as StoredEvent
  }
  return e
}

/** Whether two events have the same content (type, valid time, payload): a repeated id is then a no-op. */
const sameContent = (
  a: { readonly type: string; readonly occurredAt: string; readonly data: unknown },
  b: { readonly type: string; readonly occurredAt: string; readonly data: unknown }
): boolean => a.type === b.type && a.occurredAt === b.occurredAt && canonicalize(a.data) === canonicalize(b.data)

// ---------------------------------------------------------------------------
// The store

/**
 * The store over the `SqlClient` in context: runs the migrations, then serves
 * the `EventStore` port. The in-memory domain state lives as long as the
 * store and is caught up from the database on every use.
 */
export const make: Effect.Effect<EventStore["Type"], SqlError | Migrator.MigrationError, SqlClient.SqlClient> = Effect
  .gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* migrate

    // The domain state with its checkpoint (`state.position`) and the hash at
    // that position. `undefined` means "rebuild from the database": the state
    // is mutated in place, so an import that fails after some of its events were
    // folded in leaves it wrong, and it is thrown away; an append is undone (see `write`).
    let state: State.State | undefined
    let head: Digest = { position: 0, hash: HashChain.genesis }
    const invalidate = Effect.sync(() => {
      state = undefined
      head = { position: 0, hash: HashChain.genesis }
    })
    // One writer (or catch-up) of the in-memory state at a time in this process.
    const lock = yield* Effect.makeSemaphore(1)
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

    const pageSize = 10_000
    const linesAfter = (from: number, limit: number) =>
      sql.unsafe<{ position: number; line: string }>(
        "SELECT position, line FROM events WHERE position > ? ORDER BY position LIMIT ?",
        [from, limit]
      )

    /** Folds the events stored after the checkpoint into the state, page by page. */
    const catchUp: Effect.Effect<State.State, SqlError> = Effect.gen(function*() {
      if (state === undefined) {
        state = State.empty()
        head = { position: 0, hash: HashChain.genesis }
      }
      const s = state
      for (;;) {
        const rows = yield* linesAfter(s.position, pageSize)
        for (const row of rows) {
          const e = eventOfLine(row.line)
          State.evolve(s, e)
          head = { position: e.position, hash: e.hash }
        }
        if (rows.length < pageSize) return s
      }
    })

    const insertRows = (rows: ReadonlyArray<Row>) =>
      Effect.gen(function*() {
        for (let i = 0; i < rows.length; i += insertBatch) {
          const n = Math.min(insertBatch, rows.length - i)
          const params: Array<unknown> = new Array(n * 6)
          for (let k = 0; k < n; k++) {
            const r = rows[i + k]!
            params[k * 6] = r.position
            params[k * 6 + 1] = r.id
            params[k * 6 + 2] = r.type
            params[k * 6 + 3] = r.unitId
            params[k * 6 + 4] = r.planId
            params[k * 6 + 5] = r.line
          }
          yield* sql.unsafe(n === insertBatch ? insertSqlFull : insertSql(n), params).raw
        }
      })

    const storedById = (ids: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const found = new Map<string, StoredEvent>()
        for (let i = 0; i < ids.length; i += 500) {
          const part = ids.slice(i, i + 500)
          const rows = yield* sql.unsafe<{ line: string }>(
            `SELECT line FROM events WHERE id IN (${part.map(() => "?").join(",")})`,
            part
          )
          for (const row of rows) {
            const e = eventOfLine(row.line)
            found.set(e.id, e)
          }
        }
        return found
      })

    /** The store's clock as a knowledge time that never goes back along the log. */
    const recordedNow = (s: State.State) =>
      Effect.map(Clock.currentTimeMillis, (now) =>
        s.lastRecordedAtText !== undefined && now < s.lastRecordedAt ? s.lastRecordedAtText : Time.formatInstant(now))

    /** Seals an event: position, prevHash, hash, and its row. */
    const seal = (
      fields: Omit<StoredEvent, "hash" | "position" | "prevHash">,
      position: number,
      prevHash: string
    ): { readonly event: StoredEvent; readonly row: Row } => {
      // One object, in the field order of the exported line; the hash is set last.
      const event = {
        position,
        id: fields.id,
        type: fields.type,
        version: fields.version,
        occurredAt: fields.occurredAt,
        recordedAt: fields.recordedAt,
        recordedBy: fields.recordedBy,
        data: fields.data,
        prevHash,
        hash: ""
      }
      // The payload is serialised once: its canonical form is both hashed and stored.
      const dataJson = HashChain.canonicalData(fields.data)
      event.hash = HashChain.sha256(HashChain.canonicalJsonWith(event, dataJson))
      const line = Ndjson.exportLine(event as StoredEvent, dataJson)
      return {
        event: event as StoredEvent,
        row: {
          position,
          id: event.id,
          type: event.type,
          unitId: Events.unitOf(event as StoredEvent) ?? null,
          planId: Events.planOf(event as StoredEvent) ?? null,
          line
        }
      }
    }

    /** Runs a write: under the lock, in an immediate transaction; a failure after folding throws the state away. */
    /**
     * Runs a write under the lock, in a `BEGIN IMMEDIATE` transaction, on the
     * caught-up state. When it fails after folding events into the state, an
     * append (a batch: `undoable`) rolls the state back through the domain's
     * journal; an import (millions of events: no journal) throws the state away.
     */
    const write = <A, E>(
      body: (s: State.State, folded: () => void) => Effect.Effect<A, E, never>,
      undoable = false
    ) =>
      lock.withPermits(1)(
        Effect.suspend(() => {
          let dirty = false
          let tentative: State.State | undefined
          let headBefore = head
          return immediate(Effect.flatMap(catchUp, (s) => {
            if (undoable) {
              tentative = s
              headBefore = head
              State.begin(s)
            }
            return body(s, () => (dirty = true))
          })).pipe(
            Effect.provideService(SqlClient.SqlClient, sql),
            Effect.onExit((exit) => {
              if (exit._tag === "Success") {
                if (tentative !== undefined) State.commit(tentative)
                return notify
              }
              if (tentative !== undefined) {
                State.rollback(tentative)
                head = headBefore
                return Effect.void
              }
              return dirty ? invalidate : Effect.void
            })
          )
        })
      )

    const append: EventStore["Type"]["append"] = (proposed, options) =>
      write((s, folded) =>
        Effect.gen(function*() {
          // Validate the payloads the caller typed (an HTTP body may not be what its type says).
          const events: Array<Events.ProposedEvent> = []
          for (const p of proposed) {
            const decoded = Events.decodeLine({ type: p.type, occurredAt: p.occurredAt, data: p.data })
            if (Either.isLeft(decoded)) return yield* decoded.left
            events.push(p)
          }
          if (options.authorize !== undefined) {
            const denied = options.authorize(s, events)
            if (denied !== undefined) return yield* new AppendForbidden({ reason: denied })
          }
          const ids = events.flatMap((e) => (e.id === undefined ? [] : [e.id]))
          const stored = ids.length === 0 ? new Map<string, StoredEvent>() : yield* storedById(ids)
          const repeats = events.filter((e) => e.id !== undefined && stored.has(e.id))
          for (const e of repeats) {
            const was = stored.get(e.id!)!
            if (!sameContent(e, was)) return yield* new IdConflict({ id: e.id!, position: was.position })
          }
          if (repeats.length < events.length && options.expectedPosition !== undefined) {
            if (options.expectedPosition !== s.position) {
              return yield* new ConcurrencyConflict({
                expectedPosition: options.expectedPosition,
                actualPosition: s.position
              })
            }
          }
          const recordedAt = yield* recordedNow(s)
          const result: Array<StoredEvent> = []
          const rows: Array<Row> = []
          const inBatch = new Map<string, StoredEvent>()
          for (const e of events) {
            const id = e.id ?? randomUUID()
            const before = stored.get(id) ?? inBatch.get(id)
            if (before !== undefined) {
              if (!sameContent(e, before)) return yield* new IdConflict({ id, position: before.position })
              result.push(before)
              continue
            }
            const violation = Decide.violation(s, { ...e, recordedAt })
            if (violation !== undefined) return yield* violation
            const { event, row } = seal(
              {
                id,
                type: e.type,
                version: Events.currentVersion[e.type],
                occurredAt: e.occurredAt,
                recordedAt,
                recordedBy: options.recordedBy,
                data: e.data
              } as Omit<StoredEvent, "hash" | "position" | "prevHash">,
              s.position + 1,
              head.hash
            )
            folded()
            State.evolve(s, event)
            head = { position: event.position, hash: event.hash }
            inBatch.set(id, event)
            result.push(event)
            rows.push(row)
          }
          yield* Effect.orDie(insertRows(rows))
          return { events: result, appended: rows.length, position: s.position } satisfies AppendResult
        }), true).pipe(Effect.catchTag("SqlError", Effect.die))

    const importLines: EventStore["Type"]["importLines"] = (lines, options) =>
      write((s, folded) =>
        Effect.gen(function*() {
          const recordedAt = yield* recordedNow(s)
          const clockAt = Time.parseInstant(recordedAt)!
          let lineNo = 0
          let imported = 0
          let skipped = 0
          let pending: Array<Row> = []
          // Events of this import not yet inserted, by id (inserted ones are found by `storedById`).
          let unflushed = new Map<string, StoredEvent>()
          const flush = (rows: ReadonlyArray<Row>, keep: Array<Row>) =>
            Effect.map(insertRows(rows), () => {
              pending = keep
              const next = new Map<string, StoredEvent>()
              for (const row of keep) next.set(row.id, unflushed.get(row.id)!)
              unflushed = next
            })
          // Into an empty log, the unique index on ids is built once at the end (one sort)
          // instead of taking a million random insertions; meanwhile the ids of the import
          // are kept in a compact set, and a possible repeat is confirmed in the database
          // (with the index built then). The DROP is part of the transaction: a failure or
          // a crash restores the index with everything else.
          const bulk = s.position === 0
          let indexed = !bulk
          const seen = bulk ? new UuidSet() : undefined
          if (bulk) {
            yield* Effect.orDie(sql`DROP INDEX IF EXISTS events_id`.unprepared)
            // The secondary indexes too: each is one sort at the end instead of a million random inserts.
            for (const name of Object.keys(secondaryIndexes)) {
              yield* Effect.orDie(sql.unsafe(`DROP INDEX IF EXISTS ${name}`).unprepared)
            }
          }
          const ensureIndex = Effect.suspend((): Effect.Effect<void, SqlError> => {
            if (indexed) return Effect.void
            indexed = true
            return Effect.asVoid(sql`CREATE UNIQUE INDEX events_id ON events (id)`.unprepared)
          })

          const processChunk = (chunk: Chunk.Chunk<string>) =>
            Effect.gen(function*() {
              // Parse the whole chunk first, to look its ids up in one query;
              // errors are still reported in line order below.
              const texts = Chunk.toReadonlyArray(chunk)
              const parsed: Array<Parsed | undefined> = []
              const ids: Array<string> = []
              for (const text of texts) {
                if (text.trim() === "") {
                  parsed.push(undefined)
                  continue
                }
                const p = parse(text)
                parsed.push(p)
                if (p._tag === "Right" && p.line.id !== undefined) ids.push(p.line.id)
              }
              // In a bulk import the log holds only this import's rows, checked with `seen` below.
              const stored = ids.length === 0 || bulk
                ? new Map<string, StoredEvent>()
                : yield* storedById(ids)
              for (const p of parsed) {
                lineNo++
                if (p === undefined) continue
                const bad = (reason: string) => new ImportError({ line: lineNo, reason })
                if (p._tag === "Left") return yield* bad(p.error.message)
                const l = p.line
                const raw = p.raw
                if (l.id !== undefined) {
                  let before = stored.get(l.id) ?? unflushed.get(l.id)
                  if (before === undefined && seen !== undefined && !seen.add(l.id)) {
                    // Maybe a repeat of an event inserted earlier in this import.
                    yield* ensureIndex
                    before = (yield* storedById([l.id])).get(l.id)
                  }
                  if (before !== undefined) {
                    const same = l.hash !== undefined ? l.hash === before.hash : sameContent(l, before)
                    if (!same) {
                      return yield* bad(`event id ${l.id} is already stored at position ${before.position} with other content`)
                    }
                    skipped++
                    continue
                  }
                }
                const position = s.position + 1
                if (l.position !== undefined && l.position !== position) {
                  return yield* bad(
                    `position ${l.position} does not continue the log (the next position is ${position})`
                  )
                }
                if (l.prevHash !== undefined && l.prevHash !== head.hash) {
                  return yield* bad(
                    `prevHash ${l.prevHash} does not match the hash of position ${head.position} (${head.hash})`
                  )
                }
                const rec = l.recordedAt ??
                  (s.lastRecordedAtText !== undefined && clockAt < s.lastRecordedAt ? s.lastRecordedAtText : recordedAt)
                const violation = Decide.violation(s, l.recordedAt === rec ? l : { ...l, recordedAt: rec })
                if (violation !== undefined) return yield* bad(violation.message)
                const { event, row } = seal(
                  {
                    id: l.id ?? randomUUID(),
                    type: l.type,
                    version: l.version ?? Events.currentVersion[l.type],
                    occurredAt: l.occurredAt,
                    recordedAt: rec,
                    recordedBy: l.recordedBy ?? options.recordedBy,
                    data: raw
                  } as Omit<StoredEvent, "hash" | "position" | "prevHash">,
                  position,
                  head.hash
                )
                if (l.hash !== undefined && l.hash !== event.hash) {
                  return yield* bad(`hash ${l.hash} does not match the line's content, which hashes to ${event.hash}`)
                }
                folded()
                State.evolve(s, event.version === Events.currentVersion[event.type] ? event : ({ ...event, data: l.data } as StoredEvent))
                head = { position: event.position, hash: event.hash }
                unflushed.set(event.id, event)
                pending.push(row)
                imported++
              }
              if (pending.length >= insertBatch) {
                const full = pending.length - (pending.length % insertBatch)
                yield* flush(pending.slice(0, full), pending.slice(full))
              }
              options.onProgress?.(lineNo)
            })

          yield* Stream.runForEachChunk(lines, processChunk)
          yield* flush(pending, [])
          yield* ensureIndex
          if (bulk) {
            for (const definition of Object.values(secondaryIndexes)) yield* sql.unsafe(definition).unprepared
          }
          return { imported, skipped, position: s.position } satisfies ImportResult
        })
      ).pipe(
        Effect.catchTag("SqlError", (e) => Effect.fail(new ImportError({ line: 0, reason: `database error: ${e.message}` })))
      )

    const where = (query: ReadQuery): { readonly clause: string; readonly params: Array<unknown> } => {
      const conditions: Array<string> = ["position > ?"]
      const params: Array<unknown> = [query.from ?? 0]
      if (query.to !== undefined) {
        conditions.push("position <= ?")
        params.push(query.to)
      }
      if (query.type !== undefined) {
        conditions.push("type = ?")
        params.push(query.type)
      }
      if (query.unitId !== undefined) {
        conditions.push("unit_id = ?")
        params.push(query.unitId)
      }
      if (query.planId !== undefined) {
        conditions.push("plan_id = ?")
        params.push(query.planId)
      }
      return { clause: conditions.join(" AND "), params }
    }

    /** Stored lines matching a query, in pages, as a stream. */
    const linesOf = (query: ReadQuery = {}): Stream.Stream<string, SqlError> => {
      const limit = query.limit
      return Stream.paginateChunkEffect({ after: query.from ?? 0, taken: 0 }, (cursor) => {
        const want = limit === undefined ? 1000 : Math.min(1000, limit - cursor.taken)
        if (want <= 0) return Effect.succeed([Chunk.empty<string>(), Option.none()] as const)
        const w = where({ ...query, from: cursor.after })
        return Effect.map(
          sql.unsafe<{ position: number; line: string }>(
            `SELECT position, line FROM events WHERE ${w.clause} ORDER BY position LIMIT ?`,
            [...w.params, want]
          ),
          (rows) => {
            const next = rows.length < want
              ? Option.none()
              : Option.some({ after: rows[rows.length - 1]!.position, taken: cursor.taken + rows.length })
            return [Chunk.fromIterable(rows.map((r) => r.line)), next] as const
          }
        )
      })
    }

    const exportLines: EventStore["Type"]["exportLines"] = (query) => Stream.orDie(linesOf(query))

    const read: EventStore["Type"]["read"] = (query) =>
      Effect.orDie(
        Effect.map(Stream.runCollect(linesOf(query)), (lines) => Chunk.toReadonlyArray(lines).map(eventOfLine))
      )

    const digest: Effect.Effect<Digest> = Effect.orDie(
      Effect.map(
        sql<{ position: number; hash: string }>`SELECT position, hash FROM events ORDER BY position DESC LIMIT 1`,
        (rows) => rows.length === 0 ? { position: 0, hash: HashChain.genesis } : { position: rows[0]!.position, hash: rows[0]!.hash }
      )
    )

    const position: Effect.Effect<number> = Effect.map(digest, (d) => d.position)

    const verify: EventStore["Type"]["verify"] = (kept) =>
      Effect.orDie(Effect.gen(function*() {
        let expected = 1
        let prev = HashChain.genesis
        let prevRec = Number.NEGATIVE_INFINITY
        let prevRecText = ""
        let keptOk = kept === undefined || kept.position === 0 && kept.hash === HashChain.genesis
        const fail = (position: number, reason: string): VerifyResult => ({ ok: false, position, reason })
        for (;;) {
          const rows = yield* sql.unsafe<{ position: number; id: string; type: string; line: string }>(
            "SELECT position, id, type, line FROM events WHERE position >= ? ORDER BY position LIMIT ?",
            [expected, pageSize]
          )
          for (const row of rows) {
            if (row.position !== expected) {
              return fail(expected, HashChain.describe({ _tag: "PositionGap", expected, found: row.position }))
            }
            let e: StoredEvent
            try {
              e = JSON.parse(row.line) as StoredEvent
            } catch {
              return fail(row.position, "the stored line is not valid JSON")
            }
            if (e.position !== row.position || e.id !== row.id || e.type !== row.type) {
              return fail(row.position, "the stored line does not match its row (position, id or type)")
            }
            if (e.prevHash !== prev) {
              return fail(row.position, HashChain.describe({ _tag: "PrevHashMismatch", expected: prev, found: e.prevHash }))
            }
            let computed: string
            try {
              computed = HashChain.hashOf(e)
            } catch (error) {
              return fail(row.position, `the stored line cannot be hashed: ${(error as Error).message}`)
            }
            if (computed !== e.hash) {
              return fail(row.position, HashChain.describe({ _tag: "HashMismatch", computed, found: e.hash }))
            }
            const rec = Time.parseInstant(e.recordedAt)
            if (rec === undefined) return fail(row.position, `recordedAt ${e.recordedAt} is not an instant`)
            if (rec < prevRec) {
              return fail(
                row.position,
                HashChain.describe({ _tag: "RecordedAtDecreased", recordedAt: e.recordedAt, previous: prevRecText })
              )
            }
            if (kept !== undefined && kept.position === row.position) {
              if (kept.hash !== e.hash) {
                return fail(row.position, `the log no longer extends the kept digest: the hash at position ${row.position} is ${e.hash}, not ${kept.hash}`)
              }
              keptOk = true
            }
            prev = e.hash
            prevRec = rec
            prevRecText = e.recordedAt
            expected++
          }
          if (rows.length < pageSize) break
        }
        const last = expected - 1
        if (!keptOk) {
          return kept!.position > last
            ? fail(last, `the log no longer extends the kept digest: it ends at position ${last}, before ${kept!.position}`)
            : fail(kept!.position, `the log no longer extends the kept digest at position ${kept!.position}`)
        }
        return { ok: true, position: last, hash: prev } satisfies VerifyResult
      }))

    const stateNow: Effect.Effect<State.State> = Effect.orDie(lock.withPermits(1)(catchUp))

    /** The lines of one part of a selection, in log order, through the type or plan index. */
    const selectedLines = (clause: string, params: ReadonlyArray<unknown>) =>
      sql.unsafe<{ position: number; line: string }>(
        `SELECT position, line FROM events WHERE ${clause} ORDER BY position`,
        params as Array<unknown>
      )

    const stateFor: EventStore["Type"]["stateFor"] = (selection) =>
      Effect.suspend(() => {
        if (state !== undefined) return stateNow
        return Effect.orDie(Effect.gen(function*() {
          const parts: Array<ReadonlyArray<{ position: number; line: string }>> = []
          for (const type of selection.types) parts.push(yield* selectedLines("type = ?", [type]))
          if (selection.plan !== undefined && selection.plan.types.length > 0) {
            const types = selection.plan.types.filter((t) => !selection.types.includes(t))
            if (types.length > 0) {
              parts.push(
                yield* selectedLines(`plan_id = ? AND type IN (${types.map(() => "?").join(",")})`, [
                  selection.plan.planId,
                  ...types
                ])
              )
            }
          }
          // Each part is in log order: merge them by position and fold.
          const partial = State.empty()
          const next = parts.map(() => 0)
          for (;;) {
            let best = -1
            for (let i = 0; i < parts.length; i++) {
              const row = parts[i]![next[i]!]
              if (row !== undefined && (best < 0 || row.position < parts[best]![next[best]!]!.position)) best = i
            }
            if (best < 0) return partial
            State.evolve(partial, eventOfLine(parts[best]![next[best]!++]!.line))
          }
        }))
      })

    const tail: EventStore["Type"]["tail"] = (from) =>
      Stream.paginateChunkEffect(from, (after) =>
        Effect.gen(function*() {
          // Take the wake-up signal before reading, so a commit between the read and the wait is not missed.
          const wake = appended
          const rows = yield* linesAfter(after, 1000)
          if (rows.length === 0) {
            yield* Effect.raceFirst(Deferred.await(wake), Effect.sleep("200 millis"))
            return [Chunk.empty<StoredEvent>(), Option.some(after)] as const
          }
          const events = rows.map((r) => eventOfLine(r.line))
          return [Chunk.fromIterable(events), Option.some(events[events.length - 1]!.position)] as const
        })
      ).pipe(Stream.orDie)

    return EventStore.of({
      append,
      importLines,
      exportLines,
      read,
      verify,
      digest,
      position,
      state: stateNow,
      stateFor,
      tail
    })
  })

type Parsed =
  | { readonly _tag: "Right"; readonly line: Events.EventLine; readonly raw: unknown }
  | { readonly _tag: "Left"; readonly error: Errors.InvalidEvent }

/**
 * Parses and validates one NDJSON line, keeping the payload as written (the
 * log keeps what was written; the decoded, upcast payload is what the rules see).
 */
const parse = (text: string): Parsed => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    const p = Events.parseLine(text)
    return p._tag === "Left" ? { _tag: "Left", error: p.left } : { _tag: "Right", line: p.right, raw: p.right.data }
  }
  const p = Events.decodeLine(json)
  return p._tag === "Left"
    ? { _tag: "Left", error: p.left }
    : { _tag: "Right", line: p.right, raw: (json as { readonly data: unknown }).data }
}

/** The store over any `SqlClient` already provided (another @effect/sql driver can go under it). */
export const layerFromClient: Layer.Layer<EventStore, never, SqlClient.SqlClient> = Layer.effect(
  EventStore,
  Effect.orDie(make)
)

/** The store in an embedded SQLite file, created and migrated when new (WAL mode, busy timeout). */
export const layer = (options: { readonly filename: string }): Layer.Layer<EventStore> =>
  layerFromClient.pipe(Layer.provide(Layer.orDie(SqliteClient.layer({ filename: options.filename }))))
