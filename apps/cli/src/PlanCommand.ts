/**
 * `kehoach plan draft FILE`: reads a plan document (plain text or `.docx`)
 * and writes draft `PlanIssued` and `UnitAssigned` events as NDJSON for a
 * person to review and then `kehoach import`, with the review table (field,
 * value, the sentence it came from) on stderr. The rules live in
 * `@kehoach/plan-document`; this file reads files, options and, with `--db`,
 * the units of each assigned level from the log.
 */
import { Args, Command, HelpDoc, Options } from "@effect/cli"
import { type Events, State } from "@kehoach/domain"
import { Assignees, Draft, PlanDocument } from "@kehoach/plan-document"
import * as EventStore from "@kehoach/store/EventStore"
import { Effect, Either, Option } from "effect"
import * as fs from "node:fs"
import * as Cli from "./Cli.js"
import { FileError, InvalidOption, UsageError } from "./CliError.js"
import * as Database from "./Database.js"
import * as Output from "./Output.js"
import * as PlanFile from "./PlanFile.js"
import * as Table from "./Table.js"

const levels: ReadonlyArray<Events.Level> = ["province", "district", "commune", "residential-area"]

const text = (name: string, pseudo: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(pseudo), Options.withDescription(description), Options.optional)

const repeated = (name: string, pseudo: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(pseudo), Options.withDescription(description), Options.repeated)

/** Reads `LEVEL=VALUE` options (`--units district=070,071`, `--sub-plan-due district=2018-02-15`). */
const byLevel = (
  option: string,
  values: ReadonlyArray<string>
): Effect.Effect<Map<Events.Level, string>, InvalidOption> =>
  Effect.reduce(values, new Map<Events.Level, string>(), (map, value) => {
    const at = value.indexOf("=")
    const level = value.slice(0, Math.max(0, at)) as Events.Level
    if (at < 0 || !levels.includes(level) || value.slice(at + 1).trim() === "") {
      return Effect.fail(
        new InvalidOption({ option, value, expected: `LEVEL=VALUE with LEVEL one of ${levels.join(", ")}` })
      )
    }
    return Effect.succeed(map.set(level, value.slice(at + 1).trim()))
  })

const orUndefined = <A>(o: Option.Option<A>): A | undefined => Option.getOrUndefined(o)

const reviewTable = (rows: ReadonlyArray<Draft.ReviewRow>): string =>
  Table.render(
    [
      { header: "field", align: "left" },
      { header: "value", align: "left" },
      { header: "from", align: "left" }
    ],
    rows.map((r) => [r.field, r.value.length > 72 ? `${r.value.slice(0, 71)}…` : r.value, r.source])
  ).join("\n") + "\n"

const writeFile = (file: string, content: string): Effect.Effect<void, FileError> =>
  Effect.try({
    try: () => {
      // Written beside the target and renamed, so a failed run leaves no half draft.
      const temp = `${file}.${process.pid}.tmp`
      fs.writeFileSync(temp, content)
      fs.renameSync(temp, file)
    },
    catch: (e) => new FileError({ path: file, reason: String((e as Error).message ?? e).split("\n")[0]! })
  })

/** `plan draft FILE`. */
export const draftCommand = Command.make(
  "draft",
  {
    file: Args.text({ name: "FILE" }).pipe(Args.withDescription("The plan: a .docx, or plain text (UTF-8)")),
    issuer: text("issuer", "UNIT", "The unit id of the issuer (documents never carry it), e.g. 08"),
    planId: text("plan-id", "ID", "The plan id (default: the number's serial and the year of issue, e.g. 182-2018)"),
    number: text("number", "NUMBER", "The document number, when the document lacks it (e.g. 182/KH-MTTQ-BTT)"),
    title: text("title", "TEXT", "The title, when the document lacks it"),
    issuedOn: text("issued-on", "YYYY-MM-DD", "The date of issue, when the document lacks it"),
    occurredAt: text(
      "occurred-at",
      "INSTANT",
      "When the events occurred (default: the start of the day of issue, +07:00)"
    ),
    from: text("from", "YYYY-MM-DD", "First day the plan is in force (default: the date of issue)"),
    until: text(
      "until",
      "YYYY-MM-DD",
      "Last day the plan is in force (default: 31 December of the year its title names)"
    ),
    parentPlan: text("parent-plan", "ID", "The plan this one implements, when it is in the log"),
    units: repeated(
      "units",
      "LEVEL=ID,ID,…",
      "The units of an assigned level, e.g. --units district=070,071 (repeat per level)"
    ),
    subPlanDue: repeated(
      "sub-plan-due",
      "LEVEL=YYYY-MM-DD",
      "The date a level's own plan is due by, when the document does not say"
    ),
    db: text(
      "db",
      "PATH",
      "Take the units of each assigned level from this database: every one open under the issuer on the day of issue"
    ),
    output: text("output", "FILE", "Write the NDJSON here instead of stdout (only when the draft succeeds)")
  },
  (o) =>
    Effect.gen(function* () {
      const source = yield* PlanFile.text(o.file)
      const doc = yield* Either.match(PlanDocument.read(source), {
        onLeft: (e) => Effect.fail(new FileError({ path: o.file, reason: e.message })),
        onRight: Effect.succeed
      })
      const units = new Map<Events.Level, ReadonlyArray<string>>()
      for (const [level, list] of yield* byLevel("--units", o.units)) {
        units.set(
          level,
          list
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== "")
        )
      }
      const subPlanDueBy = yield* byLevel("--sub-plan-due", o.subPlanDue)
      const unitsFrom = new Map<Events.Level, string>()
      for (const level of units.keys()) unitsFrom.set(level, "--units")

      // With --db (here or before the command), every open unit of each assigned level under the issuer.
      const top = yield* Cli.root
      const dbPath = Option.orElse(o.db, () => top.db)
      if (Option.isSome(dbPath)) {
        const issuerId = orUndefined(o.issuer)
        if (issuerId === undefined)
          return yield* Effect.fail(
            new UsageError({
              command: "plan draft",
              reason: "--db needs --issuer: the units are taken from under the issuer"
            })
          )
        if (!Database.isPostgres(dbPath.value) && !fs.existsSync(dbPath.value))
          return yield* Effect.fail(new FileError({ path: dbPath.value, reason: "no such database" }))
        const issuedOn = orUndefined(o.issuedOn) ?? doc.issuedOn?.value
        const at = orUndefined(o.occurredAt) ?? (issuedOn === undefined ? undefined : `${issuedOn}T00:00:00+07:00`)
        const state = yield* Effect.flatMap(EventStore.EventStore, (store) => store.state).pipe(
          Effect.provide(Database.layer(dbPath.value))
        )
        if (!State.hasUnit(state, issuerId)) {
          return yield* Effect.fail(
            new InvalidOption({
              option: "--issuer",
              value: issuerId,
              expected: `a unit of ${Database.shown(dbPath.value)}`
            })
          )
        }
        const t = at === undefined ? Number.NaN : Date.parse(at)
        if (!Number.isNaN(t)) {
          for (const level of Draft.assignedLevels(doc)) {
            if (units.has(level)) continue
            units.set(level, Assignees.openAtLevel(state, issuerId, level, t))
            unitsFrom.set(level, `${Database.shown(dbPath.value)} (open under ${issuerId})`)
          }
        }
      }

      const draft = yield* Either.match(
        Draft.make(doc, {
          issuerId: orUndefined(o.issuer),
          planId: orUndefined(o.planId),
          documentNumber: orUndefined(o.number),
          title: orUndefined(o.title),
          issuedOn: orUndefined(o.issuedOn),
          occurredAt: orUndefined(o.occurredAt),
          effectiveFrom: orUndefined(o.from),
          effectiveUntil: orUndefined(o.until),
          parentPlanId: orUndefined(o.parentPlan),
          units: Object.fromEntries(units),
          unitsFrom: Object.fromEntries(unitsFrom),
          subPlanDueBy: Object.fromEntries(subPlanDueBy)
        }),
        {
          onLeft: (e) =>
            Effect.zipRight(
              e._tag === "MissingFields" ? Effect.sync(() => process.stderr.write(reviewTable(e.review))) : Effect.void,
              Effect.fail(new FileError({ path: o.file, reason: e.message }))
            ),
          onRight: Effect.succeed
        }
      )
      yield* Effect.sync(() => process.stderr.write(reviewTable(draft.review)))
      const ndjson = Draft.toNdjson(draft)
      const output = orUndefined(o.output)
      if (output === undefined) yield* Output.print(ndjson)
      else yield* writeFile(output, ndjson)
      const assigned = draft.lines.length - 1
      yield* Effect.sync(() =>
        process.stderr.write(
          `Drafted ${draft.lines.length} events (PlanIssued version ${draft.planVersion}, ${assigned} UnitAssigned)` +
            `${output === undefined ? "" : ` into ${output}`}: check the table above, then kehoach import.\n`
        )
      )
    })
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Reads a plan document (.docx or plain text) and writes draft events for a person to review: one PlanIssued (number, title, date, basis, tasks, reporting regime) and one UnitAssigned per unit of each level the document assigns. The review table on stderr shows every field, the value found and the sentence it came from; what the document leaves out is listed as not found, never invented, and can be given with the options. Nothing is written when the file cannot be read or is not a plan."
      ),
      HelpDoc.p("Examples:"),
      HelpDoc.p("  $ kehoach plan draft ke-hoach-182.txt --issuer 08 --db kehoach.db --output draft.ndjson"),
      HelpDoc.p(
        "  $ kehoach plan draft ke-hoach.docx --issuer 08 --units district=070,071 --sub-plan-due district=2018-02-15"
      )
    ])
  )
)

/** `plan`: commands on plan documents. */
export const command = Command.make("plan", {}, () =>
  Effect.fail(new UsageError({ command: "plan", reason: "give a subcommand: draft FILE" }))
).pipe(
  Command.withDescription("Plan documents: draft the events of a plan from its text (plan draft)"),
  Command.withSubcommands([draftCommand])
)
