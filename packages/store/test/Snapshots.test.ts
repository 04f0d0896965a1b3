/**
 * Persisted snapshots: opening a store restores the newest good snapshot and
 * folds only the events after it, and answers exactly as a full replay; a
 * snapshot that is corrupt, written by other code, or no longer matches the
 * log is ignored and the state rebuilt, never trusted. `verify` and export
 * never read them. On every store (see `Backends`).
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Relevance, State } from "@kehoach/domain"
import { Scenario } from "@kehoach/fixtures"
import { Chunk, Effect, Stream } from "effect"
import fc from "fast-check"
import { EventStore } from "../src/index.js"
import type { Snapshots, SqlEventStore } from "../src/index.js"
import * as Backends from "./Backends.js"

const { backends, skipped } = await Backends.available("Snapshots")
afterAll(async () => {
  for (const backend of backends) await backend.cleanUp()
})
if (skipped !== undefined) describe.skip(`PostgreSQL snapshots (skipped: ${skipped})`, () => it("run", () => {}))

interface Opening {
  readonly ignored: Array<Snapshots.Ignored>
  opened?: SqlEventStore.Opened
}

const scenarioLines = (seed: number, provinces: Array<string> = ["08"], communes = 2): Array<string> =>
  [...Scenario.events({ seed, provinces, residentialAreas: { min: 1, max: 2 }, maxCommunesPerDistrict: communes })].map(
    (line) => JSON.stringify(line)
  )

const collect = (stream: Stream.Stream<string>) =>
  Effect.map(Stream.runCollect(stream), (c) => Chunk.toReadonlyArray(c).join("\n"))

/**
 * Asserts that the store's state is the state of a full replay of the log:
 * the same snapshot data (hierarchy, plans, models), and the same reports of
 * every plan once the store warms it (a restored state holds none).
 */
const sameAsReplay = (store: EventStore.EventStore["Type"]) =>
  Effect.gen(function* () {
    const replay = State.fold(yield* store.read({}))
    assert.deepStrictEqual(State.toSnapshot(yield* store.state), State.toSnapshot(replay))
    for (const plan of State.plans(replay)) {
      const reports = yield* store.project(Relevance.compliance(plan.planId), (state) =>
        State.reportsOfPlan(state, plan.planId)
      )
      assert.deepStrictEqual(reports, State.reportsOfPlan(replay, plan.planId))
    }
  })

const lines = scenarioLines(7)

/**
 * A line of the (version-1) scenario as an append proposes it today: a report filed online, which
 * the store stamps with its recording time (an append writes the current version, and its clock
 * here, the test clock, is behind the log, so the log's last recording time).
 */
const proposed = (line: string) => {
  const event = JSON.parse(line)
  return event.type === "ReportFiled" ? { ...event, data: { ...event.data, channel: "online" } } : event
}

const contract = (backend: Backends.Backend) => {
  const tempDb = backend.fresh
  const raw = (db: string, statement: Backends.Statement) => backend.exec(db, statement)

  /** Runs `f` on a store freshly opened on `filename`, and says how it opened its state. */
  const withStore = <A, E>(
    filename: string,
    f: (store: EventStore.EventStore["Type"], opening: Opening) => Effect.Effect<A, E>,
    options: SqlEventStore.Options = {}
  ) => {
    const opening: Opening = { ignored: [] }
    return Effect.flatMap(EventStore.EventStore, (store) => f(store, opening)).pipe(
      Effect.provide(
        backend.layer(filename, {
          ...options,
          onSnapshotIgnored: (i) => opening.ignored.push(i),
          onOpened: (o) => (opening.opened = o)
        })
      )
    )
  }

  describe(`${backend.name}: persisted snapshots`, () => {
    it.effect("an import saves one; the next open restores it, folds nothing, and answers as a full replay", () =>
      Effect.gen(function* () {
        const filename = tempDb()
        yield* withStore(filename, (store) => store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }))
        yield* withStore(filename, (store, opening) =>
          Effect.gen(function* () {
            yield* store.state
            assert.deepStrictEqual(opening.opened, { snapshot: lines.length, folded: 0 })
            assert.deepStrictEqual(opening.ignored, [])
            yield* sameAsReplay(store)
          })
        )
      })
    )

    it.effect(
      "appends after a snapshot are folded on open; `snapshot` saves one at the head; snapshotEvery saves on append",
      () =>
        Effect.gen(function* () {
          const filename = tempDb()
          const cut = Math.floor(lines.length / 2)
          yield* withStore(filename, (store) =>
            store.importLines(Stream.fromIterable(lines.slice(0, cut)), { recordedBy: "t" })
          )
          // An import into a log that is not empty takes the ordinary path, and saves a snapshot at its end too.
          yield* withStore(filename, (store, opening) =>
            Effect.gen(function* () {
              yield* store.state
              assert.deepStrictEqual(opening.opened, { snapshot: cut, folded: 0 })
              yield* raw(filename, "DELETE FROM snapshots")
            })
          )
          yield* withStore(
            filename,
            (store, opening) =>
              Effect.gen(function* () {
                yield* store.state
                assert.deepStrictEqual(opening.opened, { snapshot: 0, folded: cut })
                const saved = yield* store.snapshot
                assert.strictEqual(saved.position, cut)
                assert.isAbove(saved.bytes, 0)
                const more = lines.slice(cut).map(proposed)
                yield* store.append(more.slice(0, 3), { recordedBy: "t" })
                // 4 events after the snapshot, under the threshold of 5: none saved.
                yield* store.append(more.slice(3, 4), { recordedBy: "t" })
              }),
            { snapshotEvery: 5 }
          )
          yield* withStore(
            filename,
            (store, opening) =>
              Effect.gen(function* () {
                yield* store.state
                assert.deepStrictEqual(opening.opened, { snapshot: cut, folded: 4 })
                yield* store.append(lines.slice(cut + 4, cut + 9).map(proposed), { recordedBy: "t" })
              }),
            { snapshotEvery: 5 }
          )
          yield* withStore(filename, (store, opening) =>
            Effect.gen(function* () {
              yield* sameAsReplay(store)
              assert.deepStrictEqual(opening.opened, { snapshot: cut + 9, folded: 0 })
            })
          )
        })
    )

    const reopenIgnoring = (filename: string, reason: string, intact = true) =>
      withStore(filename, (store, opening) =>
        Effect.gen(function* () {
          yield* store.state
          assert.strictEqual(opening.ignored.length, 1, JSON.stringify(opening.ignored))
          assert.include(opening.ignored[0]!.reason, reason)
          assert.strictEqual(opening.opened!.snapshot, 0)
          yield* sameAsReplay(store)
          assert.strictEqual((yield* store.verify()).ok, intact)
        })
      )

    const imported = () =>
      Effect.gen(function* () {
        const filename = tempDb()
        yield* withStore(filename, (store) => store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }))
        return filename
      })

    it.effect("a corrupt snapshot is ignored and the state rebuilt from the log", () =>
      Effect.gen(function* () {
        const filename = yield* imported()
        // The last byte of a part cut off.
        yield* raw(filename, {
          sqlite: "UPDATE snapshot_parts SET data = substr(data, 1, length(data) - 1) WHERE seq = 0",
          postgres: "UPDATE snapshot_parts SET data = substring(data from 1 for length(data) - 1) WHERE seq = 0"
        })
        yield* reopenIgnoring(filename, "checksum")
      })
    )

    it.effect("a snapshot written by other code is ignored", () =>
      Effect.gen(function* () {
        const filename = yield* imported()
        yield* raw(filename, "UPDATE snapshots SET format = 'kehoach-state/0'")
        yield* reopenIgnoring(filename, "written by other code")
      })
    )

    it.effect("a snapshot above a truncated log, or over a rewritten one, is ignored", () =>
      Effect.gen(function* () {
        const truncated = yield* imported()
        yield* raw(truncated, `DELETE FROM events WHERE position > ${lines.length - 10}`)
        // The chain alone cannot tell a truncated log; the Merkle tree's nodes past its end do (verify fails).
        yield* reopenIgnoring(truncated, `does not match the log at position ${lines.length}`, false)
        // The head event rewritten in place (as a rewrite of history would end): its hash is not the snapshot's.
        const rewritten = yield* imported()
        yield* raw(rewritten, {
          sqlite: `UPDATE events SET line = json_set(line, '$.hash', '${"ab".repeat(32)}') WHERE position = ${lines.length}`,
          postgres: `UPDATE events SET line = replace(line, line::jsonb ->> 'hash', '${"ab".repeat(32)}') WHERE position = ${lines.length}`
        })
        yield* reopenIgnoring(rewritten, "does not match the log", false)
      })
    )

    it.effect("verify and export never read snapshots", () =>
      Effect.gen(function* () {
        const filename = yield* imported()
        const before = yield* withStore(filename, (store) => Effect.all([collect(store.exportLines()), store.verify()]))
        yield* raw(filename, {
          sqlite: "UPDATE snapshot_parts SET data = x'00'",
          postgres: "UPDATE snapshot_parts SET data = '\\x00'::bytea"
        })
        const after = yield* withStore(filename, (store) => Effect.all([collect(store.exportLines()), store.verify()]))
        assert.deepStrictEqual(after, before)
        assert.isTrue(after[1].ok)
      })
    )

    it.effect("export after snapshots is byte-identical to the export of a log that never had one", () =>
      Effect.gen(function* () {
        const exported = yield* withStore(tempDb(), (store) =>
          Effect.zipRight(
            store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }),
            collect(store.exportLines())
          )
        )
        const plain = tempDb()
        yield* withStore(plain, (store) =>
          Effect.zipRight(
            store.importLines(Stream.fromIterable(exported.split("\n")), { recordedBy: "t" }),
            Effect.void
          )
        )
        yield* raw(plain, "DELETE FROM snapshots")
        const again = yield* withStore(plain, (store) => collect(store.exportLines()))
        assert.strictEqual(again, exported)
      })
    )

    it.effect(
      "property: for random logs and random snapshot positions, opening from the snapshot = full replay",
      () =>
        Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.integer({ min: 1, max: 1_000_000 }),
              fc.subarray(["02", "08", "11"], { minLength: 1, maxLength: 2 }),
              fc.double({ min: 0, max: 1, noNaN: true }),
              async (seed, provinces, at) => {
                const log = scenarioLines(seed, provinces, 1)
                const cut = Math.min(log.length - 1, Math.max(1, Math.floor(at * log.length)))
                const filename = tempDb()
                // Two imports, each saving a snapshot at its end; then only the one at the cut is kept.
                await Effect.runPromise(
                  withStore(filename, (store) =>
                    Effect.zipRight(
                      store.importLines(Stream.fromIterable(log.slice(0, cut)), { recordedBy: "t" }),
                      store.importLines(Stream.fromIterable(log.slice(cut)), { recordedBy: "t" })
                    )
                  )
                )
                await Effect.runPromise(
                  Effect.gen(function* () {
                    const positions = yield* raw(filename, "SELECT position FROM snapshots ORDER BY position")
                    assert.deepStrictEqual(
                      positions.map((r) => Number(r["position"])),
                      [cut, log.length]
                    )
                    yield* raw(filename, `DELETE FROM snapshot_parts WHERE position <> ${cut}`)
                    yield* raw(filename, `DELETE FROM snapshots WHERE position <> ${cut}`)
                  })
                )
                await Effect.runPromise(
                  withStore(filename, (store, opening) =>
                    Effect.gen(function* () {
                      yield* store.state
                      assert.deepStrictEqual(opening.opened, { snapshot: cut, folded: log.length - cut })
                      yield* sameAsReplay(store)
                    })
                  )
                )
              }
            ),
            { numRuns: 8 }
          )
        ),
      120_000
    )
  })
}

for (const backend of backends) contract(backend)
