/**
 * `kehoach demo`: the Tuyên Quang 2018 scenario of plan 182 in a fresh
 * database, its compliance and coverage, and what to try next.
 */
import { Command, HelpDoc, Options } from "@effect/cli"
import { Effect } from "effect"
import { UsageError } from "./CliError.js"
import * as Cli from "./Cli.js"

/** `kehoach demo`. */
export const command = Command.make(
  "demo",
  {
    db: Cli.db,
    force: Options.boolean("force").pipe(Options.withDescription("Replace a database that already holds events"))
  },
  () => Effect.fail(new UsageError({ command: "demo", reason: "the demo scenario is not available in this build" }))
).pipe(
  Command.withDescription(HelpDoc.blocks([
    HelpDoc.p("Builds the Tuyên Quang 2018 scenario of plan 182/KH-MTTQ-BTT into a fresh database, prints its compliance as of 31/12/2018 and its coverage, and says what to try next."),
    HelpDoc.p("Example:"),
    HelpDoc.p("  $ kehoach demo --db demo.db")
  ]))
)
