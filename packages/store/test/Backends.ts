/**
 * The stores the contract tests run against: a SQLite file in a temporary
 * directory, and a PostgreSQL schema of its own on the test server (one per
 * store, named after the test file and dropped after it).
 *
 * The server is taken from `KEHOACH_TEST_PG`, else the standard `PG*`
 * variables, else postgres://postgres@127.0.0.1:5432/test. When it cannot be
 * reached, the PostgreSQL tests are skipped under a name that says so, unless
 * `KEHOACH_REQUIRE_PG=1` (CI), when that is a failure.
 */
import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import Pg from "pg"
import { EventStore, SqlEventStore } from "../src/index.js"

/** A statement for both stores, or one for each. */
export type Statement = string | { readonly sqlite: string; readonly postgres: string }

const forSqlite = (statement: Statement) => (typeof statement === "string" ? statement : statement.sqlite)
const forPostgres = (statement: Statement) => (typeof statement === "string" ? statement : statement.postgres)

/** One kind of store, as the tests see it. */
export interface Backend {
  readonly name: "SQLite" | "PostgreSQL"
  /** A new, empty database: a file path or a `postgres://` URL. */
  readonly fresh: () => string
  /** The store on a database from `fresh` (its schema created first on PostgreSQL). */
  readonly layer: (db: string, options?: SqlEventStore.Options) => Layer.Layer<EventStore.EventStore>
  /**
   * Runs one statement straight on the database (to tamper with it, or to look at its catalogue);
   * one per dialect where their SQL differs.
   */
  readonly exec: (db: string, statement: Statement) => Effect.Effect<ReadonlyArray<Record<string, unknown>>>
  /** The names of the indexes on the events table, sorted (the primary key's left out). */
  readonly indexes: (db: string) => Effect.Effect<ReadonlyArray<string>>
  /** Drops everything `fresh` made. */
  readonly cleanUp: () => Promise<void>
}

/** SQLite files in a temporary directory. */
export const sqlite = (): Backend => {
  const dirs: Array<string> = []
  const withRaw = <A>(db: string, f: (raw: Database.Database) => A): A => {
    const raw = new Database(db)
    try {
      return f(raw)
    } finally {
      raw.close()
    }
  }
  return {
    name: "SQLite",
    fresh: () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-store-"))
      dirs.push(dir)
      return path.join(dir, "log.db")
    },
    layer: (db, options) => SqlEventStore.layer({ filename: db, ...options }),
    exec: (db, statement) =>
      Effect.sync(() =>
        withRaw(db, (raw) => {
          const prepared = raw.prepare(forSqlite(statement))
          return prepared.reader ? (prepared.all() as Array<Record<string, unknown>>) : (prepared.run(), [])
        })
      ),
    indexes: (db) =>
      Effect.sync(() =>
        withRaw(db, (raw) =>
          (
            raw
              .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name")
              .all() as Array<{ name: string }>
          ).map((r) => r.name)
        )
      ),
    cleanUp: async () => {
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** The server the PostgreSQL tests use. */
export const serverUrl = (): string => {
  const env = process.env
  if (env["KEHOACH_TEST_PG"]) return env["KEHOACH_TEST_PG"]
  const user = encodeURIComponent(env["PGUSER"] ?? "postgres")
  const password = env["PGPASSWORD"] ? `:${encodeURIComponent(env["PGPASSWORD"])}` : ""
  return `postgres://${user}${password}@${env["PGHOST"] ?? "127.0.0.1"}:${env["PGPORT"] ?? "5432"}/${
    env["PGDATABASE"] ?? "test"
  }`
}

/** The URL of one schema on the server (libpq's `options`, so every pooled connection uses it). */
export const inSchema = (url: string, schema: string): string =>
  `${url}${url.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`

const schemaOf = (db: string): string => decodeURIComponent(new URL(db).searchParams.get("options")!).split("=")[1]!

const query = async (url: string, statement: string): Promise<ReadonlyArray<Record<string, unknown>>> => {
  const client = new Pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    return (await client.query(statement)).rows
  } finally {
    await client.end()
  }
}

/** Whether the test server answers, and if not, why. */
export const reach = async (url: string = serverUrl()): Promise<string | undefined> => {
  try {
    await query(url, "SELECT 1")
    return undefined
  } catch (error) {
    return (error as Error).message || String((error as { code?: string }).code ?? error)
  }
}

/** PostgreSQL schemas on the test server, named after the test file. */
export const postgres = (file: string, url: string = serverUrl()): Backend => {
  const prefix = `kehoach_${file.replace(/\W/g, "_").toLowerCase()}_${process.pid}_${Date.now().toString(36)}`
  const schemas: Array<string> = []
  const created = new Set<string>()
  const ensure = (db: string) =>
    Effect.promise(async () => {
      const schema = schemaOf(db)
      if (created.has(schema)) return
      await query(url, `CREATE SCHEMA IF NOT EXISTS ${schema}`)
      created.add(schema)
    })
  return {
    name: "PostgreSQL",
    fresh: () => {
      const schema = `${prefix}_${schemas.length}`
      schemas.push(schema)
      return inSchema(url, schema)
    },
    layer: (db, options) =>
      Layer.unwrapEffect(Effect.as(ensure(db), Layer.orDie(SqlEventStore.layerPg({ url: db, ...options })))),
    exec: (db, statement) =>
      Effect.zipRight(
        ensure(db),
        Effect.promise(() => query(db, forPostgres(statement)))
      ),
    indexes: (db) =>
      Effect.map(
        Effect.promise(() =>
          query(
            url,
            `SELECT indexname FROM pg_indexes WHERE schemaname = '${schemaOf(db)}' AND tablename = 'events'
              AND indexname <> 'events_pkey' ORDER BY indexname`
          )
        ),
        (rows) => rows.map((r) => String(r["indexname"]))
      ),
    cleanUp: async () => {
      for (const schema of schemas) await query(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    }
  }
}

/**
 * The backends of a test file: SQLite always, PostgreSQL when its server
 * answers. `skipped` names why PostgreSQL is not among them; with
 * `KEHOACH_REQUIRE_PG=1` an unreachable server throws instead.
 */
export const available = async (
  file: string
): Promise<{ readonly backends: ReadonlyArray<Backend>; readonly skipped: string | undefined }> => {
  const url = serverUrl()
  const unreachable = await reach(url)
  if (unreachable === undefined) return { backends: [sqlite(), postgres(file, url)], skipped: undefined }
  const reason = `no PostgreSQL server reachable at ${url.replace(/:[^:@/]*@/, ":***@")} (${unreachable})`
  if (process.env["KEHOACH_REQUIRE_PG"] === "1") {
    throw new Error(`KEHOACH_REQUIRE_PG=1 but ${reason}`)
  }
  return { backends: [sqlite()], skipped: reason }
}
