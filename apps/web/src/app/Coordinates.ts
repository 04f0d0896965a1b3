/**
 * Which point on the map a unit is: the centre of a commune after the
 * reorganisation of 1 July 2025, from `data/communes-2025-07-01.json` (GSO
 * codes). The join is this one function of the unit id, so that it follows
 * whatever ids the 2025 communes get in the log (issue 12 decides them).
 *
 * A unit id names a 2025 commune when it carries the token `2025` and one
 * five-digit GSO commune code (`2025-00097`, `00097@2025`, `vn2025/00097`).
 * A bare five-digit id is a commune of the 2017 list: a 2025 commune that kept
 * an old code is another unit on other territory, so it is never drawn at the
 * new commune's centre.
 */

/** The 2025 GSO commune code a unit id names, or `undefined` (no point on the map). */
export const communeCodeOf = (unitId: string): string | undefined => {
  const tokens = unitId.split(/[^0-9]+/).filter((s) => s !== "")
  if (!tokens.includes("2025")) return undefined
  const codes = tokens.filter((s) => s.length === 5)
  return codes.length === 1 ? codes[0] : undefined
}
