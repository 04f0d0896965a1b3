/**
 * The errors of the command line itself (as opposed to the store's and the
 * domain's): each names what was wrong in one line, so `kehoach` can print it
 * on stderr and exit with a non-zero status.
 */
import { Schema } from "effect"

/** An option value outside what it accepts. */
export class InvalidOption extends Schema.TaggedError<InvalidOption>()("InvalidOption", {
  option: Schema.String,
  value: Schema.String,
  expected: Schema.String
}) {
  override get message(): string {
    return `${this.option} ${JSON.stringify(this.value)}: expected ${this.expected}`
  }
}

/** Options that only make sense together, or a missing one. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  command: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.command}: ${this.reason} (see kehoach ${this.command} --help)`
  }
}

/** A file that cannot be read or written. */
export class FileError extends Schema.TaggedError<FileError>()("FileError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.path}: ${this.reason}`
  }
}

/** A line of an imported file was refused; nothing from the file was stored. */
export class ImportRefused extends Schema.TaggedError<ImportRefused>()("ImportRefused", {
  file: Schema.String,
  line: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    const where = this.line === 0 ? this.file : `${this.file}, line ${this.line}`
    return `${where}: ${this.reason} (nothing from the file was stored)`
  }
}

/** `demo` would overwrite a database that already holds events. */
export class DatabaseNotEmpty extends Schema.TaggedError<DatabaseNotEmpty>()("DatabaseNotEmpty", {
  path: Schema.String,
  position: Schema.Number,
  /** A PostgreSQL database, which kehoach never empties (`--force` does not apply). */
  postgres: Schema.optional(Schema.Boolean)
}) {
  override get message(): string {
    return this.postgres === true
      ? `${this.path} already holds ${this.position} events: give another --db (kehoach never empties a PostgreSQL database)`
      : `${this.path} already holds ${this.position} events: give another --db, or --force to replace it`
  }
}

/** The hash chain does not verify, or no longer extends a kept digest. */
export class ChainBroken extends Schema.TaggedError<ChainBroken>()("ChainBroken", {
  path: Schema.String,
  position: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.path}: the chain does not verify at position ${this.position}: ${this.reason}`
  }
}

/** The server could not listen (the port is taken, the address is not this machine's…). */
export class CannotListen extends Schema.TaggedError<CannotListen>()("CannotListen", {
  address: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cannot listen on ${this.address}: ${this.reason}`
  }
}
