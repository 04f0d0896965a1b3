/**
 * Reading request bodies with a size limit. The body is read from Node's
 * request directly so that a body over the limit is answered with 413 and
 * the rest of it drained, not reset mid-upload (the client then reads the
 * answer), and so that an import is streamed line by line instead of being
 * held in memory.
 */
import type { HttpServerRequest } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { ApiError } from "@kehoach/api"
import { EventStore } from "@kehoach/store"
import { Effect, Stream } from "effect"

const tooLarge = (limit: number) =>
  new ApiError.PayloadTooLarge({ limit, message: `the body is larger than ${limit} bytes` })

/** Fails with 413 at once when the declared `Content-Length` is over the limit. */
export const checkLength = (request: HttpServerRequest.HttpServerRequest, limit: number) => {
  const declared = Number(request.headers["content-length"] ?? "0")
  return Number.isFinite(declared) && declared > limit ? Effect.fail(tooLarge(limit)) : Effect.void
}

/** The whole body as UTF-8 text, or 413 once more than `limit` bytes arrive. */
export const text = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<string, ApiError.PayloadTooLarge> =>
  Effect.zipRight(
    checkLength(request, limit),
    Effect.async<string, ApiError.PayloadTooLarge>((resume) => {
      const source = NodeHttpServerRequest.toIncomingMessage(request)
      const chunks: Array<Buffer> = []
      let size = 0
      const cleanup = () => {
        source.off("data", onData)
        source.off("end", onEnd)
        source.off("error", onError)
      }
      const onData = (chunk: Buffer) => {
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
 * The body as a stream of lines (empty lines kept, so line numbers match the
 * file), read with backpressure. Past `limit` bytes the stream fails with an
 * `ImportError` and `onTooLarge` is called, so the caller can answer 413.
 */
export const lines = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number,
  onTooLarge: () => void
): Stream.Stream<string, EventStore.ImportError> => {
  let count = 0
  return Stream.async<Uint8Array, EventStore.ImportError>((emit) => {
    const source = NodeHttpServerRequest.toIncomingMessage(request)
    let size = 0
    const cleanup = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
      source.resume()
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        onTooLarge()
        void emit.fail(new EventStore.ImportError({ line: count + 1, reason: `the body is larger than ${limit} bytes` }))
        return
      }
      source.pause()
      void emit.single(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)).then(() => source.resume())
    }
    const onEnd = () => {
      void emit.end()
    }
    const onError = (error: Error) => {
      void emit.die(error)
    }
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("error", onError)
    return Effect.sync(cleanup)
  }, 16).pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.tap(() => Effect.sync(() => void count++))
  )
}
