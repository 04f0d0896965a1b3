/**
 * CSV as RFC 4180 describes it: a header row, CRLF line ends, and a field
 * quoted (with inner quotes doubled) when it holds a comma, a quote, CR or LF.
 */

/** A field's text: empty for null or undefined, numbers as JavaScript writes them. */
export type Field = string | number | null | undefined

/** Quotes a field when RFC 4180 requires it. */
export const field = (value: Field): string => {
  if (value === null || value === undefined) return ""
  const s = typeof value === "number" ? String(value) : value.normalize("NFC")
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** One record, ended by CRLF. */
export const record = (fields: ReadonlyArray<Field>): string => fields.map(field).join(",") + "\r\n"

/** A whole document: the header row and then every record. */
export const document = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Field>>): string =>
  record(header) + rows.map(record).join("")
