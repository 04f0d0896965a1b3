/**
 * The numbered migrations of the store's schema, and how they run.
 *
 * One table, `events`: the position (the row id), the event id (unique), the
 * type and the unit and plan it concerns (for filters), and the exported line
 * itself as one TEXT column; the other envelope fields and the payload are
 * generated columns read from that line. Replay and export read the line:
 * one `JSON.parse` per event for replay, no re-serialisation for export.
 * A second table, `snapshots`, keeps the domain state at a position (see `Snapshots`);
 * a third, `merkle_nodes`, the Merkle tree over the lines (see `MerkleTree`).
 * PostgreSQL has the same tables in its own numbered set, `pgMigrations`.
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import * as MerkleTree from "./MerkleTree.js"
import * as Transaction from "./Transaction.js"

/**
 * The secondary indexes of the events table, as the migrations create them; a
 * bulk import into an empty log drops them and creates them again at its end
 * (inside its transaction, so a failure or a crash restores them).
 */
export const secondaryIndexes = {
  events_unit: "CREATE INDEX events_unit ON events (unit_id, position) WHERE unit_id IS NOT NULL",
  events_plan: "CREATE INDEX events_plan ON events (plan_id, position) WHERE plan_id IS NOT NULL",
  events_type: "CREATE INDEX events_type ON events (type, position)"
} as const

/**
 * The report id of a `ReportFiled` line, as each database computes it from the
 * stored line (no column of its own: nothing to keep in step with the line).
 * While some plans' reports are not in memory, the store looks up the report
 * ids of a batch through it (`Read.plansOfReports`).
 */
export const reportIdOf = {
  sqlite: "json_extract(line, '$.data.reportId')",
  pg: "((line::jsonb) -> 'data' ->> 'reportId')"
} as const

/** The index of `ReportFiled` lines by report id (migration 0005), for the dialect. */
export const reportIdIndex = (dialect: keyof typeof reportIdOf): string =>
  `CREATE INDEX events_report ON events (${reportIdOf[dialect]}) WHERE type = 'ReportFiled'`

/** Every secondary index of the events table on this database, by name (what a bulk import drops and rebuilds). */
export const secondaryIndexesOf = (sql: SqlClient.SqlClient): Record<string, string> => ({
  ...secondaryIndexes,
  events_report: reportIdIndex(sql.onDialectOrElse({ pg: () => "pg" as const, orElse: () => "sqlite" as const }))
})

/** The unique index on event ids, built at the end of a bulk import like the others. */
export const idIndex = "CREATE UNIQUE INDEX events_id ON events (id)"

/**
 * Migration 0002, the same on both databases: projections read the hierarchy and the models of
 * every unit but the reports of one plan (`stateFor`), and an index by type finds the former
 * without scanning the reports.
 */
const indexByType = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(secondaryIndexes.events_type.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS")).unprepared
})

/** The numbered migrations of the store's schema on SQLite. */
export const migrations: Migrator.Loader = Migrator.fromRecord({
  "0001_create_events": Effect.gen(function* () {
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
    yield* sql.unsafe(idIndex).unprepared
    yield* sql.unsafe(secondaryIndexes.events_unit).unprepared
    yield* sql.unsafe(secondaryIndexes.events_plan).unprepared
  }),
  "0002_index_events_by_type": indexByType,
  // The domain state at a position, so that opening a store folds only the events after it.
  "0003_create_snapshots": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE snapshots (
      position INTEGER PRIMARY KEY,
      hash TEXT NOT NULL,
      format TEXT NOT NULL,
      checksum TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      created_at TEXT NOT NULL
    )`.unprepared
    // The serialised state in parts: a national state is larger than one SQLite value may be.
    yield* sql`CREATE TABLE snapshot_parts (
      position INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (position, seq)
    )`.unprepared
  }),
  // The Merkle tree of RFC 9162 over the log (see `MerkleTree`), built here from the lines of a log
  // written before it existed; from then on the write path keeps it.
  "0004_create_merkle_nodes": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(MerkleTree.createTable).unprepared
    yield* MerkleTree.build(sql)
  }),
  // Report ids, looked up while some plans' reports are not in memory (see `reportIdOf`).
  "0005_index_reports_by_id": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(reportIdIndex("sqlite")).unprepared
  })
})

/**
 * The numbered migrations on PostgreSQL: the same tables under the same
 * numbers (a migration added to the SQLite set gets its twin here, under its
 * number), in PostgreSQL's types. Positions are `bigint`; the line is `text`
 * (never `jsonb`, which would reorder its keys: the line is what is hashed
 * and exported byte for byte); SQLite's generated columns become a view,
 * `event_fields`, for analysts (PostgreSQL has no virtual generated columns).
 */
export const pgMigrations: Migrator.Loader = Migrator.fromRecord({
  "0001_create_events": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE events (
      position bigint PRIMARY KEY,
      id text NOT NULL,
      type text NOT NULL,
      unit_id text,
      plan_id text,
      line text NOT NULL
    )`.unprepared
    yield* sql.unsafe(idIndex).unprepared
    yield* sql.unsafe(secondaryIndexes.events_unit).unprepared
    yield* sql.unsafe(secondaryIndexes.events_plan).unprepared
    yield* sql`CREATE VIEW event_fields AS SELECT position, id, type, unit_id, plan_id,
      (line::jsonb ->> 'version')::integer AS version,
      line::jsonb ->> 'occurredAt' AS occurred_at,
      line::jsonb ->> 'recordedAt' AS recorded_at,
      line::jsonb ->> 'recordedBy' AS recorded_by,
      line::jsonb -> 'data' AS data,
      line::jsonb ->> 'prevHash' AS prev_hash,
      line::jsonb ->> 'hash' AS hash
      FROM events`.unprepared
  }),
  "0002_index_events_by_type": indexByType,
  "0003_create_snapshots": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE snapshots (
      position bigint PRIMARY KEY,
      hash text NOT NULL,
      format text NOT NULL,
      checksum text NOT NULL,
      bytes bigint NOT NULL,
      created_at text NOT NULL
    )`.unprepared
    yield* sql`CREATE TABLE snapshot_parts (
      position bigint NOT NULL,
      seq integer NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (position, seq)
    )`.unprepared
  }),
  "0004_create_merkle_nodes": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(MerkleTree.createTable).unprepared
    yield* MerkleTree.build(sql)
  }),
  "0005_index_reports_by_id": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(reportIdIndex("pg")).unprepared
  })
})

/** The migrations table of the store. */
export const migrationsTable = "kehoach_migrations"

/** Runs the migrations on the provided client (inside the write lock, so two processes opening a new file agree). */
export const migrate: Effect.Effect<void, SqlError | Migrator.MigrationError, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.onDialectOrElse({
      sqlite: () =>
        Effect.all(
          [
            sql`PRAGMA busy_timeout = 10000`.unprepared,
            // Safe in WAL mode against a crashed process (only a power loss can lose the last commits).
            sql`PRAGMA synchronous = NORMAL`.unprepared,
            // 64 MB of page cache, so a large import does not spill to the WAL on every batch.
            sql`PRAGMA cache_size = -65536`.unprepared
          ],
          { discard: true }
        ),
      orElse: () => Effect.void
    })
    const loader = sql.onDialectOrElse({ pg: () => pgMigrations, orElse: () => migrations })
    yield* Transaction.immediate(
      Effect.gen(function* () {
        // The migrator probes for its table with a query that fails when it is missing, which would abort
        // the enclosing transaction on PostgreSQL: the table is created first, as the migrator would.
        yield* sql.onDialectOrElse({
          pg: () =>
            sql`CREATE TABLE IF NOT EXISTS ${sql(migrationsTable)} (
            migration_id integer primary key,
            created_at timestamp with time zone not null default now(),
            name text not null
          )`,
          orElse: () => Effect.void
        })
        yield* Migrator.make({})({ loader, table: migrationsTable })
      })
    )
  }
)
