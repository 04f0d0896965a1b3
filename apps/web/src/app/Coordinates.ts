/**
 * Which point on the map a unit is: the centre of a commune after the
 * reorganisation of 1 July 2025, from `data/communes-2025-07-01.json` (GSO
 * codes and names). The join follows the ids of the 2025 units (decision 0008):
 *
 * - `CODE@DATE` with a date on or after 2025-07-01: a new commune whose code an
 *   earlier unit held (3,316 of the 3,321 communes);
 * - a bare five-digit code whose name is the 2025 list's name for that code: a
 *   commune that carried on as the same unit (same code, level and name);
 * - an id with the token `2025` and one five-digit code (`2025-00097`), as
 *   hand-made logs write them.
 *
 * A bare code under another name is a commune of the 2017 list, another unit on
 * other territory: it is never drawn at a 2025 centre.
 */

/** A 2025 commune: its centre and its name. */
export type Centre = readonly [lat: number, lon: number, name: string]

/** The 2025 GSO commune code a unit (id and name) stands for, or `undefined` (no point on the map). */
export const communeCodeOf = (
  unitId: string,
  name: string,
  centres: ReadonlyMap<string, Centre>
): string | undefined => {
  const dated = /^(\d{5})@(\d{4}-\d{2}-\d{2})$/.exec(unitId)
  if (dated !== null) return dated[2]! >= "2025-07-01" ? dated[1] : undefined
  if (/^\d{5}$/.test(unitId)) return centres.get(unitId)?.[2] === name ? unitId : undefined
  const tokens = unitId.split(/[^0-9]+/).filter((s) => s !== "")
  if (!tokens.includes("2025")) return undefined
  const codes = tokens.filter((s) => s.length === 5)
  return codes.length === 1 ? codes[0] : undefined
}
