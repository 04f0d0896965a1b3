/**
 * `kehoach serve`: the HTTP server of `apps/server` on the chosen database.
 */
import { Command, HelpDoc, Options } from "@effect/cli"
import { Effect } from "effect"
import { UsageError } from "./CliError.js"
import * as Cli from "./Cli.js"

/** `kehoach serve`. */
export const command = Command.make(
  "serve",
  {
    db: Cli.db,
    port: Options.integer("port").pipe(Options.withDescription("The TCP port"), Options.withDefault(8080))
  },
  () => Effect.fail(new UsageError({ command: "serve", reason: "the server is not available in this build" }))
).pipe(
  Command.withDescription(HelpDoc.blocks([
    HelpDoc.p("Serves the same operations as JSON over HTTP (see /openapi.json) on the chosen database, until interrupted (Ctrl-C)."),
    HelpDoc.p("Example:"),
    HelpDoc.p("  $ kehoach serve --port 8080")
  ]))
)
