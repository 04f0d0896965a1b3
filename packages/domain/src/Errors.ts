/**
 * Errors are values: one `Schema.TaggedError` per rule of DOMAIN.md §3, each
 * carrying the ids involved, so the CLI and the server print one clear line
 * and tests match the tag. Every `message` names the rule and the ids.
 */
import { Schema } from "effect"

/** JSON that is not an event: names the field (`data.level`) and what was expected. */
export class InvalidEvent extends Schema.TaggedError<InvalidEvent>()("InvalidEvent", {
  field: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return this.field === "" ? `invalid event: ${this.reason}` : `invalid event: ${this.field}: ${this.reason}`
  }
}

/** A unit id registered twice. */
export class UnitAlreadyRegistered extends Schema.TaggedError<UnitAlreadyRegistered>()("UnitAlreadyRegistered", {
  unitId: Schema.String
}) {
  override get message(): string {
    return `unit ${this.unitId} is already registered`
  }
}

/** Only a province may have no parent. */
export class ParentRequired extends Schema.TaggedError<ParentRequired>()("ParentRequired", {
  unitId: Schema.String,
  level: Schema.String
}) {
  override get message(): string {
    return `unit ${this.unitId} is a ${this.level} and needs a parent (only a province may have none)`
  }
}

/** A province sits at the top: it has no parent. */
export class ProvinceHasNoParent extends Schema.TaggedError<ProvinceHasNoParent>()("ProvinceHasNoParent", {
  unitId: Schema.String,
  parentId: Schema.String
}) {
  override get message(): string {
    return `unit ${this.unitId} is a province and cannot sit under ${this.parentId}`
  }
}

/** An event names a unit that does not exist at the instant it happened. */
export class UnitNotFound extends Schema.TaggedError<UnitNotFound>()("UnitNotFound", {
  unitId: Schema.String,
  role: Schema.String,
  at: Schema.String
}) {
  override get message(): string {
    return `${this.role} ${this.unitId} does not exist at ${this.at}`
  }
}

/** An event names a unit that is closed at the instant it happened. */
export class UnitClosed extends Schema.TaggedError<UnitClosed>()("UnitClosed", {
  unitId: Schema.String,
  role: Schema.String,
  at: Schema.String
}) {
  override get message(): string {
    return `${this.role} ${this.unitId} is closed at ${this.at}`
  }
}

/** A parent must sit at a higher level than its child. */
export class ParentLevelNotHigher extends Schema.TaggedError<ParentLevelNotHigher>()("ParentLevelNotHigher", {
  unitId: Schema.String,
  level: Schema.String,
  parentId: Schema.String,
  parentLevel: Schema.String
}) {
  override get message(): string {
    return `parent ${this.parentId} (${this.parentLevel}) is not above unit ${this.unitId} (${this.level})`
  }
}

/** A unit with open children cannot be closed. */
export class UnitHasOpenChildren extends Schema.TaggedError<UnitHasOpenChildren>()("UnitHasOpenChildren", {
  unitId: Schema.String,
  childIds: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const shown = this.childIds.slice(0, 5).join(", ")
    const more = this.childIds.length > 5 ? ` and ${this.childIds.length - 5} more` : ""
    return `unit ${this.unitId} cannot be closed: it has open children ${shown}${more}`
  }
}

/** A plan id issued twice. */
export class PlanAlreadyIssued extends Schema.TaggedError<PlanAlreadyIssued>()("PlanAlreadyIssued", {
  planId: Schema.String
}) {
  override get message(): string {
    return `plan ${this.planId} is already issued`
  }
}

/** The pair (issuer, documentNumber) is unique. */
export class DocumentNumberTaken extends Schema.TaggedError<DocumentNumberTaken>()("DocumentNumberTaken", {
  issuerId: Schema.String,
  documentNumber: Schema.String,
  planId: Schema.String
}) {
  override get message(): string {
    return `issuer ${this.issuerId} already issued document ${this.documentNumber} (plan ${this.planId})`
  }
}

/** A plan's schedules, dates or tasks do not make sense. */
export class InvalidPlan extends Schema.TaggedError<InvalidPlan>()("InvalidPlan", {
  planId: Schema.String,
  /** The payload field at fault (`schedules.2.dueBeforeDay`), when the rule concerns one field. */
  field: Schema.optional(Schema.String),
  reason: Schema.String
}) {
  override get message(): string {
    return this.field === undefined
      ? `plan ${this.planId}: ${this.reason}`
      : `plan ${this.planId}: ${this.field}: ${this.reason}`
  }
}

/** An event names a plan that is not issued (at the instant it happened). */
export class PlanNotFound extends Schema.TaggedError<PlanNotFound>()("PlanNotFound", {
  planId: Schema.String,
  role: Schema.String
}) {
  override get message(): string {
    return `${this.role} ${this.planId} is not issued`
  }
}

/** An assigned unit must be the issuer or below it. */
export class UnitNotUnderIssuer extends Schema.TaggedError<UnitNotUnderIssuer>()("UnitNotUnderIssuer", {
  planId: Schema.String,
  unitId: Schema.String,
  issuerId: Schema.String
}) {
  override get message(): string {
    return `unit ${this.unitId} is not the issuer ${this.issuerId} of plan ${this.planId} nor below it`
  }
}

/** A unit is assigned to a plan once. */
export class AlreadyAssigned extends Schema.TaggedError<AlreadyAssigned>()("AlreadyAssigned", {
  planId: Schema.String,
  unitId: Schema.String
}) {
  override get message(): string {
    return `unit ${this.unitId} is already assigned to plan ${this.planId}`
  }
}

/** An assignment or report names a schedule or task the plan does not have. */
export class UnknownSchedule extends Schema.TaggedError<UnknownSchedule>()("UnknownSchedule", {
  planId: Schema.String,
  scheduleId: Schema.String
}) {
  override get message(): string {
    return `plan ${this.planId} has no schedule ${this.scheduleId}`
  }
}

/** An assignment names a task the plan does not list. */
export class UnknownTask extends Schema.TaggedError<UnknownTask>()("UnknownTask", {
  planId: Schema.String,
  taskCode: Schema.String
}) {
  override get message(): string {
    return `plan ${this.planId} has no task ${this.taskCode}`
  }
}

/** A report by a unit not assigned to the plan (at the instant it was filed). */
export class NotAssigned extends Schema.TaggedError<NotAssigned>()("NotAssigned", {
  planId: Schema.String,
  unitId: Schema.String
}) {
  override get message(): string {
    return `unit ${this.unitId} is not assigned to plan ${this.planId}`
  }
}

/** A report on a schedule the unit's assignment leaves out. */
export class NotAssignedToSchedule extends Schema.TaggedError<NotAssignedToSchedule>()("NotAssignedToSchedule", {
  planId: Schema.String,
  unitId: Schema.String,
  scheduleId: Schema.String
}) {
  override get message(): string {
    return `unit ${this.unitId} is not assigned to schedule ${this.scheduleId} of plan ${this.planId}`
  }
}

/** A report's period does not fit its schedule. */
export class InvalidPeriod extends Schema.TaggedError<InvalidPeriod>()("InvalidPeriod", {
  planId: Schema.String,
  scheduleId: Schema.String,
  period: Schema.String,
  expected: Schema.String
}) {
  override get message(): string {
    return `period ${this.period} does not fit schedule ${this.scheduleId} of plan ${this.planId}: expected ${this.expected}`
  }
}

/** A second report for the same obligation must name the report it supersedes. */
export class DuplicateReport extends Schema.TaggedError<DuplicateReport>()("DuplicateReport", {
  planId: Schema.String,
  unitId: Schema.String,
  scheduleId: Schema.String,
  period: Schema.String,
  existingReportId: Schema.String
}) {
  override get message(): string {
    return `unit ${this.unitId} already filed ${this.existingReportId} for ${this.scheduleId} ${this.period} of plan ${this.planId}: a correction must name it in supersedes`
  }
}

/** A report id is unique. */
export class ReportIdTaken extends Schema.TaggedError<ReportIdTaken>()("ReportIdTaken", {
  reportId: Schema.String
}) {
  override get message(): string {
    return `report ${this.reportId} is already filed`
  }
}

/** `supersedes` must name a report of the same obligation, filed earlier and not yet superseded. */
export class InvalidSupersedes extends Schema.TaggedError<InvalidSupersedes>()("InvalidSupersedes", {
  reportId: Schema.String,
  supersedes: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `report ${this.reportId} cannot supersede ${this.supersedes}: ${this.reason}`
  }
}

/** A model id established twice. */
export class ModelAlreadyEstablished extends Schema.TaggedError<ModelAlreadyEstablished>()("ModelAlreadyEstablished", {
  modelId: Schema.String
}) {
  override get message(): string {
    return `model ${this.modelId} is already established`
  }
}

/** A model that does not exist, or not yet, at the instant. */
export class ModelNotFound extends Schema.TaggedError<ModelNotFound>()("ModelNotFound", {
  modelId: Schema.String,
  at: Schema.String
}) {
  override get message(): string {
    return `model ${this.modelId} is not established at ${this.at}`
  }
}

/** A model dissolved twice. */
export class ModelAlreadyDissolved extends Schema.TaggedError<ModelAlreadyDissolved>()("ModelAlreadyDissolved", {
  modelId: Schema.String
}) {
  override get message(): string {
    return `model ${this.modelId} is already dissolved`
  }
}

/** More households committed than the model has. */
export class CommittedExceedsHouseholds extends Schema.TaggedError<CommittedExceedsHouseholds>()(
  "CommittedExceedsHouseholds",
  { modelId: Schema.String, households: Schema.Number, committed: Schema.Number }
) {
  override get message(): string {
    return `model ${this.modelId}: ${this.committed} households committed but it has only ${this.households}`
  }
}

/** Knowledge time never decreases along the log. */
export class RecordedAtDecreased extends Schema.TaggedError<RecordedAtDecreased>()("RecordedAtDecreased", {
  recordedAt: Schema.String,
  lastRecordedAt: Schema.String
}) {
  override get message(): string {
    return `recordedAt ${this.recordedAt} is earlier than the last one stored (${this.lastRecordedAt})`
  }
}

/**
 * A report's filing time may not lie after the moment the log recorded it (beyond the clock
 * allowance): a filing time in the future is refused (DOMAIN.md "Filing time").
 */
export class FilingTimeAfterRecording extends Schema.TaggedError<FilingTimeAfterRecording>()(
  "FilingTimeAfterRecording",
  {
    reportId: Schema.String,
    field: Schema.String,
    occurredAt: Schema.String,
    recordedAt: Schema.String,
    allowanceSeconds: Schema.Number
  }
) {
  override get message(): string {
    return `${this.field}: report ${this.reportId} is stated as filed at ${this.occurredAt}, after it was recorded at ${this.recordedAt} (a filing time may not be in the future; clock allowance ${this.allowanceSeconds} s)`
  }
}

/** An online filing is filed when the server received it: its filing time is its recording time. */
export class OnlineFilingTime extends Schema.TaggedError<OnlineFilingTime>()("OnlineFilingTime", {
  reportId: Schema.String,
  field: Schema.String,
  occurredAt: Schema.String,
  recordedAt: Schema.String
}) {
  override get message(): string {
    return `${this.field}: report ${this.reportId} was filed online, so it is filed when received (${this.recordedAt}), not at ${this.occurredAt} (a report received on paper is entered by a clerk with channel "paper")`
  }
}

/** The fields of a filing's channel: a paper filing names its incoming register number, and only it does. */
export class InvalidFiling extends Schema.TaggedError<InvalidFiling>()("InvalidFiling", {
  reportId: Schema.String,
  field: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.field}: report ${this.reportId} ${this.reason}`
  }
}

/** Every rule violation the decision can return. */
export type RuleViolation =
  | UnitAlreadyRegistered
  | ParentRequired
  | ProvinceHasNoParent
  | UnitNotFound
  | UnitClosed
  | ParentLevelNotHigher
  | UnitHasOpenChildren
  | PlanAlreadyIssued
  | DocumentNumberTaken
  | InvalidPlan
  | PlanNotFound
  | UnitNotUnderIssuer
  | AlreadyAssigned
  | UnknownSchedule
  | UnknownTask
  | NotAssigned
  | NotAssignedToSchedule
  | InvalidPeriod
  | DuplicateReport
  | ReportIdTaken
  | InvalidSupersedes
  | ModelAlreadyEstablished
  | ModelNotFound
  | ModelAlreadyDissolved
  | CommittedExceedsHouseholds
  | RecordedAtDecreased
  | FilingTimeAfterRecording
  | OnlineFilingTime
  | InvalidFiling

/** The schema of every rule violation, for contracts (HTTP) that carry them. */
export const RuleViolation = Schema.Union(
  UnitAlreadyRegistered,
  ParentRequired,
  ProvinceHasNoParent,
  UnitNotFound,
  UnitClosed,
  ParentLevelNotHigher,
  UnitHasOpenChildren,
  PlanAlreadyIssued,
  DocumentNumberTaken,
  InvalidPlan,
  PlanNotFound,
  UnitNotUnderIssuer,
  AlreadyAssigned,
  UnknownSchedule,
  UnknownTask,
  NotAssigned,
  NotAssignedToSchedule,
  InvalidPeriod,
  DuplicateReport,
  ReportIdTaken,
  InvalidSupersedes,
  ModelAlreadyEstablished,
  ModelNotFound,
  ModelAlreadyDissolved,
  CommittedExceedsHouseholds,
  RecordedAtDecreased,
  FilingTimeAfterRecording,
  OnlineFilingTime,
  InvalidFiling
)

/** An explain query names an obligation the plan does not have in the view. */
export class ObligationNotFound extends Schema.TaggedError<ObligationNotFound>()("ObligationNotFound", {
  planId: Schema.String,
  unitId: Schema.String,
  scheduleId: Schema.String,
  period: Schema.String
}) {
  override get message(): string {
    return `plan ${this.planId} has no obligation of unit ${this.unitId} for ${this.scheduleId} ${this.period} in this view`
  }
}
