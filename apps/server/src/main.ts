/**
 * A standalone entry: `node apps/server/dist/main.js [--db PATH|URL] [--port N]
 * [--host H] [--tokens FILE]` (defaults: `KEHOACH_DB` or `./kehoach.db`,
 * 8080, 127.0.0.1, `KEHOACH_TOKENS_FILE`). The CLI's `kehoach serve` does
 * the same with its own option parsing.
 */
import { NodeRuntime } from "@effect/platform-node"
import { SqlEventStore } from "@kehoach/store"
import { Effect } from "effect"
import * as Server from "./Server.js"

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const options: Server.Options = {
  port: Number(arg("port") ?? 8080),
  host: arg("host") ?? "127.0.0.1",
  tokensFile: arg("tokens") ?? process.env.KEHOACH_TOKENS_FILE
}
// A SQLite file, or a postgres:// URL (several servers may share one PostgreSQL database).
const db = arg("db") ?? process.env.KEHOACH_DB ?? "./kehoach.db"

Server.serve(options).pipe(
  Effect.provide(SqlEventStore.layerFor({ db })),
  // A start-up error is one line on stderr and exit status 1.
  Effect.tapError((error) => Effect.sync(() => console.error(`kehoach serve: ${error.message}`))),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
