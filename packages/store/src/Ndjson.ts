/**
 * Events as NDJSON (DOMAIN.md §5): the byte-stable exported line, and line
 * streams from a file, standard input or a request body, for `importLines`.
 *
 * The exported line is `JSON.stringify` of an object with exactly the ten
 * fields in the order of `vectors/chain.ndjson` (position, id, type, version,
 * occurredAt, recordedAt, recordedBy, data, prevHash, hash), compact, with the
 * payload's keys in the order they were written. See
 * docs/decisions/0002-ndjson-export-format.md.
 */
import { Effect, Stream } from "effect"
import { createReadStream } from "node:fs"
import type { StoredEvent } from "./EventStore.js"
import { EventStore, ImportError } from "./EventStore.js"
import type { ImportResult } from "./EventStore.js"

/** The exported line of a stored event (without newline). */
export const exportLine = (e: StoredEvent): string =>
  JSON.stringify({
    position: e.position,
    id: e.id,
    type: e.type,
    version: e.version,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    recordedBy: e.recordedBy,
    data: e.data,
    prevHash: e.prevHash,
    hash: e.hash
  })

/**
 * Splits a byte stream (a file, a request body) into lines, decoding UTF-8
 * and accepting `\n` and `\r\n`. Lines are handed on as they arrive, so a file
 * of a million lines is never held in memory whole.
 */
export const linesOfBytes = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  onError: (error: E) => ImportError = (error) =>
    new ImportError({ line: 0, reason: `cannot read the input: ${String(error)}` })
): Stream.Stream<string, ImportError, R> =>
  bytes.pipe(Stream.mapError(onError), Stream.decodeText(), Stream.splitLines)

/** The lines of a file, or of standard input for `-`. */
export const linesOfFile = (path: string): Stream.Stream<string, ImportError> =>
  linesOfBytes(
    Stream.fromAsyncIterable(
      path === "-" ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 }),
      (cause) => cause
    ) as Stream.Stream<Uint8Array, unknown>,
    (cause) =>
      new ImportError({
        line: 0,
        reason: `cannot read ${path === "-" ? "standard input" : path}: ${(cause as Error)?.message ?? String(cause)}`
      })
  )

/** Imports an NDJSON file (or standard input for `-`) into the store, all or nothing. */
export const importFile = (
  path: string,
  options: { readonly recordedBy: string; readonly onProgress?: ((lines: number) => void) | undefined }
): Effect.Effect<ImportResult, ImportError, EventStore> =>
  Effect.flatMap(EventStore, (store) => store.importLines(linesOfFile(path), options))
