/**
 * `kehoach units load|reorganise`: bring the log's hierarchy up to date from
 * an official unit list, or apply a reorganisation from an old-to-new commune
 * mapping. A dry run by default prints the changes; `--apply` appends them in
 * one atomic append, stated against the position the plan was made at (so a
 * concurrent writer makes it fail rather than apply a stale plan).
 */
import { Args, Command, HelpDoc, Options } from "@effect/cli"
import type { Events, State } from "@kehoach/domain"
import { Reorganisation, State as StateModule, Time, UnitList } from "@kehoach/domain"
import * as EventStore from "@kehoach/store/EventStore"
import { Effect, Either, Option } from "effect"
import * as fs from "node:fs"
import * as Cli from "./Cli.js"
import { FileError, InvalidOption } from "./CliError.js"
import * as Lines from "./Lines.js"
import * as Output from "./Output.js"

const at = Options.text("at").pipe(
  Options.withPseudoName("DATE"),
  Options.withDescription(
    "The day the list or the reorganisation takes effect (YYYY-MM-DD, from 00:00 in Asia/Ho_Chi_Minh)"
  )
)
const apply = Options.boolean("apply").pipe(
  Options.withDescription("Append the changes (one atomic append); without it, only show them")
)
const file = (description: string) => Args.text({ name: "FILE" }).pipe(Args.withDescription(description))

const readText = (path: string) =>
  Effect.try({
    try: () => fs.readFileSync(path, "utf8"),
    catch: (e) => new FileError({ path, reason: `cannot read: ${Lines.reason(e)}` })
  })

const checkDate = (date: string) =>
  Time.isLocalDate(date)
    ? Effect.void
    : Effect.fail(new InvalidOption({ option: "--at", value: date, expected: "a date YYYY-MM-DD" }))

const describe = (state: State.State, names: Map<string, string>, change: UnitList.Change): string => {
  const e = change.event
  const name = (id: string) => names.get(id) ?? StateModule.unit(state, id)?.name ?? id
  const from = change.line > 0 ? `  (line ${change.line})` : ""
  switch (e.type) {
    case "UnitRegistered":
      names.set(e.data.unitId, e.data.name)
      return `register ${e.data.level} ${e.data.unitId} ${e.data.name}${e.data.parentId === undefined ? "" : ` under ${e.data.parentId} ${name(e.data.parentId)}`}${from}`
    case "UnitMoved":
      return `move ${StateModule.unit(state, e.data.unitId)?.level ?? "unit"} ${e.data.unitId} ${name(e.data.unitId)} to ${e.data.parentId} ${name(e.data.parentId)}${from}`
    case "UnitClosed":
      return `close ${StateModule.unit(state, e.data.unitId)?.level ?? "unit"} ${e.data.unitId} ${name(e.data.unitId)}${e.data.successorId === undefined ? "" : ` into ${e.data.successorId} ${name(e.data.successorId)}`}${from}`
    default:
      return e.type
  }
}

const summaryLine = (state: State.State, plan: UnitList.Plan): string => {
  const counts = UnitList.summary(state, plan)
  const part = (verb: string, byLevel: Record<string, number>) => {
    const entries = Object.entries(byLevel)
    return entries.length === 0
      ? `${verb} nothing`
      : `${verb} ${entries.map(([level, n]) => `${n} ${level}${n === 1 ? "" : "s"}`).join(", ")}`
  }
  return `${plan.changes.length} changes on ${plan.at}: ${part("register", counts["UnitRegistered"]!)}; ${part("move", counts["UnitMoved"]!)}; ${part("close", counts["UnitClosed"]!)}.`
}

/** Plans against the current state, then shows the plan or appends it at the position it was planned at. */
const run = (
  db: Option.Option<string>,
  doApply: boolean,
  makePlan: (state: State.State) => Either.Either<UnitList.Plan, UnitList.InvalidUnitList>
) =>
  Cli.withStore(db, () =>
    Effect.gen(function* () {
      const store = yield* EventStore.EventStore
      const state = yield* store.state
      const position = StateModule.position(state)
      const plan = yield* Either.match(makePlan(state), { onLeft: Effect.fail, onRight: Effect.succeed })
      const summary = summaryLine(state, plan)
      if (!doApply) {
        const names = new Map<string, string>()
        const lines = plan.changes.map((c) => describe(state, names, c))
        yield* Output.print(
          [
            `Dry run: ${summary}`,
            ...lines,
            plan.changes.length === 0 ? "Nothing to do." : "Nothing was written; add --apply to append these changes.",
            ""
          ].join("\n")
        )
        return
      }
      if (plan.changes.length === 0) return yield* Output.print(`Nothing to do: ${summary}\n`)
      const events: Array<Events.ProposedEvent> = plan.changes.map((c) => c.event)
      const result = yield* store.append(events, { recordedBy: Cli.recordedBy, expectedPosition: position })
      yield* Output.print(`Applied ${summary} The log is at position ${result.position}.\n`)
    })
  )

const loadCommand = Command.make(
  "load",
  {
    db: Cli.db,
    at,
    apply,
    file: file(
      "A GSO-style CSV list: communeCode, communeName, [districtCode, districtName,] provinceCode, provinceName"
    )
  },
  ({ db, at, apply, file }) =>
    Effect.gen(function* () {
      yield* checkDate(at)
      const list = yield* Either.match(UnitList.parse(yield* readText(file), file), {
        onLeft: Effect.fail,
        onRight: Effect.succeed
      })
      yield* run(db, apply, (state) => UnitList.plan(state, list, at))
    })
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Compares an official unit list with the log's open provinces, districts and communes on --at DATE and shows the changes: new units registered, moved units, units gone closed. A unit of the list is the open unit with the same code and name; a new unit whose code an earlier unit held gets the id CODE@DATE (docs/decisions/0008). With --apply the changes are appended atomically. A bad list is refused as a whole with the line and what is wrong."
      ),
      HelpDoc.p("Examples:"),
      HelpDoc.p("  $ kehoach units load units-2025-06-30.csv --at 2025-01-01"),
      HelpDoc.p("  $ kehoach units load units-2025-06-30.csv --at 2025-01-01 --apply")
    ])
  )
)

const provinces = Options.text("province").pipe(
  Options.withPseudoName("CODE"),
  Options.withDescription("Only the rows whose new province has this code (repeatable); default every row"),
  Options.repeated
)

const reorganiseCommand = Command.make(
  "reorganise",
  {
    db: Cli.db,
    at,
    apply,
    provinces,
    file: file("An old-to-new commune mapping CSV (the columns of reorganisation-2025-07-01.csv)")
  },
  ({ db, at, apply, provinces, file }) =>
    Effect.gen(function* () {
      yield* checkDate(at)
      const parsed = yield* Either.match(Reorganisation.parse(yield* readText(file), file), {
        onLeft: Effect.fail,
        onRight: Effect.succeed
      })
      const mapping = provinces.length === 0 ? parsed : Reorganisation.within(parsed, provinces)
      if (mapping.rows.length === 0) {
        return yield* new InvalidOption({
          option: "--province",
          value: provinces.join(","),
          expected: `a new province code that a row of ${file} has`
        })
      }
      yield* run(db, apply, (state) => Reorganisation.plan(state, mapping, at))
    })
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Applies a reorganisation from an old-to-new commune mapping: new provinces and communes registered, a commune that carries on unchanged moved under its province, residential areas moved to their commune's successor (the first row of a split commune), old communes closed into their successor, every district closed, merged provinces closed into the province that absorbed them (docs/decisions/0008). A dry run by default; --apply appends atomically."
      ),
      HelpDoc.p("Examples:"),
      HelpDoc.p("  $ kehoach units reorganise reorganisation-2025-07-01.csv --at 2025-07-01"),
      HelpDoc.p("  $ kehoach units reorganise reorganisation-2025-07-01.csv --at 2025-07-01 --province 08 --apply")
    ])
  )
)

/** `kehoach units`. */
export const command = Command.make("units").pipe(
  Command.withDescription("Bring the hierarchy up to date from official unit lists and reorganisation mappings"),
  Command.withSubcommands([loadCommand, reorganiseCommand])
)
