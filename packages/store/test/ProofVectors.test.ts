import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Audit, Merkle } from "../src/index.js"
import * as ProofVectors from "./ProofVectors.js"

const file = fileURLToPath(new URL("../../../docs/proof-vectors.json", import.meta.url))
const verifier = fileURLToPath(new URL("../../../docs/verify_proof.py", import.meta.url))
const hasPython = spawnSync("python3", ["--version"]).status === 0

describe("docs/proof-vectors.json", () => {
  it("is what the code computes (UPDATE_VECTORS=1 rewrites it)", () => {
    const computed = ProofVectors.compute()
    if (process.env["UPDATE_VECTORS"] === "1") fs.writeFileSync(file, JSON.stringify(computed, null, 2) + "\n")
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(file, "utf8")), JSON.parse(JSON.stringify(computed)))
  })

  it("checks with the store's own checks, and the head is signed by the RFC 8032 TEST 1 key", () => {
    const v = JSON.parse(fs.readFileSync(file, "utf8"))
    const key = Audit.parsePublicKey(Buffer.from(ProofVectors.rfc8032Test1.public, "hex").toString("base64"))!
    assert.isUndefined(Audit.checkSignature(v.signedHead, key))
    assert.strictEqual(Audit.parsePublicKey(v.publicKey)!.keyId, key.keyId)
    for (const proof of v.inclusion) assert.isUndefined(Audit.checkInclusion(proof))
    for (const proof of v.consistency) assert.isUndefined(Audit.checkConsistency(proof))
    assert.strictEqual(v.rootHashes[v.rootHashes.length - 1], v.signedHead.rootHash)
    assert.strictEqual(v.leafHashes[0], Merkle.leafHash(v.lines[0]))
  })

  it.skipIf(!hasPython)("checks with docs/verify_proof.py (every proof, and the signed head of the last tree)", () => {
    const v = JSON.parse(fs.readFileSync(file, "utf8"))
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-vectors-"))
    try {
      const head = path.join(dir, "head.json")
      const key = path.join(dir, "key.pub")
      fs.writeFileSync(head, JSON.stringify(v.signedHead))
      fs.writeFileSync(key, v.publicKey)
      for (const [i, proof] of [...v.inclusion, ...v.consistency].entries()) {
        const p = path.join(dir, `proof-${i}.json`)
        fs.writeFileSync(p, JSON.stringify(proof))
        const atHead = (proof.treeSize ?? proof.secondSize) === v.signedHead.treeSize
        const run = spawnSync("python3", [verifier, p, ...(atHead ? ["--head", head, "--public-key", key] : [])], {
          encoding: "utf8"
        })
        assert.strictEqual(run.status, 0, run.stderr)
        assert.match(run.stdout, /^OK: /)
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
