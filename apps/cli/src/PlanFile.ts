/**
 * The text of a plan file: a `.docx` through mammoth (its paragraphs and
 * table cells as lines), anything else as UTF-8 plain text. What cannot be
 * read is a `FileError` naming the file and why, before any rule runs.
 */
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { FileError } from "./CliError.js"

const isZip = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 &&
  bytes[0] === 0x50 &&
  bytes[1] === 0x4b &&
  (bytes[2] === 0x03 || bytes[2] === 0x05) &&
  (bytes[3] === 0x04 || bytes[3] === 0x06)

const firstLine = (e: unknown): string => String(e instanceof Error ? e.message : e).split("\n")[0]!

const docx = (file: string, bytes: Buffer): Effect.Effect<string, FileError> =>
  isZip(bytes)
    ? Effect.tryPromise({
        try: async () => {
          // A CommonJS module: Node and the bundle give its exports as `default`, the types as the namespace.
          const loaded = await import("mammoth")
          const mammoth = (loaded as unknown as { readonly default?: typeof loaded }).default ?? loaded
          return (await mammoth.extractRawText({ buffer: bytes })).value
        },
        catch: (e) => new FileError({ path: file, reason: `not a Word document (.docx): ${firstLine(e)}` })
      })
    : Effect.fail(new FileError({ path: file, reason: "not a .docx file: it is not a zip archive" }))

const plain = (file: string, bytes: Buffer): Effect.Effect<string, FileError> => {
  if (isZip(bytes)) {
    return Effect.fail(new FileError({ path: file, reason: "is a zip archive: a Word document must be named .docx" }))
  }
  if (bytes.length >= 2 && bytes[0] === 0xd0 && bytes[1] === 0xcf) {
    return Effect.fail(
      new FileError({ path: file, reason: "is a Word 97-2003 (.doc) file: save it as .docx or plain text" })
    )
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return Effect.succeed(bytes.subarray(2).toString("utf16le"))
  if (bytes.subarray(0, 8192).includes(0)) {
    return Effect.fail(new FileError({ path: file, reason: "is not a text file: give plain text (UTF-8) or a .docx" }))
  }
  try {
    return Effect.succeed(new TextDecoder("utf-8", { fatal: true }).decode(bytes))
  } catch {
    return Effect.fail(new FileError({ path: file, reason: "is not UTF-8 text: save it as UTF-8 or .docx" }))
  }
}

/** The largest plan file read, in bytes (text or compressed `.docx`): 10 MB. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024

const tooLarge = () => new Error(`is larger than the limit of ${MAX_FILE_BYTES} bytes (10 MB)`)

/** The bytes of a regular file of at most `MAX_FILE_BYTES`, refusing it as soon as it is seen to be larger. */
const readBounded = async (file: string): Promise<Buffer> => {
  const info = await fs.stat(file)
  if (info.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" })
  if (!info.isFile()) throw new Error("is not a regular file (a device, FIFO or socket): give a plain file")
  if (info.size > MAX_FILE_BYTES) throw tooLarge()
  const handle = await fs.open(file, "r")
  try {
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
      if (length > MAX_FILE_BYTES) throw tooLarge()
    }
    return buffer.subarray(0, length)
  } finally {
    await handle.close()
  }
}

/** Reads the text of a plan file (`.docx`, or plain text in UTF-8), refusing one that is not a regular file or is too large. */
export const text = (file: string): Effect.Effect<string, FileError> =>
  Effect.tryPromise({
    try: () => readBounded(file),
    catch: (e) => {
      const code = (e as { code?: string }).code
      return new FileError({
        path: file,
        reason: code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : firstLine(e)
      })
    }
  }).pipe(
    Effect.flatMap((bytes) => (path.extname(file).toLowerCase() === ".docx" ? docx(file, bytes) : plain(file, bytes)))
  )
