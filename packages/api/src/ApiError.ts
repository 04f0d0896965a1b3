/**
 * The errors of the HTTP contract, each a `Schema.TaggedError` annotated with
 * its status, so the server encodes them, the OpenAPI document lists them,
 * and `HttpApiClient` decodes them back into the same classes. Every body
 * carries `_tag` and a one-line `message`; none carries a stack trace.
 */
import { HttpApiSchema } from "@effect/platform"
import { Errors } from "@kehoach/domain"
import { Schema } from "effect"

/** 401: no bearer token, or one the server does not know. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 401 })
) {}

/** 403: the token is valid but its role or unit does not allow the request. */
export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {}

/** 400: a body that is not JSON, or does not match the schema; `field` names where (`data.level`). */
export class InvalidBody extends Schema.TaggedError<InvalidBody>()(
  "InvalidBody",
  { field: Schema.String, reason: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 400 })
) {}

/** 400: a query parameter that cannot be read (`asOf=yesterday`). */
export class InvalidQuery extends Schema.TaggedError<InvalidQuery>()(
  "InvalidQuery",
  { field: Schema.String, reason: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 400 })
) {}

/** 404: no such plan, unit, obligation or route. */
export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

/** 409: the log moved past the position the appender expected. */
export class ConcurrencyConflict extends Schema.TaggedError<ConcurrencyConflict>()(
  "ConcurrencyConflict",
  { expectedPosition: Schema.Number, actualPosition: Schema.Number, message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** 409: an event id already stored with other content. */
export class IdConflict extends Schema.TaggedError<IdConflict>()(
  "IdConflict",
  { id: Schema.String, position: Schema.Number, message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** 413: the body is larger than the server takes for this endpoint. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  { limit: Schema.Number, message: Schema.String },
  HttpApiSchema.annotations({ status: 413 })
) {}

/**
 * 422: the domain rejected an event; `rule` is the tag of the rule it broke
 * (`DuplicateReport`), `violation` carries the ids, and nothing was stored.
 */
export class Rejected extends Schema.TaggedError<Rejected>()(
  "Rejected",
  { rule: Schema.String, message: Schema.String, violation: Errors.RuleViolation },
  HttpApiSchema.annotations({ status: 422 })
) {}

/** 422: a line of an NDJSON import cannot be taken (the first such line); nothing from the file was stored. */
export class ImportRejected extends Schema.TaggedError<ImportRejected>()(
  "ImportRejected",
  { line: Schema.Number, reason: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 422 })
) {}

/** 408: the body stopped arriving for longer than the server waits (`limit`, in milliseconds); the connection closes. */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()(
  "RequestTimeout",
  { limit: Schema.Number, message: Schema.String },
  HttpApiSchema.annotations({ status: 408 })
) {}

/** 503: the server is at a limit it keeps (its live tails); try again later. */
export class Unavailable extends Schema.TaggedError<Unavailable>()(
  "Unavailable",
  { limit: Schema.Number, message: Schema.String },
  HttpApiSchema.annotations({ status: 503 })
) {}

/** 500: something went wrong inside the server; the details are in its log, never in the response. */
export class InternalError extends Schema.TaggedError<InternalError>()(
  "InternalError",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 500 })
) {}
