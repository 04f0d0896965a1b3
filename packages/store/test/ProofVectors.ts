/**
 * The proof vectors of docs/proof-vectors.json, computed: the tree over the
 * three events of `packages/fixtures/data/chain.ndjson` (as exported lines),
 * every inclusion and consistency proof in it, and a tree head signed with
 * the RFC 8032 §7.1 TEST 1 key (Ed25519 is deterministic, so the signature
 * is fixed). The test compares the file with this, so the file cannot rot.
 */
import * as Crypto from "node:crypto"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { Audit, Merkle, Ndjson } from "../src/index.js"
import type { EventStore } from "../src/index.js"

/** RFC 8032 §7.1 TEST 1: the secret key (seed) and its public key. */
export const rfc8032Test1 = {
  secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
  public: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
}

const pkcs8Prefix = "302e020100300506032b657004220420"

/** The vectors, as docs/proof-vectors.json holds them. */
export const compute = () => {
  const events = fs
    .readFileSync(fileURLToPath(new URL("../../fixtures/data/chain.ndjson", import.meta.url)), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as EventStore.StoredEvent)
  const lines = events.map((e) => Ndjson.exportLine(e))
  const leaves = lines.map((l) => Merkle.leafHash(l))
  const rangeHash = (r: Merkle.Range) => Merkle.root(leaves.slice(r.lo, r.hi))
  const rootHashes = leaves.map((_, i) => Merkle.root(leaves.slice(0, i + 1)))
  const inclusion = []
  const consistency = []
  for (let size = 1; size <= leaves.length; size++) {
    for (let position = 1; position <= size; position++) {
      inclusion.push({
        proof: "inclusion",
        version: 1,
        position,
        treeSize: size,
        line: lines[position - 1]!,
        leafHash: leaves[position - 1]!,
        rootHash: rootHashes[size - 1]!,
        path: Merkle.inclusionRanges(position - 1, size).map(rangeHash)
      })
    }
    for (let first = 1; first < size; first++) {
      consistency.push({
        proof: "consistency",
        version: 1,
        firstSize: first,
        secondSize: size,
        firstRootHash: rootHashes[first - 1]!,
        secondRootHash: rootHashes[size - 1]!,
        path: Merkle.consistencyRanges(first, size).map(rangeHash)
      })
    }
  }
  const privateKey = Crypto.createPrivateKey({
    key: Buffer.from(pkcs8Prefix + rfc8032Test1.secret, "hex"),
    format: "der",
    type: "pkcs8"
  })
  const publicKey = Crypto.createPublicKey(privateKey).export({ format: "pem", type: "spki" }).toString()
  const last = events[events.length - 1]!
  const signedHead = Audit.sign(
    {
      treeSize: leaves.length,
      rootHash: rootHashes[leaves.length - 1]!,
      chainHash: last.hash,
      timestamp: "2018-12-31T23:59:59+07:00"
    },
    privateKey.export({ format: "pem", type: "pkcs8" }).toString()
  )
  return {
    description:
      "kehoach proof vectors (docs/proofs.md): the RFC 9162 tree over the three events of packages/fixtures/data/chain.ndjson, " +
      "as exported lines; every inclusion and consistency proof in it; a tree head signed with the RFC 8032 section 7.1 TEST 1 key.",
    lines,
    leafHashes: leaves,
    rootHashes,
    inclusion,
    consistency,
    publicKey,
    signedHead
  }
}
