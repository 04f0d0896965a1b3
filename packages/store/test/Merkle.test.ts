import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { Merkle } from "../src/index.js"

// The Certificate Transparency reference tree (RFC 6962 / RFC 9162 test data, as published by
// google/certificate-transparency and transparency-dev/merkle): eight leaf inputs and the root
// hash of every prefix.
const ctInputs = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f"
].map((h) => Buffer.from(h, "hex"))
const ctRoots = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
]
const ctInclusion = [
  {
    index: 0,
    size: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
    ]
  },
  {
    index: 5,
    size: 8,
    path: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
    ]
  }
]
const ctConsistency = [
  {
    first: 2,
    second: 8,
    proof: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
    ]
  },
  {
    first: 6,
    second: 8,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
    ]
  },
  {
    first: 2,
    second: 5,
    proof: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
    ]
  }
]

const ctLeaves = ctInputs.map(Merkle.leafHash)

/** The hash of a range, straight from the leaves. */
const rangeHash = (leaves: ReadonlyArray<Merkle.Hash>, r: Merkle.Range) => Merkle.root(leaves.slice(r.lo, r.hi))

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => Merkle.leafHash(`leaf ${i}`))

describe("Merkle (RFC 9162 §2)", () => {
  it("reproduces the Certificate Transparency roots of every prefix of the reference tree", () => {
    for (let n = 0; n <= 8; n++) assert.strictEqual(Merkle.root(ctLeaves.slice(0, n)), ctRoots[n], `size ${n}`)
  })

  it("reproduces the reference inclusion paths, and they verify", () => {
    for (const v of ctInclusion) {
      const path = Merkle.inclusionRanges(v.index, v.size).map((r) => rangeHash(ctLeaves, r))
      assert.deepStrictEqual(path, v.path)
      const got = Merkle.rootFromInclusion(v.index, v.size, ctLeaves[v.index]!, v.path)
      assert.isTrue("root" in got && got.root === ctRoots[v.size])
    }
  })

  it("reproduces the reference consistency proofs, and they verify", () => {
    for (const v of ctConsistency) {
      const proof = Merkle.consistencyRanges(v.first, v.second).map((r) => rangeHash(ctLeaves, r))
      assert.deepStrictEqual(proof, v.proof)
      assert.isUndefined(Merkle.checkConsistency(v.first, v.second, ctRoots[v.first]!, ctRoots[v.second]!, proof))
    }
  })

  it("every range of a proof is a run of aligned perfect subtrees whose fold is its hash", () => {
    const leaves = leavesOf(70)
    for (let n = 1; n <= 70; n++) {
      for (let m = 0; m <= n; m++) {
        const ranges = [...Merkle.consistencyRanges(m, n), ...(m < n ? Merkle.inclusionRanges(m, n) : [])]
        for (const r of ranges) {
          const parts = Merkle.subtreesOf(r).map((s) =>
            Merkle.root(leaves.slice(s.index * 2 ** s.level, (s.index + 1) * 2 ** s.level))
          )
          assert.strictEqual(Merkle.foldRange(parts), rangeHash(leaves, r))
        }
      }
    }
  })

  it.prop(
    "an inclusion path verifies for its leaf, and not for another leaf, index or a truncated or padded path",
    [fc.integer({ min: 1, max: 300 }), fc.nat()],
    ([n, seed]) => {
      const leaves = leavesOf(n)
      const m = seed % n
      const path = Merkle.inclusionRanges(m, n).map((r) => rangeHash(leaves, r))
      const root = Merkle.root(leaves)
      const ok = Merkle.rootFromInclusion(m, n, leaves[m]!, path)
      assert.isTrue("root" in ok && ok.root === root)
      const other = Merkle.rootFromInclusion(m, n, Merkle.leafHash("tampered"), path)
      assert.isTrue(!("root" in other) || other.root !== root)
      if (path.length > 0) {
        assert.isTrue("reason" in Merkle.rootFromInclusion(m, n, leaves[m]!, path.slice(0, -1)))
        const wrongIndex = Merkle.rootFromInclusion((m + 1) % n, n, leaves[m]!, path)
        assert.isTrue(n === 1 || !("root" in wrongIndex) || wrongIndex.root !== root)
      }
      assert.isTrue("reason" in Merkle.rootFromInclusion(m, n, leaves[m]!, [...path, root]))
    }
  )

  it.prop(
    "a consistency proof verifies between its two sizes, and not with another root or a truncated proof",
    [fc.integer({ min: 1, max: 300 }), fc.nat()],
    ([n, seed]) => {
      const leaves = leavesOf(n)
      const m = seed % (n + 1)
      const proof = Merkle.consistencyRanges(m, n).map((r) => rangeHash(leaves, r))
      const oldRoot = Merkle.root(leaves.slice(0, m))
      const newRoot = Merkle.root(leaves)
      assert.isUndefined(Merkle.checkConsistency(m, n, oldRoot, newRoot, proof))
      if (m > 0 && m < n) {
        assert.isString(Merkle.checkConsistency(m, n, Merkle.leafHash("x"), newRoot, proof))
        assert.isString(Merkle.checkConsistency(m, n, oldRoot, Merkle.leafHash("x"), proof))
        assert.isString(Merkle.checkConsistency(m, n, oldRoot, newRoot, proof.slice(0, -1)))
      }
    }
  )

  it.prop(
    "a frontier extended leaf by leaf has the root of the whole list, and completes every perfect subtree once",
    [fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 199 })],
    ([n, cut]) => {
      const leaves = leavesOf(n)
      const c = Math.min(cut, n)
      const a = Merkle.extend(Merkle.emptyFrontier, leaves.slice(0, c), 2)
      const b = Merkle.extend(a.frontier, leaves.slice(c), 2)
      assert.strictEqual(Merkle.frontierRoot(b.frontier), Merkle.root(leaves))
      const completed = [...a.completed, ...b.completed]
      let expected = 0
      for (let level = 2; 2 ** level <= n; level++) expected += Math.floor(n / 2 ** level)
      assert.strictEqual(completed.length, expected)
      for (const node of completed) {
        const w = 2 ** node.level
        assert.strictEqual(node.hash, Merkle.root(leaves.slice(node.index * w, (node.index + 1) * w)))
      }
    }
  )
})
