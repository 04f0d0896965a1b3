/**
 * The rules of DOMAIN.md §3 as one pure decision: given the state of the log
 * and a proposed event, accept it or reject it with the typed error of the
 * rule it breaks, naming the ids.
 *
 * Each rule is checked at the event's valid time (`occurredAt`) against
 * everything the log holds: "the parent must exist and be open" means at the
 * instant the unit was registered, so a late-recorded event about 2018 is
 * judged by the hierarchy of 2018.
 */
import { Either } from "effect"
import type { DomainEvent, EventData, Level } from "./Events.js"
import { levelRank } from "./Events.js"
import * as Errors from "./Errors.js"
import * as Hierarchy from "./Hierarchy.js"
import * as Plan from "./Plan.js"
import * as Schedule from "./Schedule.js"
import type { State } from "./State.js"
import { documentKey, firstReport, reportById } from "./State.js"
import * as Time from "./Time.js"

/** What the decision needs of an event: its payload, its valid time, and its knowledge time when already set. */
export type Candidate = DomainEvent & {
  readonly occurredAt: string
  readonly recordedAt?: string | undefined
  /** The payload version as written; absent: the current one. */
  readonly version?: number | undefined
}

/**
 * The clock allowance of the filing-time rule, in milliseconds: a report's filing time may lie this
 * much after its recording time (clocks of filer and server differ by a few seconds), no more.
 */
export const clockAllowanceMs = 120_000

const all = Hierarchy.everything

type Violation = Errors.RuleViolation | undefined

/** The unit must exist and be open at `t`. */
const requireOpenUnit = (state: State, unitId: string, role: string, t: number, at: string): Violation => {
  const unit = state.units.get(unitId)
  if (unit === undefined || !Hierarchy.existsAt(unit, t, all)) return new Errors.UnitNotFound({ unitId, role, at })
  if (Hierarchy.closedAt(unit, t, all)) return new Errors.UnitClosed({ unitId, role, at })
  return undefined
}

/** The parent must exist, be open and sit at a higher level (any higher level). */
const requireParent = (
  state: State,
  unitId: string,
  level: Level,
  parentId: string,
  t: number,
  at: string
): Violation => {
  if (level === "province") return new Errors.ProvinceHasNoParent({ unitId, parentId })
  const missing = requireOpenUnit(state, parentId, "parent", t, at)
  if (missing !== undefined) return missing
  const parent = state.units.get(parentId)!
  if (levelRank[parent.level] >= levelRank[level]) {
    return new Errors.ParentLevelNotHigher({ unitId, level, parentId, parentLevel: parent.level })
  }
  return undefined
}

const unitRegistered = (state: State, d: EventData["UnitRegistered"], t: number, at: string): Violation => {
  if (state.units.has(d.unitId)) return new Errors.UnitAlreadyRegistered({ unitId: d.unitId })
  if (d.parentId === undefined) {
    return d.level === "province" ? undefined : new Errors.ParentRequired({ unitId: d.unitId, level: d.level })
  }
  return requireParent(state, d.unitId, d.level, d.parentId, t, at)
}

const unitMoved = (state: State, d: EventData["UnitMoved"], t: number, at: string): Violation => {
  const open = requireOpenUnit(state, d.unitId, "unit", t, at)
  if (open !== undefined) return open
  const unit = state.units.get(d.unitId)!
  return requireParent(state, d.unitId, unit.level, d.parentId, t, at)
}

const unitClosed = (state: State, d: EventData["UnitClosed"], t: number, at: string): Violation => {
  const open = requireOpenUnit(state, d.unitId, "unit", t, at)
  if (open !== undefined) return open
  const children = new Set(Hierarchy.openChildrenAt(state, d.unitId, t, all))
  // A child recorded as moving in later would be left under a closed parent.
  for (const childId of state.childrenEver.get(d.unitId) ?? []) {
    const child = state.units.get(childId)!
    if (child.parents.some((p) => p.parentId === d.unitId && p.stamp.at > t) && !Hierarchy.closedAt(child, t, all)) {
      children.add(childId)
    }
  }
  if (children.size > 0) return new Errors.UnitHasOpenChildren({ unitId: d.unitId, childIds: [...children].sort() })
  if (d.successorId !== undefined) {
    if (d.successorId === d.unitId) {
      return new Errors.UnitNotFound({ unitId: d.successorId, role: "successor (other than the unit itself)", at })
    }
    return requireOpenUnit(state, d.successorId, "successor", t, at)
  }
  return undefined
}

const duplicateIn = (ids: ReadonlyArray<string>): string | undefined => {
  const seen = new Set<string>()
  for (const id of ids) {
    if (seen.has(id)) return id
    seen.add(id)
  }
  return undefined
}

const planIssued = (state: State, d: EventData["PlanIssued"], t: number, at: string): Violation => {
  if (state.plans.has(d.planId)) return new Errors.PlanAlreadyIssued({ planId: d.planId })
  const taken = state.documents.get(documentKey(d.issuerId, d.documentNumber))
  if (taken !== undefined) {
    return new Errors.DocumentNumberTaken({ issuerId: d.issuerId, documentNumber: d.documentNumber, planId: taken })
  }
  const issuer = requireOpenUnit(state, d.issuerId, "issuer", t, at)
  if (issuer !== undefined) return issuer
  if (d.effectiveFrom > d.effectiveUntil) {
    return new Errors.InvalidPlan({
      planId: d.planId,
      reason: `effectiveFrom ${d.effectiveFrom} is after effectiveUntil ${d.effectiveUntil}`
    })
  }
  const scheduleIds = d.schedules.map((s) => s.scheduleId)
  const twice = duplicateIn(scheduleIds)
  if (twice !== undefined)
    return new Errors.InvalidPlan({ planId: d.planId, reason: `schedule ${twice} is listed twice` })
  if (scheduleIds.includes(Plan.subPlanScheduleId)) {
    return new Errors.InvalidPlan({
      planId: d.planId,
      reason: `scheduleId "${Plan.subPlanScheduleId}" is reserved for the obligation to issue a sub-plan`
    })
  }
  for (const [index, schedule] of d.schedules.entries()) {
    if (schedule.kind === "monthly" || schedule.kind === "once") continue
    const problem = Schedule.problemOf(d, schedule)
    if (problem !== undefined) {
      return new Errors.InvalidPlan({
        planId: d.planId,
        field: `schedules.${index}.${problem.field}`,
        reason: `${problem.reason} (schedule ${schedule.scheduleId})`
      })
    }
  }
  const taskTwice = duplicateIn((d.tasks ?? []).map((task) => task.code))
  if (taskTwice !== undefined) {
    return new Errors.InvalidPlan({ planId: d.planId, reason: `task ${taskTwice} is listed twice` })
  }
  if (d.parentPlanId !== undefined) {
    const parent = state.plans.get(d.parentPlanId)
    if (parent === undefined || parent.issued.at > t) {
      return new Errors.PlanNotFound({ planId: d.parentPlanId, role: "parent plan" })
    }
  }
  return undefined
}

const unitAssigned = (state: State, d: EventData["UnitAssigned"], t: number, at: string): Violation => {
  const plan = state.plans.get(d.planId)
  if (plan === undefined || plan.issued.at > t) return new Errors.PlanNotFound({ planId: d.planId, role: "plan" })
  const open = requireOpenUnit(state, d.unitId, "unit", t, at)
  if (open !== undefined) return open
  if (!Hierarchy.isWithin(state, d.unitId, plan.issuerId, t, all)) {
    return new Errors.UnitNotUnderIssuer({ planId: d.planId, unitId: d.unitId, issuerId: plan.issuerId })
  }
  if (plan.assignments.has(d.unitId)) return new Errors.AlreadyAssigned({ planId: d.planId, unitId: d.unitId })
  for (const scheduleId of d.schedules ?? []) {
    if (Plan.scheduleOf(plan, scheduleId) === undefined) {
      return new Errors.UnknownSchedule({ planId: d.planId, scheduleId })
    }
  }
  for (const taskCode of d.tasks ?? []) {
    if (!plan.tasks.some((task) => task.code === taskCode))
      return new Errors.UnknownTask({ planId: d.planId, taskCode })
  }
  return undefined
}

/**
 * DOMAIN.md "Filing time": a report is not filed after it was recorded (beyond the clock allowance);
 * an online filing is filed when the server received it (its filing time is its recording time); a
 * paper filing names its incoming register number. Version-1 lines, written before channels, keep
 * their stated times as they are.
 */
const filingTime = (d: EventData["ReportFiled"], event: Candidate, t: number): Violation => {
  if (event.version !== undefined && event.version < 2) return undefined
  const channel = d.channel
  if (channel === undefined) {
    return new Errors.InvalidFiling({
      reportId: d.reportId,
      field: "data.channel",
      reason: 'needs a channel: "online" (filed through the server) or "paper" (entered by a clerk)'
    })
  }
  if (channel === "paper" && d.registerNumber === undefined) {
    return new Errors.InvalidFiling({
      reportId: d.reportId,
      field: "data.registerNumber",
      reason: "was received on paper and needs its incoming register number (số đến)"
    })
  }
  if (channel !== "paper" && d.registerNumber !== undefined) {
    return new Errors.InvalidFiling({
      reportId: d.reportId,
      field: "data.registerNumber",
      reason: `is filed ${channel}: only a paper filing has an incoming register number`
    })
  }
  if (event.recordedAt === undefined) return undefined
  const rec = Time.parseInstant(event.recordedAt)
  if (rec === undefined) return undefined
  if (channel === "online" && t !== rec) {
    return new Errors.OnlineFilingTime({
      reportId: d.reportId,
      field: "occurredAt",
      occurredAt: event.occurredAt,
      recordedAt: event.recordedAt
    })
  }
  if (t > rec + clockAllowanceMs) {
    return new Errors.FilingTimeAfterRecording({
      reportId: d.reportId,
      field: "occurredAt",
      occurredAt: event.occurredAt,
      recordedAt: event.recordedAt,
      allowanceSeconds: clockAllowanceMs / 1000
    })
  }
  return undefined
}

const reportFiled = (state: State, d: EventData["ReportFiled"], t: number, at: string, event: Candidate): Violation => {
  const filing = filingTime(d, event, t)
  if (filing !== undefined) return filing
  if (reportById(state, d.reportId) !== undefined) return new Errors.ReportIdTaken({ reportId: d.reportId })
  const plan = state.plans.get(d.planId)
  if (plan === undefined || plan.issued.at > t) return new Errors.PlanNotFound({ planId: d.planId, role: "plan" })
  const open = requireOpenUnit(state, d.unitId, "unit", t, at)
  if (open !== undefined) return open
  const assignment = plan.assignments.get(d.unitId)
  if (assignment === undefined || assignment.stamp.at > t) {
    return new Errors.NotAssigned({ planId: d.planId, unitId: d.unitId })
  }
  const schedule = Plan.scheduleOf(plan, d.scheduleId)
  if (schedule === undefined) return new Errors.UnknownSchedule({ planId: d.planId, scheduleId: d.scheduleId })
  if (!assignment.scheduleIds.includes(d.scheduleId)) {
    return new Errors.NotAssignedToSchedule({ planId: d.planId, unitId: d.unitId, scheduleId: d.scheduleId })
  }
  if (Plan.deadlineOf(plan, schedule, d.period) === undefined) {
    return new Errors.InvalidPeriod({
      planId: d.planId,
      scheduleId: d.scheduleId,
      period: d.period,
      expected: Plan.expectedPeriods(plan, schedule)
    })
  }
  const earlier = firstReport(state, plan, d.unitId, d.scheduleId, d.period)
  if (d.supersedes === undefined) {
    if (earlier !== undefined) {
      let head = earlier
      while (head.supersededBy !== undefined && head.next !== undefined) head = head.next
      return new Errors.DuplicateReport({
        planId: d.planId,
        unitId: d.unitId,
        scheduleId: d.scheduleId,
        period: d.period,
        existingReportId: head.reportId
      })
    }
    return undefined
  }
  const other = reportById(state, d.supersedes)
  const invalid = (reason: string) =>
    new Errors.InvalidSupersedes({ reportId: d.reportId, supersedes: d.supersedes!, reason })
  if (other === undefined) return invalid("no such report is filed")
  const target = other.report
  if (
    other.planId !== d.planId ||
    other.unitId !== d.unitId ||
    other.scheduleId !== d.scheduleId ||
    other.period !== d.period
  ) {
    return invalid(`it is a report of ${other.unitId} for ${other.scheduleId} ${other.period} of plan ${other.planId}`)
  }
  if (target.supersededBy !== undefined) return invalid(`it is already superseded by ${target.supersededBy}`)
  if (target.at > t) return invalid(`it was filed later, at ${Time.formatInstant(target.at)}`)
  return undefined
}

const modelEstablished = (state: State, d: EventData["ModelEstablished"], t: number, at: string): Violation => {
  if (state.models.has(d.modelId)) return new Errors.ModelAlreadyEstablished({ modelId: d.modelId })
  const open = requireOpenUnit(state, d.unitId, "unit", t, at)
  if (open !== undefined) return open
  if (d.households !== undefined && d.committed !== undefined && d.committed > d.households) {
    return new Errors.CommittedExceedsHouseholds({
      modelId: d.modelId,
      households: d.households,
      committed: d.committed
    })
  }
  if (d.planId !== undefined) {
    const plan = state.plans.get(d.planId)
    if (plan === undefined || plan.issued.at > t) return new Errors.PlanNotFound({ planId: d.planId, role: "plan" })
  }
  return undefined
}

const modelDissolved = (state: State, d: EventData["ModelDissolved"], t: number, at: string): Violation => {
  const model = state.models.get(d.modelId)
  if (model === undefined || model.established.at > t) return new Errors.ModelNotFound({ modelId: d.modelId, at })
  if (model.dissolved !== undefined) return new Errors.ModelAlreadyDissolved({ modelId: d.modelId })
  return undefined
}

/**
 * The first rule the event breaks, or `undefined` when it may be appended.
 * The allocation-free form of `decide`, for appending and importing millions of events.
 */
export const violation = (state: State, event: Candidate): Errors.RuleViolation | undefined => {
  if (event.recordedAt !== undefined && state.lastRecordedAtText !== undefined) {
    const rec = Time.parseInstant(event.recordedAt)
    if (rec !== undefined && rec < state.lastRecordedAt) {
      return new Errors.RecordedAtDecreased({ recordedAt: event.recordedAt, lastRecordedAt: state.lastRecordedAtText })
    }
  }
  const at = event.occurredAt
  const t = Time.parseInstant(at)
  if (t === undefined) throw new RangeError(`occurredAt is not an instant: ${at}`)
  switch (event.type) {
    case "UnitRegistered":
      return unitRegistered(state, event.data, t, at)
    case "UnitMoved":
      return unitMoved(state, event.data, t, at)
    case "UnitClosed":
      return unitClosed(state, event.data, t, at)
    case "PlanIssued":
      return planIssued(state, event.data, t, at)
    case "UnitAssigned":
      return unitAssigned(state, event.data, t, at)
    case "ReportFiled":
      return reportFiled(state, event.data, t, at, event)
    case "ModelEstablished":
      return modelEstablished(state, event.data, t, at)
    case "ModelDissolved":
      return modelDissolved(state, event.data, t, at)
  }
}

/** Accepts the event (`Right`) or rejects it with the typed error of the rule it breaks (`Left`). */
export const decide = (state: State, event: Candidate): Either.Either<void, Errors.RuleViolation> => {
  const v = violation(state, event)
  return v === undefined ? Either.void : Either.left(v)
}
