/**
 * Reading request bodies with a size limit. The body is read from Node's
 * request directly so that a body over the limit is answered with 413 and
 * the rest of it drained, not reset mid-upload (the client then reads the
 * answer), and so that an import is spooled to disk instead of being held in
 * memory.
 */
import type { HttpServerRequest } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { ApiError } from "@kehoach/api"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const tooLarge = (limit: number) =>
  new ApiError.PayloadTooLarge({ limit, message: `the body is larger than ${limit} bytes` })

const timedOut = (idleMillis: number) =>
  new ApiError.RequestTimeout({
    limit: idleMillis,
    message: `the body stopped arriving for ${idleMillis} ms; the connection is closed`
  })

/**
 * Calls `onIdle` when no chunk arrived for `idleMillis`; the returned function
 * is told of each chunk, and `stop` ends the watch. The socket is closed a
 * moment after (the 408 goes out first), so a stalled client holds nothing.
 */
const watchIdle = (source: NodeJS.ReadableStream & { destroy(): void }, idleMillis: number, onIdle: () => void) => {
  let timer: NodeJS.Timeout | undefined
  const arm = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(() => {
      onIdle()
      setTimeout(() => source.destroy(), 200).unref()
    }, idleMillis)
    timer.unref()
  }
  arm()
  return { touch: arm, stop: () => timer !== undefined && clearTimeout(timer) }
}

/** Fails with 413 at once when the declared `Content-Length` is over the limit. */
export const checkLength = (request: HttpServerRequest.HttpServerRequest, limit: number) => {
  const declared = Number(request.headers["content-length"] ?? "0")
  return Number.isFinite(declared) && declared > limit ? Effect.fail(tooLarge(limit)) : Effect.void
}

/**
 * The whole body as UTF-8 text, or 413 once more than `limit` bytes arrive,
 * or 408 when it stops arriving for `idleMillis`.
 */
export const text = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number,
  idleMillis: number = 30_000
): Effect.Effect<string, ApiError.PayloadTooLarge | ApiError.RequestTimeout> =>
  Effect.zipRight(
    checkLength(request, limit),
    Effect.async<string, ApiError.PayloadTooLarge | ApiError.RequestTimeout>((resume) => {
      const source = NodeHttpServerRequest.toIncomingMessage(request)
      const chunks: Array<Buffer> = []
      let size = 0
      const idle = watchIdle(source, idleMillis, () => {
        cleanup()
        resume(Effect.fail(timedOut(idleMillis)))
      })
      const cleanup = () => {
        idle.stop()
        source.off("data", onData)
        source.off("end", onEnd)
        source.off("error", onError)
      }
      const onData = (chunk: Buffer) => {
        idle.touch()
        size += chunk.length
        if (size > limit) {
          cleanup()
          source.resume() // drain and drop the rest, so the 413 reaches the client
          resume(Effect.fail(tooLarge(limit)))
        } else {
          chunks.push(chunk)
        }
      }
      const onEnd = () => {
        cleanup()
        resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
      }
      const onError = (error: Error) => {
        cleanup()
        resume(Effect.die(error))
      }
      source.on("data", onData)
      source.on("end", onEnd)
      source.on("error", onError)
      return Effect.sync(cleanup)
    })
  )

/**
 * The body written to a temporary file (removed when the scope closes), or
 * 413 once more than `limit` bytes arrive. An import reads the file under the
 * store's write lock: the lock is held for the import's own work, never for
 * the time a client takes to upload, so a slow upload blocks no other append.
 */
export const spool = (request: HttpServerRequest.HttpServerRequest, limit: number, idleMillis: number = 30_000) =>
  Effect.gen(function* () {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "kehoach-import-"))),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
    )
    const file = Path.join(dir, "body.ndjson")
    yield* Effect.async<void, ApiError.PayloadTooLarge | ApiError.RequestTimeout>((resume) => {
      const source = NodeHttpServerRequest.toIncomingMessage(request)
      const sink = Fs.createWriteStream(file)
      let size = 0
      const idle = watchIdle(source, idleMillis, () => {
        source.unpipe(sink)
        source.off("data", onData)
        sink.destroy()
        resume(Effect.fail(timedOut(idleMillis)))
      })
      const onData = (chunk: Buffer) => {
        idle.touch()
        size += chunk.length
        if (size > limit) {
          idle.stop()
          source.unpipe(sink)
          source.off("data", onData)
          source.resume() // drain the rest, so the client reads the answer
          sink.destroy()
          resume(Effect.fail(tooLarge(limit)))
        }
      }
      source.on("data", onData)
      source.on("error", (error) => resume(Effect.die(error)))
      sink.on("error", (error) => resume(Effect.die(error)))
      source.on("end", () => idle.stop())
      sink.on("finish", () => {
        idle.stop()
        if (size <= limit) resume(Effect.void)
      })
      source.pipe(sink)
    })
    return file
  })
