/**
 * Who may append what. An admin appends anything; an auditor nothing; a
 * recorder only events that concern units inside its own subtree, judged
 * with the hierarchy as it stood when each event occurred: a commune's
 * recorder cannot file its district's report, nor move a unit out of its
 * commune, nor register a unit under another commune.
 */
import type { Security } from "@kehoach/api"
import type { Events } from "@kehoach/domain"
import { Hierarchy, State, Time } from "@kehoach/domain"

/**
 * Why the actor may not append these events (in order, as one batch), or
 * `undefined` when it may. Units and models introduced earlier in the same
 * batch count as inside the subtree when their parent was.
 */
export const appendDenied = (
  state: State.State,
  actor: Security.Actor,
  events: ReadonlyArray<Events.DomainEvent & { readonly occurredAt: string }>
): string | undefined => {
  if (actor.role === "admin") return undefined
  if ((actor.role !== "recorder" && actor.role !== "clerk") || actor.unitId === undefined) {
    return `${actor.actor} is an ${actor.role} and cannot append events`
  }
  if (actor.role === "clerk") {
    const other = events.findIndex((e) => e.type !== "ReportFiled")
    if (other >= 0) {
      return `${actor.actor} is a clerk and enters reports received on paper only, not ${events[other]!.type}`
    }
  }
  const root = actor.unitId
  const newUnits = new Set<string>()
  const newModels = new Map<string, string>()
  for (const [i, event] of events.entries()) {
    const t = Time.parseInstant(event.occurredAt) ?? Number.POSITIVE_INFINITY
    const within = (unitId: string): boolean =>
      newUnits.has(unitId) || Hierarchy.isWithin(state, unitId, root, t, Hierarchy.everything)
    const outside = (unitId: string, what: string): string =>
      `${actor.actor} records for ${root} and cannot append ${event.type}${
        events.length > 1 ? ` (event ${i})` : ""
      }: ${what} ${unitId} is not within ${root} at ${event.occurredAt}`
    switch (event.type) {
      case "UnitRegistered": {
        const parentId = event.data.parentId
        if (parentId === undefined) return outside(event.data.unitId, "province")
        if (!within(parentId)) return outside(parentId, "parent")
        newUnits.add(event.data.unitId)
        break
      }
      case "UnitMoved":
        if (!within(event.data.unitId)) return outside(event.data.unitId, "unit")
        if (!within(event.data.parentId)) return outside(event.data.parentId, "new parent")
        break
      case "UnitClosed":
        if (!within(event.data.unitId)) return outside(event.data.unitId, "unit")
        if (event.data.successorId !== undefined && !within(event.data.successorId)) {
          return outside(event.data.successorId, "successor")
        }
        break
      case "PlanIssued":
        if (!within(event.data.issuerId)) return outside(event.data.issuerId, "issuer")
        break
      case "ModelEstablished":
        if (!within(event.data.unitId)) return outside(event.data.unitId, "unit")
        newModels.set(event.data.modelId, event.data.unitId)
        break
      case "ModelDissolved": {
        // The event names only the model: its unit is where the model was established.
        const unitId = newModels.get(event.data.modelId) ?? State.model(state, event.data.modelId)?.unitId
        // An unknown model is left to the domain's rules, which reject it with ModelNotFound.
        if (unitId !== undefined && !within(unitId)) return outside(unitId, "the model's unit")
        break
      }
      default:
        if (!within(event.data.unitId)) return outside(event.data.unitId, "unit")
    }
  }
  return undefined
}
