import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
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
