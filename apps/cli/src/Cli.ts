/**
 * The `kehoach` commands (DOMAIN.md §5): each one reads its options, opens
 * the event store on the chosen database, asks the store or the domain, and
 * prints the answer. No business rule lives here.
 */
import { Args, Command, HelpDoc, Options } from "@effect/cli"
import { Compliance, Coverage, Events, Explain, Relevance, State, Time } from "@kehoach/domain"
import * as EventStore from "@kehoach/store/EventStore"
import { Clock, Effect, Either, Option, Schema } from "effect"
import { ChainBroken, ImportRefused, InvalidOption, UsageError } from "./CliError.js"
import * as AuditFiles from "./AuditFiles.js"
import * as Database from "./Database.js"
import * as Lines from "./Lines.js"
import * as Output from "./Output.js"
import * as Render from "./Render.js"

/** Who the CLI records as `recordedBy` for lines that do not carry one. */
export const recordedBy = "kehoach-cli"

// ---------------------------------------------------------------------------
// Help

const help = (description: string, ...examples: ReadonlyArray<string>): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    HelpDoc.p(description),
    HelpDoc.p(examples.length === 1 ? "Example:" : "Examples:"),
    ...examples.map((e) => HelpDoc.p(`  $ ${e}`))
  ])

// ---------------------------------------------------------------------------
// Options shared by the commands

/**
 * Validates an option's value with a schema through @effect/cli
 * (`Options.withSchema`), the failure being one line that names the option,
 * the value given and what it takes.
 */
export const validated = <A, I>(option: string, schema: Schema.Schema<A, I>, expected: string) =>
  Options.withSchema(
    schema.annotations({
      message: (issue) => ({
        message: `${option} ${JSON.stringify(issue.actual)}${expected.startsWith("is ") ? " " : ": expected "}${expected}`,
        override: true
      })
    })
  )

/** `--db PATH`. */
export const db = Options.text("db").pipe(
  Options.withPseudoName("PATH|URL"),
  Options.withDescription(
    "The database: a SQLite file, or a postgres:// URL (default: $KEHOACH_DB, else ./kehoach.db); created on first use"
  ),
  Options.optional
)

const notADate =
  "is not a date: give a full ISO instant with offset (2018-12-31T23:59:59+07:00) or a date YYYY-MM-DD (the end of that day in Asia/Ho_Chi_Minh)"

/** `--as-of DATE`: valid time, decoded by the domain's `Time.QueryTime`; absent means now. */
export const asOf = Options.text("as-of").pipe(
  Options.withPseudoName("DATE"),
  Options.withDescription(
    "Valid time: count what happened up to then. A full ISO instant (2018-06-30T12:00:00+07:00) or YYYY-MM-DD (the end of that day in Asia/Ho_Chi_Minh). Default: now"
  ),
  validated("--as-of", Time.QueryTime, notADate),
  Options.optional
)

/** `--known-at DATE`: knowledge time, as `--as-of`. */
export const knownAt = Options.text("known-at").pipe(
  Options.withPseudoName("DATE"),
  Options.withDescription(
    "Knowledge time: count what the log had recorded by then. Same forms as --as-of. Default: now"
  ),
  validated("--known-at", Time.QueryTime, notADate),
  Options.optional
)

/** The view of `--as-of` and `--known-at`, an absent one meaning now (the domain's rule, on the CLI's clock). */
export const viewOf = (o: { readonly asOf: Option.Option<number>; readonly knownAt: Option.Option<number> }) =>
  Effect.map(Clock.currentTimeMillis, (now) =>
    State.viewOf({ asOf: Option.getOrUndefined(o.asOf), knownAt: Option.getOrUndefined(o.knownAt) }, now)
  )

const unitRoot = Options.text("unit").pipe(
  Options.withPseudoName("UNIT"),
  Options.withDescription("Only this unit and the units below it"),
  Options.optional
)

const depth = Options.integer("depth").pipe(
  Options.withPseudoName("N"),
  Options.withDescription("Rows down to this many levels below the top row (0: the top row only)"),
  validated("--depth", Schema.NonNegativeInt, "a whole number >= 0"),
  Options.optional
)

/** `--format table|json|csv`. */
export const format = Options.text("format").pipe(
  Options.withDescription("table (for people), json (the contract of DOMAIN.md §5) or csv (RFC 4180)"),
  Options.withPseudoName("table|json|csv"),
  validated("--format", Schema.Literal(...Render.formats), "table, json or csv"),
  Options.withDefault("table" as const)
)

const kind = Options.text("kind").pipe(
  Options.withPseudoName("KIND"),
  Options.withDescription("Count only models of this kind (e.g. self-managed); default: any"),
  Options.optional
)

const tag = Options.text("tag").pipe(
  Options.withPseudoName("TAG"),
  Options.withDescription(
    "Count only residential areas that carry this tag or lie under a unit that does (key-area, program-135, new-rural)"
  ),
  Options.optional
)

// ---------------------------------------------------------------------------
// The root command

/** The root command; `--db` may come before the subcommand too. */
export const root = Command.make("kehoach", { db })

/** Runs an effect that needs the store, on the database chosen by `--db` (the subcommand's, then the root's). */
export const withStore = <A, E>(
  own: Option.Option<string>,
  f: (path: string) => Effect.Effect<A, E, EventStore.EventStore>
) =>
  Effect.flatMap(root, (top) => {
    const path = Database.resolve(own, top.db)
    return f(path).pipe(Effect.provide(Database.layer(path)))
  })

// ---------------------------------------------------------------------------
// import, export, verify, digest, log

const importCommand = Command.make(
  "import",
  {
    db,
    file: Args.text({ name: "FILE" }).pipe(Args.withDescription("An NDJSON file of events, or - for stdin")),
    quiet: Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("No progress line on stderr"))
  },
  ({ db, file, quiet }) =>
    Effect.gen(function* () {
      const totalBytes = yield* Lines.check(file)
      const name = file === "-" ? "stdin" : file
      const progress: Lines.Progress = { bytes: 0, totalBytes }
      const bar = Lines.progressBar(progress, quiet)
      const result = yield* withStore(db, () =>
        Effect.flatMap(EventStore.EventStore, (store) =>
          store.importLines(Lines.read(file, progress, store.maxEventBytes), {
            recordedBy,
            onProgress: bar.onProgress
          })
        )
      ).pipe(
        Effect.ensuring(Effect.sync(bar.done)),
        Effect.catchTag("ImportError", (e) =>
          Effect.fail(new ImportRefused({ file: name, line: e.line, reason: e.reason }))
        )
      )
      yield* Output.print(
        `Imported ${result.imported} events from ${name}` +
          (result.skipped > 0 ? ` (${result.skipped} already stored, skipped)` : "") +
          `; the log is at position ${result.position}.\n`
      )
    })
).pipe(
  Command.withDescription(
    help(
      "Imports events from an NDJSON file (one event per line), all or nothing: the first bad line is reported with its line number and reason, and nothing from the file is stored. Lines exported from another log keep their envelope and hash chain, which are checked. A progress line (lines read, lines/s, time left) shows on stderr when it is a terminal, unless --quiet.",
      "kehoach import events.ndjson",
      "gunzip -c national-2018.ndjson.gz | kehoach import - --db national.db"
    )
  )
)

const exportCommand = Command.make(
  "export",
  {
    db,
    out: Options.file("out").pipe(
      Options.withPseudoName("FILE"),
      Options.withDescription("Write to this file instead of stdout"),
      Options.optional
    )
  },
  ({ db, out }) =>
    withStore(db, () =>
      Effect.flatMap(EventStore.EventStore, (store) =>
        Output.lines(store.exportLines(), Option.getOrUndefined(out)).pipe(
          Effect.tap((n) =>
            Option.isSome(out) ? Output.print(`Exported ${n} events to ${out.value}.\n`) : Effect.void
          )
        )
      )
    )
).pipe(
  Command.withDescription(
    help(
      "Exports the whole log as NDJSON, one event per line with its full envelope (position, id, type, version, occurredAt, recordedAt, recordedBy, data, prevHash, hash), byte for byte as stored, so another log can import it and check its chain.",
      "kehoach export --out backup.ndjson",
      "kehoach export | head -3"
    )
  )
)

const parseDigest = (value: string): Effect.Effect<EventStore.Digest, InvalidOption> => {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value)
  return m === null
    ? Effect.fail(
        new InvalidOption({ option: "--digest", value, expected: "POSITION:HASH, as `kehoach digest` prints it" })
      )
    : Effect.succeed({ position: Number(m[1]), hash: m[2]! })
}

const verifyCommand = Command.make(
  "verify",
  {
    db,
    digest: Options.text("digest").pipe(
      Options.withPseudoName("POSITION:HASH"),
      Options.withDescription(
        "A digest kept earlier (POSITION:HASH, from `kehoach digest`): also check the log still extends it"
      ),
      Options.optional
    ),
    head: Options.file("head").pipe(
      Options.withPseudoName("HEADFILE"),
      Options.withDescription(
        "A tree head kept earlier (from `kehoach head`): also check the log still extends it, Merkle root included"
      ),
      Options.optional
    ),
    publicKey: Options.file("public-key").pipe(
      Options.withPseudoName("KEY"),
      Options.withDescription("The published public key: the --head's signature must verify with it"),
      Options.optional
    )
  },
  ({ db, digest, head, publicKey }) =>
    Effect.gen(function* () {
      if (Option.isSome(head) && Option.isSome(digest)) {
        return yield* new UsageError({ command: "verify", reason: "give --digest or --head, not both" })
      }
      if (Option.isSome(publicKey) && Option.isNone(head)) {
        return yield* new UsageError({
          command: "verify",
          reason: "--public-key checks a signed tree head: give --head too"
        })
      }
      const kept: EventStore.KeptHead | undefined = Option.isSome(digest)
        ? yield* parseDigest(digest.value)
        : Option.isSome(head)
          ? yield* Effect.map(AuditFiles.checkedHead(head.value, Option.getOrUndefined(publicKey)), ({ head }) => ({
              position: head.treeSize,
              hash: head.chainHash,
              rootHash: head.rootHash
            }))
          : undefined
      yield* withStore(db, (path) =>
        Effect.gen(function* () {
          const store = yield* EventStore.EventStore
          const result = yield* store.verify(kept)
          if (!result.ok) return yield* new ChainBroken({ path, position: result.position, reason: result.reason })
          yield* Output.print(
            `OK: the hash chain of ${result.position} events verifies` +
              (kept === undefined
                ? ""
                : kept.rootHash === undefined
                  ? `, and extends the kept digest ${kept.position}:${kept.hash}`
                  : `, and extends the kept tree head of ${kept.position} events (root ${kept.rootHash})` +
                    (Option.isSome(publicKey) ? ", whose signature verifies" : "")) +
              `. Digest: ${result.position}:${result.hash}; Merkle root: ${result.rootHash}\n`
          )
        })
      )
    })
).pipe(
  Command.withDescription(
    help(
      "Walks the hash chain of the whole log and checks every hash, and recomputes the Merkle tree from the lines (checking every stored node); with --digest, also checks that the log still extends a digest kept earlier; with --head (and --public-key), a tree head kept earlier (and its signature). Exits with status 1 and the first broken position otherwise.",
      "kehoach verify",
      "kehoach verify --digest 1234:5f2c…",
      "kehoach verify --head head.json --public-key tree-head.pub"
    )
  )
)

const digestCommand = Command.make("digest", { db }, ({ db }) =>
  withStore(db, () =>
    Effect.flatMap(EventStore.EventStore, (store) => store.digest).pipe(
      Effect.flatMap((d) => Output.print(`${d.position}:${d.hash}\n`))
    )
  )
).pipe(
  Command.withDescription(
    help(
      "Prints the position and hash of the last event, as POSITION:HASH. Keep it: `kehoach verify --digest POSITION:HASH` later proves the log still extends it, unchanged.",
      "kehoach digest > kept-digest.txt"
    )
  )
)

const snapshotCommand = Command.make("snapshot", { db }, ({ db }) =>
  withStore(db, () =>
    Effect.flatMap(EventStore.EventStore, (store) => store.snapshot).pipe(
      Effect.flatMap((saved) =>
        Output.print(
          `Saved a snapshot of the state at position ${saved.position} (${(saved.bytes / 1024 / 1024).toFixed(1)} MB): ` +
            `the next open folds only the events after it.\n`
        )
      )
    )
  )
).pipe(
  Command.withDescription(
    help(
      "Saves the domain state at the head of the log in the database, so that opening the store (a query, the server) folds only the events after it. The store also saves one after every import and every 100,000 appended events; a snapshot written by other code, or one that no longer matches the log, is ignored and rebuilt. `verify` and `export` never read snapshots.",
      "kehoach snapshot --db national.db"
    )
  )
)

/** A whole-number option >= 0 (a position or a count). */
const position = (name: string, description: string) =>
  Options.integer(name).pipe(
    Options.withPseudoName("N"),
    Options.withDescription(description),
    validated(`--${name}`, Schema.NonNegativeInt, "a whole number >= 0"),
    Options.optional
  )

const logCommand = Command.make(
  "log",
  {
    db,
    type: Options.text("type").pipe(
      Options.withDescription(`Only events of this type: ${Events.eventTypes.join(", ")}`),
      Options.withPseudoName("TYPE"),
      validated("--type", Events.EventType, `one of ${Events.eventTypes.join(", ")}`),
      Options.optional
    ),
    unit: Options.text("unit").pipe(
      Options.withPseudoName("UNIT"),
      Options.withDescription("Only events about this unit"),
      Options.optional
    ),
    plan: Options.text("plan").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("Only events about this plan"),
      Options.optional
    ),
    from: position(
      "from",
      "After this position (exclusive, as HTTP `from`: `--from` a digest's position lists what came since)"
    ),
    to: position("to", "Up to this position (inclusive)"),
    limit: position("limit", "At most this many events"),
    format
  },
  (o) =>
    Effect.gen(function* () {
      const from = Option.getOrUndefined(o.from)
      const events = yield* withStore(o.db, () =>
        Effect.flatMap(EventStore.EventStore, (store) =>
          store.read({
            // After `from`, exclusive: one meaning with GET /events?from= (docs/decisions/0009).
            from,
            to: Option.getOrUndefined(o.to),
            limit: Option.getOrUndefined(o.limit),
            type: Option.getOrUndefined(o.type),
            unitId: Option.getOrUndefined(o.unit),
            planId: Option.getOrUndefined(o.plan)
          })
        )
      )
      yield* Output.print(Render.log(events, o.format))
    })
).pipe(
  Command.withDescription(
    help(
      "Lists events of the log in order, with their envelope, filtered by type, unit, plan and position.",
      "kehoach log --type ReportFiled --unit 071 --limit 20",
      "kehoach log --from 100 --to 120 --format json   # positions 101 to 120"
    )
  )
)

// ---------------------------------------------------------------------------
// Projections

/**
 * A projection of the log on the chosen database: the state of only what it
 * reads (`stateFor`), then the domain's answer or its refusal.
 */
export const projected = <A, E>(
  db: Option.Option<string>,
  selection: Relevance.Selection,
  project: (state: State.State) => Either.Either<A, E>
) =>
  Effect.flatMap(
    withStore(db, () => Effect.flatMap(EventStore.EventStore, (store) => store.stateFor(selection))),
    (state) => Either.match(project(state), { onLeft: Effect.fail, onRight: Effect.succeed })
  )

const complianceCommand = Command.make(
  "compliance",
  {
    db,
    plan: Options.text("plan").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("The plan (its planId, e.g. 182-2018)")
    ),
    asOf,
    knownAt,
    unit: unitRoot,
    depth,
    schedule: Options.text("schedule").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("Count only this schedule's obligations (a scheduleId of the plan, or sub-plan)"),
      Options.optional
    ),
    format
  },
  (o) =>
    Effect.gen(function* () {
      const query: Compliance.Query = {
        planId: o.plan,
        ...(yield* viewOf(o)),
        unit: Option.getOrUndefined(o.unit),
        depth: Option.getOrUndefined(o.depth),
        schedule: Option.getOrUndefined(o.schedule)
      }
      const result = yield* projected(o.db, Relevance.compliance(query.planId), (state) =>
        Compliance.project(state, query)
      )
      yield* Output.print(Render.compliance(result, o.format))
    })
).pipe(
  Command.withDescription(
    help(
      "Per unit, the reports of a plan that were on time, late, missing or still pending: for the unit itself and for its whole subtree (sums of counts, rolled up the hierarchy as it stood at each deadline), with the reporting and on-time rates.",
      "kehoach compliance --plan 182-2018 --as-of 2018-12-31 --depth 1",
      "kehoach compliance --plan 182-2018 --as-of 2018-06-30 --known-at 2018-06-25 --unit 071 --format csv",
      "kehoach compliance --plan 182-2018 --schedule annual --as-of 2018-12-31"
    )
  )
)

const coverageCommand = Command.make(
  "coverage",
  {
    db,
    plan: Options.text("plan").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription(
        "Also show, level by level under the plan's issuer, the share of open units assigned to it"
      ),
      Options.optional
    ),
    kind,
    tag,
    asOf,
    knownAt,
    unit: unitRoot,
    depth,
    format
  },
  (o) =>
    Effect.gen(function* () {
      const query: Coverage.Query = {
        ...(yield* viewOf(o)),
        kind: Option.getOrUndefined(o.kind),
        tag: Option.getOrUndefined(o.tag),
        planId: Option.getOrUndefined(o.plan),
        unit: Option.getOrUndefined(o.unit),
        depth: Option.getOrUndefined(o.depth)
      }
      const result = yield* projected(o.db, Relevance.coverage(query.planId), (state) => Coverage.project(state, query))
      yield* Output.print(Render.coverage(result, o.format))
    })
).pipe(
  Command.withDescription(
    help(
      "Per open unit, how many residential areas below it have at least one active model (of a kind, default any), the share, and the households and commitments of those models; optionally only areas with a tag, and for a plan the share of units assigned to it.",
      "kehoach coverage --as-of 2018-12-31 --depth 1",
      "kehoach coverage --plan 182-2018 --kind self-managed --tag key-area --format json"
    )
  )
)

const explainCommand = Command.make(
  "explain",
  {
    db,
    plan: Options.text("plan").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("For an obligation: the plan"),
      Options.optional
    ),
    unit: Options.text("unit").pipe(
      Options.withPseudoName("UNIT"),
      Options.withDescription("The unit whose obligation or coverage figure to explain")
    ),
    schedule: Options.text("schedule").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("For an obligation: the schedule (e.g. monthly, annual)"),
      Options.optional
    ),
    period: Options.text("period").pipe(
      Options.withPseudoName("PERIOD"),
      Options.withDescription(
        "For an obligation: the period (2018-03 monthly, 2026-Q1 quarterly, 2026-H1 half-yearly, 2026 yearly, a once schedule's own)"
      ),
      Options.optional
    ),
    kind,
    tag,
    asOf,
    knownAt,
    format
  },
  (o) =>
    Effect.gen(function* () {
      const view = yield* viewOf(o)
      if (Option.isSome(o.plan)) {
        if (Option.isNone(o.schedule) || Option.isNone(o.period)) {
          return yield* new UsageError({
            command: "explain",
            reason: "an obligation needs --plan, --unit, --schedule and --period"
          })
        }
        if (Option.isSome(o.kind) || Option.isSome(o.tag)) {
          return yield* new UsageError({
            command: "explain",
            reason: "--kind and --tag are for a coverage figure, not with --plan"
          })
        }
        const query = {
          planId: o.plan.value,
          unitId: o.unit,
          scheduleId: o.schedule.value,
          period: o.period.value,
          ...view
        }
        const result = yield* projected(o.db, Relevance.compliance(query.planId), (state) =>
          Explain.obligation(state, query)
        )
        return yield* Output.print(Render.explainObligation(result, o.format))
      }
      if (Option.isSome(o.schedule) || Option.isSome(o.period)) {
        return yield* new UsageError({ command: "explain", reason: "--schedule and --period need --plan" })
      }
      const query = { unitId: o.unit, ...view, kind: Option.getOrUndefined(o.kind), tag: Option.getOrUndefined(o.tag) }
      const result = yield* projected(o.db, Relevance.coverage(), (state) => Explain.coverage(state, query))
      yield* Output.print(Render.explainCoverage(result, o.format))
    })
).pipe(
  Command.withDescription(
    help(
      "The events (by position) behind one figure, so it can be checked back to the log: with --plan, --schedule and --period, one obligation of a unit (its status and where it rolls up); without --plan, one unit's coverage figure.",
      "kehoach explain --plan 182-2018 --unit 071 --schedule monthly --period 2018-03 --as-of 2018-12-31",
      "kehoach explain --unit 071 --kind self-managed --as-of 2018-12-31"
    )
  )
)

/** Every subcommand but `demo` and `serve`, which live in their own modules. */
export const commands = [
  importCommand,
  exportCommand,
  verifyCommand,
  digestCommand,
  snapshotCommand,
  logCommand,
  complianceCommand,
  coverageCommand,
  explainCommand
] as const
