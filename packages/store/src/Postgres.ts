/**
 * The store's connection to PostgreSQL: which `--db` values are PostgreSQL
 * URLs, the `@effect/sql-pg` client the store runs on (positions, `bigint`,
 * read as numbers), and one clear error naming the server when it cannot be
 * reached. The store itself is the same modules as on SQLite (see
 * docs/decisions/0005-postgresql-store.md).
 */
import type * as PgClient from "@effect/sql-pg/PgClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError as SqlErrorClass } from "@effect/sql/SqlError"
import type { SqlError } from "@effect/sql/SqlError"
import { Context, Effect, Layer, Redacted, Schema, Stream } from "effect"
import type Pg from "pg"

/** Whether a `--db` value names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a file. */
export const isUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db)

/**
 * The URL as it may be shown: the password replaced by `***`, the query
 * (connection options) dropped, so an error line names the server and
 * database without leaking a secret.
 */
export const describe = (url: string): string => {
  try {
    const u = new URL(url)
    if (u.password !== "") u.password = "***"
    u.search = ""
    return u.toString()
  } catch {
    return "the PostgreSQL URL (which cannot be parsed)"
  }
}

/** The PostgreSQL server could not be reached or refused the connection; nothing was read or written. */
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", {
  database: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cannot connect to ${this.database}: ${this.reason}`
  }
}

/** What failed in a SQL error, in one line: the driver's message and the server's or the network's reason. */
export const reasonOf = (error: SqlError): string => {
  const cause = error.cause as { message?: unknown; code?: unknown } | undefined
  const detail =
    cause !== undefined && typeof cause.message === "string" && cause.message !== ""
      ? cause.message
      : cause !== undefined && typeof cause.code === "string"
        ? cause.code
        : undefined
  // node-postgres reports a refused connection to every address of a name as an AggregateError without a message.
  const errors = (error.cause as { errors?: ReadonlyArray<{ message?: string }> } | undefined)?.errors
  const first = detail ?? errors?.[0]?.message
  return (first === undefined ? error.message : `${error.message}: ${first}`).split("\n")[0]!
}

/** `bigint` (OID 20) is read as a JavaScript number: positions stay far below 2^53. */
const typesOf = (pg: typeof Pg) => ({
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20 && format !== "binary"
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as "text")) as Pg.CustomTypesConfig["getTypeParser"]
})

/** The channel on which every commit of the store is announced (`NOTIFY`), for the live tails of every process. */
export const channel = "kehoach_events"

/**
 * The commits of other processes on the same database, as they happen
 * (`LISTEN`, on a connection of its own), each named by the
 * schema of its store: live tails wait on it instead of polling.
 */
export class Commits extends Context.Tag("@kehoach/store/Postgres/Commits")<
  Commits,
  Stream.Stream<string, SqlError>
>() {}

/**
 * The payloads of `NOTIFY` on the store's channel, heard on a connection of
 * their own (opened when the stream runs, closed when it ends); the stream
 * fails when that connection is lost.
 */
const listen = (pg: typeof Pg, url: string): Stream.Stream<string, SqlError> =>
  Stream.asyncScoped<string, SqlError>((emit) =>
    Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const client = new pg.Client({ connectionString: url, application_name: "kehoach (listen)" })
          const lost = (cause: unknown) =>
            void emit.fail(new SqlErrorClass({ cause, message: "the listening connection was lost" }))
          client.on("error", lost)
          client.on("end", () => lost(new Error("connection ended")))
          client.on("notification", (message) => {
            if (message.channel === channel && message.payload !== undefined) void emit.single(message.payload)
          })
          await client.connect()
          await client.query(`LISTEN ${channel}`)
          return client
        },
        catch: (cause) => new SqlErrorClass({ cause, message: "cannot listen" })
      }),
      (client) =>
        Effect.promise(() => {
          client.removeAllListeners("end")
          client.removeAllListeners("error")
          client.on("error", () => {})
          return client.end().catch(() => {})
        })
    )
  )

/**
 * The `SqlClient` on a PostgreSQL URL (libpq form; `?options=-csearch_path%3Dname`
 * picks a schema), and the `Commits` heard on it. Fails with `Unavailable`,
 * naming the server, when no connection can be made. The driver is loaded
 * only here, so a SQLite command never pays for it.
 */
export const clientLayer = (
  url: string,
  options: { readonly maxConnections?: number | undefined } = {}
): Layer.Layer<SqlClient.SqlClient | Commits, Unavailable> =>
  Layer.unwrapEffect(
    Effect.map(
      Effect.promise(() => Promise.all([import("@effect/sql-pg/PgClient"), import("pg")])),
      ([Client, pg]) => {
        const client: Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError> = Client.layer({
          url: Redacted.make(url),
          types: typesOf(pg.default),
          applicationName: "kehoach",
          maxConnections: options.maxConnections ?? 10
        })
        const commits = Layer.succeed(Commits, listen(pg.default, url))
        return Layer.merge(commits, client).pipe(
          Layer.mapError((error) => new Unavailable({ database: describe(url), reason: reasonOf(error) }))
        )
      }
    )
  )
