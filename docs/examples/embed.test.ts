import { assert, it } from "@effect/vitest"
import { run } from "./embed.js"

it("the embedding example in docs/embedding.md runs and prints what the page says", () => {
  assert.deepStrictEqual(run(), [
    "accepted",
    "known at 2018-03-25: on time 0, missing 2",
    "known at 2018-03-31: on time 1, missing 1",
    "coverage of Tỉnh Tuyên Quang: null"
  ])
})
