/**
 * The one line splitter of imports (`Ndjson.linesOfBytes`): lines numbered
 * as the file numbers them, `\r\n` and `\n`, a character cut between two
 * chunks, the last line, and the per-event limit, refused as soon as a line
 * grows past it, without reading the rest of it (issue 13).
 */
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, FastCheck as fc, Stream } from "effect"
import { EventStore, Ndjson } from "../src/index.js"

const encoder = new TextEncoder()

/** The lines of `chunks` (strings are encoded as UTF-8), or the error. */
const split = (
  chunks: ReadonlyArray<string | Uint8Array>,
  maxLineBytes = 1024
): Either.Either<ReadonlyArray<string>, EventStore.ImportError> =>
  Effect.runSync(
    Effect.either(
      Stream.runCollect(
        Ndjson.linesOfBytes(Stream.fromIterable(chunks.map((c) => (typeof c === "string" ? encoder.encode(c) : c))), {
          maxLineBytes
        })
      ).pipe(Effect.map(Chunk.toReadonlyArray))
    )
  )

const lines = (chunks: ReadonlyArray<string | Uint8Array>, maxLineBytes?: number): ReadonlyArray<string> => {
  const result = split(chunks, maxLineBytes)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

const refused = (chunks: ReadonlyArray<string | Uint8Array>, maxLineBytes?: number): EventStore.ImportError => {
  const result = split(chunks, maxLineBytes)
  if (Either.isRight(result)) throw new Error(`taken: ${JSON.stringify(result.right)}`)
  return result.left
}

/** `bytes` cut into pieces at the given offsets. */
const cut = (bytes: Uint8Array, at: ReadonlyArray<number>): Array<Uint8Array> => {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Array<Uint8Array> = []
  let from = 0
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p))
    from = p
  }
  return out
}

describe("Ndjson.linesOfBytes", () => {
  it("numbers every line, blank ones included; a final newline adds no line, a missing one loses none", () => {
    assert.deepStrictEqual(lines(["a\n\nb\n"]), ["a", "", "b"])
    assert.deepStrictEqual(lines(["a\nb"]), ["a", "b"])
    assert.deepStrictEqual(lines(["a\n\n"]), ["a", ""])
    assert.deepStrictEqual(lines(["\n"]), [""])
    assert.deepStrictEqual(lines([""]), [])
    assert.deepStrictEqual(lines([]), [])
    // The line numbers of errors count the blank lines.
    assert.strictEqual(refused(["{}\n\n", "x".repeat(20) + "\n"], 10).line, 3)
  })

  it("accepts \\r\\n, also cut between two chunks; a lone \\r stays in its line", () => {
    assert.deepStrictEqual(lines(["a\r\nb\r\n"]), ["a", "b"])
    assert.deepStrictEqual(lines(["a\r", "\nb\r", "\n", "c\r"]), ["a", "b", "c"])
    assert.deepStrictEqual(lines(["a\rb\n\r\n"]), ["a\rb", ""])
    assert.deepStrictEqual(lines(["a\n\r"]), ["a"])
    assert.deepStrictEqual(lines(["a\r\r\n"]), ["a\r"])
  })

  it("decodes a character whose bytes are cut between chunks, at every cut", () => {
    const text = "Xã Thượng Lâm 😀\nNà Khán\n"
    const bytes = encoder.encode(text)
    for (let i = 0; i <= bytes.length; i++) {
      for (const j of [i, i + 1, i + 2, bytes.length]) {
        assert.deepStrictEqual(lines(cut(bytes, [i, j])), ["Xã Thượng Lâm 😀", "Nà Khán"], `cut at ${i}, ${j}`)
      }
    }
    // One byte a chunk.
    assert.deepStrictEqual(lines(cut(bytes, [...bytes.keys()])), ["Xã Thượng Lâm 😀", "Nà Khán"])
  })

  it("drops a byte order mark at the start of the input only", () => {
    assert.deepStrictEqual(lines(["\ufeffa\n\ufeffb\n"]), ["a", "\ufeffb"])
    assert.deepStrictEqual(lines(["\ufeff"]), [])
    assert.deepStrictEqual(lines(["\ufeff\r"]), [])
    assert.deepStrictEqual(lines(["\ufeff\n"]), [""])
  })

  it("takes a line of exactly the limit in UTF-8 bytes, and refuses one byte more with its number and the limit", () => {
    const at = "ệ".repeat(3) + "ab" // 11 bytes
    assert.deepStrictEqual(lines(["x\n", at, "\r\n", at], 11), ["x", at, at])
    assert.deepStrictEqual(lines(cut(encoder.encode(`x\n${at}\r\n${at}`), [3, 7, 14, 15]), 11), ["x", at, at])
    for (const over of [at + "c", "c" + at]) {
      for (const chunks of [[`x\n${at}\n${over}\n`], [`x\n${at}\n`, over], [`x\n${at}\n`, over, "\r\n"]]) {
        const error = refused(chunks, 11)
        assert.strictEqual(error.line, 3)
        assert.strictEqual(error.message, "line 3: the line is over the limit of 11 bytes per event")
      }
      // Cut anywhere.
      const bytes = encoder.encode(`x\n${at}\n${over}`)
      for (let i = 0; i <= bytes.length; i++) assert.strictEqual(refused(cut(bytes, [i]), 11).line, 3)
    }
  })

  it("refuses a line as soon as it is over the limit, without reading the rest of it", () => {
    let read = 0
    const endless = Stream.concat(
      Stream.make(encoder.encode("{}\n")),
      Stream.repeatEffect(Effect.sync(() => new Uint8Array(1000).fill(0x78))).pipe(
        Stream.tap(() => Effect.sync(() => read++))
      )
    )
    const result = Effect.runSync(
      Effect.either(Stream.runCollect(Ndjson.linesOfBytes(endless, { maxLineBytes: 10_000 })))
    )
    assert.isTrue(Either.isLeft(result))
    assert.strictEqual((result as Either.Left<EventStore.ImportError, unknown>).left.line, 2)
    // Ten chunks make the line 10,000 bytes; the eleventh is over. Not one more is pulled.
    assert.isAtMost(read, 11)
  })

  it("passes on a read error as the ImportError the caller makes of it", () => {
    const failing = Stream.concat(Stream.make(encoder.encode("{}\n{")), Stream.fail("disk gone"))
    const result = Effect.runSync(
      Effect.either(
        Stream.runCollect(
          Ndjson.linesOfBytes(failing, {
            maxLineBytes: 100,
            onError: (e) => new EventStore.ImportError({ line: 0, reason: `cannot read: ${e}` })
          })
        )
      )
    )
    assert.isTrue(Either.isLeft(result))
    assert.strictEqual((result as Either.Left<EventStore.ImportError, unknown>).left.message, "cannot read: disk gone")
  })

  it.prop(
    "gives the lines that decodeText and splitLines gave, however the bytes are cut",
    [
      fc.array(fc.constantFrom("a", "ệ", "😀", "\n", "\r", "\r\n", "{}", " ", "\ufeff"), { maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 8 })
    ],
    ([pieces, at]) => {
      const bytes = encoder.encode(pieces.join(""))
      const chunks = cut(bytes, at)
      const before = Effect.runSync(
        Stream.runCollect(Stream.splitLines(Stream.decodeText(Stream.fromIterable(chunks)))).pipe(
          Effect.map(Chunk.toReadonlyArray)
        )
      )
      assert.deepStrictEqual(lines(chunks, 1000), before)
    },
    { fastCheck: { numRuns: 1000 } }
  )
})
