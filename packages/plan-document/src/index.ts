/**
 * `@kehoach/plan-document`: a plan document (kế hoạch) read rule by rule into
 * draft `PlanIssued` and `UnitAssigned` events, with a review of where every
 * value came from. Pure: give it the text (the CLI reads `.txt` and `.docx`
 * files), get a draft or a typed reason.
 */
export * as Assignees from "./Assignees.js"
export * as Draft from "./Draft.js"
export * as Errors from "./Errors.js"
export * as PlanDocument from "./PlanDocument.js"
export * as ReportingRegime from "./ReportingRegime.js"
