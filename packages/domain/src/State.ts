/**
 * The state folded from the log: every fact the log holds, indexed, each
 * stamped with its valid time, knowledge time and position, so that any
 * projection can be asked "as of" any valid time and "known at" any knowledge
 * time without folding again.
 *
 * `evolve` updates the state in place and returns it: a national log holds
 * millions of events, and copying maps per event would make the fold
 * quadratic. The state is still a pure function of the events folded into it:
 * folding the same events, in one pass or in chunks, gives the same state.
 *
 * The reports of a plan are most of a log, and only the plans someone asks
 * about need them: a plan's report records may be left out of memory (the
 * plan is *cold*, its reports are in the log) and loaded again when needed
 * (`warm`), by an adapter that reads them from the log. Every reader of report
 * records throws `ColdPlan` on a cold plan rather than answer from missing data.
 */
import type { ChannelReading, Level, RecordedEvent, ReportFiled, Schedule, Task } from "./Events.js"
import * as Time from "./Time.js"

/** When a fact became true (valid time), when the log learnt it (knowledge time), and where it is in the log. */
export interface Stamp {
  /** `occurredAt`, epoch milliseconds. */
  readonly at: number
  /** `recordedAt`, epoch milliseconds. */
  readonly rec: number
  /** `position` in the log. */
  readonly position: number
}

/** The two times a projection is asked at, as epoch milliseconds. */
export interface View {
  /** Valid time: only facts with `occurredAt <= asOf` count. */
  readonly asOf: number
  /** Knowledge time: only facts with `recordedAt <= knownAt` count. */
  readonly knownAt: number
}

/**
 * The view a query asks for: an absent valid time or knowledge time means now,
 * the caller's clock (the domain reads none), in the CLI and the server alike.
 */
export const viewOf = (
  query: { readonly asOf?: number | undefined; readonly knownAt?: number | undefined },
  now: number
): View => ({ asOf: query.asOf ?? now, knownAt: query.knownAt ?? now })

/** Whether a fact counts in a view. */
export const visible = (stamp: Stamp, view: View): boolean => stamp.at <= view.asOf && stamp.rec <= view.knownAt

/** One entry of a unit's parent timeline. */
export interface ParentEntry {
  readonly stamp: Stamp
  readonly parentId: string | undefined
}

/** A unit and its history. */
export interface UnitRecord {
  readonly unitId: string
  readonly name: string
  readonly level: Level
  readonly tags: ReadonlyArray<string>
  readonly registered: Stamp
  /** Parent timeline sorted by valid time, then position; the first entry is the registration. */
  readonly parents: Array<ParentEntry>
  closed: { readonly stamp: Stamp; readonly successorId: string | undefined } | undefined
}

/** A unit's assignment to a plan. */
export interface AssignmentRecord {
  readonly unitId: string
  readonly stamp: Stamp
  /** The scheduleIds it reports on. */
  readonly scheduleIds: ReadonlyArray<string>
  readonly tasks: ReadonlyArray<string> | undefined
  readonly subPlanDueBy: string | undefined
}

/**
 * The reports of one plan held in memory: by unit, then schedule, then period,
 * the first report filed for that obligation (later ones follow `next`).
 * Nested maps on the payload's own strings: no key is built per report.
 */
export type PlanReports = Map<string, Map<string, Map<string, ReportRecord>>>

/**
 * A filed report: when (it is its own `Stamp`, one object per report), its
 * payload as recorded, and how it relates to the other reports of its obligation.
 */
export interface ReportRecord extends Stamp {
  readonly reportId: string
  /** How it reached the log (DOMAIN.md "Filing time"): `"stated"` for a version-1 line. */
  readonly channel: ChannelReading
  /** The incoming register number (số đến) of a paper filing. */
  readonly registerNumber: string | undefined
  /** The report this one corrects, as filed. */
  readonly supersedes: string | undefined
  /** The report that corrects this one, if any. */
  supersededBy: string | undefined
  /** The next report filed for the same obligation, in log order (most obligations have one report: no array each). */
  next: ReportRecord | undefined
}

/** A plan, its assignments, and the reports filed against it. */
export interface PlanRecord {
  readonly planId: string
  readonly documentNumber: string
  readonly title: string
  readonly issuerId: string
  readonly parentPlanId: string | undefined
  readonly basis: ReadonlyArray<string>
  readonly tasks: ReadonlyArray<Task>
  readonly effectiveFrom: string
  readonly effectiveUntil: string
  readonly schedules: ReadonlyArray<Schedule>
  readonly issued: Stamp
  readonly assignments: Map<string, AssignmentRecord>
  /** Plans that implement this one, by issuer. */
  readonly subPlans: Map<string, Array<PlanRecord>>
}

/** A self-managed model (mô hình tự quản) or any other kind. */
export interface ModelRecord {
  readonly modelId: string
  readonly unitId: string
  readonly kind: string
  readonly name: string
  readonly planId: string | undefined
  readonly households: number
  readonly committed: number
  readonly established: Stamp
  dissolved: Stamp | undefined
}

/** Everything the log says, indexed. */
export interface State {
  readonly units: Map<string, UnitRecord>
  /** Every unit that ever had a given parent. */
  readonly childrenEver: Map<string, Set<string>>
  readonly plans: Map<string, PlanRecord>
  /** planId by `issuerId \u0000 documentNumber`. */
  readonly documents: Map<string, string>
  /**
   * Reports by reportId, with the obligation each is filed for, built on first
   * use by `reportById` when no adapter resolved the ids (a state folded in
   * memory, every plan warm) and kept current after.
   */
  reportIndex: Map<string, FiledReport> | undefined
  readonly models: Map<string, ModelRecord>
  readonly modelsByUnit: Map<string, Array<ModelRecord>>
  /** Sub-plans whose parent plan is not (yet) in the log, by parentPlanId. */
  readonly orphanSubPlans: Map<string, Array<PlanRecord>>
  /**
   * The reports of the *warm* plans, by planId: every report of the plan
   * folded so far. A plan of `plans` absent here is *cold*: its reports are in
   * the log only (see `warm`, `release`).
   */
  readonly reports: Map<string, PlanReports>
  /** How many report records `reports` holds. */
  heldReports: number
  /**
   * For the batch being decided, what the adapter looked up in the log: each
   * report id the batch names, with the plan holding it (warmed), or
   * `undefined` when no report has it (see `resolveReportIds`).
   */
  resolvedReportIds: ReadonlyMap<string, string | undefined> | undefined
  /** While ids are resolved: the reports the batch itself filed so far. */
  batchReports: Map<string, FiledReport> | undefined
  /** Position of the last event folded (0 for none). */
  position: number
  /** `recordedAt` of the last event folded, epoch ms (-Infinity for none). */
  lastRecordedAt: number
  /** `recordedAt` of the last event folded, as written. */
  lastRecordedAtText: string | undefined
  /** While the decider has a batch open, how to undo each change it made (see `Decider`). */
  journal: Array<() => void> | undefined
  /** The plan of the last report folded, and its reports: consecutive reports of one plan look them up once. */
  lastPlan: PlanRecord | undefined
  lastPlanReports: PlanReports | undefined
  /** The last `recordedAt` text parsed, and its value: a batch recorded at once shares one. */
  lastInstantText: string
  lastInstantValue: number | undefined
}

/** The state of an empty log. */
export const empty = (): State => ({
  units: new Map(),
  childrenEver: new Map(),
  plans: new Map(),
  documents: new Map(),
  reportIndex: undefined,
  models: new Map(),
  modelsByUnit: new Map(),
  orphanSubPlans: new Map(),
  reports: new Map(),
  heldReports: 0,
  resolvedReportIds: undefined,
  batchReports: undefined,
  position: 0,
  lastRecordedAt: Number.NEGATIVE_INFINITY,
  lastRecordedAtText: undefined,
  journal: undefined,
  lastPlan: undefined,
  lastPlanReports: undefined,
  lastInstantText: "",
  lastInstantValue: undefined
})

/**
 * A read of report records of a plan whose reports are not in memory. It is
 * a defect of the adapter (which must `warm` the plans it projects or
 * decides on), thrown rather than answered from missing data.
 */
export class ColdPlan extends Error {
  constructor(readonly planId: string) {
    super(`the reports of plan ${planId} are not in memory: the adapter must warm the plan (State.warm) first`)
    this.name = "ColdPlan"
  }
}

/**
 * A read of a report id while some plans are cold, that the adapter did not
 * look up in the log first (`resolveReportIds`): a defect, as `ColdPlan`.
 */
export class UnresolvedReportId extends Error {
  constructor(readonly reportId: string) {
    super(
      `report id ${reportId} was not looked up in the log while some plans are cold: the adapter must resolve the batch's report ids (State.resolveReportIds) first`
    )
    this.name = "UnresolvedReportId"
  }
}

/** The reports of a plan held in memory; throws `ColdPlan` when the plan is cold. */
export const reportsOfPlan = (state: State, planId: string): PlanReports => {
  const reports = state.reports.get(planId)
  if (reports === undefined) throw new ColdPlan(planId)
  return reports
}

/** The first report filed for one obligation of a plan (later ones follow `next`); throws `ColdPlan` on a cold plan. */
export const firstReport = (
  state: State,
  plan: PlanRecord,
  unitId: string,
  scheduleId: string,
  period: string
): ReportRecord | undefined => reportsOfPlan(state, plan.planId).get(unitId)?.get(scheduleId)?.get(period)

/** The first report filed for each period of one schedule of a unit under a plan; throws `ColdPlan` on a cold plan. */
export const reportsBySchedule = (
  state: State,
  plan: PlanRecord,
  unitId: string,
  scheduleId: string
): ReadonlyMap<string, ReportRecord> | undefined => reportsOfPlan(state, plan.planId).get(unitId)?.get(scheduleId)

/** A filed report and the obligation (plan, unit, schedule, period) it is filed for. */
export interface FiledReport {
  readonly report: ReportRecord
  readonly planId: string
  readonly unitId: string
  readonly scheduleId: string
  readonly period: string
}

const indexPlan = (index: Map<string, FiledReport>, planId: string, reports: PlanReports): void => {
  for (const [unitId, bySchedule] of reports) {
    for (const [scheduleId, byPeriod] of bySchedule) {
      for (const [period, first] of byPeriod) {
        for (let r: ReportRecord | undefined = first; r !== undefined; r = r.next) {
          index.set(r.reportId, { report: r, planId, unitId, scheduleId, period })
        }
      }
    }
  }
}

/** The report with this id among one plan's reports (warm), and its obligation. */
const findInPlan = (state: State, planId: string, reportId: string): FiledReport | undefined => {
  for (const [unitId, bySchedule] of reportsOfPlan(state, planId)) {
    for (const [scheduleId, byPeriod] of bySchedule) {
      for (const [period, first] of byPeriod) {
        for (let r: ReportRecord | undefined = first; r !== undefined; r = r.next) {
          if (r.reportId === reportId) return { report: r, planId, unitId, scheduleId, period }
        }
      }
    }
  }
  return undefined
}

/**
 * The report with this id, if filed, and its obligation. For an id the
 * adapter resolved (`resolveReportIds`): from the batch's own reports, or the
 * plan the log holds it in (scanned: a plan holds hundreds of reports, and no
 * index of every report is kept in memory). Otherwise, on a state with every
 * plan warm, from an index of every report built on first use; with some plans
 * cold, an unresolved id throws `UnresolvedReportId`.
 */
export const reportById = (state: State, reportId: string): FiledReport | undefined => {
  const resolved = state.resolvedReportIds
  if (resolved !== undefined && resolved.has(reportId)) {
    const filed = state.batchReports?.get(reportId)
    if (filed !== undefined) return filed
    const planId = resolved.get(reportId)
    return planId === undefined ? undefined : findInPlan(state, planId, reportId)
  }
  if (coldPlans(state) > 0) throw new UnresolvedReportId(reportId)
  let index = state.reportIndex
  if (index === undefined) {
    index = new Map()
    for (const [planId, reports] of state.reports) indexPlan(index, planId, reports)
    state.reportIndex = index
  }
  return index.get(reportId)
}

/**
 * The report of one obligation with this id, if the plan is warm and it is
 * filed there (what an adapter checks before looking a correction's target up
 * in the log: a correction names a report of its own obligation).
 */
export const reportOfObligation = (
  state: State,
  planId: string,
  unitId: string,
  scheduleId: string,
  period: string,
  reportId: string
): boolean => {
  let r = state.reports.get(planId)?.get(unitId)?.get(scheduleId)?.get(period)
  for (; r !== undefined; r = r.next) if (r.reportId === reportId) return true
  return false
}

/** The reports filed for one obligation of a plan, in log order; throws `ColdPlan` on a cold plan. */
export const reportsOf = (
  state: State,
  plan: PlanRecord,
  unitId: string,
  scheduleId: string,
  period: string
): Array<ReportRecord> => {
  const out: Array<ReportRecord> = []
  for (let r = firstReport(state, plan, unitId, scheduleId, period); r !== undefined; r = r.next) out.push(r)
  return out
}

// ---------------------------------------------------------------------------
// Cold and warm plans

/** How many plans are cold (their reports not in memory). */
export const coldPlans = (state: State): number => state.plans.size - state.reports.size

/** Whether a plan's reports are in memory (an unknown plan is not). */
export const isWarm = (state: State, planId: string): boolean => state.reports.has(planId)

/** The warm plans' ids, in the order they became warm. */
export const warmPlans = (state: State): IterableIterator<string> => state.reports.keys()

/** How many report records the warm plans hold. */
export const heldReports = (state: State): number => state.heldReports

/** How many report records one warm plan holds (0 for a cold one). */
export const reportCount = (state: State, planId: string): number => {
  let n = 0
  for (const bySchedule of state.reports.get(planId)?.values() ?? []) {
    for (const byPeriod of bySchedule.values()) {
      for (const first of byPeriod.values())
        for (let r: ReportRecord | undefined = first; r !== undefined; r = r.next) n++
    }
  }
  return n
}

/**
 * Makes a cold plan warm: folds its reports, which the adapter read from the
 * log (every `ReportFiled` of the plan up to the state's position, in log
 * order; events of other types or plans are passed over). A warm or unknown
 * plan is left as it is. Not undoable: call it outside a batch.
 */
export const warm = (state: State, planId: string, events: Iterable<RecordedEvent>): void => {
  if (state.reports.has(planId) || !state.plans.has(planId) || state.journal !== undefined) return
  state.reports.set(planId, new Map())
  state.lastPlan = undefined
  for (const event of events) {
    if (event.type !== "ReportFiled" || event.data.planId !== planId || event.position > state.position) continue
    const rec = Time.parseInstant(event.recordedAt) ?? invalidTimes(event)
    const at =
      event.occurredAt === event.recordedAt ? rec : (Time.parseInstant(event.occurredAt) ?? invalidTimes(event))
    fileReport(state, event.data, at, rec, event.position)
  }
}

/**
 * Makes a plan cold: its report records leave memory (the log keeps them).
 * Not undoable: call it outside a batch.
 */
export const release = (state: State, planId: string): void => {
  const reports = state.reports.get(planId)
  if (reports === undefined || state.journal !== undefined) return
  const held = reportCount(state, planId)
  if (state.reportIndex !== undefined) {
    const index = new Map<string, FiledReport>()
    indexPlan(index, planId, reports)
    for (const reportId of index.keys()) state.reportIndex.delete(reportId)
  }
  state.reports.delete(planId)
  state.heldReports -= held
  state.lastPlan = undefined
  state.lastPlanReports = undefined
}

/**
 * Tells `reportById` what the adapter looked up in the log before deciding a
 * batch: every report id the batch names (`reportId`, `supersedes`), with the
 * plan holding it, whose reports the adapter warmed, or `undefined` for an id
 * no report has. `undefined` when the batch is decided.
 */
export const resolveReportIds = (
  state: State,
  reportIds: ReadonlyMap<string, string | undefined> | undefined
): void => {
  state.resolvedReportIds = reportIds
  state.batchReports = reportIds === undefined ? undefined : new Map()
}

/** The key of the pair (issuer, documentNumber). */
export const documentKey = (issuerId: string, documentNumber: string): string => `${issuerId}\u0000${documentNumber}`

// Consecutive events often share a timestamp text (a batch recorded at once): parse each text once.
const instantOf = (state: State, text: string): number | undefined => {
  if (text !== state.lastInstantText) {
    state.lastInstantValue = Time.parseInstant(text)
    state.lastInstantText = text
  }
  return state.lastInstantValue
}

/** Drops the lookups the state keeps to fold faster (after a batch is undone, they may name undone records). */
export const forgetCaches = (state: State): void => {
  state.lastPlan = undefined
  state.lastPlanReports = undefined
}

const invalidTimes = (event: RecordedEvent): never => {
  throw new RangeError(`event at position ${event.position} has an invalid occurredAt or recordedAt`)
}

// Every change `evolve` makes goes through these, so that a tentative batch can be undone.

const setEntry = <K, V>(state: State, map: Map<K, V>, key: K, value: V): void => {
  if (state.journal !== undefined) {
    const had = map.has(key)
    const previous = map.get(key)
    state.journal.push(() => {
      if (had) map.set(key, previous as V)
      else map.delete(key)
    })
  }
  map.set(key, value)
}

const setField = <O extends object, K extends keyof O>(state: State, target: O, key: K, value: O[K]): void => {
  if (state.journal !== undefined) {
    const previous = target[key]
    state.journal.push(() => {
      target[key] = previous
    })
  }
  target[key] = value
}

/** Inserts keeping the array sorted by valid time, then position (the log is nearly always in order). */
const insertByTime = <A extends { readonly stamp: Stamp }>(state: State, array: Array<A>, item: A): void => {
  let i = array.length
  while (i > 0) {
    const prev = array[i - 1]!.stamp
    if (prev.at < item.stamp.at || (prev.at === item.stamp.at && prev.position < item.stamp.position)) break
    i--
  }
  if (i === array.length) array.push(item)
  else array.splice(i, 0, item)
  state.journal?.push(() => {
    array.splice(array.indexOf(item), 1)
  })
}

const addChild = (state: State, parentId: string | undefined, unitId: string): void => {
  if (parentId === undefined) return
  let set = state.childrenEver.get(parentId)
  if (set === undefined) {
    set = new Set()
    setEntry(state, state.childrenEver, parentId, set)
  }
  if (!set.has(unitId)) {
    set.add(unitId)
    const added = set
    state.journal?.push(() => {
      added.delete(unitId)
    })
  }
}

const pushTo = <K, V>(state: State, map: Map<K, Array<V>>, key: K, value: V): void => {
  const list = map.get(key)
  if (list === undefined) {
    setEntry(state, map, key, [value])
  } else {
    list.push(value)
    state.journal?.push(() => {
      list.pop()
    })
  }
}

/**
 * Folds one recorded event into the state (in place) and returns the state.
 * It trusts the event: the rules are checked before an event is recorded (see
 * `Decide`), and a fold of the recorded log must not refuse its own history.
 * Facts about ids the state does not know are ignored rather than thrown on.
 */
export const evolve = (state: State, event: RecordedEvent): State => {
  const rec = instantOf(state, event.recordedAt) ?? invalidTimes(event)
  const at = event.occurredAt === event.recordedAt ? rec : (Time.parseInstant(event.occurredAt) ?? invalidTimes(event))
  const position = event.position
  state.position = position
  if (rec >= state.lastRecordedAt) {
    state.lastRecordedAt = rec
    state.lastRecordedAtText = event.recordedAt
  }
  if (event.type === "ReportFiled") {
    fileReport(state, event.data, at, rec, position)
    return state
  }
  const stamp: Stamp = { at, rec, position }
  switch (event.type) {
    case "UnitRegistered": {
      const d = event.data
      setEntry(state, state.units, d.unitId, {
        unitId: d.unitId,
        name: d.name,
        level: d.level,
        tags: d.tags ?? [],
        registered: stamp,
        parents: [{ stamp, parentId: d.parentId }],
        closed: undefined
      })
      addChild(state, d.parentId, d.unitId)
      break
    }
    case "UnitMoved": {
      const unit = state.units.get(event.data.unitId)
      if (unit === undefined) break
      insertByTime(state, unit.parents, { stamp, parentId: event.data.parentId })
      addChild(state, event.data.parentId, unit.unitId)
      break
    }
    case "UnitClosed": {
      const unit = state.units.get(event.data.unitId)
      if (unit === undefined) break
      setField(state, unit, "closed", { stamp, successorId: event.data.successorId })
      break
    }
    case "PlanIssued": {
      const d = event.data
      state.lastPlan = undefined
      const plan: PlanRecord = {
        planId: d.planId,
        documentNumber: d.documentNumber,
        title: d.title,
        issuerId: d.issuerId,
        parentPlanId: d.parentPlanId,
        basis: d.basis ?? [],
        tasks: d.tasks ?? [],
        effectiveFrom: d.effectiveFrom,
        effectiveUntil: d.effectiveUntil,
        schedules: d.schedules,
        issued: stamp,
        assignments: new Map(),
        subPlans: state.orphanSubPlans.get(d.planId) === undefined ? new Map() : regroup(state, d.planId)
      }
      setEntry(state, state.plans, d.planId, plan)
      // A plan new to the log has all its reports in memory: none yet.
      setEntry(state, state.reports, d.planId, new Map())
      setEntry(state, state.documents, documentKey(d.issuerId, d.documentNumber), d.planId)
      if (d.parentPlanId !== undefined) {
        const parent = state.plans.get(d.parentPlanId)
        if (parent !== undefined) pushTo(state, parent.subPlans, d.issuerId, plan)
        else pushTo(state, state.orphanSubPlans, d.parentPlanId, plan)
      }
      break
    }
    case "UnitAssigned": {
      const d = event.data
      const plan = state.plans.get(d.planId)
      if (plan === undefined) break
      setEntry(state, plan.assignments, d.unitId, {
        unitId: d.unitId,
        stamp,
        scheduleIds: d.schedules ?? plan.schedules.map((s) => s.scheduleId),
        tasks: d.tasks,
        subPlanDueBy: d.subPlanDueBy
      })
      break
    }
    case "ModelEstablished": {
      const d = event.data
      const model: ModelRecord = {
        modelId: d.modelId,
        unitId: d.unitId,
        kind: d.kind,
        name: d.name,
        planId: d.planId,
        households: d.households ?? 0,
        committed: d.committed ?? 0,
        established: stamp,
        dissolved: undefined
      }
      setEntry(state, state.models, d.modelId, model)
      pushTo(state, state.modelsByUnit, d.unitId, model)
      break
    }
    case "ModelDissolved": {
      const model = state.models.get(event.data.modelId)
      if (model !== undefined) setField(state, model, "dissolved", stamp)
      break
    }
  }
  return state
}

// Reports are most of a log: no key is built and no lookup repeated for consecutive reports of one plan.
// A report of a cold plan is passed over: the log has it, and warming the plan reads it from there.
const fileReport = (state: State, d: ReportFiled, at: number, rec: number, position: number): void => {
  let plan = state.lastPlan
  let reports = state.lastPlanReports
  if (plan === undefined || plan.planId !== d.planId) {
    plan = state.plans.get(d.planId)
    reports = state.reports.get(d.planId)
    state.lastPlan = plan
    state.lastPlanReports = reports
  }
  if (reports === undefined || plan?.assignments.has(d.unitId) !== true) return
  // The record keeps what the projections and the rules read, not the payload: the log has the rest.
  const report: ReportRecord = {
    at,
    rec,
    position,
    reportId: d.reportId,
    channel: d.channel ?? "stated",
    registerNumber: d.registerNumber,
    supersedes: d.supersedes,
    supersededBy: undefined,
    next: undefined
  }
  let bySchedule = reports.get(d.unitId)
  if (bySchedule === undefined) {
    bySchedule = new Map()
    setEntry(state, reports, d.unitId, bySchedule)
  }
  let byPeriod = bySchedule.get(d.scheduleId)
  if (byPeriod === undefined) {
    byPeriod = new Map()
    setEntry(state, bySchedule, d.scheduleId, byPeriod)
  }
  const first = byPeriod.get(d.period)
  if (first === undefined) {
    setEntry(state, byPeriod, d.period, report)
  } else {
    // A correction names a report of the same obligation (a rule), so it is found in this chain.
    let last = first
    for (;;) {
      if (last.reportId === d.supersedes) setField(state, last, "supersededBy", d.reportId)
      if (last.next === undefined) break
      last = last.next
    }
    setField(state, last, "next", report)
  }
  // The decider restores the count when it undoes a batch.
  state.heldReports++
  if (state.reportIndex !== undefined || state.batchReports !== undefined) {
    const filed = { report, planId: d.planId, unitId: d.unitId, scheduleId: d.scheduleId, period: d.period }
    if (state.reportIndex !== undefined) setEntry(state, state.reportIndex, d.reportId, filed)
    state.batchReports?.set(d.reportId, filed)
  }
}

const regroup = (state: State, planId: string): Map<string, Array<PlanRecord>> => {
  const byIssuer = new Map<string, Array<PlanRecord>>()
  const orphans = state.orphanSubPlans.get(planId) ?? []
  for (const sub of orphans) pushTo(state, byIssuer, sub.issuerId, sub)
  state.orphanSubPlans.delete(planId)
  state.journal?.push(() => {
    state.orphanSubPlans.set(planId, orphans)
  })
  return byIssuer
}

/** Folds events, in log order, into a state (a new one unless given). */
export const fold = (events: Iterable<RecordedEvent>, state: State = empty()): State => {
  for (const event of events) evolve(state, event)
  return state
}

// ---------------------------------------------------------------------------
// Named questions, for adapters: they ask these instead of reading the maps.

/** How far the state has folded the log: the position of the last event (0 for none). */
export const position = (state: State): number => state.position

/** The knowledge time of the last event folded, as written and as epoch milliseconds; `undefined` for none. */
export const lastRecordedAt = (state: State): { readonly text: string; readonly at: number } | undefined =>
  state.lastRecordedAtText === undefined ? undefined : { text: state.lastRecordedAtText, at: state.lastRecordedAt }

/** A unit by id, whatever its status. */
export const unit = (state: State, unitId: string): UnitRecord | undefined => state.units.get(unitId)

/** Whether the log has ever registered this unit. */
export const hasUnit = (state: State, unitId: string): boolean => state.units.has(unitId)

/** Every unit the log has registered, whatever its status, in registration order. */
export const units = (state: State): IterableIterator<UnitRecord> => state.units.values()

/** A plan by id. */
export const plan = (state: State, planId: string): PlanRecord | undefined => state.plans.get(planId)

/** Every plan, in the order they were issued in the log. */
export const plans = (state: State): Array<PlanRecord> =>
  [...state.plans.values()].sort((a, b) => a.issued.position - b.issued.position)

/** The assignments of a plan, by unit. */
export const assignmentsOf = (planRecord: PlanRecord): ReadonlyMap<string, AssignmentRecord> => planRecord.assignments

/** The plans that implement this one (its sub-plans), in the order they were issued. */
export const subPlansOf = (planRecord: PlanRecord): Array<PlanRecord> =>
  [...planRecord.subPlans.values()].flat().sort((a, b) => a.issued.position - b.issued.position)

/** A model by id. */
export const model = (state: State, modelId: string): ModelRecord | undefined => state.models.get(modelId)

/** The units that ever had this unit as their parent (whatever the time). */
export const childrenEver = (state: State, unitId: string): ReadonlySet<string> =>
  state.childrenEver.get(unitId) ?? noChildren

const noChildren: ReadonlySet<string> = new Set()

// ---------------------------------------------------------------------------
// Snapshots

/**
 * The layout of the state that `toSnapshot` writes. A snapshot written with
 * another format is ignored and the state is rebuilt from the log. Change it
 * whenever the records above, `evolve` or the rules' view of the state change:
 * `test/State.test.ts` pins the layout of each format and fails until both change.
 */
export const snapshotFormat = "kehoach-state/3"

/**
 * The state as data for a structured-clone serialiser (`v8.serialize`,
 * `structuredClone`): Maps, Sets, plain objects and shared references, no
 * functions; the lookups that are rebuilt on use are left out, and so are the
 * report records: a state restored from a snapshot has every plan cold, and
 * the adapter warms the plans it is asked about from the log.
 */
export interface Snapshot {
  readonly format: string
  readonly units: State["units"]
  readonly childrenEver: State["childrenEver"]
  readonly plans: State["plans"]
  readonly documents: State["documents"]
  readonly models: State["models"]
  readonly modelsByUnit: State["modelsByUnit"]
  readonly orphanSubPlans: State["orphanSubPlans"]
  readonly position: number
  readonly lastRecordedAt: number
  readonly lastRecordedAtText: string | undefined
}

/**
 * The state's data for a snapshot. It shares the state's records: serialise
 * it before the state folds anything more.
 */
export const toSnapshot = (state: State): Snapshot => ({
  format: snapshotFormat,
  units: state.units,
  childrenEver: state.childrenEver,
  plans: state.plans,
  documents: state.documents,
  models: state.models,
  modelsByUnit: state.modelsByUnit,
  orphanSubPlans: state.orphanSubPlans,
  position: state.position,
  lastRecordedAt: state.lastRecordedAt,
  lastRecordedAtText: state.lastRecordedAtText
})

/**
 * The state a snapshot holds (a deserialised copy, which the state takes
 * over), with every plan cold, or `undefined` when it was written with
 * another format: folding the events after `position` into it gives the state
 * of the whole log.
 */
export const fromSnapshot = (snapshot: Snapshot): State | undefined => {
  if (snapshot === null || typeof snapshot !== "object" || snapshot.format !== snapshotFormat) return undefined
  return {
    ...empty(),
    units: snapshot.units,
    childrenEver: snapshot.childrenEver,
    plans: snapshot.plans,
    documents: snapshot.documents,
    models: snapshot.models,
    modelsByUnit: snapshot.modelsByUnit,
    orphanSubPlans: snapshot.orphanSubPlans,
    position: snapshot.position,
    lastRecordedAt: snapshot.lastRecordedAt,
    lastRecordedAtText: snapshot.lastRecordedAtText
  }
}
