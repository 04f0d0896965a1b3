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
import { Channel, Chunk, Effect, Stream } from "effect"
import { createReadStream } from "node:fs"
import type { StoredEvent } from "./EventStore.js"
import { EventStore, ImportError, lineOverLimit } from "./EventStore.js"
import type { ImportResult } from "./EventStore.js"
import * as HashChain from "./HashChain.js"
import { LineSplitter } from "./internal/LineSplitter.js"

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

/** How a byte stream is split into lines. */
export interface SplitOptions {
  /**
   * The longest line taken, in UTF-8 bytes without its line end: the store's
   * `maxEventBytes`. A longer line fails the stream as soon as it has grown
   * past it, its rest unread.
   */
  readonly maxLineBytes: number
}

/**
 * Splits a byte stream (a file, a request body) into lines, decoding UTF-8
 * and accepting `\n` and `\r\n`. Lines are handed on as they arrive, so a file
 * of a million lines is never held in memory whole, and at most one line's
 * bytes are held between chunks: a line over `maxLineBytes` fails the stream
 * with an `ImportError` naming its number and the limit, without reading the
 * rest of it.
 */
export const linesOfBytes = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: SplitOptions & { readonly onError?: ((error: E) => ImportError) | undefined }
): Stream.Stream<string, ImportError, R> => {
  const onError =
    options.onError ?? ((error: E) => new ImportError({ line: 0, reason: `cannot read the input: ${String(error)}` }))
  return Stream.pipeThroughChannelOrFail(Stream.mapError(bytes, onError), split(options.maxLineBytes))
}

/** The channel of `linesOfBytes`: one chunk of lines per chunk of bytes; a read error is passed on as it is. */
const split = (
  maxLineBytes: number
): Channel.Channel<Chunk.Chunk<string>, Chunk.Chunk<Uint8Array>, ImportError, ImportError, unknown, unknown> =>
  Channel.suspend(() => {
    const splitter = new LineSplitter(maxLineBytes)
    const emit = (lines: Array<string>) =>
      lines.length === 0 ? Channel.void : Channel.write(Chunk.unsafeFromArray(lines))
    const loop: Channel.Channel<
      Chunk.Chunk<string>,
      Chunk.Chunk<Uint8Array>,
      ImportError,
      ImportError,
      unknown,
      unknown
    > = Channel.readWithCause({
      onInput: (input: Chunk.Chunk<Uint8Array>) => {
        const lines: Array<string> = []
        for (const bytes of input) {
          const over = splitter.push(bytes, lines)
          // The lines before it are handed on first: an error on one of them is the one to report.
          if (over !== undefined) return Channel.zipRight(emit(lines), Channel.fail(lineOverLimit(over, maxLineBytes)))
        }
        return Channel.zipRight(emit(lines), loop)
      },
      onFailure: Channel.failCause,
      onDone: () => {
        const lines: Array<string> = []
        const over = splitter.end(lines)
        return over === undefined ? emit(lines) : Channel.fail(lineOverLimit(over, maxLineBytes))
      }
    })
    return loop
  })

/**
 * The lines of a file, or of standard input for `-`: the one line splitter of
 * the project (`linesOfBytes`), so that the CLI, the server and the store number
 * lines alike, and refuse a line over the store's limit before it is read whole.
 * `onBytes` is told of every chunk read (for a progress bar).
 */
export const linesOfFile = (
  path: string,
  options: SplitOptions & { readonly onBytes?: ((bytes: number) => void) | undefined }
): Stream.Stream<string, ImportError> => {
  const { onBytes } = options
  // Opened when the stream runs (a file opened earlier could fail with no listener yet, uncaught).
  const bytes = Stream.suspend(() =>
    Stream.fromAsyncIterable(
      path === "-" ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 }),
      (cause) => cause
    )
  ) as Stream.Stream<Uint8Array, unknown>
  return linesOfBytes(
    onBytes === undefined ? bytes : Stream.tap(bytes, (chunk) => Effect.sync(() => onBytes(chunk.length))),
    {
      maxLineBytes: options.maxLineBytes,
      onError: (cause) =>
        new ImportError({
          line: 0,
          reason: `cannot read ${path === "-" ? "standard input" : path}: ${(cause as Error)?.message ?? String(cause)}`
        })
    }
  )
}

/** Imports an NDJSON file (or standard input for `-`) into the store, all or nothing. */
export const importFile = (
  path: string,
  options: { readonly recordedBy: string; readonly onProgress?: ((lines: number) => void) | undefined }
): Effect.Effect<ImportResult, ImportError, EventStore> =>
  Effect.flatMap(EventStore, (store) =>
    store.importLines(linesOfFile(path, { maxLineBytes: store.maxEventBytes }), options)
  )
