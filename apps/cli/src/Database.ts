/**
 * Which database a command uses, and the event store on it: `--db PATH`,
 * else the `KEHOACH_DB` environment variable, else `./kehoach.db`, created
 * on first use. A `postgres://` URL instead of a path opens the store in that
 * PostgreSQL database (its tables created on first use).
 *
 * The SQL adapter is loaded only by the commands that open a database, so
 * `kehoach --help` does not pay for SQLite.
 */
import type * as EventStore from "@kehoach/store/EventStore"
import type * as Postgres from "@kehoach/store/Postgres"
import { Effect, Layer, Option } from "effect"
import { FileError } from "./CliError.js"

/** The default database file, in the current directory. */
export const defaultPath = "./kehoach.db"

/** The database path from the option, the environment, or the default. */
export const resolve = (...options: ReadonlyArray<Option.Option<string>>): string => {
  for (const option of options) if (Option.isSome(option) && option.value !== "") return option.value
  const env = process.env["KEHOACH_DB"]
  return env !== undefined && env !== "" ? env : defaultPath
}

/** Whether the database is a PostgreSQL URL rather than a SQLite file. */
export const isPostgres = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db)

/** The database as it may be printed: a PostgreSQL URL without its password and connection options. */
export const shown = (db: string): string => {
  if (!isPostgres(db)) return db
  try {
    const u = new URL(db)
    if (u.password !== "") u.password = "***"
    u.search = ""
    return u.toString()
  } catch {
    return "the PostgreSQL URL"
  }
}

/**
 * The event store on a SQLite file or a PostgreSQL URL. A server that cannot
 * be reached is one line naming it (without its password) and the reason.
 */
export const layer = (db: string): Layer.Layer<EventStore.EventStore, FileError | Postgres.Unavailable> =>
  Layer.unwrapEffect(
    Effect.promise(() => import("@kehoach/store/SqlEventStore")).pipe(
      Effect.map((SqlEventStore): Layer.Layer<EventStore.EventStore, FileError | Postgres.Unavailable> =>
        isPostgres(db)
          ? SqlEventStore.layerPg({ url: db })
          : SqlEventStore.layer({ filename: db }).pipe(
              Layer.catchAllCause((cause) =>
                Layer.fail(new FileError({ path: db, reason: `cannot open the database: ${describe(cause)}` }))
              )
            )
      )
    )
  )

const describe = (cause: unknown): string => {
  const text = String((cause as { toString?: () => string })?.toString?.() ?? cause)
  return text.split("\n")[0]!.replace(/^\w*Error: /, "")
}
