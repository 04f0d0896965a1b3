/**
 * Aligned text tables for people. Vietnamese names may arrive decomposed
 * (a base letter followed by combining marks): cells are normalised to NFC
 * and measured in terminal columns, so a column of names lines up whatever
 * diacritics its rows carry.
 */

/** How a column aligns its cells: text to the left, numbers to the right. */
export type Align = "left" | "right"

/** One column: its header and alignment. */
export interface Column {
  readonly header: string
  readonly align: Align
}

// Combining marks (U+0300–036F and the supplements) take no column: a name
// written decomposed must measure the same as its NFC form.
const isCombining = (c: number): boolean =>
  (c >= 0x300 && c <= 0x36f) ||
  (c >= 0x1ab0 && c <= 0x1aff) ||
  (c >= 0x1dc0 && c <= 0x1dff) ||
  (c >= 0x20d0 && c <= 0x20ff) ||
  (c >= 0xfe20 && c <= 0xfe2f) ||
  (c >= 0x200b && c <= 0x200f)

const isWide = (c: number): boolean =>
  (c >= 0x1100 && c <= 0x115f) ||
  (c >= 0x2e80 && c <= 0xa4cf) ||
  (c >= 0xac00 && c <= 0xd7a3) ||
  (c >= 0xf900 && c <= 0xfaff) ||
  (c >= 0xfe30 && c <= 0xfe4f) ||
  (c >= 0xff00 && c <= 0xff60) ||
  (c >= 0xffe0 && c <= 0xffe6) ||
  (c >= 0x1f300 && c <= 0x1faff) ||
  (c >= 0x20000 && c <= 0x3fffd)

/**
 * The number of terminal columns a string takes: combining marks take none,
 * East Asian wide characters two, everything else (Vietnamese letters with
 * their diacritics precomposed, as NFC writes them) one.
 */
export const displayWidth = (s: string): number => {
  let width = 0
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x300) {
      width++
      continue
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      c = ((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00) + 0x10000
      i++
    }
    width += isCombining(c) ? 0 : isWide(c) ? 2 : 1
  }
  return width
}

/** Pads a string with spaces to a display width. */
export const pad = (s: string, width: number, align: Align): string => {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)))
  return align === "left" ? s + fill : fill + s
}

/** A label over a run of columns (`from` to `to`, inclusive), e.g. "whole subtree" over four counts. */
export interface Group {
  readonly label: string
  readonly from: number
  readonly to: number
}

const gap = "  "

/**
 * Renders rows under headers with two spaces between columns, and optional
 * group labels on a line above the headers; trailing spaces are trimmed.
 * Every cell is normalised to NFC first.
 */
export const render = (
  columns: ReadonlyArray<Column>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  groups: ReadonlyArray<Group> = []
): Array<string> => {
  const cells = rows.map((row) => row.map((c) => c.normalize("NFC")))
  const widths = columns.map((c, i) =>
    cells.reduce((w, row) => Math.max(w, displayWidth(row[i] ?? "")), displayWidth(c.header))
  )
  // A group label wider than its columns widens the last of them.
  for (const g of groups) {
    const span = widths.slice(g.from, g.to + 1).reduce((a, b) => a + b, 0) + gap.length * (g.to - g.from)
    const need = displayWidth(g.label) - span
    if (need > 0) widths[g.to] = widths[g.to]! + need
  }
  const line = (row: ReadonlyArray<string>) =>
    columns
      .map((c, i) => pad(row[i] ?? "", widths[i]!, c.align))
      .join(gap)
      .trimEnd()
  const out: Array<string> = []
  if (groups.length > 0) {
    let text = ""
    let col = 0
    for (const g of [...groups].sort((a, b) => a.from - b.from)) {
      const start = widths.slice(0, g.from).reduce((a, b) => a + b + gap.length, 0)
      const span = widths.slice(g.from, g.to + 1).reduce((a, b) => a + b, 0) + gap.length * (g.to - g.from)
      text += " ".repeat(Math.max(0, start - col))
      const label = g.label
      const fill = Math.max(0, span - displayWidth(label))
      const left = Math.floor(fill / 2)
      text += "-".repeat(left) + label + "-".repeat(fill - left)
      col = start + span
    }
    out.push(text.trimEnd())
  }
  out.push(line(columns.map((c) => c.header)))
  out.push(widths.map((w) => "-".repeat(w)).join(gap))
  for (const row of cells) out.push(line(row))
  return out
}

/** A rate as a percentage with one decimal (`87.5%`), or `-` when there is none. */
export const percent = (rate: number | null): string => (rate === null ? "-" : `${(rate * 100).toFixed(1)}%`)

/** A count with no separators, so a reader can add the column as written. */
export const count = (n: number): string => String(n)
