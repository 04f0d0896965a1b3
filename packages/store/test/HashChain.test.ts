import { assert, describe, it } from "@effect/vitest"
import canonicalize from "canonicalize"
import { FastCheck as fc } from "effect"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { HashChain, Ndjson } from "../src/index.js"
import type { EventStore } from "../src/index.js"

const vectors = fs
  .readFileSync(fileURLToPath(new URL("../../fixtures/data/chain.ndjson", import.meta.url)), "utf8")
  .split("\n")
  .filter((line) => line !== "")
  .map((line) => JSON.parse(line) as EventStore.StoredEvent)

describe("HashChain", () => {
  it("reproduces the three hashes of vectors/chain.ndjson", () => {
    assert.strictEqual(vectors.length, 3)
    let prev = HashChain.genesis
    for (const event of vectors) {
      assert.strictEqual(event.prevHash, prev)
      const { hash, ...withoutHash } = event
      assert.strictEqual(HashChain.hashOf(withoutHash), hash)
      prev = hash
    }
  })

  it("changing one character of the payload changes the hash", () => {
    const { hash, ...e } = vectors[2]!
    const tampered = { ...e, data: { ...(e.data as object), summary: "Tuyên truyền" } }
    assert.notStrictEqual(HashChain.hashOf(tampered as typeof e), hash)
  })

  it.prop(
    "the hand-written canonical envelope equals canonicalize of the whole line",
    [fc.jsonValue(), fc.string(), fc.string(), fc.nat(), fc.nat({ max: 9 })],
    ([data, id, by, position, version]) => {
      const e = {
        position,
        id,
        type: "ReportFiled",
        version,
        occurredAt: "2018-03-19T23:59:59+07:00",
        recordedAt: "2018-03-26T10:00:00+07:00",
        recordedBy: by,
        data,
        prevHash: HashChain.genesis
      }
      assert.strictEqual(HashChain.canonicalJson(e), canonicalize(e))
    }
  )

  it("exports a line with the ten fields in the order of the vectors", () => {
    const text = fs.readFileSync(fileURLToPath(new URL("../../fixtures/data/chain.ndjson", import.meta.url)), "utf8")
    const first = text.split("\n")[0]!
    assert.deepStrictEqual(Object.keys(JSON.parse(Ndjson.exportLine(vectors[0]!))), Object.keys(JSON.parse(first)))
    for (const v of vectors) {
      const line = Ndjson.exportLine(v)
      assert.deepStrictEqual(JSON.parse(line), v)
      // Compact, the payload in canonical key order, and stable when read back.
      assert.strictEqual(Ndjson.exportLine(JSON.parse(line)), line)
    }
    assert.strictEqual(
      Ndjson.exportLine(vectors[0]!),
      '{"position":1,"id":"018d5f3e-0000-7000-8000-000000000001","type":"UnitRegistered","version":1,' +
        '"occurredAt":"2018-01-01T00:00:00+07:00","recordedAt":"2018-01-02T09:15:00+07:00","recordedBy":"import",' +
        '"data":{"level":"province","name":"Tỉnh Tuyên Quang","unitId":"08"},' +
        '"prevHash":"0000000000000000000000000000000000000000000000000000000000000000",' +
        '"hash":"ebcb95d014881668cefc9de9e31e0ccb28ffc8c6a996f58a9a10101c577c1a26"}'
    )
  })
})
