/**
 * Events as NDJSON (DOMAIN.md §5): the byte-stable exported line, and line
 * streams from a file, standard input or a request body, for `importLines`.
 *
 * The exported line is compact JSON with exactly the ten fields in the order
 * of `vectors/chain.ndjson` (position, id, type, version, occurredAt,
 * recordedAt, recordedBy, data, prevHash, hash), the payload in RFC 8785
 * canonical form. See
 * docs/decisions/0002-ndjson-export-format.md.
 */
import { Effect, Stream } from "effect"
import { createReadStream } from "node:fs"
import type { StoredEvent } from "./EventStore.js"
import { EventStore, ImportError } from "./EventStore.js"
import type { ImportResult } from "./EventStore.js"
import * as HashChain from "./HashChain.js"

/**
 * The exported line of a stored event (without newline): the ten fields in
 * the order of `vectors/chain.ndjson`, compact, the payload in its RFC 8785
 * canonical form (keys sorted), which is also what the hash covers; pass
 * `dataJson` when it is already computed.
 */
export const exportLine = (e: StoredEvent, dataJson: string = HashChain.canonicalData(e.data)): string =>
  `{"position":${JSON.stringify(e.position)},"id":${JSON.stringify(e.id)},"type":${JSON.stringify(e.type)},"version":${JSON.stringify(
    e.version
  )},"occurredAt":${JSON.stringify(e.occurredAt)},"recordedAt":${JSON.stringify(e.recordedAt)},"recordedBy":${JSON.stringify(
    e.recordedBy
  )},"data":${dataJson},"prevHash":${JSON.stringify(e.prevHash)},"hash":${JSON.stringify(e.hash)}}`

/**
 * Splits a byte stream (a file, a request body) into lines, decoding UTF-8
 * and accepting `\n` and `\r\n`. Lines are handed on as they arrive, so a file
 * of a million lines is never held in memory whole.
 */
export const linesOfBytes = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  onError: (error: E) => ImportError = (error) =>
    new ImportError({ line: 0, reason: `cannot read the input: ${String(error)}` })
): Stream.Stream<string, ImportError, R> => bytes.pipe(Stream.mapError(onError), Stream.decodeText(), Stream.splitLines)

/**
 * The lines of a file, or of standard input for `-`: the one line splitter of
 * the project (`linesOfBytes`), so that the CLI, the server and the store number
 * lines alike. `onBytes` is told of every chunk read (for a progress bar).
 */
export const linesOfFile = (path: string, onBytes?: (bytes: number) => void): Stream.Stream<string, ImportError> => {
  // Opened when the stream runs (a file opened earlier could fail with no listener yet, uncaught).
  const bytes = Stream.suspend(() =>
    Stream.fromAsyncIterable(
      path === "-" ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 }),
      (cause) => cause
    )
  ) as Stream.Stream<Uint8Array, unknown>
  return linesOfBytes(
    onBytes === undefined ? bytes : Stream.tap(bytes, (chunk) => Effect.sync(() => onBytes(chunk.length))),
    (cause) =>
      new ImportError({
        line: 0,
        reason: `cannot read ${path === "-" ? "standard input" : path}: ${(cause as Error)?.message ?? String(cause)}`
      })
  )
}

/** Imports an NDJSON file (or standard input for `-`) into the store, all or nothing. */
export const importFile = (
  path: string,
  options: { readonly recordedBy: string; readonly onProgress?: ((lines: number) => void) | undefined }
): Effect.Effect<ImportResult, ImportError, EventStore> =>
  Effect.flatMap(EventStore, (store) => store.importLines(linesOfFile(path), options))
