/**
 * `kehoach demo`: the Tuyên Quang 2018 scenario of plan 182 in a fresh
 * database, its compliance as of 31/12/2018 (the province and its districts)
 * and its coverage, and the exact commands to try next.
 */
import { Command, HelpDoc, Options } from "@effect/cli"
import { Compliance, Coverage, Relevance, Time } from "@kehoach/domain"
import * as EventStore from "@kehoach/store/EventStore"
import type * as Postgres from "@kehoach/store/Postgres"
import { Clock, Effect, Either, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as Cli from "./Cli.js"
import { DatabaseNotEmpty, FileError } from "./CliError.js"
import * as Database from "./Database.js"
import * as DemoReorganisation from "./DemoReorganisation.js"
import * as Lines from "./Lines.js"
import * as Output from "./Output.js"
import * as Render from "./Render.js"

/** The end of 2018 in Asia/Ho_Chi_Minh: the demo's `--as-of`. */
export const asOf = "2018-12-31"

const sidecars = ["", "-wal", "-shm", "-journal"]

const isNonEmptyFile = (path: string): boolean => {
  try {
    const stat = fs.statSync(path)
    return stat.isFile() && stat.size > 0
  } catch {
    return false
  }
}

const remove = (path: string) =>
  Effect.try({
    try: () => {
      for (const suffix of sidecars) fs.rmSync(path + suffix, { force: true })
    },
    catch: (e) => new FileError({ path, reason: `cannot remove: ${Lines.reason(e)}` })
  })

/**
 * Refuses to replace a database that holds events, unless it holds exactly an
 * earlier demo (the same number of events, and the scenario's first and last
 * event ids: its ids are seeded, so they are the same every time), which is
 * rebuilt; `--force` replaces any database.
 */
const prepare = (
  path: string,
  force: boolean,
  scenario: ReadonlyArray<{ readonly id: string }>
): Effect.Effect<void, DatabaseNotEmpty | FileError | Postgres.Unavailable> =>
  Effect.gen(function* () {
    const postgres = Database.isPostgres(path)
    if (!postgres && !isNonEmptyFile(path)) return
    if (force && !postgres) return yield* remove(path)
    const { first, last, position } = yield* Effect.gen(function* () {
      const store = yield* EventStore.EventStore
      const position = yield* store.position
      const first = position === 0 ? undefined : (yield* store.read({ from: 0, limit: 1 }))[0]?.id
      const last = position === 0 ? undefined : (yield* store.read({ from: position - 1, limit: 1 }))[0]?.id
      return { first, last, position }
    }).pipe(Effect.provide(Database.layer(path)))
    if (position === 0) return
    const earlierDemo =
      position === scenario.length && first === scenario[0]?.id && last === scenario[scenario.length - 1]?.id
    // A PostgreSQL database is never emptied by kehoach: an earlier demo is imported again (every line a no-op).
    if (earlierDemo) return postgres ? undefined : yield* remove(path)
    return yield* new DatabaseNotEmpty({ path: Database.shown(path), position, postgres })
  })

/** `kehoach demo`. */
export const command = Command.make(
  "demo",
  {
    db: Cli.db,
    force: Options.boolean("force").pipe(
      Options.withDescription(
        "Replace a database that already holds events (an untouched earlier demo is replaced without it)"
      )
    ),
    scenario: Options.choice("scenario", ["plan-182", "reorganisation-2025"]).pipe(
      Options.withDescription(
        "plan-182 (Tuyên Quang 2018, the default) or reorganisation-2025 (Tuyên Quang 2025-2026, across the reorganisation of 1 July 2025)"
      ),
      Options.withDefault("plan-182" as const)
    )
  },
  ({ db, force, scenario: chosen }) =>
    Effect.flatMap(Cli.root, (top) =>
      Effect.gen(function* () {
        const path = Database.resolve(db, top.db)
        const { Plan182, Reorganisation2025 } = yield* Effect.promise(() => import("./DemoScenario.js"))
        if (chosen === "reorganisation-2025") {
          const lines = Reorganisation2025.events()
          yield* prepare(path, force, lines)
          const shown = Option.isSome(db) || Option.isSome(top.db) ? ` --db ${path}` : ""
          return yield* DemoReorganisation.run(path, shown, lines, {
            plan2025: Reorganisation2025.plan2025.planId,
            plan2026: Reorganisation2025.plan2026.planId,
            issuerId: Reorganisation2025.issuerId
          })
        }
        const scenario = [...Plan182.events()]
        yield* prepare(path, force, scenario)
        const progress: Lines.Progress = { bytes: 0, totalBytes: undefined }
        const bar = Lines.progressBar(progress)
        const asOfMs = Time.parseQueryTime(asOf)!
        const { compliance, coverage, imported } = yield* Effect.gen(function* () {
          const store = yield* EventStore.EventStore
          const lines = Stream.fromIterable(scenario).pipe(Stream.map((line) => JSON.stringify(line)))
          const result = yield* store
            .importLines(lines, { recordedBy: "kehoach demo", onProgress: bar.onProgress })
            .pipe(Effect.ensuring(Effect.sync(bar.done)), Effect.orDie)
          // The whole state, with the plan's reports in memory (nothing else runs on the store meanwhile).
          const state = yield* store.project(Relevance.compliance(Plan182.planId), (s) => s)
          const knownAt = yield* Clock.currentTimeMillis
          const compliance = yield* Either.match(
            Compliance.project(state, { planId: Plan182.planId, asOf: asOfMs, knownAt, depth: 1 }),
            { onLeft: Effect.fail, onRight: Effect.succeed }
          )
          const coverage = yield* Either.match(
            Coverage.project(state, { asOf: asOfMs, knownAt, planId: Plan182.planId, depth: 1 }),
            { onLeft: Effect.fail, onRight: Effect.succeed }
          )
          return { compliance, coverage, imported: result.imported }
        }).pipe(Effect.provide(Database.layer(path)))

        const dbOption = Option.isSome(db) || Option.isSome(top.db) ? ` --db ${path}` : ""
        const k = (args: string) => `  kehoach ${args}${dbOption}`
        // A district with a late report makes the most telling explanation.
        const districts = compliance.units.filter((u) => u.level === "district")
        const late =
          compliance.obligations.find((o) => o.status === "late" && districts.some((d) => d.unitId === o.unitId)) ??
          compliance.obligations.find((o) => districts.some((d) => d.unitId === o.unitId))
        const district = late?.unitId ?? districts[0]?.unitId ?? Plan182.issuerId
        yield* Output.print(
          [
            `Loaded the Tuyên Quang 2018 scenario of plan ${Plan182.planId} (${Plan182.plan.documentNumber}): ${imported} events into ${path}.`,
            "",
            Render.compliance(compliance, "table"),
            Render.coverage(coverage, "table"),
            "What to try next:",
            "  # every commune of one district",
            k(`compliance --plan ${Plan182.planId} --as-of ${asOf} --unit ${district}`),
            "  # what the province knew on 25 June about the first half of the year",
            k(`compliance --plan ${Plan182.planId} --as-of 2018-06-30 --known-at 2018-06-25 --depth 1`),
            "  # the events behind one obligation",
            k(
              `explain --plan ${Plan182.planId} --unit ${district} --schedule ${late?.scheduleId ?? "monthly"} --period ${
                late?.period ?? "2018-03"
              } --as-of ${asOf}`
            ),
            "  # coverage of self-managed models in Program-135 communes",
            k(`coverage --as-of ${asOf} --kind self-managed --tag program-135 --depth 1`),
            "  # the contract JSON, CSV for a spreadsheet",
            k(`compliance --plan ${Plan182.planId} --as-of ${asOf} --format json`),
            k(`compliance --plan ${Plan182.planId} --as-of ${asOf} --format csv`),
            "  # the log and its hash chain",
            k(`log --type PlanIssued --limit 10`),
            k(`verify`),
            k(`export --out plan-182.ndjson`),
            "  # the same over HTTP, and the dashboard at http://127.0.0.1:8080/ (tokens.json: see the README; mode 600)",
            k(`serve --port 8080 --tokens tokens.json`),
            "(From the repository, run them as `pnpm kehoach ...`.)",
            ""
          ].join("\n")
        )
      })
    )
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Builds the Tuyên Quang 2018 scenario of plan 182/KH-MTTQ-BTT (the province, its districts and communes, their residential areas, a year of reports and self-managed models) into a fresh database, prints its compliance as of 31/12/2018 (the province and its districts) and its coverage, and says what to try next. Refuses to replace a database that holds events unless --force."
      ),
      HelpDoc.p("Examples:"),
      HelpDoc.p("  $ kehoach demo"),
      HelpDoc.p("  $ kehoach demo --db demo.db --force"),
      HelpDoc.p("  $ kehoach demo --scenario reorganisation-2025 --db tq-2025.db")
    ])
  )
)
