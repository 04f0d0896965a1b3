/**
 * Report records within a budget: a store whose in-memory state may hold only
 * a few reports makes plans cold (their reports in the log only) and warms
 * them from the log when a write or a projection needs them. It must decide
 * and answer exactly as a store that holds everything: the same refusals for
 * the rules that read reports (a taken report id, a duplicate first report, a
 * correction of a report of a cold plan), the same projections, the same
 * bytes; and a bulk import that makes plans cold on its way must still refuse
 * a report id an earlier, released plan holds. On every store (see `Backends`).
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Compliance, Events, Relevance, State } from "@kehoach/domain"
import { Scenario } from "@kehoach/fixtures"
import { Chunk, Effect, Either, Stream } from "effect"
import { EventStore } from "../src/index.js"
import type { SqlEventStore } from "../src/index.js"
import * as Backends from "./Backends.js"

const { backends, skipped } = await Backends.available("ColdPlans")
afterAll(async () => {
  for (const backend of backends) await backend.cleanUp()
})
if (skipped !== undefined) describe.skip(`PostgreSQL cold plans (skipped: ${skipped})`, () => it("run", () => {}))

const scenario = [
  ...Scenario.events({
    seed: 11,
    provinces: ["08", "02"],
    residentialAreas: { min: 1, max: 2 },
    maxCommunesPerDistrict: 2
  })
]
const lines = scenario.map((line) => JSON.stringify(line))
type Filed = Scenario.Line & { readonly type: "ReportFiled" }
const reports = scenario.filter((line): line is Filed => line.type === "ReportFiled")
const last = scenario[scenario.length - 1]!
const closed = new Set(scenario.flatMap((line) => (line.type === "UnitClosed" ? [line.data.unitId] : [])))
const corrected = new Set(reports.flatMap((r) => (r.data.supersedes === undefined ? [] : [r.data.supersedes])))
/** The first report of the log that is no correction and was never corrected, by a unit still open at the end. */
const early = reports.find(
  (r) => r.data.supersedes === undefined && !corrected.has(r.data.reportId) && !closed.has(r.data.unitId)
)!
/** The last report of another plan. */
const other = [...reports].reverse().find((r) => r.data.planId !== early.data.planId)!
const planIds = [...new Set(scenario.flatMap((line) => (line.type === "PlanIssued" ? [line.data.planId] : [])))]

/** The end of the generated year: every plan is in force before it, so each projection reads its reports. */
const view = { asOf: Date.parse("2019-02-01T00:00:00+07:00"), knownAt: Number.MAX_SAFE_INTEGER }

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`

/** A report as a clerk would enter it at the end of the log, received on paper. */
const filing = (n: number, data: Filed["data"]): Events.ProposedEvent => ({
  id: uuid(n),
  type: "ReportFiled",
  occurredAt: last.occurredAt,
  data: { ...data, channel: "paper", registerNumber: `sđ-${n}` }
})

/**
 * Appends that each exercise a rule reading reports, most of them on plans
 * that a small budget has made cold: the outcome of each (the stored position
 * or the refusal's tag).
 */
const probes: ReadonlyArray<Events.ProposedEvent> = [
  // The id of a report of another plan: taken.
  filing(1, { ...other.data, reportId: early.data.reportId }),
  // A second first report for an obligation that has one: a duplicate.
  filing(2, { ...early.data, reportId: "probe-duplicate" }),
  // A correction of a report of a (cold) plan: accepted, and it makes that report superseded.
  filing(3, { ...early.data, reportId: "probe-correction", supersedes: early.data.reportId }),
  // A second correction of the same report: refused, it is already superseded.
  filing(4, { ...early.data, reportId: "probe-again", supersedes: early.data.reportId }),
  // A correction naming a report of another obligation.
  filing(5, { ...early.data, reportId: "probe-elsewhere", supersedes: other.data.reportId }),
  // A correction naming no report at all.
  filing(6, { ...early.data, reportId: "probe-nowhere", supersedes: "no-such-report" })
]

const contract = (backend: Backends.Backend) => {
  const withStore = <A, E>(
    db: string,
    options: SqlEventStore.Options,
    f: (store: EventStore.EventStore["Type"]) => Effect.Effect<A, E>
  ) => Effect.flatMap(EventStore.EventStore, f).pipe(Effect.provide(backend.layer(db, options)))

  /** Imports the scenario, runs the probes one by one, and gives their outcomes and every plan's compliance. */
  const run = (db: string, options: SqlEventStore.Options) =>
    withStore(db, options, (store) =>
      Effect.gen(function* () {
        yield* store.importLines(Stream.fromIterable(lines), { recordedBy: "t" })
        const heldAfterImport = State.heldReports(yield* store.state)
        const outcomes: Array<string> = []
        for (const probe of probes) {
          const result = yield* Effect.either(store.append([probe], { recordedBy: "t" }))
          outcomes.push(Either.isRight(result) ? `stored at ${result.right.position}` : result.left._tag)
          assert.isAtMost(State.heldReports(yield* store.state), options.reportBudget ?? Number.POSITIVE_INFINITY)
        }
        const compliance: Array<unknown> = []
        for (const planId of planIds) {
          compliance.push(
            yield* store.project(Relevance.compliance(planId), (state) =>
              Compliance.project(state, { planId, ...view })
            )
          )
        }
        const exported = Chunk.toReadonlyArray(yield* Stream.runCollect(store.exportLines())).join("\n")
        return { outcomes, compliance, exported, heldAfterImport }
      })
    )

  describe(`${backend.name}: report records within a budget`, () => {
    it.effect(
      "a store holding a few reports decides, answers and exports as one holding every report",
      () =>
        Effect.gen(function* () {
          const everything = yield* run(backend.fresh(), {})
          const few = yield* run(backend.fresh(), { reportBudget: 10 })
          assert.strictEqual(everything.heldAfterImport, reports.length)
          // The bulk import released plans on its way and warmed them again for their later reports.
          assert.isAtMost(few.heldAfterImport, 10)
          assert.deepStrictEqual(everything.outcomes, [
            "ReportIdTaken",
            "DuplicateReport",
            `stored at ${lines.length + 1}`,
            "InvalidSupersedes",
            "InvalidSupersedes",
            "InvalidSupersedes"
          ])
          assert.deepStrictEqual(few.outcomes, everything.outcomes)
          assert.deepStrictEqual(few.compliance, everything.compliance)
          assert.isTrue(few.compliance.every((c) => Either.isRight(c as Either.Either<unknown, unknown>)))
          assert.strictEqual(few.exported, everything.exported)
        }),
      120_000
    )

    it.effect("a reopened store has every plan cold, and warms the one a projection reads", () =>
      Effect.gen(function* () {
        const db = backend.fresh()
        const expected = yield* withStore(db, {}, (store) =>
          Effect.zipRight(
            store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }),
            store.project(Relevance.compliance(planIds[1]!), (state) =>
              Compliance.project(state, { planId: planIds[1]!, ...view })
            )
          )
        )
        yield* withStore(db, {}, (store) =>
          Effect.gen(function* () {
            const state = yield* store.state
            // Restored from the snapshot the import saved: no report in memory.
            assert.strictEqual(State.coldPlans(state), planIds.length)
            assert.strictEqual(State.heldReports(state), 0)
            assert.throws(() => Compliance.project(state, { planId: planIds[1]!, ...view }), State.ColdPlan)
            const answer = yield* store.project(Relevance.compliance(planIds[1]!), (s) =>
              Compliance.project(s, { planId: planIds[1]!, ...view })
            )
            assert.deepStrictEqual(answer, expected)
            assert.strictEqual(State.coldPlans(state), planIds.length - 1)
          })
        )
      })
    )

    it.effect(
      "a bulk import that released a plan still refuses a later line reusing one of its report ids, naming the line",
      () =>
        Effect.gen(function* () {
          const db = backend.fresh()
          const reused = JSON.stringify({
            ...filing(99, { ...other.data, reportId: early.data.reportId }),
            recordedAt: last.recordedAt,
            recordedBy: "t"
          })
          const refused = yield* withStore(db, { reportBudget: 5 }, (store) =>
            Effect.flip(store.importLines(Stream.fromIterable([...lines, reused]), { recordedBy: "t" }))
          )
          assert.strictEqual(refused.line, lines.length + 1)
          assert.include(refused.reason, early.data.reportId)
          // All or nothing: the log is empty.
          assert.strictEqual(yield* withStore(db, {}, (store) => store.position), 0)
        }),
      120_000
    )
  })
}

for (const backend of backends) contract(backend)
