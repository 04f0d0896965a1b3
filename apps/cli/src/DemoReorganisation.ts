/**
 * `kehoach demo --scenario reorganisation-2025`: Tuyên Quang's plan of
 * January 2025 run across the reorganisation of 1 July 2025, and the new
 * province's plan of 2026, loaded into a fresh database; prints compliance of
 * both and says what to try next.
 */
import { Compliance, Relevance, Time } from "@kehoach/domain"
import * as EventStore from "@kehoach/store/EventStore"
import { Clock, Effect, Either, Stream } from "effect"
import * as Database from "./Database.js"
import * as Lines from "./Lines.js"
import * as Output from "./Output.js"
import * as Render from "./Render.js"

/** The valid time of the 2025 figures: the end of 2025. */
export const asOf2025 = "2025-12-31"

/** The valid time of the 2026 figures: after the last deadline of the scenario. */
export const asOf2026 = "2026-11-30"

/** Loads the scenario into `path` (already prepared) and prints what it shows; `dbOption` is appended to the suggested commands. */
export const run = (
  path: string,
  dbOption: string,
  scenario: ReadonlyArray<unknown>,
  ids: { readonly plan2025: string; readonly plan2026: string; readonly issuerId: string }
) =>
  Effect.gen(function* () {
    const progress: Lines.Progress = { bytes: 0, totalBytes: undefined }
    const bar = Lines.progressBar(progress)
    const { before, after, next, imported } = yield* Effect.gen(function* () {
      const store = yield* EventStore.EventStore
      const lines = Stream.fromIterable(scenario).pipe(Stream.map((line) => JSON.stringify(line)))
      const result = yield* store
        .importLines(lines, { recordedBy: "kehoach demo", onProgress: bar.onProgress })
        .pipe(Effect.ensuring(Effect.sync(bar.done)), Effect.orDie)
      // The whole state, with both plans' reports in memory (nothing else runs on the store meanwhile).
      yield* store.project(Relevance.compliance(ids.plan2025), (s) => s)
      const state = yield* store.project(Relevance.compliance(ids.plan2026), (s) => s)
      const knownAt = yield* Clock.currentTimeMillis
      const project = (planId: string, asOf: string) =>
        Either.match(Compliance.project(state, { planId, asOf: Time.parseQueryTime(asOf)!, knownAt, depth: 1 }), {
          onLeft: Effect.fail,
          onRight: Effect.succeed
        })
      return {
        before: yield* project(ids.plan2025, "2025-06-30"),
        after: yield* project(ids.plan2025, asOf2025),
        next: yield* project(ids.plan2026, asOf2026),
        imported: result.imported
      }
    }).pipe(Effect.provide(Database.layer(path)))
    const k = (args: string) => `  kehoach ${args}${dbOption}`
    const total = (c: Compliance.Compliance) => c.units.find((u) => u.unitId === ids.issuerId)?.total
    const line = (label: string, c: Compliance.Compliance) => {
      const t = total(c)
      return t === undefined
        ? `${label}: no obligations`
        : `${label}: ${t.onTime} on time, ${t.late} late, ${t.missing} missing, ${t.pending} pending`
    }
    const district = before.units.find((u) => u.level === "district")?.unitId ?? ids.issuerId
    yield* Output.print(
      [
        `Loaded the Tuyên Quang 2025-2026 scenario (the reorganisation of 1 July 2025 in the middle): ${imported} events into ${path}.`,
        "",
        line(`Plan ${ids.plan2025} as of 30/06/2025 (districts and old communes)`, before),
        line(`Plan ${ids.plan2025} as of 31/12/2025 (each deadline judged with the hierarchy of its day)`, after),
        line(`Plan ${ids.plan2026} as of 30/11/2026 (the communes of the new province)`, next),
        "",
        Render.compliance(before, "table"),
        "What to try next:",
        "  # a district before the change: its communes' reports of January to May",
        k(`compliance --plan ${ids.plan2025} --as-of 2025-06-30 --unit ${district}`),
        "  # the same plan at the end of 2025: closed districts keep their history, new communes report to the province",
        k(`compliance --plan ${ids.plan2025} --as-of ${asOf2025} --depth 1`),
        "  # the 2026 plan of the new Tuyên Quang, as a spreadsheet",
        k(`compliance --plan ${ids.plan2026} --as-of ${asOf2026} --format csv`),
        "  # coverage of self-managed models before and after (residential areas moved with their commune)",
        k(`coverage --as-of 2025-06-30 --unit ${ids.issuerId} --depth 1`),
        k(`coverage --as-of ${asOf2025} --unit ${ids.issuerId} --depth 1`),
        "  # the events of 1 July 2025",
        k(`log --type UnitClosed --limit 10`),
        "(From the repository, run them as `pnpm kehoach ...`.)",
        ""
      ].join("\n")
    )
  })
