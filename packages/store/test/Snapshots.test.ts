/**
 * Persisted snapshots: opening a store restores the newest good snapshot and
 * folds only the events after it, and answers exactly as a full replay; a
 * snapshot that is corrupt, written by other code, or no longer matches the
 * log is ignored and the state rebuilt, never trusted. `verify` and export
 * never read them.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { State } from "@kehoach/domain"
import { Scenario } from "@kehoach/fixtures"
import Database from "better-sqlite3"
type Db = InstanceType<typeof Database>
import { Chunk, Effect, Stream } from "effect"
import fc from "fast-check"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { EventStore, SqlEventStore } from "../src/index.js"
import type { Snapshots } from "../src/index.js"

const dirs: Array<string> = []
const tempDb = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-snapshots-"))
  dirs.push(dir)
  return path.join(dir, "log.db")
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

interface Opening {
  readonly ignored: Array<Snapshots.Ignored>
  opened?: SqlEventStore.Opened
}

/** Runs `f` on a store freshly opened on `filename`, and says how it opened its state. */
const withStore = <A, E>(
  filename: string,
  f: (store: EventStore.EventStore["Type"], opening: Opening) => Effect.Effect<A, E>,
  options: SqlEventStore.Options = {}
) => {
  const opening: Opening = { ignored: [] }
  return Effect.flatMap(EventStore.EventStore, (store) => f(store, opening)).pipe(
    Effect.provide(SqlEventStore.layer({
      filename,
      ...options,
      onSnapshotIgnored: (i) => opening.ignored.push(i),
      onOpened: (o) => (opening.opened = o)
    }))
  )
}

const scenarioLines = (seed: number, provinces: Array<string> = ["08"], communes = 2): Array<string> =>
  [...Scenario.events({ seed, provinces, residentialAreas: { min: 1, max: 2 }, maxCommunesPerDistrict: communes })]
    .map((line) => JSON.stringify(line))

const collect = (stream: Stream.Stream<string>) =>
  Effect.map(Stream.runCollect(stream), (c) => Chunk.toReadonlyArray(c).join("\n"))

/** The state of a full replay of the log, in the snapshot's plain data form. */
const replayed = (store: EventStore.EventStore["Type"]) =>
  Effect.map(store.read({}), (events) => State.toSnapshot(State.fold(events)))

const raw = (filename: string, f: (db: Db) => void) => {
  const db = new Database(filename)
  try {
    f(db)
  } finally {
    db.close()
  }
}

const lines = scenarioLines(7)

describe("persisted snapshots", () => {
  it.effect("an import saves one; the next open restores it, folds nothing, and answers as a full replay", () =>
    Effect.gen(function*() {
      const filename = tempDb()
      yield* withStore(filename, (store) => store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }))
      yield* withStore(filename, (store, opening) =>
        Effect.gen(function*() {
          const state = yield* store.state
          assert.deepStrictEqual(opening.opened, { snapshot: lines.length, folded: 0 })
          assert.deepStrictEqual(opening.ignored, [])
          assert.deepStrictEqual(State.toSnapshot(state), yield* replayed(store))
        }))
    }))

  it.effect("appends after a snapshot are folded on open; `snapshot` saves one at the head; snapshotEvery saves on append", () =>
    Effect.gen(function*() {
      const filename = tempDb()
      const cut = Math.floor(lines.length / 2)
      yield* withStore(filename, (store) => store.importLines(Stream.fromIterable(lines.slice(0, cut)), { recordedBy: "t" }))
      // An import into a log that is not empty takes the ordinary path, and saves a snapshot at its end too.
      yield* withStore(filename, (store, opening) =>
        Effect.gen(function*() {
          yield* store.state
          assert.deepStrictEqual(opening.opened, { snapshot: cut, folded: 0 })
          raw(filename, (db) => db.prepare("DELETE FROM snapshots").run())
        }))
      yield* withStore(filename, (store, opening) =>
        Effect.gen(function*() {
          yield* store.state
          assert.deepStrictEqual(opening.opened, { snapshot: 0, folded: cut })
          const saved = yield* store.snapshot
          assert.strictEqual(saved.position, cut)
          assert.isAbove(saved.bytes, 0)
          const more = lines.slice(cut).map((l) => JSON.parse(l))
          yield* store.append(more.slice(0, 3), { recordedBy: "t" })
          // 4 events after the snapshot, under the threshold of 5: none saved.
          yield* store.append(more.slice(3, 4), { recordedBy: "t" })
        }), { snapshotEvery: 5 })
      yield* withStore(filename, (store, opening) =>
        Effect.gen(function*() {
          yield* store.state
          assert.deepStrictEqual(opening.opened, { snapshot: cut, folded: 4 })
          yield* store.append(lines.slice(cut + 4, cut + 9).map((l) => JSON.parse(l)), { recordedBy: "t" })
        }), { snapshotEvery: 5 })
      yield* withStore(filename, (store, opening) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(State.toSnapshot(yield* store.state), yield* replayed(store))
          assert.deepStrictEqual(opening.opened, { snapshot: cut + 9, folded: 0 })
        }))
    }))

  const reopenIgnoring = (filename: string, reason: string, intact = true) =>
    withStore(filename, (store, opening) =>
      Effect.gen(function*() {
        const state = yield* store.state
        assert.strictEqual(opening.ignored.length, 1, JSON.stringify(opening.ignored))
        assert.include(opening.ignored[0]!.reason, reason)
        assert.strictEqual(opening.opened!.snapshot, 0)
        assert.deepStrictEqual(State.toSnapshot(state), yield* replayed(store))
        assert.strictEqual((yield* store.verify()).ok, intact)
      }))

  const imported = () =>
    Effect.gen(function*() {
      const filename = tempDb()
      yield* withStore(filename, (store) => store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }))
      return filename
    })

  it.effect("a corrupt snapshot is ignored and the state rebuilt from the log", () =>
    Effect.gen(function*() {
      const filename = yield* imported()
      raw(filename, (db) => {
        const part = db.prepare("SELECT position, seq, data FROM snapshot_parts LIMIT 1").get() as {
          position: number
          seq: number
          data: Buffer
        }
        part.data[Math.floor(part.data.length / 2)] ^= 0xff
        db.prepare("UPDATE snapshot_parts SET data = ? WHERE position = ? AND seq = ?").run(part.data, part.position, part.seq)
      })
      yield* reopenIgnoring(filename, "checksum")
    }))

  it.effect("a snapshot written by other code is ignored", () =>
    Effect.gen(function*() {
      const filename = yield* imported()
      raw(filename, (db) => db.prepare("UPDATE snapshots SET format = 'kehoach-state/0'").run())
      yield* reopenIgnoring(filename, "written by other code")
    }))

  it.effect("a snapshot above a truncated log, or over a rewritten one, is ignored", () =>
    Effect.gen(function*() {
      const truncated = yield* imported()
      raw(truncated, (db) => db.prepare("DELETE FROM events WHERE position > ?").run(lines.length - 10))
      yield* reopenIgnoring(truncated, `does not match the log at position ${lines.length}`)
      // The head event rewritten in place (as a rewrite of history would end): its hash is not the snapshot's.
      const rewritten = yield* imported()
      raw(rewritten, (db) =>
        db.prepare("UPDATE events SET line = json_set(line, '$.hash', ?) WHERE position = ?").run("ab".repeat(32), lines.length))
      yield* reopenIgnoring(rewritten, "does not match the log", false)
    }))

  it.effect("verify and export never read snapshots", () =>
    Effect.gen(function*() {
      const filename = yield* imported()
      const before = yield* withStore(filename, (store) => Effect.all([collect(store.exportLines()), store.verify()]))
      raw(filename, (db) => db.prepare("UPDATE snapshot_parts SET data = x'00'").run())
      const after = yield* withStore(filename, (store) => Effect.all([collect(store.exportLines()), store.verify()]))
      assert.deepStrictEqual(after, before)
      assert.isTrue(after[1].ok)
    }))

  it.effect("export after snapshots is byte-identical to the export of a log that never had one", () =>
    Effect.gen(function*() {
      const exported = yield* withStore(tempDb(), (store) =>
        Effect.zipRight(store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }), collect(store.exportLines())))
      const plain = tempDb()
      yield* withStore(plain, (store) =>
        Effect.zipRight(store.importLines(Stream.fromIterable(exported.split("\n")), { recordedBy: "t" }), Effect.void))
      raw(plain, (db) => db.prepare("DELETE FROM snapshots").run())
      const again = yield* withStore(plain, (store) => collect(store.exportLines()))
      assert.strictEqual(again, exported)
    }))

  it.effect("property: for random logs and random snapshot positions, opening from the snapshot = full replay", () =>
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
            await Effect.runPromise(withStore(filename, (store) =>
              Effect.zipRight(
                store.importLines(Stream.fromIterable(log.slice(0, cut)), { recordedBy: "t" }),
                store.importLines(Stream.fromIterable(log.slice(cut)), { recordedBy: "t" })
              )))
            raw(filename, (db) => {
              assert.deepStrictEqual(db.prepare("SELECT position FROM snapshots ORDER BY position").all(), [
                { position: cut },
                { position: log.length }
              ])
              db.prepare("DELETE FROM snapshot_parts WHERE position <> ?").run(cut)
              db.prepare("DELETE FROM snapshots WHERE position <> ?").run(cut)
            })
            await Effect.runPromise(withStore(filename, (store, opening) =>
              Effect.gen(function*() {
                const state = yield* store.state
                assert.deepStrictEqual(opening.opened, { snapshot: cut, folded: log.length - cut })
                assert.deepStrictEqual(State.toSnapshot(state), yield* replayed(store))
              })))
          }
        ),
        { numRuns: 8 }
      )
    ), 120_000)
})
