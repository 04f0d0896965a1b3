/**
 * Persisted snapshots of the domain state: the state at a position, saved in
 * the database, so that opening a store folds only the events after it.
 *
 * A snapshot records the head of the chain at its position, the format of
 * the code that wrote it (`State.snapshotFormat`) and a SHA-256 of its bytes.
 * It is never trusted: one of another format, one whose bytes do not match
 * their checksum, or one whose head is not the hash stored at its position in
 * the log (a log truncated or rewritten under it) is ignored, and the state is
 * rebuilt from an older snapshot or from the log. `verify` never reads them.
 * See docs/decisions/0004-snapshots-and-one-write-path.md.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { State } from "@kehoach/domain"
import { Effect } from "effect"
import * as Crypto from "node:crypto"
import * as V8 from "node:v8"
import type { Digest } from "./EventStore.js"
import * as Transaction from "./Transaction.js"

/** Bytes per stored part (SQLite values are limited to 1 GB; smaller parts keep peak memory down). */
const partBytes = 64 * 1024 * 1024

/** How many snapshots are kept: the newest, and one older in case the newest is found bad. */
const kept = 2

/** What a saved snapshot holds. */
export interface Saved {
  readonly position: number
  readonly bytes: number
}

const checksumOf = (parts: ReadonlyArray<Uint8Array>): string => {
  const hash = Crypto.createHash("sha256")
  for (const part of parts) hash.update(part)
  return hash.digest("hex")
}

/** Saves the state (whose head is `head`) as a snapshot, in its own transaction, and drops the older ones. */
export const save = (
  sql: SqlClient.SqlClient,
  state: State.State,
  head: Digest,
  createdAt: string
): Effect.Effect<Saved, SqlError, SqlClient.SqlClient> =>
  Effect.suspend(() => {
    const bytes = V8.serialize(State.toSnapshot(state))
    const parts: Array<Uint8Array> = []
    for (let i = 0; i < bytes.length; i += partBytes) parts.push(bytes.subarray(i, i + partBytes))
    const checksum = checksumOf(parts)
    return Transaction.immediate(
      Effect.gen(function* () {
        yield* sql`DELETE FROM snapshot_parts WHERE position = ${head.position}`
        yield* sql`DELETE FROM snapshots WHERE position = ${head.position}`
        yield* sql`INSERT INTO snapshots (position, hash, format, checksum, bytes, created_at)
        VALUES (${head.position}, ${head.hash}, ${State.snapshotFormat}, ${checksum}, ${bytes.length}, ${createdAt})`
        for (let seq = 0; seq < parts.length; seq++) {
          yield* sql`INSERT INTO snapshot_parts (position, seq, data) VALUES (${head.position}, ${seq}, ${parts[seq]!})`
        }
        yield* sql`DELETE FROM snapshot_parts WHERE position NOT IN
        (SELECT position FROM snapshots ORDER BY position DESC LIMIT ${kept})`
        yield* sql`DELETE FROM snapshots WHERE position NOT IN
        (SELECT position FROM snapshots ORDER BY position DESC LIMIT ${kept})`
        return { position: head.position, bytes: bytes.length }
      })
    )
  })

/** A snapshot that was not taken, and why (for the store's log and the tests). */
export interface Ignored {
  readonly position: number
  readonly reason: string
}

/** The state restored from a snapshot, with its head. */
export interface Loaded {
  readonly state: State.State
  readonly head: Digest
}

/**
 * The newest snapshot that checks out against the log, restored; the ones
 * passed over are reported to `onIgnored`. `undefined` when there is none.
 */
export const load = (
  sql: SqlClient.SqlClient,
  onIgnored: (ignored: Ignored) => void = () => {}
): Effect.Effect<Loaded | undefined, SqlError> =>
  Effect.gen(function* () {
    const rows = yield* sql<{ position: number; hash: string; format: string; checksum: string; bytes: number }>`
      SELECT position, hash, format, checksum, bytes FROM snapshots ORDER BY position DESC`
    for (const row of rows) {
      const ignore = (reason: string) => onIgnored({ position: row.position, reason })
      if (row.format !== State.snapshotFormat) {
        ignore(`written by other code (format ${row.format}, this code reads ${State.snapshotFormat})`)
        continue
      }
      // The hash is read from the stored line (PostgreSQL has no generated column for it).
      const logged = yield* sql<{ line: string }>`SELECT line FROM events WHERE position = ${row.position}`
      if (logged.length === 0 || (JSON.parse(logged[0]!.line) as { hash: string }).hash !== row.hash) {
        ignore(`its head does not match the log at position ${row.position}`)
        continue
      }
      const parts = (yield* sql<{ data: Uint8Array }>`
        SELECT data FROM snapshot_parts WHERE position = ${row.position} ORDER BY seq`).map((p) => p.data)
      if (checksumOf(parts) !== row.checksum) {
        ignore("its bytes do not match their checksum")
        continue
      }
      let state: State.State | undefined
      try {
        state = State.fromSnapshot(V8.deserialize(Buffer.concat(parts)) as State.Snapshot)
      } catch (error) {
        ignore(`it cannot be read: ${(error as Error).message}`)
        continue
      }
      if (state === undefined || State.position(state) !== row.position) {
        ignore("it does not hold a state at its position")
        continue
      }
      return { state, head: { position: row.position, hash: row.hash } }
    }
    return undefined
  })
