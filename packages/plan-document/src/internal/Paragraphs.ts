/**
 * Plain text of a plan, as people and converters write it, turned into lines
 * and paragraphs the rules can read: NFC, table cells (`|`) as lines, rules
 * (`-------`) dropped, and hard-wrapped lines joined back into paragraphs.
 */

/** One non-empty line of the document, trimmed, with its 1-based line number. */
export interface Line {
  readonly text: string
  readonly line: number
  /** Whether a blank line (or an empty table cell) came before it. */
  readonly afterBlank: boolean
}

/** A paragraph: one or more lines joined with a space; `line` is where it starts. */
export interface Paragraph {
  readonly text: string
  readonly line: number
}

const rule = /^[-_=–—.*•\s]+$/u

/** Normalises the text (NFC, no-break spaces, tabs) and splits it into lines and table cells. */
export const lines = (text: string): Array<Line> => {
  const result: Array<Line> = []
  let blank = true
  const raw = text
    .normalize("NFC")
    .replace(/^\uFEFF/u, "")
    .split(/\r\n|\r|\n/u)
  for (let i = 0; i < raw.length; i++) {
    for (const cell of raw[i]!.split("|")) {
      const clean = cell
        .replace(/[\u00A0\u2007\u202F\t\u200B]/gu, " ")
        .replace(/ {2,}/gu, " ")
        .trim()
      if (clean === "") {
        blank = true
        continue
      }
      if (rule.test(clean) && clean.length >= 3) continue
      result.push({ text: clean, line: i + 1, afterBlank: blank })
      blank = false
    }
  }
  return result
}

/** A marker that opens a section, an item or a bullet: `I.`, `II/`, `1.`, `2.1.`, `a)`, `-`, `+`, `•`. */
export const marker = /^(?:[IVXLC]+[./]\s|\d+(?:\.\d+)*[.)]\s|\d+(?:\.\d+)+\s|[a-zđ]\)\s|[-–—+•*]\s?)/u

const startsLower = /^[a-zà-ỹđ0-9(“"]/u
const continues = /[,\-–]$/u

/**
 * Joins hard-wrapped lines into paragraphs: a line continues the one before
 * when no blank line separates them, it opens with no marker, and either it
 * starts in lower case (or with a digit) or the line before ends with a comma
 * or a hyphen. A heading such as `1. Mục đích` followed by `Theo dõi…` stays
 * apart.
 */
export const paragraphs = (input: ReadonlyArray<Line>): Array<Paragraph> => {
  const result: Array<{ text: string; line: number }> = []
  for (const l of input) {
    const last = result[result.length - 1]
    const join =
      last !== undefined &&
      !l.afterBlank &&
      !marker.test(l.text) &&
      (startsLower.test(l.text) || continues.test(last.text))
    if (join) last.text = `${last.text} ${l.text}`
    else result.push({ text: l.text, line: l.line })
  }
  return result
}

/** Whether a text has letters and none of them in lower case (a heading or a title in capitals). */
export const isUpperCase = (s: string): boolean => /\p{L}/u.test(s) && s === s.toLocaleUpperCase("vi")

/** Shortens a sentence for the review table. */
export const excerpt = (s: string, max = 160): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`)
