/**
 * The store's write transaction: `@effect/sql`'s own transaction machinery
 * (`SqlClient.makeWithTransaction`: a reserved connection, savepoints for
 * nested transactions, commit on success, rollback on any failure, defect or
 * interruption), begun with `BEGIN IMMEDIATE` on SQLite.
 *
 * `SqlClient.withTransaction` issues a deferred `BEGIN`, which takes the write
 * lock only at the first write: two processes could both read the same head
 * of the log and then race to extend it. `BEGIN IMMEDIATE` takes the lock at
 * once, waiting up to the busy timeout for another process to finish.
 *
 * On PostgreSQL, a plain `BEGIN` (READ COMMITTED) followed by a
 * transaction-scoped advisory lock on the store's schema: one writer at a
 * time across every process and server on the database, released by the
 * commit or rollback (or the connection's end). Every statement after it
 * sees what the previous writers committed, so the state caught up inside
 * the transaction is the head of the log. Readers never wait for it.
 * See docs/decisions/0005-postgresql-store.md.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Option, Scope } from "effect"
import type { Connection } from "@effect/sql/SqlConnection"

const begin = (sql: SqlClient.SqlClient) =>
  sql.onDialectOrElse({ sqlite: () => "BEGIN IMMEDIATE", orElse: () => "BEGIN" })

const run = (conn: Connection, statement: string) => Effect.asVoid(conn.executeUnprepared(statement, [], undefined))

/** On SQLite, a statement prepared once and kept by the client (`BEGIN IMMEDIATE`, `COMMIT`: one per write). */
const runPrepared = (sql: SqlClient.SqlClient, conn: Connection, statement: string) =>
  sql.onDialectOrElse({
    sqlite: () => Effect.asVoid(conn.execute(statement, [], undefined)),
    orElse: () => run(conn, statement)
  })

/**
 * The advisory lock of the store on PostgreSQL: the first key names kehoach
 * ("keho" in ASCII), the second the schema, so stores in two schemas of one
 * database do not wait for each other.
 */
export const pgLock = "SELECT pg_advisory_xact_lock(1801807983, hashtext(current_schema()))"

/**
 * Runs an effect in a transaction that holds the write lock from its start.
 * Statements inside use the reserved connection (they see
 * `SqlClient.TransactionConnection`); nested calls become savepoints.
 */
export const immediate = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    SqlClient.makeWithTransaction({
      transactionTag: SqlClient.TransactionConnection,
      spanAttributes: [],
      acquireConnection: Effect.flatMap(Scope.make(), (scope) =>
        Effect.map(Scope.extend(sql.reserve, scope), (conn) => [scope, conn] as const)
      ),
      begin: (conn) =>
        sql.onDialectOrElse({
          // One round trip: a statement without parameters goes by the simple protocol, which takes several.
          pg: () => run(conn, `BEGIN; ${pgLock}`),
          orElse: () => runPrepared(sql, conn, begin(sql))
        }),
      savepoint: (conn, id) => run(conn, `SAVEPOINT effect_sql_${id}`),
      // A COMMIT that fails (a full disk) leaves SQLite's transaction open on the one connection: end it.
      commit: (conn) => Effect.tapError(runPrepared(sql, conn, "COMMIT"), () => Effect.ignore(run(conn, "ROLLBACK"))),
      // A PostgreSQL connection lost mid-transaction cannot roll back, and need not (the server does); SQLite
      // rolls back by itself on a full disk or an I/O error, and the ROLLBACK then finds no transaction. Either
      // way the failure that ended the transaction is what the caller sees, not a defect of the ROLLBACK.
      rollback: (conn) => Effect.ignore(run(conn, "ROLLBACK")),
      rollbackSavepoint: (conn, id) => run(conn, `ROLLBACK TO SAVEPOINT effect_sql_${id}`)
    })(effect).pipe(
      // @effect/sql turns a failed COMMIT into a defect; a full disk or an I/O error at commit is the write's
      // failure like any other (the transaction was rolled back, nothing written), so the caller can name it.
      Effect.catchSomeDefect((defect) =>
        (defect as { readonly _tag?: unknown })?._tag === "SqlError"
          ? Option.some(Effect.fail(defect as SqlError))
          : Option.none()
      )
    )
  )
