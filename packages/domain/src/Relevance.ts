/**
 * What each projection reads of the log, so that an adapter can fold only
 * those events when it has no state in memory (a command-line query on a
 * national log need not parse a million reports of other plans). Folding the
 * selected events gives the same answer as folding the whole log: the tests
 * check it on generated logs.
 */
import type { EventType } from "./Events.js"
import * as Events from "./Events.js"

/** A part of the log: every event of some types, and the events of one plan of some other types. */
export interface Selection {
  /** Every event of these types. */
  readonly types: ReadonlyArray<EventType>
  /** And the events of this plan (`Events.planOf`) of these types. */
  readonly plan?: { readonly planId: string; readonly types: ReadonlyArray<EventType> } | undefined
}

/** The hierarchy: units registered, moved and closed. */
const hierarchy: ReadonlyArray<EventType> = ["UnitRegistered", "UnitMoved", "UnitClosed"]

/** Compliance and explain of an obligation of a plan: the hierarchy, every plan issued (sub-plans), the plan's assignments and reports. */
export const compliance = (planId: string): Selection => ({
  types: [...hierarchy, "PlanIssued"],
  plan: { planId, types: ["UnitAssigned", "ReportFiled"] }
})

/** Coverage and explain of a coverage figure: the hierarchy and the models; with a plan, its issue and assignments. */
export const coverage = (planId?: string): Selection => ({
  types: [...hierarchy, "ModelEstablished", "ModelDissolved"],
  plan: planId === undefined ? undefined : { planId, types: ["PlanIssued", "UnitAssigned"] }
})

/** Whether an event belongs to a selection. */
export const includes = (selection: Selection, event: Events.DomainEvent): boolean =>
  selection.types.includes(event.type) ||
  (selection.plan !== undefined &&
    selection.plan.types.includes(event.type) &&
    Events.planOf(event) === selection.plan.planId)
