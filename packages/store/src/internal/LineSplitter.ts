/**
 * The byte-level machinery of `Ndjson.linesOfBytes`: splits chunks of UTF-8
 * bytes into lines on `\n` (a `\r` before it dropped), holding at most one
 * line's bytes between chunks, and stops as soon as a line is longer than the
 * limit, without reading or keeping the rest of it.
 *
 * Lines are numbered as `Stream.splitLines` numbered them before (the store's
 * tests and error messages rely on it): every `\n` ends a line, empty ones
 * included; the bytes after the last `\n` are a last line only when they are
 * not empty once a final `\r` (and at the start of the input, a byte order
 * mark) is dropped, so a final newline adds no line; a lone `\r` elsewhere is
 * part of the line; a byte order mark is dropped at the start of the input
 * only. Invalid UTF-8 decodes to U+FFFD, as `TextDecoder` did before. A line's
 * size is its UTF-8 bytes without the line end, as the store counts it.
 */

const LF = 0x0a
const CR = 0x0d

/** One input's splitter: `push` every chunk in order, then `end`. */
export class LineSplitter {
  /** The bytes of the line begun and not yet ended, in pieces, and how many they are. */
  private pending: Array<Buffer> = []
  private pendingBytes = 0
  /** How many lines were handed on. */
  private lines = 0
  /** Keeps a byte order mark: `split` drops the first line's only. */
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true })

  constructor(readonly maxLineBytes: number) {}

  /**
   * Appends the lines that `chunk` ends to `out`. Returns the 1-based number
   * of a line longer than the limit when one is found (the lines before it
   * are in `out`), and then must not be called again.
   */
  push(chunk: Uint8Array, out: Array<string>): number | undefined {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let from = 0
    const first = bytes.indexOf(LF)
    if (first !== -1 && this.pendingBytes > 0) {
      // One byte more than the limit may be the `\r` of a `\r\n`: the decoded line is checked exactly.
      if (this.pendingBytes + first > this.maxLineBytes + 1) return this.lines + 1
      this.pending.push(bytes.subarray(0, first))
      const over = this.flush(out, false)
      if (over !== undefined) return over
      from = first + 1
    }
    const last = first === -1 ? -1 : bytes.lastIndexOf(LF)
    if (last >= from) {
      // The lines that lie whole in this chunk, decoded at once (a `\n` byte is never inside a UTF-8 character).
      // In streaming mode, Node 20 decodes a large text faster; it ends with `\n`, so no byte is held back.
      const over = this.split(this.decoder.decode(bytes.subarray(from, last + 1), { stream: true }), out)
      if (over !== undefined) return over
      from = last + 1
    }
    if (from < bytes.length) {
      if (this.pendingBytes + (bytes.length - from) > this.maxLineBytes + 1) return this.lines + 1
      // Copied: the caller may reuse its buffer, and a short rest should not keep a large chunk alive.
      this.pending.push(Buffer.from(bytes.subarray(from)))
      this.pendingBytes += bytes.length - from
    }
    return undefined
  }

  /**
   * Appends the last line (the bytes after the last `\n`, unless they are
   * none or a lone `\r`) to `out`, or returns its number when it is over the limit.
   */
  end(out: Array<string>): number | undefined {
    return this.pendingBytes === 0 ? undefined : this.flush(out, true)
  }

  /** Ends the pending line (its last piece already pushed); the last line of the input is dropped when empty. */
  private flush(out: Array<string>, last: boolean): number | undefined {
    const line = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending)
    this.pending = []
    this.pendingBytes = 0
    return this.split(this.decoder.decode(line), out, last)
  }

  /**
   * Appends the lines of `text` (each ended by `\n`, but for a last one) to
   * `out`, or returns the number of one over the limit. With `last`, `text`
   * is the end of the input, which is no line when it comes out empty.
   */
  private split(text: string, out: Array<string>, last = false): number | undefined {
    let start = 0
    while (start < text.length) {
      const lf = text.indexOf("\n", start)
      const stop = lf === -1 ? text.length : lf
      const end = stop > start && text.charCodeAt(stop - 1) === CR ? stop - 1 : stop
      let line = text.slice(start, end)
      // A UTF-16 unit is at most 3 UTF-8 bytes: most lines are counted without encoding them.
      if (line.length > this.maxLineBytes / 3 && Buffer.byteLength(line) > this.maxLineBytes) return this.lines + 1
      if (this.lines === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1)
      if (!last || line !== "") {
        this.lines++
        out.push(line)
      }
      start = stop + 1
    }
    return undefined
  }
}
