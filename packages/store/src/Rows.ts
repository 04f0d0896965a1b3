/**
 * The rows of the `events` table as the store writes and reads them: the
 * exported line and the columns derived from it for the indexes.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Events } from "@kehoach/domain"
import { Effect, Either } from "effect"
import type { StoredEvent } from "./EventStore.js"

/** One row of the events table. */
export interface Row {
  readonly position: number
  readonly id: string
  readonly type: string
  readonly unitId: string | null
  readonly planId: string | null
  readonly line: string
}

/** The indexed columns of an event's row, derived from the event (what `verify` checks them against). */
export const columnsOf = (event: StoredEvent): Omit<Row, "line"> => ({
  position: event.position,
  id: event.id,
  type: event.type,
  unitId: Events.unitOf(event) ?? null,
  planId: Events.planOf(event) ?? null
})

/** Rows per multi-row INSERT: 6 parameters each, far below SQLite's limit of 32766. */
const insertBatch = 400

const insertSql = (n: number): string =>
  "INSERT INTO events (position, id, type, unit_id, plan_id, line) VALUES " +
  "(?,?,?,?,?,?),".repeat(n - 1) +
  "(?,?,?,?,?,?)"

const insertSqlFull = insertSql(insertBatch)

/** Rows per INSERT on PostgreSQL: one JSON parameter, whatever its length. */
const pgInsertBatch = 10_000

/**
 * On PostgreSQL, one statement per 10,000 rows: the rows go as one JSON
 * parameter (serialised by V8, parsed by the server in C) that
 * `json_to_recordset` turns back into rows; twice as fast here as six
 * `unnest` arrays (which node-postgres escapes element by element in
 * JavaScript), and inside the store's transaction like any statement.
 */
const insertPg = (sql: SqlClient.SqlClient, rows: ReadonlyArray<Row>): Effect.Effect<void, SqlError> =>
  Effect.gen(function* () {
    for (let i = 0; i < rows.length; i += pgInsertBatch) {
      const part = rows.slice(i, i + pgInsertBatch)
      const json = JSON.stringify(
        part.map((r) => ({ p: r.position, i: r.id, t: r.type, u: r.unitId, n: r.planId, l: r.line }))
      )
      yield* sql.unsafe(
        "INSERT INTO events (position, id, type, unit_id, plan_id, line) SELECT p, i, t, u, n, l " +
          "FROM json_to_recordset($1::json) AS r(p bigint, i text, t text, u text, n text, l text)",
        [json]
      ).raw
    }
  })

/** Inserts rows in multi-row statements (see `insertPg` for PostgreSQL). */
export const insert = (sql: SqlClient.SqlClient, rows: ReadonlyArray<Row>): Effect.Effect<void, SqlError> =>
  sql.onDialectOrElse({ pg: () => insertPg(sql, rows), orElse: () => insertSqlite(sql, rows) })

const insertSqlite = (sql: SqlClient.SqlClient, rows: ReadonlyArray<Row>): Effect.Effect<void, SqlError> =>
  Effect.gen(function* () {
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

/**
 * The event as the domain folds it, from a parsed line (`JSON.parse` of a
 * stored line): as written when of the current version, else upcast by the
 * domain's `decodeLine`, exactly as a line of an import is. A type or version
 * this software does not know is an error naming the position, never skipped.
 */
export const eventOfJson = (json: unknown): StoredEvent => {
  const e = json as StoredEvent
  if (e.version !== Events.currentVersion[e.type]) {
    const upcast = Events.decodeLine({ type: e.type, version: e.version, occurredAt: e.occurredAt, data: e.data })
    if (Either.isLeft(upcast)) throw new Error(`position ${e.position}: ${upcast.left.message}`)
    return { ...e, data: upcast.right.data } as StoredEvent
  }
  return e
}

/** The event of a stored line (see `eventOfJson`). */
export const eventOfLine = (line: string): StoredEvent => eventOfJson(JSON.parse(line))

/** The stored events with these ids, by id, as written. */
export const byId = (
  sql: SqlClient.SqlClient,
  ids: ReadonlyArray<string>
): Effect.Effect<Map<string, StoredEvent>, SqlError> =>
  Effect.gen(function* () {
    const found = new Map<string, StoredEvent>()
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500)
      const rows = yield* sql<{ line: string }>`SELECT line FROM events WHERE ${sql.in("id", part)}`
      for (const row of rows) {
        const e = JSON.parse(row.line) as StoredEvent
        found.set(e.id, e)
      }
    }
    return found
  })

/**
 * The stored lines after a position, in order, at most `limit`, each as a
 * one-value row (`[line]`): the line alone, as the driver hands it over, with
 * no object per row (the position is in the line).
 */
export const linesAfter = (
  sql: SqlClient.SqlClient,
  from: number,
  limit: number
): Effect.Effect<ReadonlyArray<readonly [line: string]>, SqlError> =>
  sql`SELECT line FROM events WHERE position > ${from} ORDER BY position LIMIT ${limit}`.values as Effect.Effect<
    ReadonlyArray<readonly [line: string]>,
    SqlError
  >
