/**
 * A small CSV reader for the GSO unit lists: comma-separated, a header line,
 * fields optionally in double quotes (a doubled quote inside one), a BOM and
 * CRLF tolerated. Rows keep their line number for error messages.
 */

/** One data row: its 1-based line number in the file and its fields by header name. */
export interface Row {
  readonly line: number
  readonly fields: Readonly<Record<string, string>>
}

const splitLine = (text: string): Array<string> | undefined => {
  const out: Array<string> = []
  let i = 0
  while (true) {
    if (text[i] === '"') {
      let value = ""
      i++
      while (true) {
        const q = text.indexOf('"', i)
        if (q < 0) return undefined
        value += text.slice(i, q)
        if (text[q + 1] === '"') {
          value += '"'
          i = q + 2
        } else {
          i = q + 1
          break
        }
      }
      out.push(value)
      if (i === text.length) return out
      if (text[i] !== ",") return undefined
      i++
    } else {
      const comma = text.indexOf(",", i)
      if (comma < 0) {
        out.push(text.slice(i).trim())
        return out
      }
      out.push(text.slice(i, comma).trim())
      i = comma + 1
    }
  }
}

/**
 * Parses `text` into rows keyed by the header; `fail(line, reason)` is called
 * for the first malformed line (a missing column, an unclosed quote) and for
 * a header without the `required` columns.
 */
export const parse = (
  text: string,
  required: ReadonlyArray<string>,
  fail: (line: number, reason: string) => never
): Array<Row> => {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/)
  const header = splitLine(lines[0] ?? "")
  if (header === undefined || header.length === 0 || header[0] === "") fail(1, "expected a header line")
  const missing = required.filter((c) => !header!.includes(c))
  if (missing.length > 0) fail(1, `the header lacks the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`)
  const rows: Array<Row> = []
  for (let n = 1; n < lines.length; n++) {
    const raw = lines[n]!
    if (raw.trim() === "") continue
    const values = splitLine(raw)
    if (values === undefined) fail(n + 1, "an unclosed or misplaced double quote")
    if (values!.length !== header!.length) {
      fail(n + 1, `expected ${header!.length} fields as in the header, got ${values!.length}`)
    }
    const fields: Record<string, string> = {}
    header!.forEach((name, i) => (fields[name] = values![i]!))
    rows.push({ line: n + 1, fields })
  }
  return rows
}
