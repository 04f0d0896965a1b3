/**
 * The `kehoach` program: the root command with its subcommands, run on Node,
 * with every expected error printed as one line on stderr (no stack trace)
 * and a non-zero exit status.
 */
import { CliConfig, Command, HelpDoc, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Layer } from "effect"
import * as Cli from "./Cli.js"
import * as Demo from "./Demo.js"
import * as AuditCommand from "./AuditCommand.js"
import * as DueCommand from "./DueCommand.js"
import * as Output from "./Output.js"
import * as PlanCommand from "./PlanCommand.js"
import * as ProofCommands from "./ProofCommands.js"
import * as ReportCommand from "./ReportCommand.js"
import * as Serve from "./Serve.js"
import * as UnitsCommand from "./UnitsCommand.js"

/** The version printed by `--version`. */
export const version = "0.1.0"

/** The whole command tree. */
export const command = Cli.root.pipe(
  // With no subcommand, show the help rather than nothing.
  Command.withHandler(() => printHelp()),
  Command.withDescription(
    "kehoach: plans cascaded down the administrative hierarchy of Viet Nam, and whether units comply. Start with `kehoach demo`."
  ),
  Command.withSubcommands([
    ...Cli.commands,
    DueCommand.command,
    AuditCommand.command,
    UnitsCommand.command,
    Demo.command,
    Serve.command,
    ReportCommand.command,
    PlanCommand.command,
    ...ProofCommands.commands
  ])
)

function printHelp(): Effect.Effect<void> {
  return Console.log(
    HelpDoc.toAnsiText(
      Command.getHelp(command as Command.Command<"kehoach", never, never, unknown>, CliConfig.defaultConfig)
    )
  )
}

/** ANSI colour codes, which @effect/cli writes into its messages. */
// eslint-disable-next-line no-control-regex
const ansiColour = /\x1b\[[0-9;]*m/g

/** One line for stderr: what was wrong, without a stack trace. */
export const oneLine = (text: string): string =>
  text
    .replace(ansiColour, "")
    .trim()
    .replace(/\s*\n\s*/g, " ")

const writeError = (text: string) => Effect.sync(() => process.stderr.write(`kehoach: ${oneLine(text)}\n`))

/** stderr gets one line per message, @effect/cli's own validation messages included. */
const oneLineErrors =
  (argv: ReadonlyArray<string>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Console.consoleWith((current) =>
      Effect.withConsole(self, {
        ...current,
        // Help text: no colour codes when stdout is not a terminal, no trailing spaces.
        log: (...args: ReadonlyArray<unknown>) => {
          const text = args.map(String).join(" ")
          const plain = process.stdout.isTTY === true ? text : text.replace(ansiColour, "")
          return Output.print(plain.replace(/[ \t]+$/gm, "") + "\n")
        },
        error: (...args: ReadonlyArray<unknown>) => {
          let text = oneLine(args.map(String).join(" "))
          // @effect/cli lists the commands but not what was typed.
          const typed = argv.slice(2).find((a, i, all) => !a.startsWith("-") && all[i - 1] !== "--db")
          if (text.startsWith("Invalid subcommand") && typed !== undefined) text = `unknown command '${typed}': ${text}`
          return text === "" ? Effect.void : Effect.sync(() => void process.stderr.write(`kehoach: ${text}\n`))
        }
      })
    )

/** Runs the command line on `argv` (as `process.argv`): every failure becomes one line and exit status 1. */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<void, unknown> =>
  Command.run(command, { name: "kehoach", version })(argv).pipe(
    oneLineErrors(argv),
    Effect.provide(Layer.mergeAll(NodeContext.layer, CliConfig.layer({ showBuiltIns: false }))),
    Effect.catchAllCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some") {
        const e = failure.value
        // @effect/cli has already printed what was wrong with the command line.
        if (ValidationError.isValidationError(e)) return Effect.fail(e)
        const message = (e as { message?: unknown })?.message
        return Effect.zipRight(
          writeError(typeof message === "string" && message !== "" ? message : String(e)),
          Effect.fail(e)
        )
      }
      const defect = Cause.squash(cause)
      const detail = defect instanceof Error ? defect.message : String(defect)
      const trace = process.env["KEHOACH_DEBUG"]
        ? Effect.sync(() => void process.stderr.write(`${Cause.pretty(cause)}\n`))
        : Effect.void
      return writeError(`unexpected error: ${detail}`).pipe(
        Effect.zipRight(trace),
        Effect.zipRight(Effect.failCause(cause))
      )
    })
  )

/** The entry point: runs on `process.argv` and exits with the status. */
export const main = (): void => {
  Output.quietOnClosedPipe()
  NodeRuntime.runMain(run(process.argv), { disableErrorReporting: true })
}
