import { afterAll, assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { EventStore, Merkle } from "../src/index.js"
import * as MerkleTree from "../src/MerkleTree.js"
import * as Backends from "./Backends.js"
import * as Generate from "./Generate.js"

const { backends, skipped } = await Backends.available("MerkleTree")
afterAll(async () => {
  for (const backend of backends) await backend.cleanUp()
})
if (skipped !== undefined) describe.skip(`PostgreSQL Merkle tree (skipped: ${skipped})`, () => it("run", () => {}))

const small: Generate.Shape = { districts: 2, communes: 3, areas: 2, plans: 2 }
const smallLines = (): Array<string> => [...Generate.lines(small)].map((l) => l.trimEnd())

const exported = (store: EventStore.EventStore["Type"]) =>
  Effect.map(Stream.runCollect(store.exportLines()), Chunk.toReadonlyArray)

/** Imports the small log in chunks of 37 lines (so the tree grows across many writes). */
const importSmall = (store: EventStore.EventStore["Type"]) =>
  store.importLines(Stream.fromIterable(smallLines()).pipe(Stream.rechunk(37)), { recordedBy: "test" })

for (const backend of backends) {
  const tempDb = backend.fresh
  const withStore = <A, E>(db: string, f: (store: EventStore.EventStore["Type"]) => Effect.Effect<A, E>) =>
    Effect.flatMap(EventStore.EventStore, f).pipe(Effect.provide(backend.layer(db)))
  const exec = (db: string, statement: string) => backend.exec(db, statement)

  describe(`${backend.name}: MerkleTree`, () => {
    it.effect("the tree head's root is MTH of the exported lines, after an import and after appends", () =>
      Effect.gen(function* () {
        const filename = tempDb()
        const { n, lines, head } = yield* withStore(filename, (store) =>
          Effect.gen(function* () {
            yield* importSmall(store)
            const n = (yield* store.digest).position
            return { n, lines: yield* exported(store), head: yield* store.treeHead }
          })
        )
        assert.isAbove(n, 200)
        assert.strictEqual(head.treeSize, n)
        assert.strictEqual(head.rootHash, Merkle.root(lines.map((l) => Merkle.leafHash(l))))
        assert.strictEqual(head.chainHash, (JSON.parse(lines[n - 1]!) as { hash: string }).hash)
        // Persisted: the nodes are in the table, one per perfect subtree of 32 events or more.
        const [row] = yield* exec(filename, "SELECT count(*) AS n FROM merkle_nodes")
        assert.strictEqual(Number(row!["n"]), MerkleTree.nodeCount(n))
      })
    )

    it.effect("appends one by one keep the same tree as one import, across reopenings", () =>
      Effect.gen(function* () {
        const lines = smallLines().slice(0, 40)
        const a = tempDb()
        const b = tempDb()
        yield* withStore(a, (store) => store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }))
        for (let i = 0; i < lines.length; i += 9) {
          yield* withStore(b, (store) =>
            Effect.forEach(lines.slice(i, i + 9), (line) => store.importLines(Stream.make(line), { recordedBy: "t" }))
          )
        }
        const headA = yield* withStore(a, (s) => s.treeHead)
        const headB = yield* withStore(b, (s) => s.treeHead)
        assert.strictEqual(headA.rootHash, headB.rootHash)
        assert.strictEqual(headA.treeSize, 40)
        assert.isTrue((yield* withStore(b, (s) => s.verify())).ok)
      })
    )

    it.effect("every inclusion and consistency proof of a log verifies against the tree heads it names", () =>
      Effect.gen(function* () {
        const filename = tempDb()
        yield* withStore(filename, (store) =>
          Effect.gen(function* () {
            yield* importSmall(store)
            const lines = yield* exported(store)
            const leaves = lines.map((l) => Merkle.leafHash(l))
            const n = lines.length
            for (const size of [1, 2, 15, 16, 17, 33, 64, 100, n]) {
              const root = Merkle.root(leaves.slice(0, size))
              for (let position = 1; position <= size; position += Math.max(1, Math.floor(size / 23))) {
                const proof = yield* store.inclusionProof({ position }, size)
                assert.strictEqual(proof.rootHash, root)
                assert.strictEqual(proof.line, lines[position - 1])
                assert.strictEqual(proof.leafHash, leaves[position - 1]!)
                const got = Merkle.rootFromInclusion(position - 1, size, leaves[position - 1]!, proof.path)
                assert.isTrue("root" in got && got.root === root, `position ${position} of ${size}`)
              }
              for (const first of [0, 1, 7, 16, 31, size]) {
                if (first > size) continue
                const proof = yield* store.consistencyProof(first, size)
                assert.strictEqual(proof.secondRootHash, root)
                assert.strictEqual(proof.firstRootHash, Merkle.root(leaves.slice(0, first)))
                assert.isUndefined(Merkle.checkConsistency(first, size, proof.firstRootHash, root, proof.path))
              }
            }
            // By id: the same proof as by position.
            const third = JSON.parse(lines[2]!) as { id: string }
            assert.deepStrictEqual(
              yield* store.inclusionProof({ id: third.id }),
              yield* store.inclusionProof({ position: 3 })
            )
          })
        )
      })
    )

    it.effect("a proof the log cannot give is refused, naming what is missing", () =>
      Effect.gen(function* () {
        const filename = tempDb()
        yield* withStore(filename, (store) =>
          Effect.gen(function* () {
            yield* store.importLines(Stream.fromIterable(smallLines().slice(0, 20)), { recordedBy: "t" })
            const reason = (e: Effect.Effect<unknown, EventStore.ProofUnavailable>) =>
              Effect.map(Effect.flip(e), (error) => error.message)
            assert.match(yield* reason(store.inclusionProof({ position: 21 })), /position 21 is not in the tree of 20/)
            assert.match(yield* reason(store.inclusionProof({ position: 5 }, 30)), /tree size 30 is beyond the log/)
            assert.match(yield* reason(store.inclusionProof({ id: "nope" })), /no event with id nope/)
            assert.match(yield* reason(store.consistencyProof(12, 8)), /12 is larger than the second, 8/)
            assert.match(yield* reason(store.consistencyProof(3, 21)), /21 is beyond the log/)
          })
        )
      })
    )

    it.effect("verify recomputes the tree from the lines: a changed or missing stored node is reported", () =>
      Effect.gen(function* () {
        const filename = tempDb()
        yield* withStore(filename, importSmall)
        yield* exec(filename, `UPDATE merkle_nodes SET hash = '${"ab".repeat(32)}' WHERE level = 5 AND idx = 2`)
        const changed = yield* withStore(filename, (s) => s.verify())
        assert.deepStrictEqual(changed.ok, false)
        assert.strictEqual(changed.position, 96)
        assert.match(
          (changed as { reason: string }).reason,
          /stored Merkle node over positions 65-96 \(level 5, index 2\) is abab/
        )
        yield* exec(filename, "DELETE FROM merkle_nodes WHERE level = 5 AND idx = 0")
        const missing = yield* withStore(filename, (s) => s.verify())
        assert.strictEqual(missing.position, 32)
        assert.match((missing as { reason: string }).reason, /lacks its node over positions 1-32 \(level 5, index 0\)/)
      })
    )

    it.effect("verify names events removed from the end of the log, which the chain alone cannot see", () =>
      Effect.gen(function* () {
        const filename = tempDb()
        yield* withStore(filename, importSmall)
        yield* exec(filename, "DELETE FROM events WHERE position > 200")
        const result = yield* withStore(filename, (s) => s.verify())
        assert.isFalse(result.ok)
        assert.strictEqual(result.position, 200)
        assert.match(
          (result as { reason: string }).reason,
          /nodes over positions up to \d+, past the log's last position 200: events were removed/
        )
      })
    )

    it.effect("verify with a kept tree head: the same root passes, another root is named", () =>
      Effect.gen(function* () {
        const filename = tempDb()
        yield* withStore(filename, (store) =>
          Effect.gen(function* () {
            yield* store.importLines(Stream.fromIterable(smallLines().slice(0, 50)), { recordedBy: "t" })
            const head = yield* store.treeHead
            yield* store.importLines(Stream.fromIterable(smallLines().slice(50, 70)), { recordedBy: "t" })
            const kept = { position: head.treeSize, hash: head.chainHash, rootHash: head.rootHash }
            const ok = yield* store.verify(kept)
            assert.isTrue(ok.ok)
            const bad = yield* store.verify({ ...kept, rootHash: "cd".repeat(32) })
            assert.isFalse(bad.ok)
            assert.match(
              (bad as { reason: string }).reason,
              /Merkle root of its first 50 events is [0-9a-f]{64}, not cdcd/
            )
          })
        )
      })
    )

    it.effect("a log written before the tree existed gets its tree built by migration 0004", () =>
      Effect.gen(function* () {
        const filename = tempDb()
        const before = yield* withStore(filename, (store) => Effect.zipRight(importSmall(store), store.treeHead))
        // As written by the code of migration 0003: no tree, and none of the later migrations either.
        yield* exec(filename, "DROP TABLE merkle_nodes")
        yield* exec(filename, "DROP INDEX events_report")
        yield* exec(filename, "DELETE FROM kehoach_migrations WHERE migration_id >= 4")
        const after = yield* withStore(filename, (s) => s.treeHead)
        assert.strictEqual(after.rootHash, before.rootHash)
        assert.isTrue((yield* withStore(filename, (s) => s.verify())).ok)
      })
    )
  })
}
