/**
 * Replay from the log: old versions are
 * upcast as an import upcasts them, a type or version this software does not
 * know stops the fold, and folding the whole log page by page gives the state
 * and the head of the chain that a fold of the parsed lines gives. On every
 * store (see `Backends`).
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { State } from "@kehoach/domain"
import { Chunk, Effect, Stream } from "effect"
import { EventStore, Ndjson } from "../src/index.js"
import type { SqlEventStore } from "../src/index.js"
import * as Rows from "../src/Rows.js"
import * as Backends from "./Backends.js"
import * as Generate from "./Generate.js"

const { backends, skipped } = await Backends.available("Replay")
afterAll(async () => {
  for (const backend of backends) await backend.cleanUp()
})
if (skipped !== undefined) describe.skip(`PostgreSQL replay (skipped: ${skipped})`, () => it("runs", () => {}))

/** The reference reading of a stored line: the whole line through `JSON.parse`. */
const slow = (line: string) => Rows.eventOfJson(JSON.parse(line))

const exported = (store: EventStore.EventStore["Type"]) =>
  Effect.map(Stream.runCollect(store.exportLines({})), Chunk.toReadonlyArray)

describe("a stored line, read by replay", () => {
  const line = (type: string, version: number, data: unknown) =>
    Ndjson.exportLine(
      {
        position: 7,
        id: "00000000-0000-4000-8000-000000000007",
        type,
        version,
        occurredAt: "2018-01-30T08:00:00+07:00",
        recordedAt: "2018-01-30T08:00:00+07:00",
        recordedBy: "t",
        data,
        prevHash: "0".repeat(64),
        hash: "1".repeat(64)
      } as never,
      JSON.stringify(data)
    )
  const plan = {
    planId: "p",
    documentNumber: "1/KH",
    title: "Kế hoạch",
    issuerId: "08",
    effectiveFrom: "2018-01-30",
    effectiveUntil: "2018-12-31",
    schedules: [{ scheduleId: "m", kind: "monthly" as const, dueBeforeDay: 20 }]
  }

  it("upcasts a version-1 plan as an import does, keeping the version it was written at", () => {
    const event = Rows.eventOfLine(line("PlanIssued", 1, plan))
    assert.deepStrictEqual(event, slow(line("PlanIssued", 1, plan)))
    assert.strictEqual(event.version, 1)
    assert.deepStrictEqual(event.data, plan)
  })

  it("stops at a type or a version it does not know, naming the position", () => {
    assert.throws(() => Rows.eventOfLine(line("PlanRevoked", 1, { planId: "p" })), /^position 7: .*type/)
    assert.throws(
      () => Rows.eventOfLine(line("PlanIssued", 3, plan)),
      "position 7: invalid event: version: version 3 of PlanIssued is newer than this software knows (2)"
    )
    assert.throws(
      () => Rows.eventOfLine(line("PlanIssued", 1, { ...plan, schedules: [{ scheduleId: "q", kind: "quarterly" }] })),
      /^position 7: .*\(in version 1 of PlanIssued\)/
    )
  })
})

const contract = (backend: Backends.Backend) => {
  describe(`${backend.name}: replay from the log`, () => {
    // Twice the page size of `Read.catchUp` on this store: the last page is full, the next one empty.
    const events = backend.name === "SQLite" ? 2_000 : 20_000
    const shape =
      backend.name === "SQLite"
        ? { districts: 3, communes: 6, areas: 5, plans: 7 }
        : { districts: 4, communes: 10, areas: 5, plans: 35 }

    it.effect(`folds ${events} events with no snapshot into the state and head a fold of the parsed lines gives`, () =>
      Effect.gen(function* () {
        const db = backend.fresh()
        const all = [...Generate.lines(shape)].map((l) => l.trimEnd())
        assert.isAtLeast(all.length, events)
        const lines = yield* Effect.flatMap(EventStore.EventStore, (store) =>
          Effect.gen(function* () {
            yield* store.importLines(Stream.fromIterable(all.slice(0, events)), { recordedBy: "t" })
            return yield* exported(store)
          })
        ).pipe(Effect.provide(backend.layer(db)))
        yield* backend.exec(db, "DELETE FROM snapshot_parts")
        yield* backend.exec(db, "DELETE FROM snapshots")
        let opened: SqlEventStore.Opened | undefined
        yield* Effect.flatMap(EventStore.EventStore, (store) =>
          Effect.gen(function* () {
            const state = yield* store.state
            assert.deepStrictEqual(opened, { snapshot: 0, folded: events })
            assert.deepStrictEqual(State.toSnapshot(state), State.toSnapshot(State.fold(lines.map(slow))))
            // The next event chains on the head the fold found: verify checks it.
            yield* store.importLines(Stream.fromIterable(all.slice(events, events + 1)), { recordedBy: "t" })
            const verified = yield* store.verify()
            assert.isTrue(verified.ok, JSON.stringify(verified))
            assert.strictEqual(yield* store.position, events + 1)
          })
        ).pipe(Effect.provide(backend.layer(db, { onOpened: (o) => (opened = o) })))
      })
    )
  })
}

for (const backend of backends) contract(backend)
