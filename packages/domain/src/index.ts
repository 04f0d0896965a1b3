/**
 * `@kehoach/domain`: plans cascaded down an administrative hierarchy, and
 * whether the units below comply, as pure functions of an event log.
 *
 * Fold recorded events into a `State`, check proposed events with `Decide`,
 * and ask `Compliance`, `Coverage` or `Explain` at any valid time (`asOf`)
 * and knowledge time (`knownAt`).
 */
export * as Backdated from "./Backdated.js"
export * as Compliance from "./Compliance.js"
export * as ComplianceMatrix from "./ComplianceMatrix.js"
export * as Coverage from "./Coverage.js"
export * as Decide from "./Decide.js"
export * as Decider from "./Decider.js"
export * as Due from "./Due.js"
export * as Errors from "./Errors.js"
export * as Events from "./Events.js"
export * as Explain from "./Explain.js"
export * as Hierarchy from "./Hierarchy.js"
export * as Obligations from "./Obligations.js"
export * as Plan from "./Plan.js"
export * as Proofs from "./Proofs.js"
export * as Relevance from "./Relevance.js"
export * as Reorganisation from "./Reorganisation.js"
export * as Schedule from "./Schedule.js"
export * as State from "./State.js"
export * as Time from "./Time.js"
export * as UnitList from "./UnitList.js"
