/**
 * The auditor's endpoints against a real server and store: the tree head
 * (signed with the server's key), inclusion and consistency proofs that the
 * store's own checks accept, and 400/404 for what cannot be proven.
 */
import { assert, describe, it } from "@effect/vitest"
import { Audit, Merkle } from "@kehoach/store"
import { Effect } from "effect"
import { afterAll, beforeAll } from "vitest"
import * as Harness from "./Harness.js"

const keys = Audit.generateKeyPair()
let h: Harness.Harness
beforeAll(async () => {
  h = await Harness.start({ signingKey: keys.privatePem })
})
afterAll(() => h.close())

const get = async (path: string, token: string = Harness.tokens.auditor.token) => {
  const response = await h.call(path, token)
  return { status: response.status, body: (await response.json()) as any }
}

describe("proofs over HTTP", () => {
  it.effect("GET /tree/head is signed by the server's key, and proofs check against it", () =>
    Effect.gen(function* () {
      const client = yield* Harness.client(h.url, Harness.tokens.auditor.token)
      const head = yield* client.proofs.head()
      assert.strictEqual(head.treeSize, Harness.seed.length)
      assert.isTrue("signature" in head)
      const key = Audit.parsePublicKey(keys.publicPem)!
      assert.isUndefined(Audit.checkSignature(head as any, key))
      for (let position = 1; position <= head.treeSize; position++) {
        const proof = yield* client.proofs.inclusion({ urlParams: { position } })
        assert.isUndefined(Audit.checkInclusion(proof))
        assert.isUndefined(Audit.checkAgainstHead(proof, head))
      }
      const consistency = yield* client.proofs.consistency({ urlParams: { from: 3 } })
      assert.isUndefined(Audit.checkConsistency(consistency))
      assert.isUndefined(Audit.checkAgainstHead(consistency, head))
      const old = yield* client.proofs.inclusion({ urlParams: { position: 2, treeSize: 5 } })
      const fromFive = yield* client.proofs.consistency({ urlParams: { from: 5 } })
      assert.strictEqual(old.rootHash, fromFive.firstRootHash)
      assert.isUndefined(Audit.checkInclusion(old))
      assert.strictEqual(old.leafHash, Merkle.leafHash(old.line))
    })
  )

  it("by id; 400 without a target; 404 for what the log does not hold; 401 without a token", async () => {
    const byPosition = await get("/proofs/inclusion?position=4")
    const id = JSON.parse(byPosition.body.line).id
    assert.deepStrictEqual((await get(`/proofs/inclusion?id=${id}`)).body, byPosition.body)
    const neither = await get("/proofs/inclusion")
    assert.strictEqual(neither.status, 400)
    assert.strictEqual(neither.body._tag, "InvalidQuery")
    const beyond = await get("/proofs/inclusion?position=1000")
    assert.strictEqual(beyond.status, 404)
    assert.match(beyond.body.message, /position 1000 is not in the tree of \d+ events/)
    const unknown = await get("/proofs/inclusion?id=nope")
    assert.strictEqual(unknown.status, 404)
    const backwards = await get("/proofs/consistency?from=9&to=3")
    assert.strictEqual(backwards.status, 404)
    assert.match(backwards.body.message, /first tree size 9 is larger than the second, 3/)
    assert.strictEqual((await h.call("/tree/head")).status, 401)
  })
})
