/**
 * The coverage projection (DOMAIN.md §4.2): per open unit, with the hierarchy
 * as it stands at `asOf`, how many open residential areas lie in its subtree,
 * how many have at least one active model (of a kind, default any), the share,
 * and the households and commitments of the active models in its subtree;
 * optionally restricted to a tag (`key-area`, `program-135`, `new-rural`).
 * For a plan, the share of open units at each level under the issuer that are
 * assigned to it.
 */
import { Either, Schema } from "effect"
import { Level, levelRank } from "./Events.js"
import { PlanNotFound, UnitNotFound } from "./Errors.js"
import { requireUnit } from "./Compliance.js"
import * as Hierarchy from "./Hierarchy.js"
import type { ModelRecord, State, View } from "./State.js"
import { visible } from "./State.js"
import * as Time from "./Time.js"

/** One open unit's coverage. */
export const CoverageRow = Schema.Struct({
  unitId: Schema.String,
  name: Schema.String,
  level: Schema.String,
  parentId: Schema.NullOr(Schema.String),
  residentialAreas: Schema.Number,
  covered: Schema.Number,
  /** `covered / residentialAreas`, `null` when there are none. */
  coverage: Schema.NullOr(Schema.Number),
  households: Schema.Number,
  committed: Schema.Number
}).annotations({ identifier: "CoverageUnitRow" })
export type CoverageRow = typeof CoverageRow.Type

/** The share of open units at one level under a plan's issuer that are assigned to it. */
export const PlanLevel = Schema.Struct({
  level: Level,
  units: Schema.Number,
  assigned: Schema.Number,
  /** `assigned / units`, `null` when there are none. */
  share: Schema.NullOr(Schema.Number)
}).annotations({ identifier: "PlanLevel" })
export type PlanLevel = typeof PlanLevel.Type

/** A plan's assignment shares, level by level under its issuer. */
export const PlanShares = Schema.Struct({
  planId: Schema.String,
  issuerId: Schema.String,
  levels: Schema.Array(PlanLevel)
}).annotations({ identifier: "PlanShares" })

const coverageOf = <R extends Schema.Schema.Any>(row: R) =>
  Schema.Struct({
    asOf: Schema.String,
    knownAt: Schema.String,
    kind: Schema.optional(Schema.String),
    tag: Schema.optional(Schema.String),
    plan: Schema.optional(PlanShares),
    units: Schema.Array(row)
  })

/** The coverage report (with `kind`, `tag` and `plan` when asked), each row with its parent. */
export const Coverage = coverageOf(CoverageRow).annotations({ identifier: "CoverageReport" })
export type Coverage = typeof Coverage.Type

/** A coverage row as the JSON contract of DOMAIN.md §5 lists it: the domain row without `parentId`. */
export const ContractRow = CoverageRow.pipe(Schema.omit("parentId")).annotations({ identifier: "CoverageRow" })
export type ContractRow = typeof ContractRow.Type

/** The coverage report as the JSON of DOMAIN.md §5: the CLI's `--format json` and `GET /coverage`. */
export const Contract = coverageOf(ContractRow).annotations({ identifier: "Coverage" })
export type Contract = typeof Contract.Type

/** What to project. */
export interface Query {
  /** Valid time, epoch milliseconds. */
  readonly asOf: number
  /** Knowledge time, epoch milliseconds. */
  readonly knownAt: number
  /** Count only models of this kind (default: any). */
  readonly kind?: string | undefined
  /** Count only residential areas that carry the tag or lie under a unit that does. */
  readonly tag?: string | undefined
  /** Also report the plan's assignment shares, level by level under its issuer. */
  readonly planId?: string | undefined
  /** Keep only this unit's subtree. */
  readonly unit?: string | undefined
  /** Keep rows down to this many levels below the top row. */
  readonly depth?: number | undefined
}

/**
 * The coverage report as the JSON contract of DOMAIN.md §5 prints it: the
 * same report, each unit row with exactly `unitId, name, level,
 * residentialAreas, covered, coverage, households, committed`. The CLI's
 * `--format json` and the server's `GET /coverage` both answer with it.
 */
export const toContract = ({ units, ...rest }: Coverage): Contract => ({
  ...rest,
  units: units.map((u) => ({
    unitId: u.unitId,
    name: u.name,
    level: u.level,
    residentialAreas: u.residentialAreas,
    covered: u.covered,
    coverage: u.coverage,
    households: u.households,
    committed: u.committed
  }))
})

/** Whether a model counts in the view at `asOf`: established, not dissolved, of the kind asked. */
export const isActive = (model: ModelRecord, view: View, kind: string | undefined): boolean =>
  visible(model.established, view) &&
  !(model.dissolved !== undefined && visible(model.dissolved, view)) &&
  (kind === undefined || model.kind === kind)

/**
 * Tag inheritance (DOMAIN.md §4.2): a unit carries a tag (`key-area`,
 * `program-135`, `new-rural`) when it has it itself or lies under a unit that
 * has it, in the tree as it stands at the view's `asOf`. The units of the tree
 * that carry `tag`, marked once from the roots down.
 */
export const taggedUnits = (state: State, tree: Hierarchy.Tree, tag: string): Set<string> => {
  const tagged = new Set<string>()
  for (const { unitId } of Hierarchy.depthFirst(tree)) {
    const parentId = tree.parentOf.get(unitId)
    if ((parentId !== undefined && tagged.has(parentId)) || state.units.get(unitId)!.tags.includes(tag)) {
      tagged.add(unitId)
    }
  }
  return tagged
}

class Sums {
  residentialAreas = 0
  covered = 0
  households = 0
  committed = 0
}

/**
 * Projects coverage; `PlanNotFound` when a plan is asked for and not issued in
 * the view, `UnitNotFound` when a unit is asked for and not registered in it.
 */
export const project = (state: State, query: Query): Either.Either<Coverage, PlanNotFound | UnitNotFound> => {
  const view: View = { asOf: query.asOf, knownAt: query.knownAt }
  const missing = requireUnit(state, query.unit, view)
  if (missing !== undefined) return Either.left(missing)
  const { tree, units } = Hierarchy.openTree(state, view)
  const sums = new Map<string, Sums>()
  for (const unit of units) sums.set(unit.unitId, new Sums())

  const tagged = query.tag === undefined ? undefined : taggedUnits(state, tree, query.tag)
  const counts = (unitId: string) => tagged === undefined || tagged.has(unitId)

  const addUp = (unitId: string, f: (s: Sums) => void): void => {
    let id: string | undefined = unitId
    let guard = 0
    while (id !== undefined && guard++ < 16) {
      const s = sums.get(id)
      if (s === undefined) break
      f(s)
      id = tree.parentOf.get(id)
    }
  }

  for (const unit of units) {
    if (!counts(unit.unitId)) continue
    const models = state.modelsByUnit.get(unit.unitId)
    let households = 0
    let committed = 0
    let covered = false
    if (models !== undefined) {
      for (const model of models) {
        if (!isActive(model, view, query.kind)) continue
        covered = true
        households += model.households
        committed += model.committed
      }
    }
    const isArea = unit.level === "residential-area"
    if (!isArea && households === 0 && committed === 0) continue
    addUp(unit.unitId, (s) => {
      if (isArea) {
        s.residentialAreas++
        if (covered) s.covered++
      }
      s.households += households
      s.committed += committed
    })
  }

  const rows: Array<CoverageRow> = []
  for (const { unitId } of Hierarchy.depthFirst(tree)) {
    const unit = state.units.get(unitId)!
    const s = sums.get(unitId)!
    rows.push({
      unitId,
      name: unit.name,
      level: unit.level,
      parentId: tree.parentOf.get(unitId) ?? null,
      residentialAreas: s.residentialAreas,
      covered: s.covered,
      coverage: s.residentialAreas === 0 ? null : s.covered / s.residentialAreas,
      households: s.households,
      committed: s.committed
    })
  }

  let plan: Coverage["plan"]
  if (query.planId !== undefined) {
    const record = state.plans.get(query.planId)
    if (record === undefined || !visible(record.issued, view)) {
      return Either.left(new PlanNotFound({ planId: query.planId, role: "plan" }))
    }
    plan = { planId: record.planId, issuerId: record.issuerId, levels: planLevels(state, tree, record, view) }
  }

  const selected = Hierarchy.selectSubtree(rows, { unit: query.unit, depth: query.depth })
  return Either.right({
    asOf: Time.formatInstant(query.asOf),
    knownAt: Time.formatInstant(query.knownAt),
    ...(query.kind === undefined ? {} : { kind: query.kind }),
    ...(query.tag === undefined ? {} : { tag: query.tag }),
    ...(plan === undefined ? {} : { plan }),
    units: selected
  })
}

const planLevels = (
  state: State,
  tree: Hierarchy.Tree,
  plan: NonNullable<ReturnType<State["plans"]["get"]>>,
  view: View
): Array<PlanLevel> => {
  const byLevel = new Map<Level, { units: number; assigned: number }>()
  const issuer = state.units.get(plan.issuerId)
  if (issuer === undefined || !tree.parentOf.has(plan.issuerId)) return []
  const stack = [...(tree.childrenOf.get(plan.issuerId) ?? [])]
  while (stack.length > 0) {
    const unitId = stack.pop()!
    const unit = state.units.get(unitId)!
    let entry = byLevel.get(unit.level)
    if (entry === undefined) {
      entry = { units: 0, assigned: 0 }
      byLevel.set(unit.level, entry)
    }
    entry.units++
    const assignment = plan.assignments.get(unitId)
    if (assignment !== undefined && visible(assignment.stamp, view)) entry.assigned++
    for (const child of tree.childrenOf.get(unitId) ?? []) stack.push(child)
  }
  return [...byLevel.entries()]
    .sort(([a], [b]) => levelRank[a] - levelRank[b])
    .map(([level, { assigned, units }]) => ({ level, units, assigned, share: units === 0 ? null : assigned / units }))
}
