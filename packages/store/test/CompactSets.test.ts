import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { DigestSet } from "../src/internal/DigestSet.js"
import { UuidSet } from "../src/internal/UuidSet.js"

describe("UuidSet", () => {
  it.prop(
    "answers as a Set of the UUIDs added, through growth",
    [fc.array(fc.uuid(), { maxLength: 3000 })],
    ([ids]) => {
      const set = new UuidSet(4)
      const reference = new Set<string>()
      for (const id of [...ids, ...ids.slice(0, 50)]) {
        assert.strictEqual(set.add(id), !reference.has(id))
        reference.add(id)
      }
    }
  )

  it("reports anything that is not a UUID as possibly seen", () => {
    const set = new UuidSet()
    assert.isFalse(set.add("not-a-uuid"))
    assert.isFalse(set.add("zzzzzzzz-0000-4000-8000-000000000000"))
    assert.isTrue(set.add("00000000-0000-0000-0000-000000000000"))
    assert.isFalse(set.add("00000000-0000-0000-0000-000000000000"))
  })
})

describe("DigestSet", () => {
  it.prop(
    "never misses a string added, through growth; a string not added is almost never a hit",
    [fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 3000 })],
    ([texts]) => {
      const set = new DigestSet(4)
      const added = texts.filter((_, i) => i % 2 === 0)
      for (const text of added) set.add(text)
      for (const text of added) assert.isTrue(set.has(text))
      const falseHits = texts.filter((t, i) => i % 2 === 1 && set.has(t)).length
      assert.isAtMost(falseHits, 1)
    }
  )
})
