/**
 * `kehoach report --html FILE --plan ID [--as-of] [--known-at]`: the
 * dashboard's views of one plan (heat map with its explanations, coverage
 * table and map) as one self-contained HTML file, script, style and data
 * inlined, to e-mail or print. The figures are the domain's projections, the
 * same the server answers; the page is the same code the server serves.
 */
import { Command, HelpDoc, Options } from "@effect/cli"
import { ComplianceMatrix, Coverage, Explain, Obligations, Relevance, State, Time } from "@kehoach/domain"
import * as EventStore from "@kehoach/store/EventStore"
import { Effect, Either } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Cli from "./Cli.js"
import { FileError } from "./CliError.js"

/** Above this many obligations the file carries no per-obligation events (it would grow past what a mail carries). */
export const maxExplained = 5000

/** `kehoach report`. */
export const command = Command.make(
  "report",
  {
    db: Cli.db,
    html: Options.text("html").pipe(
      Options.withPseudoName("FILE"),
      Options.withDescription("Write the report to this HTML file")
    ),
    plan: Options.text("plan").pipe(Options.withPseudoName("PLAN"), Options.withDescription("The plan to report on")),
    asOf: Cli.asOf,
    knownAt: Cli.knownAt
  },
  (o) =>
    Effect.gen(function* () {
      const { asOf, knownAt } = yield* Cli.viewOf(o)
      const { Report } = yield* Effect.promise(() => import("@kehoach/web"))
      const data = yield* Cli.withStore(o.db, () =>
        Effect.gen(function* () {
          const store = yield* EventStore.EventStore
          // The whole state (coverage reads every unit's models), with the plan's reports in memory; this process
          // runs nothing else on the store meanwhile, so they stay there.
          const state = yield* store.project(Relevance.compliance(o.plan), (s) => s)
          const matrix = yield* Either.match(ComplianceMatrix.project(state, { planId: o.plan, asOf, knownAt }), {
            onLeft: Effect.fail,
            onRight: Effect.succeed
          })
          const plan = State.plan(state, o.plan)!
          const coverage = yield* Either.match(
            Coverage.project(state, { asOf, knownAt, planId: o.plan, unit: plan.issuerId, depth: 2 }),
            { onLeft: Effect.fail, onRight: Effect.succeed }
          )
          const obligations = Obligations.ofPlan(state, plan, { asOf, knownAt })
          let explanations: Record<string, unknown> | null = null
          if (obligations.length <= maxExplained) {
            const found: Array<[string, Explain.ObligationExplained]> = []
            for (const ob of obligations) {
              const result = Explain.obligation(state, {
                planId: o.plan,
                unitId: ob.unitId,
                scheduleId: ob.scheduleId,
                period: ob.period,
                asOf,
                knownAt
              })
              if (Either.isRight(result)) found.push([`${ob.unitId}|${ob.scheduleId}|${ob.period}`, result.right])
            }
            // The hashes of the events behind them, read from the log in one pass.
            const wanted = new Set(found.flatMap(([, e]) => e.events.map((r) => r.position)))
            const hashes = new Map<number, { hash: string; type: string }>()
            const last = Math.max(0, ...wanted)
            for (let from = 0; from < last;) {
              const page = yield* store.read({ from, limit: 5000 })
              if (page.length === 0) break
              for (const e of page) if (wanted.has(e.position)) hashes.set(e.position, { hash: e.hash, type: e.type })
              from = page[page.length - 1]!.position
            }
            explanations = {}
            for (const [key, e] of found) {
              explanations[key] = {
                obligation: e.obligation,
                rollsUpTo: e.rollsUpTo,
                events: e.events.map((r) => ({ ...r, ...hashes.get(r.position) }))
              }
            }
          }
          return {
            generatedAt: Time.formatInstant(knownAt),
            plan: {
              planId: plan.planId,
              documentNumber: plan.documentNumber,
              title: plan.title,
              issuerId: plan.issuerId,
              effectiveFrom: plan.effectiveFrom,
              effectiveUntil: plan.effectiveUntil
            },
            matrix,
            coverage: Coverage.toContract(coverage).units,
            coverageRoot: plan.issuerId,
            communes: Report.communes(),
            explanations
          }
        })
      )
      const html = Report.html(data)
      const path = Path.resolve(o.html)
      yield* Effect.try({
        try: () => {
          // Written beside the target and renamed: a reader never sees half a file.
          const temp = `${path}.${process.pid}.tmp`
          Fs.writeFileSync(temp, html)
          Fs.renameSync(temp, path)
        },
        catch: (e) => {
          const error = e as NodeJS.ErrnoException
          return new FileError({
            path: o.html,
            reason:
              error.code === "ENOENT"
                ? `the directory ${Path.dirname(path)} does not exist`
                : error.code === "EACCES"
                  ? "permission denied"
                  : error.message
          })
        }
      })
      yield* Effect.sync(() =>
        process.stderr.write(
          `Wrote ${o.html} (${Math.round(html.length / 1024)} kB): plan ${o.plan}, ${data.matrix.rows.length} units, ` +
            `${data.matrix.columns.length} periods${data.explanations === null ? ", without per-obligation events (too many)" : ""}.\n`
        )
      )
    })
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Writes the dashboard's views of one plan (the compliance heat map with each obligation's events, coverage as a table and a map) as one self-contained HTML file, to e-mail or print: it opens with no server and no network."
      ),
      HelpDoc.p("Example:"),
      HelpDoc.p("  $ kehoach report --html bao-cao-182.html --plan 182-2018 --as-of 2018-12-31")
    ])
  )
)
