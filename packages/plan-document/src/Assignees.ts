/**
 * Which units of a level a plan reaches: a document names levels ("các
 * huyện, thành phố"), never units, so a draft made against a log takes every
 * unit of that level that is open under the issuer when the plan is issued.
 */
import { Events, Hierarchy, State } from "@kehoach/domain"

/** The open units of `level` under `issuerId` at instant `t` (the hierarchy as it then stood), in id order. */
export const openAtLevel = (state: State.State, issuerId: string, level: Events.Level, t: number): Array<string> => {
  const found: Array<string> = []
  const stack = Hierarchy.openChildrenAt(state, issuerId, t, Hierarchy.everything)
  while (stack.length > 0) {
    const unit = State.unit(state, stack.pop()!)
    if (unit === undefined) continue
    if (unit.level === level) found.push(unit.unitId)
    else if (Events.levelRank[unit.level] < Events.levelRank[level]) {
      stack.push(...Hierarchy.openChildrenAt(state, unit.unitId, t, Hierarchy.everything))
    }
  }
  return found.sort()
}
