/**
 * The compliance of a plan as a matrix, for a heat map: one row per unit (the
 * tree under the plan's issuer as it stood at `asOf`), one column per
 * (schedule, period) pair that any obligation of the plan has, and in each
 * cell the counts of the obligations of that column in the unit's subtree,
 * rolled up exactly as `Compliance.project` rolls up its totals (through the
 * hierarchy as it stood at each obligation's deadline).
 *
 * Columns come from the obligations themselves, never from a list of schedule
 * kinds, so a new kind of schedule (quarterly, yearly, a sub-plan due date)
 * gets its columns with no change here. A row's cells add up to its `total`
 * of `Compliance.project`; a reader can check any cell by adding the cells of
 * the rows below it and the unit's own obligation.
 */
import { Either } from "effect"
import * as Compliance from "./Compliance.js"
import { PlanNotFound } from "./Errors.js"
import type { UnitNotFound } from "./Errors.js"
import * as Hierarchy from "./Hierarchy.js"
import * as Obligations from "./Obligations.js"
import type { State, View } from "./State.js"
import * as StateModule from "./State.js"
import * as Time from "./Time.js"

/** One column: a schedule's period and its deadline (ISO instant). */
export interface Column {
  readonly scheduleId: string
  readonly period: string
  readonly deadline: string
}

/**
 * One cell: counts `[onTime, late, missing, pending]` of the column's
 * obligations in the unit's subtree (the unit's own included), and the status
 * of the unit's own obligation of that column, or `null` when it has none.
 */
export interface Cell {
  readonly counts: readonly [number, number, number, number]
  readonly own: Obligations.Status | null
}

/** One unit's row: where it sits, how many children it has, its totals and one cell per column (`null`: nothing owed). */
export interface Row {
  readonly unitId: string
  readonly name: string
  readonly level: string
  readonly parentId: string | null
  readonly depth: number
  readonly children: number
  readonly total: Compliance.Counts
  readonly cells: ReadonlyArray<Cell | null>
}

/** The matrix of one plan in one view. */
export interface Matrix {
  readonly planId: string
  readonly asOf: string
  readonly knownAt: string
  readonly columns: ReadonlyArray<Column>
  readonly rows: ReadonlyArray<Row>
}

/** What to project: as `Compliance.Query` (`unit` and `depth` select rows; columns are always the plan's). */
export type Query = Compliance.Query

const statusIndex = (status: Obligations.Status): number =>
  status === "on-time" ? 0 : status === "late" ? 1 : status === "missing" ? 2 : 3

const countsOf = (c: readonly [number, number, number, number]): Compliance.Counts => {
  const due = c[0] + c[1] + c[2]
  return {
    onTime: c[0],
    late: c[1],
    missing: c[2],
    pending: c[3],
    reportingRate: due === 0 ? null : (c[0] + c[1]) / due,
    onTimeRate: due === 0 ? null : c[0] / due
  }
}

/**
 * A plan's matrix in one view, counted but not yet laid out as rows: what a
 * caller keeps to answer several selections (`rows`) with one projection.
 */
export interface Prepared {
  readonly planId: string
  readonly asOf: string
  readonly knownAt: string
  readonly columns: ReadonlyArray<Column>
  /** The tree depth first: unit, name, level, parent, depth, number of children. */
  readonly skeleton: ReadonlyArray<{
    readonly unitId: string
    readonly name: string
    readonly level: string
    readonly parentId: string | null
    readonly depth: number
    readonly children: number
  }>
  /** Per unit, `[onTime, late, missing, pending]` per column, flattened. */
  readonly counts: ReadonlyMap<string, Int32Array>
  /** Per unit with obligations of its own, its status per column. */
  readonly own: ReadonlyMap<string, ReadonlyArray<Obligations.Status | null>>
}

/**
 * Counts the obligations of a plan in a view, per unit and column, rolled up.
 * Fails as `Compliance.project` does: the plan must be issued in the view,
 * and a `unit` asked for registered in it.
 */
export const prepare = (state: State, query: Query): Either.Either<Prepared, PlanNotFound | UnitNotFound> => {
  const view: View = { asOf: query.asOf, knownAt: query.knownAt }
  const plan = StateModule.plan(state, query.planId)
  if (plan === undefined || !StateModule.visible(plan.issued, view)) {
    return Either.left(new PlanNotFound({ planId: query.planId, role: "plan" }))
  }
  const missing = Compliance.requireUnit(state, query.unit, view)
  if (missing !== undefined) return Either.left(missing)
  const obligations = Obligations.ofPlan(state, plan, view)

  // Columns: every (schedule, period) pair, by deadline, then schedule, then period.
  const bySchedule = new Map<string, Map<string, number>>()
  const columns: Array<{ scheduleId: string; period: string; deadline: number }> = []
  for (const o of obligations) {
    let periods = bySchedule.get(o.scheduleId)
    if (periods === undefined) {
      periods = new Map()
      bySchedule.set(o.scheduleId, periods)
    }
    if (!periods.has(o.period)) {
      periods.set(o.period, columns.length)
      columns.push({ scheduleId: o.scheduleId, period: o.period, deadline: o.deadline })
    }
  }
  const order = columns
    .map((_, i) => i)
    .sort((a, b) => {
      const x = columns[a]!
      const y = columns[b]!
      return (
        x.deadline - y.deadline ||
        (x.scheduleId < y.scheduleId ? -1 : x.scheduleId > y.scheduleId ? 1 : 0) ||
        (x.period < y.period ? -1 : x.period > y.period ? 1 : 0)
      )
    })
  const slot = new Array<number>(columns.length)
  order.forEach((original, i) => (slot[original] = i))
  for (const periods of bySchedule.values()) for (const [period, i] of periods) periods.set(period, slot[i]!)

  const width = columns.length
  const counts = new Map<string, Int32Array>()
  const own = new Map<string, Array<Obligations.Status | null>>()
  const countsFor = (unitId: string): Int32Array => {
    let c = counts.get(unitId)
    if (c === undefined) {
      c = new Int32Array(width * 4)
      counts.set(unitId, c)
    }
    return c
  }
  const chains = new Map<number, Map<string, Array<string>>>()
  for (const o of obligations) {
    const column = bySchedule.get(o.scheduleId)!.get(o.period)!
    const at = column * 4 + statusIndex(o.status)
    countsFor(o.unitId)[at]!++
    let mine = own.get(o.unitId)
    if (mine === undefined) {
      mine = new Array<Obligations.Status | null>(width).fill(null)
      own.set(o.unitId, mine)
    }
    mine[column] = o.status
    let atDeadline = chains.get(o.deadline)
    if (atDeadline === undefined) {
      atDeadline = new Map()
      chains.set(o.deadline, atDeadline)
    }
    let chain = atDeadline.get(o.unitId)
    if (chain === undefined) {
      chain = Hierarchy.ancestorsAt(state, o.unitId, o.deadline, view)
      atDeadline.set(o.unitId, chain)
    }
    for (const ancestorId of chain) countsFor(ancestorId)[at]!++
  }

  const tree = Hierarchy.treeOf(state, counts.keys(), query.asOf, view)
  const skeleton: Array<Prepared["skeleton"][number]> = []
  for (const { depth, unitId } of Hierarchy.depthFirst(tree)) {
    const unit = StateModule.unit(state, unitId)
    skeleton.push({
      unitId,
      name: unit?.name ?? unitId,
      level: unit?.level ?? "unknown",
      parentId: tree.parentOf.get(unitId) ?? null,
      depth,
      children: tree.childrenOf.get(unitId)?.length ?? 0
    })
  }
  return Either.right({
    planId: plan.planId,
    asOf: Time.formatInstant(query.asOf),
    knownAt: Time.formatInstant(query.knownAt),
    columns: order.map((i) => {
      const c = columns[i]!
      return { scheduleId: c.scheduleId, period: c.period, deadline: Time.formatInstant(c.deadline) }
    }),
    skeleton,
    counts,
    own
  })
}

/** The rows of a prepared matrix under `unit` down to `depth` levels (as `Compliance.project` selects). */
export const rows = (
  prepared: Prepared,
  options: { readonly unit?: string | undefined; readonly depth?: number | undefined }
): Matrix => {
  const width = prepared.columns.length
  const selected = Hierarchy.selectSubtree(prepared.skeleton, options)
  return {
    planId: prepared.planId,
    asOf: prepared.asOf,
    knownAt: prepared.knownAt,
    columns: prepared.columns,
    rows: selected.map((row) => {
      const c = prepared.counts.get(row.unitId)!
      const mine = prepared.own.get(row.unitId)
      const total: [number, number, number, number] = [0, 0, 0, 0]
      const cells: Array<Cell | null> = []
      for (let i = 0; i < width; i++) {
        const cell: [number, number, number, number] = [c[i * 4]!, c[i * 4 + 1]!, c[i * 4 + 2]!, c[i * 4 + 3]!]
        for (let k = 0; k < 4; k++) total[k] += cell[k]!
        cells.push(cell[0] + cell[1] + cell[2] + cell[3] === 0 ? null : { counts: cell, own: mine?.[i] ?? null })
      }
      return { ...row, total: countsOf(total), cells }
    })
  }
}

/**
 * Projects the matrix of a plan. Fails as `Compliance.project` does: the plan
 * must be issued in the view, and a `unit` asked for registered in it.
 */
export const project = (state: State, query: Query): Either.Either<Matrix, PlanNotFound | UnitNotFound> =>
  Either.map(prepare(state, query), (prepared) => rows(prepared, { unit: query.unit, depth: query.depth }))
