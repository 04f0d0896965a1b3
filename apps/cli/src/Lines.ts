/**
 * Reading an NDJSON file (or stdin) as a stream of lines for the store's
 * import, numbered as the file numbers them, with a progress bar on stderr
 * when stderr is a terminal.
 */
import type * as EventStore from "@kehoach/store/EventStore"
import * as Ndjson from "@kehoach/store/Ndjson"
import type { Stream } from "effect"
import { Effect } from "effect"
import * as fs from "node:fs"
import { FileError } from "./CliError.js"

/** Where the lines come from: a file path, or `-` for stdin. */
export type Source = string

/** How far through the input the reader is, for the progress bar. */
export interface Progress {
  bytes: number
  readonly totalBytes: number | undefined
}

/** Checks that the file exists and is a file, before any line is read. */
export const check = (source: Source): Effect.Effect<number | undefined, FileError> =>
  source === "-"
    ? Effect.succeed(undefined)
    : Effect.try({
        try: () => {
          const stat = fs.statSync(source)
          if (!stat.isFile()) throw new Error("is not a file")
          fs.accessSync(source, fs.constants.R_OK)
          return stat.size
        },
        catch: (e) => new FileError({ path: source, reason: reason(e) })
      })

/** A one-line reason from a Node file error. */
export const reason = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException
  if (err?.code === "ENOENT") return "no such file"
  if (err?.code === "EACCES") return "permission denied"
  if (err?.code === "EISDIR") return "is a directory"
  return err?.message ?? String(e)
}

/**
 * The lines of a source, every one (blank ones included, so the store's line
 * numbers are the file's), without their line ends: the store's one splitter
 * (`Ndjson.linesOfFile`), refusing a line over `maxLineBytes` (the store's
 * `maxEventBytes`) before it is read whole, and counting the bytes read for
 * the progress bar.
 */
export const read = (
  source: Source,
  progress: Progress,
  maxLineBytes: number
): Stream.Stream<string, EventStore.ImportError> =>
  Ndjson.linesOfFile(source, {
    maxLineBytes,
    onBytes: (bytes) => {
      progress.bytes += bytes
    }
  })

/**
 * A progress line on stderr (a bar when the size is known, lines read, lines
 * per second, and the time left), redrawn at most ten times a second; a no-op
 * when stderr is not a terminal or when `quiet`, so a script's stderr holds
 * only errors.
 */
export const progressBar = (progress: Progress, quiet = false) => {
  const tty = process.stderr.isTTY === true && !quiet
  const started = Date.now()
  let last = 0
  const draw = (lines: number, now: number) => {
    const width = 30
    const share =
      progress.totalBytes === undefined || progress.totalBytes === 0
        ? undefined
        : Math.min(1, progress.bytes / progress.totalBytes)
    const bar =
      share === undefined
        ? ""
        : `[${"#".repeat(Math.round(share * width)).padEnd(width, ".")}] ${(share * 100).toFixed(0).padStart(3)}% `
    const seconds = Math.max(0.001, (now - started) / 1000)
    const rate = lines / seconds
    const eta = share === undefined || share === 0 ? "" : `, ${Math.ceil((seconds * (1 - share)) / share)} s left`
    process.stderr.write(`\r${bar}${lines} lines read, ${Math.round(rate)} lines/s${eta}\x1b[K`)
  }
  return {
    onProgress: (lines: number) => {
      if (!tty) return
      const now = Date.now()
      if (now - last < 100) return
      last = now
      draw(lines, now)
    },
    done: () => {
      if (tty && last !== 0) process.stderr.write("\r\x1b[K")
    }
  }
}
