/**
 * Writing answers to stdout or a file, waiting for the stream to drain so a
 * large export neither piles up in memory nor is cut short at exit.
 */
import { Effect, Stream } from "effect"
import * as fs from "node:fs"
import { FileError } from "./CliError.js"

const writeTo = (out: NodeJS.WritableStream, text: string): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (out.write(text)) resume(Effect.void)
    else out.once("drain", () => resume(Effect.void))
  })

/** Prints text on stdout. */
export const print = (text: string): Effect.Effect<void> => writeTo(process.stdout, text)

/** Writes a stream of lines, each followed by a newline, to stdout or (with `path`) to a file. */
export const lines = <E>(
  source: Stream.Stream<string, E>,
  path: string | undefined
): Effect.Effect<number, E | FileError> => {
  const sink = (out: NodeJS.WritableStream) =>
    Stream.runFoldEffect(Stream.chunks(source), 0, (n, chunk) => {
      const arr = Array.from(chunk)
      return arr.length === 0 ? Effect.succeed(n) : Effect.as(writeTo(out, arr.join("\n") + "\n"), n + arr.length)
    })
  if (path === undefined) return sink(process.stdout)
  return Effect.acquireUseRelease(
    Effect.async<fs.WriteStream, FileError>((resume) => {
      const file = fs.createWriteStream(path)
      file.once("open", () => resume(Effect.succeed(file)))
      file.once("error", (e) => resume(Effect.fail(new FileError({ path, reason: (e as Error).message }))))
    }),
    (file) => sink(file),
    (file) =>
      Effect.async<void>((resume) => {
        file.end(() => resume(Effect.void))
      })
  )
}

/**
 * A reader that closes the pipe early (`kehoach export | head`) is not an
 * error: stop quietly.
 */
export const quietOnClosedPipe = (): void => {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0)
    throw e
  })
}
