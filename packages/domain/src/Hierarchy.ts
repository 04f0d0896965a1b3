/**
 * The hierarchy at any instant: a unit's parent, whether it exists and is
 * open, its ancestors, and the tree of all units, each as far as a view of the
 * log (valid time `asOf`, knowledge time `knownAt`) tells.
 *
 * History stays true: a question about 2018 is answered with the parents of
 * 2018, whatever moves and merges came later.
 */
import { Schema } from "effect"
import type { ParentEntry, State, UnitRecord, View } from "./State.js"
import { visible } from "./State.js"

/** A view that sees every fact the log holds (the rules are checked against it). */
export const everything: View = { asOf: Number.POSITIVE_INFINITY, knownAt: Number.POSITIVE_INFINITY }

/** Whether the unit is registered at instant `t` (in the view). */
export const existsAt = (unit: UnitRecord, t: number, view: View): boolean =>
  unit.registered.at <= t && visible(unit.registered, view)

/** Whether the unit is closed at instant `t` (closed "from occurredAt", so at that instant too). */
export const closedAt = (unit: UnitRecord, t: number, view: View): boolean =>
  unit.closed !== undefined && unit.closed.stamp.at <= t && visible(unit.closed.stamp, view)

/** Whether the unit exists and is open at instant `t`. */
export const isOpenAt = (unit: UnitRecord, t: number, view: View): boolean =>
  existsAt(unit, t, view) && !closedAt(unit, t, view)

/**
 * The parent entry (registration or move) in force at instant `t`: the latest
 * that occurred at or before `t` and counts in the view.
 */
export const parentEntryAt = (unit: UnitRecord, t: number, view: View): ParentEntry | undefined => {
  const parents = unit.parents
  for (let i = parents.length - 1; i >= 0; i--) {
    const entry = parents[i]!
    if (entry.stamp.at <= t && visible(entry.stamp, view)) return entry
  }
  return undefined
}

/** The unit's parent at instant `t`, as far as the view tells. */
export const parentAt = (unit: UnitRecord, t: number, view: View): string | undefined =>
  parentEntryAt(unit, t, view)?.parentId

// Levels are strictly ordered, so a chain is at most four long; the bound only guards bad input.
const MAX_DEPTH = 16

/** The units above `unitId` at instant `t`, nearest first. */
export const ancestorsAt = (state: State, unitId: string, t: number, view: View): Array<string> => {
  const chain: Array<string> = []
  let current = state.units.get(unitId)
  while (current !== undefined && chain.length < MAX_DEPTH) {
    const parentId = parentAt(current, t, view)
    if (parentId === undefined) break
    chain.push(parentId)
    current = state.units.get(parentId)
  }
  return chain
}

/** Whether `unitId` is `ancestorId` or lies below it at instant `t`. */
export const isWithin = (state: State, unitId: string, ancestorId: string, t: number, view: View): boolean =>
  unitId === ancestorId || ancestorsAt(state, unitId, t, view).includes(ancestorId)

/** The units that are children of `unitId` and open at `t`. */
export const openChildrenAt = (state: State, unitId: string, t: number, view: View): Array<string> => {
  const result: Array<string> = []
  for (const childId of state.childrenEver.get(unitId) ?? []) {
    const child = state.units.get(childId)
    if (child !== undefined && isOpenAt(child, t, view) && parentAt(child, t, view) === unitId) result.push(childId)
  }
  return result.sort()
}

/** A tree of units at one instant: each unit's parent, and children in id order. */
export interface Tree {
  readonly parentOf: ReadonlyMap<string, string | undefined>
  readonly childrenOf: ReadonlyMap<string, ReadonlyArray<string>>
  readonly roots: ReadonlyArray<string>
}

/**
 * The tree of the given units at instant `t`. A unit whose parent is not among
 * them becomes a root, so any subset (open units only, units with a row) makes
 * a well-formed tree.
 */
export const treeOf = (state: State, unitIds: Iterable<string>, t: number, view: View): Tree => {
  const parentOf = new Map<string, string | undefined>()
  for (const id of unitIds) {
    const unit = state.units.get(id)
    parentOf.set(id, unit === undefined ? undefined : parentAt(unit, t, view))
  }
  const childrenOf = new Map<string, Array<string>>()
  const roots: Array<string> = []
  for (const [id, parentId] of parentOf) {
    if (parentId === undefined || !parentOf.has(parentId)) {
      roots.push(id)
    } else {
      const list = childrenOf.get(parentId)
      if (list === undefined) childrenOf.set(parentId, [id])
      else list.push(id)
    }
  }
  for (const list of childrenOf.values()) list.sort()
  roots.sort()
  return { parentOf, childrenOf, roots }
}

/** The units of a tree in depth-first order (a parent before its children), with their depth. */
export const depthFirst = (tree: Tree): Array<{ readonly unitId: string; readonly depth: number }> => {
  const out: Array<{ unitId: string; depth: number }> = []
  const stack: Array<{ unitId: string; depth: number }> = []
  for (let i = tree.roots.length - 1; i >= 0; i--) stack.push({ unitId: tree.roots[i]!, depth: 0 })
  while (stack.length > 0) {
    const item = stack.pop()!
    out.push(item)
    const children = tree.childrenOf.get(item.unitId) ?? []
    for (let i = children.length - 1; i >= 0; i--) stack.push({ unitId: children[i]!, depth: item.depth + 1 })
  }
  return out
}

/**
 * Keeps the rows of the subtree of `unit` (in a list ordered depth first with
 * `parentId`) down to `depth` levels below it; `undefined` keeps all, and
 * with neither the rows themselves are returned.
 */
export const selectSubtree = <R extends { readonly unitId: string; readonly parentId: string | null }>(
  rows: ReadonlyArray<R>,
  options: { readonly unit?: string | undefined; readonly depth?: number | undefined }
): ReadonlyArray<R> => {
  if (options.unit === undefined && options.depth === undefined) return rows
  const level = new Map<string, number>()
  const out: Array<R> = []
  for (const row of rows) {
    const parentLevel = row.parentId === null ? undefined : level.get(row.parentId)
    const mine =
      options.unit === undefined
        ? (parentLevel ?? -1) + 1
        : row.unitId === options.unit
          ? 0
          : parentLevel === undefined
            ? undefined
            : parentLevel + 1
    if (mine === undefined) continue
    level.set(row.unitId, mine)
    if (options.depth === undefined || mine <= options.depth) out.push(row)
  }
  return out
}

/** The open units in the view at `asOf`, with the tree they form. */
export const openTree = (state: State, view: View): { units: Array<UnitRecord>; tree: Tree } => {
  const units: Array<UnitRecord> = []
  for (const unit of state.units.values()) if (isOpenAt(unit, view.asOf, view)) units.push(unit)
  return {
    units,
    tree: treeOf(
      state,
      units.map((u) => u.unitId),
      view.asOf,
      view
    )
  }
}

/** One unit of a subtree, with its parent and its depth below the subtree's root. */
export const SubtreeRow = Schema.Struct({
  unitId: Schema.String,
  name: Schema.String,
  level: Schema.String,
  parentId: Schema.NullOr(Schema.String),
  depth: Schema.Number
}).annotations({ identifier: "SubtreeRow" })
export type SubtreeRow = typeof SubtreeRow.Type

/**
 * The open units of `unitId`'s subtree as the hierarchy stands at `asOf`
 * (depth first, the unit first), down to `depth` levels below it (all when
 * absent); `undefined` when the unit is not open then.
 */
export const subtreeAt = (
  state: State,
  unitId: string,
  view: View,
  depth?: number | undefined
): Array<SubtreeRow> | undefined => {
  const root = state.units.get(unitId)
  if (root === undefined || !isOpenAt(root, view.asOf, view)) return undefined
  const { tree } = openTree(state, view)
  const rows: Array<SubtreeRow> = []
  const stack: Array<{ unitId: string; depth: number }> = [{ unitId, depth: 0 }]
  while (stack.length > 0) {
    const item = stack.pop()!
    const unit = state.units.get(item.unitId)!
    rows.push({
      unitId: item.unitId,
      name: unit.name,
      level: unit.level,
      parentId: tree.parentOf.get(item.unitId) ?? null,
      depth: item.depth
    })
    if (depth !== undefined && item.depth >= depth) continue
    const children = tree.childrenOf.get(item.unitId) ?? []
    for (let i = children.length - 1; i >= 0; i--) stack.push({ unitId: children[i]!, depth: item.depth + 1 })
  }
  return rows
}
