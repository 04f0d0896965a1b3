/**
 * The contract of the event store, run against every store: a SQLite file
 * and a PostgreSQL schema (see `Backends`). Nothing here is about one driver.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Compliance, Coverage, Events, Relevance, State, Time } from "@kehoach/domain"
import { Chunk, Deferred, Effect, Either, Fiber, Stream, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { EventStore, Ndjson } from "../src/index.js"
import * as Backends from "./Backends.js"
import * as Generate from "./Generate.js"

const { backends, skipped } = await Backends.available("SqlEventStore")
afterAll(async () => {
  for (const backend of backends) await backend.cleanUp()
})
if (skipped !== undefined)
  describe.skip(`PostgreSQL store (skipped: ${skipped})`, () => it("runs the contract", () => {}))

const province: Events.ProposedEvent = {
  type: "UnitRegistered",
  occurredAt: "2018-01-01T00:00:00+07:00",
  data: { unitId: "08", name: "Tỉnh Tuyên Quang", level: "province" }
}
const district = (unitId: string, parentId = "08"): Events.ProposedEvent => ({
  type: "UnitRegistered",
  occurredAt: "2018-01-01T00:00:00+07:00",
  data: { unitId, name: `Huyện ${unitId}`, level: "district", parentId }
})

const commune = (unitId: string, parentId = "070"): Events.ProposedEvent => ({
  type: "UnitRegistered",
  occurredAt: "2018-01-01T00:00:00+07:00",
  data: { unitId, name: `Xã ${unitId}`, level: "commune", parentId }
})

const small: Generate.Shape = { districts: 2, communes: 3, areas: 2, plans: 2 }
const smallLines = (): Array<string> => [...Generate.lines(small)].map((l) => l.trimEnd())

const collect = (stream: Stream.Stream<string>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const contract = (backend: Backends.Backend) => {
  const withStore = <A, E>(db: string, f: (store: EventStore.EventStore["Type"]) => Effect.Effect<A, E>) =>
    Effect.flatMap(EventStore.EventStore, f).pipe(Effect.provide(backend.layer(db)))
  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-store-"))
    dirs.push(dir)
    return dir
  }

  describe(`${backend.name}: event store append`, () => {
    it.effect("appends one event and a batch with gapless positions, the store's clock and the caller", () =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          yield* TestClock.setTime(Time.parseInstant("2018-01-02T09:15:00+07:00")!)
          const one = yield* store.append([province], { recordedBy: "import" })
          assert.strictEqual(one.position, 1)
          assert.strictEqual(one.events[0]!.recordedAt, "2018-01-02T09:15:00+07:00")
          assert.strictEqual(one.events[0]!.recordedBy, "import")
          assert.strictEqual(one.events[0]!.prevHash, "0".repeat(64))
          const batch = yield* store.append([district("070"), district("071")], { recordedBy: "van-thu" })
          assert.deepStrictEqual(
            batch.events.map((e) => e.position),
            [2, 3]
          )
          assert.strictEqual(batch.events[0]!.prevHash, one.events[0]!.hash)
          assert.strictEqual(batch.events[1]!.prevHash, batch.events[0]!.hash)
          const all = yield* store.read({})
          assert.deepStrictEqual(
            all.map((e) => e.position),
            [1, 2, 3]
          )
          assert.deepStrictEqual(yield* store.digest, { position: 3, hash: batch.events[1]!.hash })
          assert.deepStrictEqual(yield* store.verify(), {
            ok: true,
            position: 3,
            hash: batch.events[1]!.hash,
            rootHash: (yield* store.treeHead).rootHash
          })
          assert.deepStrictEqual(
            (yield* store.read({ from: 1, limit: 1 })).map((e) => e.position),
            [2]
          )
          assert.deepStrictEqual(
            (yield* store.read({ unitId: "071" })).map((e) => e.position),
            [3]
          )
        })
      )
    )

    it.effect("a rejected event rejects its whole batch: nothing stored, nothing kept in the state", () =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          yield* store.append([province], { recordedBy: "t" })
          const before = yield* store.state
          const digest = yield* store.digest
          const error = yield* Effect.flip(
            store.append([district("070"), district("071", "nowhere")], { recordedBy: "t" })
          )
          assert.strictEqual(error._tag, "UnitNotFound")
          assert.strictEqual(yield* store.position, 1)
          // The state was rolled back in place (no rebuild from the database): same object, as before.
          const after = yield* store.state
          assert.strictEqual(after, before)
          assert.deepStrictEqual(after, State.fold(yield* store.read({})))
          assert.isFalse(after.units.has("070"))
          assert.deepStrictEqual(yield* store.digest, digest)
          // The batch's first event is still acceptable on its own, at the next position.
          const again = yield* store.append([district("070")], { recordedBy: "t" })
          assert.strictEqual(again.position, 2)
          assert.isTrue((yield* store.state).units.has("070"))
          assert.isTrue((yield* store.verify()).ok)
        })
      )
    )

    it.effect("a payload that is not what its type says is an InvalidEvent naming the field", () =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          const bad = {
            ...province,
            data: { unitId: "08", name: "x", level: "tinh" }
          } as unknown as Events.ProposedEvent
          const error = yield* Effect.flip(store.append([bad], { recordedBy: "t" }))
          assert.strictEqual(error._tag, "InvalidEvent")
          assert.include(error.message, "data.level")
          assert.strictEqual(yield* store.position, 0)
        })
      )
    )

    it.effect("expectedPosition: a ConcurrencyConflict when the log has moved", () =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          yield* store.append([province], { recordedBy: "t", expectedPosition: 0 })
          const error = yield* Effect.flip(store.append([district("070")], { recordedBy: "t", expectedPosition: 0 }))
          assert.strictEqual(error._tag, "ConcurrencyConflict")
          assert.deepInclude(error, { expectedPosition: 0, actualPosition: 1 })
          const ok = yield* store.append([district("070")], { recordedBy: "t", expectedPosition: 1 })
          assert.strictEqual(ok.position, 2)
        })
      )
    )

    it.effect("idempotent by id: the same content again is a no-op, other content an IdConflict", () =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          const id = Generate.uuid(1)
          const first = yield* store.append([{ ...province, id }], { recordedBy: "t", expectedPosition: 0 })
          // A retry with the now stale expectedPosition is still a no-op.
          const again = yield* store.append([{ ...province, id }], { recordedBy: "t", expectedPosition: 0 })
          assert.strictEqual(again.appended, 0)
          assert.strictEqual(again.position, 1)
          assert.deepStrictEqual(again.events, first.events)
          const error = yield* Effect.flip(
            store.append([{ ...province, id, data: { ...province.data, name: "Khác" } } as Events.ProposedEvent], {
              recordedBy: "t"
            })
          )
          assert.strictEqual(error._tag, "IdConflict")
          // The same id twice in one batch is stored once.
          const twice = yield* store.append(
            [
              { ...district("070"), id: Generate.uuid(2) },
              { ...district("070"), id: Generate.uuid(2) }
            ],
            {
              recordedBy: "t"
            }
          )
          assert.strictEqual(twice.appended, 1)
          assert.strictEqual(yield* store.position, 2)
        })
      )
    )

    it.effect("recordedAt never decreases when the clock goes back", () =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          yield* TestClock.setTime(Time.parseInstant("2018-05-01T12:00:00+07:00")!)
          yield* store.append([province], { recordedBy: "t" })
          yield* TestClock.setTime(Time.parseInstant("2018-04-01T12:00:00+07:00")!)
          const later = yield* store.append([district("070")], { recordedBy: "t" })
          assert.strictEqual(later.events[0]!.recordedAt, "2018-05-01T12:00:00+07:00")
          assert.isTrue((yield* store.verify()).ok)
        })
      )
    )

    it.effect("appendEach: one transaction, each request answered as if appended alone after the ones before it", () =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          yield* store.append([province], { recordedBy: "t" })
          const before = yield* store.state
          const id = Generate.uuid(7)
          const noMoves: EventStore.Authorize = (_, events) =>
            events.some((e) => e.type === "UnitMoved") ? "moves are not for this caller" : undefined
          const results = yield* store.appendEach([
            { events: [district("070")], recordedBy: "a" },
            // Refused by the rules: its parent is unknown.
            { events: [district("071", "nowhere")], recordedBy: "b" },
            // Its parent was registered by the first request, in this same transaction.
            { events: [{ ...commune("c1"), id }], recordedBy: "c" },
            // The same id with the same content: a no-op returning the event of the request before.
            { events: [{ ...commune("c1"), id }], recordedBy: "c" },
            // The same id with other content.
            { events: [{ ...commune("c2"), id }], recordedBy: "c" },
            // Refused by its access check, which sees the state including the earlier requests.
            {
              events: [
                { type: "UnitMoved", occurredAt: "2018-02-01T00:00:00+07:00", data: { unitId: "c1", parentId: "08" } }
              ],
              recordedBy: "d",
              authorize: noMoves
            },
            // Not what its type says.
            {
              events: [
                { ...province, data: { unitId: "09", name: "x", level: "tinh" } } as unknown as Events.ProposedEvent
              ],
              recordedBy: "e"
            },
            // A batch of two is atomic on its own: its second event is refused, so its first is not stored.
            { events: [district("072"), district("073", "nowhere")], recordedBy: "f" },
            { events: [district("072")], recordedBy: "g" }
          ])
          const answers = results.map((r) =>
            Either.match(r, {
              onLeft: (e) => e._tag,
              onRight: (a) =>
                [a.appended, a.position, ...a.events.map((e) => `${e.position} ${e.recordedBy}`)].join(" ")
            })
          )
          assert.deepStrictEqual(answers, [
            "1 2 2 a",
            "UnitNotFound",
            "1 3 3 c",
            "0 3 3 c",
            "IdConflict",
            "AppendForbidden",
            "InvalidEvent",
            "UnitNotFound",
            "1 4 4 g"
          ])
          // The refused requests left no trace: the state is the one object, folded as the log says.
          const after = yield* store.state
          assert.strictEqual(after, before)
          assert.deepStrictEqual(after, State.fold(yield* store.read({})))
          assert.isFalse(after.units.has("071") || after.units.has("073"))
          assert.deepStrictEqual(
            (yield* store.read({})).map((e) => e.position),
            [1, 2, 3, 4]
          )
          assert.isTrue((yield* store.verify()).ok)
          // The next append continues the chain.
          assert.strictEqual((yield* store.append([district("074")], { recordedBy: "t" })).position, 5)
          assert.isTrue((yield* store.verify()).ok)
        })
      )
    )

    it.effect("many fibers appending at once leave no gap, no duplicate and an intact chain", () =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          yield* store.append([province], { recordedBy: "t" })
          yield* Effect.forEach(
            Array.from({ length: 60 }, (_, i) => i),
            (i) =>
              store.append(i % 3 === 0 ? [district(`d${i}`), district(`e${i}`)] : [district(`d${i}`)], {
                recordedBy: `f${i}`
              }),
            { concurrency: "unbounded", discard: true }
          )
          const all = yield* store.read({})
          assert.strictEqual(all.length, 81)
          assert.deepStrictEqual(
            all.map((e) => e.position),
            Array.from({ length: 81 }, (_, i) => i + 1)
          )
          assert.isTrue((yield* store.verify()).ok)
        })
      )
    )
  })

  describe(`${backend.name}: event store verify`, () => {
    it.effect(
      "names the first tampered position: a changed payload, a deleted row, a kept digest no longer extended",
      () =>
        Effect.gen(function* () {
          const db = backend.fresh()
          const kept = yield* withStore(db, (store) =>
            Effect.gen(function* () {
              yield* store.append([province, district("070"), district("071"), district("072"), district("073")], {
                recordedBy: "t"
              })
              return yield* store.digest
            })
          )
          const exec = (statement: string) => backend.exec(db, statement)
          yield* exec("UPDATE events SET line = replace(line, 'Huyện 071', 'Huyện 07l') WHERE position = 3")
          const tampered = yield* withStore(db, (store) => store.verify())
          assert.strictEqual(tampered.ok, false)
          assert.strictEqual(tampered.position, 3)
          assert.include((tampered as { reason: string }).reason, "hash mismatch")
          yield* exec("UPDATE events SET line = replace(line, 'Huyện 07l', 'Huyện 071') WHERE position = 3")
          assert.isTrue((yield* withStore(db, (store) => store.verify(kept))).ok)
          yield* exec("DELETE FROM events WHERE position = 4")
          const gap = yield* withStore(db, (store) => store.verify())
          assert.deepStrictEqual(gap, { ok: false, position: 4, reason: "position gap: expected position 4, found 5" })
          yield* exec("DELETE FROM events WHERE position = 5")
          const shorter = yield* withStore(db, (store) => store.verify(kept))
          assert.strictEqual(shorter.ok, false)
          assert.include((shorter as { reason: string }).reason, "kept digest")
        })
    )
  })

  describe(`${backend.name}: event store import and export`, () => {
    it.effect("imports a log, and export / import elsewhere / export gives identical bytes", () =>
      Effect.gen(function* () {
        const lines = smallLines()
        const first = yield* withStore(backend.fresh(), (store) =>
          Effect.gen(function* () {
            // Blank lines are skipped; a line repeating an earlier id with the same content is a no-op.
            const result = yield* store.importLines(Stream.fromIterable(["", ...lines, "  ", lines[5]!]), {
              recordedBy: "import"
            })
            assert.deepStrictEqual(result, { imported: lines.length, skipped: 1, position: lines.length })
            assert.isTrue((yield* store.verify()).ok)
            return yield* collect(store.exportLines())
          })
        )
        assert.strictEqual(first.length, lines.length)
        const second = yield* withStore(backend.fresh(), (store) =>
          Effect.gen(function* () {
            const result = yield* store.importLines(Stream.fromIterable(first), { recordedBy: "someone else" })
            assert.strictEqual(result.position, lines.length)
            // Importing the same export again skips every line.
            const again = yield* store.importLines(Stream.fromIterable(first), { recordedBy: "x" })
            assert.deepStrictEqual(again, { imported: 0, skipped: lines.length, position: lines.length })
            return yield* collect(store.exportLines())
          })
        )
        assert.strictEqual(second.join("\n"), first.join("\n"))
        assert.deepStrictEqual(Object.keys(JSON.parse(first[0]!)), [
          "position",
          "id",
          "type",
          "version",
          "occurredAt",
          "recordedAt",
          "recordedBy",
          "data",
          "prevHash",
          "hash"
        ])
      })
    )

    it.effect("a bulk import finds a repeated id inserted earlier in the file, and leaves the id index in place", () =>
      Effect.gen(function* () {
        const big = [...Generate.lines({ districts: 2, communes: 5, areas: 5, plans: 4 })].map((l) => l.trimEnd())
        // Chunks of 100 lines: the first 400 rows are inserted before the repeat is read.
        const chunked = (lines: ReadonlyArray<string>) => Stream.rechunk(Stream.fromIterable(lines), 100)
        assert.isTrue(big.length > 500)
        const db = backend.fresh()
        yield* withStore(db, (store) =>
          Effect.gen(function* () {
            const other = JSON.stringify({ ...JSON.parse(big[2]!), occurredAt: "2018-01-02T00:00:00+07:00" })
            const error = yield* Effect.flip(store.importLines(chunked([...big, other]), { recordedBy: "t" }))
            assert.strictEqual(error.line, big.length + 1)
            assert.include(error.reason, "is already stored at position 3 with other content")
            assert.strictEqual(yield* store.position, 0)
            const result = yield* store.importLines(chunked([...big, big[2]!]), { recordedBy: "t" })
            assert.deepStrictEqual(result, { imported: big.length, skipped: 1, position: big.length })
            const repeat = JSON.parse(big[2]!) as Events.ProposedEvent
            const conflict = yield* Effect.flip(
              store.append([{ ...repeat, occurredAt: "2018-01-02T00:00:00+07:00" }], { recordedBy: "t" })
            )
            assert.strictEqual(conflict._tag, "IdConflict")
          })
        )
        assert.include(yield* backend.indexes(db), "events_id")
      })
    )

    it.effect("imports from a file with importFile", () =>
      Effect.gen(function* () {
        const file = path.join(tempDir(), "log.ndjson")
        fs.writeFileSync(file, smallLines().join("\r\n") + "\r\n")
        const result = yield* Ndjson.importFile(file, { recordedBy: "cli" }).pipe(
          Effect.provide(backend.layer(backend.fresh()))
        )
        assert.strictEqual(result.imported, Generate.count(small))
        const missing = yield* Effect.flip(
          Ndjson.importFile(file + ".nope", { recordedBy: "cli" }).pipe(Effect.provide(backend.layer(backend.fresh())))
        )
        assert.include(missing.message, "cannot read")
      })
    )

    const rejects = (lines: ReadonlyArray<string>, line: number, reason: string) =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }))
          assert.strictEqual(error._tag, "ImportError")
          assert.strictEqual(error.line, line)
          assert.include(error.reason, reason)
          assert.strictEqual(yield* store.position, 0)
          assert.strictEqual((yield* store.state).units.size, 0)
          assert.isTrue((yield* store.verify()).ok)
        })
      )

    it.effect("reports the first bad line with its number and reason, and stores nothing", () =>
      Effect.gen(function* () {
        const lines = smallLines()
        const exported = yield* withStore(backend.fresh(), (store) =>
          Effect.zipRight(
            store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }),
            collect(store.exportLines())
          )
        )
        const at = (i: number, replacement: string) => lines.map((l, k) => (k === i ? replacement : l))
        yield* rejects(at(3, "{not json"), 4, "not valid JSON")
        yield* rejects(at(3, lines[3]!.replace('"residential-area"', '"thon"')), 4, "data.level")
        yield* rejects(at(3, lines[3]!.replace(/"parentId":"[^"]*"/, '"parentId":"nowhere"')), 4, "nowhere")
        yield* rejects(
          exported.map((l, k) => (k === 5 ? l.replace("Thôn", "Thon") : l)),
          6,
          "hash"
        )
        yield* rejects(
          exported.filter((_, k) => k !== 3),
          4,
          "position 5 does not continue the log"
        )
        const early = exported.slice(0, 2).map((l) => JSON.parse(l))
        early[0].recordedAt = "2018-01-02T00:00:00+07:00"
        early[1].recordedAt = "2018-01-01T00:00:00+07:00"
        const plain = early.map(({ type, occurredAt, data, recordedAt }) =>
          JSON.stringify({ type, occurredAt, data, recordedAt })
        )
        yield* rejects(plain, 2, "earlier than the last one stored")
        // A failure deep in a large import (after inserted batches) also leaves nothing.
        const big = [...Generate.lines({ districts: 2, communes: 5, areas: 5, plans: 3 })].map((l) => l.trimEnd())
        yield* rejects([...big, "{}"], big.length + 1, "")
      })
    )
  })

  describe(`${backend.name}: event store projections`, () => {
    it.effect("the caught-up state answers as a fresh fold of the log does", () =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          const lines = smallLines()
          yield* store.importLines(Stream.fromIterable(lines.slice(0, 40)), { recordedBy: "t" })
          yield* store.state
          yield* store.importLines(Stream.fromIterable(lines.slice(40)), { recordedBy: "t" })
          const live = yield* store.state
          const fresh = State.fold(yield* store.read({}))
          const asOf = Time.parseQueryTime("2018-12-31")!
          const query = { planId: "plan-1", asOf, knownAt: Number.MAX_SAFE_INTEGER }
          const a = Compliance.project(live, query)
          assert.isTrue(Either.isRight(a))
          assert.deepStrictEqual(a, Compliance.project(fresh, query))
          const c = Coverage.project(live, { asOf, knownAt: Number.MAX_SAFE_INTEGER })
          assert.deepStrictEqual(c, Coverage.project(fresh, { asOf, knownAt: Number.MAX_SAFE_INTEGER }))
          assert.strictEqual(live.position, lines.length)
        })
      )
    )
  })

  describe(`${backend.name}: event store stateFor`, () => {
    it.effect("folds only the selected events through the indexes, and answers as the whole log does", () =>
      Effect.gen(function* () {
        const db = backend.fresh()
        const lines = smallLines()
        yield* withStore(db, (store) => store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }))
        // The bulk import dropped the indexes and built them again at its end.
        assert.deepStrictEqual(yield* backend.indexes(db), [
          "events_id",
          "events_plan",
          "events_report",
          "events_type",
          "events_unit"
        ])
        // A new store on the file, as a command-line process: it has no state in memory.
        yield* withStore(db, (store) =>
          Effect.gen(function* () {
            const asOf = Time.parseQueryTime("2018-12-31")!
            const view = { asOf, knownAt: Number.MAX_SAFE_INTEGER }
            const forPlan = yield* store.stateFor(Relevance.compliance("plan-1"))
            const forCoverage = yield* store.stateFor(Relevance.coverage())
            const fresh = State.fold(yield* store.read({}))
            // Only what was asked for was folded: no report of plan-0 (it is cold: a read of it fails loudly),
            // no models for compliance.
            assert.strictEqual(forPlan.plans.get("plan-0")!.assignments.size, 0)
            assert.isFalse(State.isWarm(forPlan, "plan-0"))
            assert.throws(() => Compliance.project(forPlan, { planId: "plan-0", ...view }), State.ColdPlan)
            assert.isTrue(State.isWarm(forPlan, "plan-1"))
            assert.strictEqual(forPlan.models.size, 0)
            assert.strictEqual(forCoverage.plans.size, 0)
            const compliance = Compliance.project(forPlan, { planId: "plan-1", ...view })
            assert.isTrue(
              Either.isRight(compliance) && compliance.right.obligations.some((o) => o.status !== "missing")
            )
            assert.deepStrictEqual(compliance, Compliance.project(fresh, { planId: "plan-1", ...view }))
            assert.deepStrictEqual(Coverage.project(forCoverage, view), Coverage.project(fresh, view))
            // Once the store keeps the whole state (a server), that is what it answers with.
            const full = yield* store.state
            assert.strictEqual(yield* store.stateFor(Relevance.coverage()), full)
          })
        )
      })
    )
  })

  describe(`${backend.name}: an import does not hold reads up`, () => {
    it.live(
      "while an import is in its transaction, reads answer from the log as committed; it shows once committed",
      () =>
        Effect.gen(function* () {
          const db = backend.fresh()
          const lines = smallLines()
          const half = Math.floor(lines.length / 2)
          yield* withStore(db, (store) =>
            Effect.gen(function* () {
              yield* store.importLines(Stream.fromIterable(lines.slice(0, half)), { recordedBy: "t" })
              const before = yield* store.digest
              const answerBefore = yield* store.project(Relevance.compliance("plan-1"), (state) =>
                Compliance.project(state, {
                  planId: "plan-1",
                  asOf: Number.MAX_SAFE_INTEGER,
                  knownAt: Number.MAX_SAFE_INTEGER
                })
              )
              // The second half stops half-way until the gate opens: its transaction stays open meanwhile.
              const gate = yield* Deferred.make<void>()
              const reached = yield* Deferred.make<void>()
              const rest = lines.slice(half)
              const slow = Stream.concat(
                Stream.fromIterable(rest.slice(0, 10)),
                Stream.fromEffect(Effect.zipRight(Deferred.succeed(reached, undefined), Deferred.await(gate))).pipe(
                  Stream.drain,
                  Stream.concat(Stream.fromIterable(rest.slice(10)))
                )
              ).pipe(Stream.rechunk(1))
              const importing = yield* Effect.fork(store.importLines(slow, { recordedBy: "t" }))
              yield* Deferred.await(reached)
              const appending = yield* Effect.fork(store.append([province], { recordedBy: "t" }))
              // Every read answers, from the log as committed, while the import waits in its transaction.
              const reads = Effect.all({
                digest: store.digest,
                position: Effect.map(store.state, State.position),
                compliance: store.project(Relevance.compliance("plan-1"), (state) =>
                  Compliance.project(state, {
                    planId: "plan-1",
                    asOf: Number.MAX_SAFE_INTEGER,
                    knownAt: Number.MAX_SAFE_INTEGER
                  })
                ),
                read: Effect.map(store.read({ from: before.position - 1 }), (events) => events.length),
                verify: store.verify()
              })
              const during = yield* Effect.timeoutFail(reads, {
                duration: "20 seconds",
                onTimeout: () => new Error("a read waited for the import")
              })
              assert.deepStrictEqual(during.digest, before)
              assert.strictEqual(during.position, before.position)
              assert.deepStrictEqual(during.compliance, answerBefore)
              assert.strictEqual(during.read, 1)
              assert.isTrue(during.verify.ok)
              // An append waits for the import (one writer at a time).
              assert.isTrue((yield* Fiber.poll(appending))._tag === "None")
              yield* Deferred.succeed(gate, undefined)
              const imported = yield* Fiber.join(importing)
              assert.strictEqual(imported.position, lines.length)
              const appended = yield* Fiber.join(appending)
              assert.strictEqual(appended.position, lines.length + 1)
              assert.strictEqual(State.position(yield* store.state), lines.length + 1)
              assert.isTrue((yield* store.verify()).ok)
            })
          )
        })
    )

    it.effect("a failed import leaves the live state as it was", () =>
      Effect.gen(function* () {
        const db = backend.fresh()
        const lines = smallLines()
        yield* withStore(db, (store) =>
          Effect.gen(function* () {
            yield* store.importLines(Stream.fromIterable(lines.slice(0, 20)), { recordedBy: "t" })
            const state = yield* store.state
            const refused = yield* Effect.flip(
              store.importLines(Stream.fromIterable([...lines.slice(20, 30), "{not json"]), { recordedBy: "t" })
            )
            assert.strictEqual(refused.line, 11)
            assert.strictEqual(yield* store.state, state)
            assert.strictEqual(State.position(state), 20)
            assert.strictEqual((yield* store.digest).position, 20)
          })
        )
      })
    )
  })

  describe(`${backend.name}: event store tail`, () => {
    it.live("sees appends by another connection to the file (another process) by polling", () =>
      Effect.gen(function* () {
        const db = backend.fresh()
        yield* withStore(db, (store) =>
          Effect.gen(function* () {
            yield* store.append([province], { recordedBy: "t" })
            const fiber = yield* Effect.fork(Stream.runCollect(Stream.take(store.tail(0), 3)))
            // A second store on the same file: its commits do not wake this one's tails.
            yield* withStore(db, (other) => other.append([district("070"), district("071")], { recordedBy: "other" }))
            const seen = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
            assert.deepStrictEqual(
              seen.map((e) => [e.position, e.recordedBy]),
              [
                [1, "t"],
                [2, "other"],
                [3, "other"]
              ]
            )
            // And this store's state catches up with the other's appends.
            assert.isTrue((yield* store.state).units.has("071"))
          })
        )
      })
    )

    it.live("streams the stored events, then live appends", () =>
      withStore(backend.fresh(), (store) =>
        Effect.gen(function* () {
          yield* store.append([province, district("070")], { recordedBy: "t" })
          const fiber = yield* Effect.fork(Stream.runCollect(Stream.take(store.tail(1), 3)))
          yield* Effect.sleep("50 millis")
          yield* store.append([district("071")], { recordedBy: "t" })
          yield* store.append([district("072")], { recordedBy: "t" })
          const seen = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
          assert.deepStrictEqual(
            seen.map((e) => e.position),
            [2, 3, 4]
          )
          assert.strictEqual(seen[2]!.type, "UnitRegistered")
        })
      )
    )
  })

  describe(`${backend.name}: event store snapshots`, () => {
    it.effect("a reopened store starts from its snapshot; a snapshot that does not check out is passed over", () =>
      Effect.gen(function* () {
        const db = backend.fresh()
        const lines = smallLines()
        const saved = yield* withStore(db, (store) =>
          Effect.gen(function* () {
            yield* store.importLines(Stream.fromIterable(lines.slice(0, 30)), { recordedBy: "t" })
            return yield* store.snapshot
          })
        )
        assert.strictEqual(saved.position, 30)
        assert.isTrue(saved.bytes > 0)
        const reopen = Effect.gen(function* () {
          const ignored: Array<string> = []
          const store = yield* EventStore.EventStore
          yield* store.importLines(Stream.fromIterable(lines.slice(30)), { recordedBy: "t" })
          const state = yield* store.state
          const fresh = State.fold(yield* store.read({}))
          const view = { asOf: Time.parseQueryTime("2018-12-31")!, knownAt: Number.MAX_SAFE_INTEGER }
          assert.strictEqual(state.position, fresh.position)
          assert.deepStrictEqual(Coverage.project(state, view), Coverage.project(fresh, view))
          assert.deepStrictEqual(
            Compliance.project(state, { planId: "plan-1", ...view }),
            Compliance.project(fresh, { planId: "plan-1", ...view })
          )
          return ignored
        })
        const ignoredOn = (options: { onSnapshotIgnored: (i: { position: number; reason: string }) => void }) =>
          Effect.provide(reopen, backend.layer(db, options))
        const none: Array<string> = []
        yield* ignoredOn({ onSnapshotIgnored: (i) => none.push(i.reason) })
        assert.deepStrictEqual(none, [])
        // The import saved one at its end; spoil both checksums: the state is rebuilt from the log.
        yield* backend.exec(db, "UPDATE snapshots SET checksum = 'spoilt'")
        const reasons: Array<string> = []
        const state = yield* Effect.flatMap(EventStore.EventStore, (store) => store.state).pipe(
          Effect.provide(backend.layer(db, { onSnapshotIgnored: (i) => reasons.push(i.reason) }))
        )
        assert.isTrue(reasons.length > 0 && reasons.every((r) => r.includes("checksum")))
        assert.strictEqual(state.position, lines.length)
      })
    )
  })

  describe(`${backend.name}: event store authorize`, () => {
    it.effect("judges the events on the state inside the lock, including another connection's appends", () =>
      Effect.gen(function* () {
        const db = backend.fresh()
        yield* withStore(db, (store) =>
          Effect.gen(function* () {
            yield* store.append([province, district("070")], { recordedBy: "t" })
            // Another process registers 071 after this store last caught up.
            yield* withStore(db, (other) => other.append([district("071")], { recordedBy: "other" }))
            const seen: Array<boolean> = []
            const onlyKnown: EventStore.Authorize = (state, events) => {
              seen.push(state.units.has("071"))
              return events.some((e) => e.type === "UnitMoved") ? "moves are not for this caller" : undefined
            }
            const move: Events.ProposedEvent = {
              type: "UnitMoved",
              occurredAt: "2018-02-01T00:00:00+07:00",
              data: { unitId: "070", parentId: "08" }
            }
            const refused = yield* Effect.flip(
              store.append([district("072"), move], { recordedBy: "t", authorize: onlyKnown })
            )
            assert.strictEqual(refused._tag, "AppendForbidden")
            assert.strictEqual(refused.message, "moves are not for this caller")
            assert.strictEqual(yield* store.position, 3)
            const ok = yield* store.append([district("072")], { recordedBy: "t", authorize: onlyKnown })
            assert.strictEqual(ok.position, 4)
            assert.deepStrictEqual(seen, [true, true])
          })
        )
      })
    )
  })
}

const dirs: Array<string> = []
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

for (const backend of backends) contract(backend)
