/**
 * Why a document could not be drafted, as values: each names what was wrong
 * (and where, when a line is to blame), so the CLI prints one clear line and
 * writes no events.
 */
import { Schema } from "effect"

/** The document has no text at all (an empty file, or a `.docx` with no paragraphs). */
export class EmptyDocument extends Schema.TaggedError<EmptyDocument>()("EmptyDocument", {}) {
  override get message(): string {
    return "the document is empty"
  }
}

/** The text is not a plan: no `KẾ HOẠCH` heading and no plan number (`…/KH-…`). */
export class NotAPlan extends Schema.TaggedError<NotAPlan>()("NotAPlan", {
  reason: Schema.String
}) {
  override get message(): string {
    return `not a plan (kế hoạch): ${this.reason}`
  }
}

/** A date written in the document that no calendar has, e.g. `ngày 30 tháng 02 năm 2018`. */
export class InvalidDate extends Schema.TaggedError<InvalidDate>()("InvalidDate", {
  text: Schema.String,
  line: Schema.Number
}) {
  override get message(): string {
    return `line ${this.line}: the date "${this.text}" does not exist`
  }
}

/** Fields a `PlanIssued` needs that the document does not give and no option supplied. */
export class MissingFields extends Schema.TaggedError<MissingFields>()("MissingFields", {
  fields: Schema.Array(Schema.Struct({ field: Schema.String, option: Schema.String })),
  /** The review as far as it went, so the person sees what was found beside what was not. */
  review: Schema.Array(Schema.Struct({ field: Schema.String, value: Schema.String, source: Schema.String }))
}) {
  override get message(): string {
    return `cannot draft the plan: not found in the document and not given: ${this.fields
      .map((f) => `${f.field} (${f.option})`)
      .join(", ")}`
  }
}

/** An option value the draft cannot use (a period that ends before it starts, a date that does not exist). */
export class InvalidDraftOption extends Schema.TaggedError<InvalidDraftOption>()("InvalidDraftOption", {
  option: Schema.String,
  value: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.option} ${JSON.stringify(this.value)}: ${this.reason}`
  }
}
