/**
 * The map's join of units to the 2025 communes' centres follows the ids of
 * decision 0008: `CODE@DATE` for a new commune, the bare code for one that
 * carried on under the same name; a bare code under another name is a 2017
 * commune and gets no point.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Centre } from "../src/app/Coordinates.js"
import { communeCodeOf } from "../src/app/Coordinates.js"

const centres = new Map<string, Centre>([
  ["00004", [21.0386, 105.838, "Phường Ba Đình"]],
  ["02200", [21.8, 105.2, "Phường Minh Xuân"]]
])

describe("the map's join of units to the 2025 communes", () => {
  it("takes a new commune's CODE@DATE id on or after 1 July 2025", () => {
    assert.strictEqual(communeCodeOf("00004@2025-07-01", "Phường Ba Đình", centres), "00004")
    assert.isUndefined(communeCodeOf("00004@2018-01-01", "Phường Ba Đình", centres))
  })

  it("takes a bare code only under the 2025 list's name for it (the same unit carried on)", () => {
    assert.strictEqual(communeCodeOf("02200", "Phường Minh Xuân", centres), "02200")
    assert.isUndefined(communeCodeOf("02200", "Xã Minh Xuân cũ", centres))
    assert.isUndefined(communeCodeOf("99999", "Xã Không Có", centres))
  })

  it("takes a hand-made id with the token 2025 and one five-digit code", () => {
    assert.strictEqual(communeCodeOf("2025-00004", "Ba Đình", centres), "00004")
    assert.isUndefined(communeCodeOf("2025-08", "Tỉnh Tuyên Quang", centres))
  })
})
