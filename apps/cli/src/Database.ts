/**
 * Which database a command uses, and the event store on it: `--db PATH`,
 * else the `KEHOACH_DB` environment variable, else `./kehoach.db`, created
 * on first use.
 *
 * The SQL adapter is loaded only by the commands that open a database, so
 * `kehoach --help` does not pay for SQLite.
 */
import type * as EventStore from "@kehoach/store/EventStore"
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

/** The event store on a SQLite file. */
export const layer = (filename: string): Layer.Layer<EventStore.EventStore, FileError> =>
  Layer.unwrapEffect(
    Effect.promise(() => import("@kehoach/store/SqlEventStore")).pipe(
      Effect.map((SqlEventStore) =>
        SqlEventStore.layer({ filename }).pipe(
          Layer.catchAllCause((cause) =>
            Layer.fail(new FileError({ path: filename, reason: `cannot open the database: ${describe(cause)}` }))
          )
        )
      )
    )
  )

const describe = (cause: unknown): string => {
  const text = String((cause as { toString?: () => string })?.toString?.() ?? cause)
  return text.split("\n")[0]!.replace(/^\w*Error: /, "")
}
