/**
 * A plan document (kế hoạch) read rule by rule: the issuer block, the number
 * (`Số: 182/KH- MTTQ-BTT`, normalised to `182/KH-MTTQ-BTT`), the place and
 * date, the title under the `KẾ HOẠCH` heading, the documents it implements
 * (`Thực hiện …`, `Căn cứ …`), the tasks (the numbered items of the section
 * on content or tasks), the levels that section `Tổ chức thực hiện` assigns
 * and whether each must issue its own plan, and the reporting regime.
 *
 * Every value keeps the line and the sentence it came from, for the review;
 * a field the rules do not find is absent, never guessed. The rules are
 * written out in docs/decisions/0012-plan-draft.md.
 */
import type { Events } from "@kehoach/domain"
import { Either } from "effect"
import { EmptyDocument, InvalidDate, NotAPlan } from "./Errors.js"
import * as Dates from "./internal/Dates.js"
import * as Paragraphs from "./internal/Paragraphs.js"
import * as ReportingRegime from "./ReportingRegime.js"

/** A value read from the document, with where it came from. */
export interface Finding<A> {
  readonly value: A
  readonly line: number
  readonly sentence: string
}

/** A level of the hierarchy that the document assigns (section `Tổ chức thực hiện`). */
export interface LevelAssignment {
  readonly level: Events.Level
  /** The item that assigns it, e.g. `III.2`. */
  readonly item: string
  /** Whether the level must build its own plan (`xây dựng kế hoạch …`). */
  readonly ownPlan: boolean
  /** The date its own plan is due by, when the item gives one. */
  readonly subPlanDueBy: string | undefined
  readonly line: number
  readonly sentence: string
}

/** An item of `Tổ chức thực hiện` whose subject is no level of the hierarchy (a department, the issuer itself). */
export interface OtherAssignee {
  readonly item: string
  readonly subject: string
  readonly issuerItself: boolean
  readonly line: number
}

/** What the rules read from a plan document. */
export interface PlanDocument {
  readonly issuer: Finding<string> | undefined
  /** The level the issuer block names (`TỈNH …` is a province), when it names one. */
  readonly issuerLevel: Events.Level | undefined
  readonly documentNumber: Finding<string> | undefined
  readonly place: Finding<string> | undefined
  /** The date of issue, `YYYY-MM-DD`. */
  readonly issuedOn: Finding<string> | undefined
  readonly title: Finding<string> | undefined
  readonly basis: ReadonlyArray<Finding<string>>
  readonly tasks: ReadonlyArray<Finding<Events.Task>>
  readonly assignments: ReadonlyArray<LevelAssignment>
  readonly others: ReadonlyArray<OtherAssignee>
  readonly schedules: ReadonlyArray<Finding<ReportingRegime.Found>>
  /** The last day the plan covers, from its title (`năm 2018`, `giai đoạn 2025 - 2030`, `đến năm 2030`). */
  readonly effectiveUntil: Finding<string> | undefined
}

// ---------------------------------------------------------------------------
// Header

const headerEnd = /^(?:KẾ HOẠCH(?!\p{L})|Thực hiện(?!\p{L})|Căn cứ(?!\p{L})|[IVX]+[./]\s)/u
const nationalMotto = /^(?:CỘNG HOÀ|CỘNG HÒA|Độc lập\s*[-–]|Số\s*(?:hiệu)?\s*:)/iu
const heading = /^KẾ HOẠCH(?:\s|$)/u

const levelOfIssuer = (block: string): Events.Level | undefined => {
  const s = block.toLocaleUpperCase("vi")
  if (/(?<!\p{L})(?:XÃ|PHƯỜNG|THỊ TRẤN|ĐẶC KHU)\s+\p{Lu}/u.test(s)) return "commune"
  if (/(?<!\p{L})(?:HUYỆN|QUẬN|THỊ XÃ)\s+\p{Lu}/u.test(s)) return "district"
  if (/(?<!\p{L})(?:TỈNH|THÀNH PHỐ)\s+\p{Lu}/u.test(s)) return "province"
  return undefined
}

const normaliseNumber = (raw: string): string =>
  raw
    .replace(/\s*([/-])\s*/gu, "$1")
    .split(/\s/u)[0]!
    .replace(/[.,;]+$/u, "")

const isPlanNumber = (n: string): boolean => /(?:^|[/-])KH(?:[/-]|$)/u.test(n)

// ---------------------------------------------------------------------------
// Body

interface Section {
  readonly roman: string
  readonly title: string
  readonly line: number
  readonly paragraphs: ReadonlyArray<Paragraph>
}
type Paragraph = Paragraphs.Paragraph

interface Item {
  readonly number: string
  readonly first: Paragraph
  readonly text: string
}

const romanHeading = /^([IVXLC]+)[./]\s*(.*)$/u
const itemHeading = /^(\d+)[.)]\s+(.*)$/u

const sectionsOf = (paragraphs: ReadonlyArray<Paragraph>): Array<Section> => {
  const sections: Array<{ roman: string; title: string; line: number; paragraphs: Array<Paragraph> }> = []
  for (const p of paragraphs) {
    const m = romanHeading.exec(p.text)
    if (m !== null && m[2]!.length <= 120) sections.push({ roman: m[1]!, title: m[2]!, line: p.line, paragraphs: [] })
    else sections[sections.length - 1]?.paragraphs.push(p)
  }
  return sections
}

const itemsOf = (section: Section): Array<Item> => {
  const items: Array<{ number: string; first: Paragraph; parts: Array<string> }> = []
  for (const p of section.paragraphs) {
    const m = itemHeading.exec(p.text)
    if (m !== null) items.push({ number: m[1]!, first: { text: m[2]!, line: p.line }, parts: [m[2]!] })
    else items[items.length - 1]?.parts.push(p.text)
  }
  return items.map((i) => ({ number: i.number, first: i.first, text: i.parts.join(" ") }))
}

const tasksSection = /nội dung|nhiệm vụ|giải pháp/iu
const notTasks = /mục đích|mục tiêu|tổ chức thực hiện|kinh phí|đối tượng/iu
const organisation = /tổ chức thực hiện/iu

// The verb that ends the subject of an item of `Tổ chức thực hiện` (case matters: `Ban Chỉ đạo` is a name).
const subjectEnd =
  /[\s,]+(?:xây dựng|ban hành|phối hợp|chủ trì|chỉ đạo|tổ chức|triển khai|căn cứ|có trách nhiệm|chịu trách nhiệm|thực hiện|hướng dẫn|tham mưu|theo dõi|kiểm tra|đôn đốc|giao|chủ động|tiếp tục|tăng cường)(?!\p{L})/u

const levelsInSubject = (subject: string): Array<Events.Level> => {
  const s = subject.toLocaleLowerCase("vi")
  const levels: Array<Events.Level> = []
  if (/(?:các|cấp)\s+(?:huyện|quận|thị xã)|huyện,\s*(?:thành phố|thị xã)|quận,\s*huyện/u.test(s))
    levels.push("district")
  if (/(?:các|cấp)\s+(?:xã|phường|thị trấn|đặc khu)|xã,\s*(?:phường|thị trấn)|phường,\s*xã/u.test(s))
    levels.push("commune")
  if (/khu dân cư|(?:các|cấp)\s+(?:thôn|bản|tổ dân phố|ấp)|thôn,\s*(?:bản|tổ dân phố)/u.test(s))
    levels.push("residential-area")
  return levels
}

const ownPlan = /(?:xây dựng|ban hành)\s+(?:và\s+(?:ban hành|triển khai)\s+)?(?:các\s+)?kế hoạch/iu
const subPlanDue =
  /kế hoạch[^.;]*?(?:trước|chậm nhất(?: là)?(?: vào)?|xong trước)\s+ngày\s+(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})/iu

const until = (title: string): { year: number; text: string } | undefined => {
  const s = title
    .toLocaleLowerCase("vi")
    .replace(/[”“"'’]/gu, "")
    .trim()
  const last = /năm\s+(\d{4})\s*$/u.exec(s)
  if (last !== null) return { year: Number(last[1]), text: last[0] }
  const span = /giai đoạn\s+(\d{4})\s*[-–—]\s*(\d{4})/u.exec(s)
  if (span !== null) return { year: Number(span[2]), text: span[0] }
  const to = /đến năm\s+(\d{4})/u.exec(s)
  if (to !== null) return { year: Number(to[1]), text: to[0] }
  const any = /năm\s+(\d{4})/u.exec(s)
  return any === null ? undefined : { year: Number(any[1]), text: any[0] }
}

const documentKind =
  /^(?:Kế hoạch|Quyết định|Nghị quyết|Chỉ thị|Kết luận|Thông tư|Thông tri|Nghị định|Luật|Công văn|Hướng dẫn|Chương trình|Đề án|Văn bản|Thông báo|Hiến pháp)(?!\p{L})/u

const basisOf = (p: Paragraph): Array<Finding<string>> => {
  // The list of documents ends where the preamble goes on: "… 2030”. Theo đề nghị của …".
  const body = p.text
    .replace(/^(?:Thực hiện|Căn cứ)\s+/u, "")
    .split(/(?<=[.”"])\s+(?=(?:Theo đề nghị|Xét đề nghị|Để|Nhằm)\s)/u)[0]!
  const found: Array<Finding<string>> = []
  for (const raw of body.split(/;\s*/u)) {
    // "…, Ủy ban nhân dân tỉnh ban hành Kế hoạch …" ends the list of documents.
    const cut = raw.split(
      /,\s*(?=(?:Ủy ban|UBND|Ban Thường trực|Ban Chấp hành|Ban Thường vụ|Sở|Ban chỉ đạo|Ban Chỉ đạo)[^,]*?(?:ban hành|xây dựng)\s+[Kk]ế hoạch)/u
    )[0]!
    const clean = cut
      .replace(/^(?:Thực hiện|Căn cứ)\s+/u, "")
      .replace(/[\s,;.:]+$/u, "")
      .trim()
    const last = found[found.length - 1]
    // "…; UBND Thành phố xây dựng Kế hoạch …, như sau": the issuer speaks, the list is over.
    if (/^(?:Ủy ban|UBND|Ban|Sở|Hội đồng)[^;]*?(?:ban hành|xây dựng)\s+[Kk]ế hoạch/u.test(clean)) break
    if (documentKind.test(clean)) found.push({ value: clean, line: p.line, sentence: p.text })
    // A semicolon inside a name ("Cơ quan Thường trực phòng, chống tội phạm; phòng, chống ma túy; …") continues the document before.
    else if (last !== undefined && cut === raw && clean !== "")
      found[found.length - 1] = { ...last, value: `${last.value}; ${clean}` }
  }
  return found
}

// ---------------------------------------------------------------------------

/**
 * Reads a plan from its plain text. Fails when the text is empty, is not a
 * plan, or writes a date (of issue, or a reporting deadline) that does not
 * exist; anything else the rules cannot find is simply absent.
 */
export const read = (text: string): Either.Either<PlanDocument, EmptyDocument | NotAPlan | InvalidDate> => {
  const lines = Paragraphs.lines(text)
  if (lines.length === 0) return Either.left(new EmptyDocument())

  // Header: the lines before the heading (or the first sentence of the body).
  let bodyStart = lines.findIndex((l) => headerEnd.test(l.text))
  if (bodyStart < 0) bodyStart = Math.min(lines.length, 12)
  const header = lines.slice(0, bodyStart)

  const mottoAt = header.findIndex((l) => nationalMotto.test(l.text))
  const issuerLines = header
    .slice(0, mottoAt < 0 ? Math.min(header.length, 3) : mottoAt)
    .filter((l) => !/,\s*ngày\s+\d/u.test(l.text))
  const issuer: Finding<string> | undefined =
    issuerLines.length === 0
      ? undefined
      : {
          value: issuerLines.map((l) => l.text).join(" / "),
          line: issuerLines[0]!.line,
          sentence: issuerLines.map((l) => l.text).join(" / ")
        }

  let documentNumber: Finding<string> | undefined
  for (let i = 0; i < header.length && documentNumber === undefined; i++) {
    const m = /^Số\s*(?:hiệu)?\s*:\s*(.*)$/iu.exec(header[i]!.text)
    if (m === null) continue
    const raw = m[1]!.trim() !== "" ? m[1]! : (header[i + 1]?.text ?? "")
    const value = normaliseNumber(raw)
    if (/^\d/u.test(value)) documentNumber = { value, line: header[i]!.line, sentence: header[i]!.text }
  }

  // A plan has the heading, or at least a plan's number; anything else is refused before its dates are read.
  const headingAt = lines.findIndex((l) => heading.test(l.text))
  if (headingAt < 0 && !(documentNumber !== undefined && isPlanNumber(documentNumber.value))) {
    return Either.left(
      new NotAPlan({
        reason:
          documentNumber === undefined
            ? 'no "KẾ HOẠCH" heading and no document number'
            : `no "KẾ HOẠCH" heading, and its number ${documentNumber.value} is not a plan's (…/KH-…)`
      })
    )
  }

  let place: Finding<string> | undefined
  let issuedOn: Finding<string> | undefined
  const headerText = header.map((l) => l.text).join("\n")
  const dated =
    /(?:^|\n)([^\n,]{2,60}),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})|(?:^|\n)([^\n,]{2,60}),\s*ngày\s+(\d{1,2})\/(\d{1,2})\/(\d{4})/u.exec(
      headerText
    )
  if (dated !== null) {
    const at = header.find((l) => /,\s*ngày\s+\d/u.test(l.text)) ?? header[0]!
    const sentence = dated[0].trim().replace(/\n/gu, " ")
    const [day, month, year] =
      dated[2] !== undefined
        ? [Number(dated[2]), Number(dated[3]), Number(dated[4])]
        : [Number(dated[6]), Number(dated[7]), Number(dated[8])]
    if (!Dates.exists(year, month, day)) {
      return Either.left(new InvalidDate({ text: sentence.slice(sentence.indexOf("ngày")), line: at.line }))
    }
    place = { value: (dated[1] ?? dated[5])!.trim(), line: at.line, sentence }
    issuedOn = { value: Dates.local(year, month, day), line: at.line, sentence }
  }

  // Title: the lines under the heading, up to the first sentence of the body.
  let title: Finding<string> | undefined
  if (headingAt >= 0) {
    const sameLine = lines[headingAt]!.text.replace(heading, "").trim()
    const parts: Array<Paragraphs.Line> = []
    if (sameLine !== "") parts.push({ ...lines[headingAt]!, text: sameLine })
    for (let i = headingAt + 1; i < lines.length; i++) {
      const l = lines[i]!
      if (/^(?:Thực hiện|Căn cứ|Để|Nhằm)(?!\p{L})/u.test(l.text) || Paragraphs.marker.test(l.text)) break
      if (parts.length > 0) {
        const upper = Paragraphs.isUpperCase(parts[0]!.text)
        if (upper ? !Paragraphs.isUpperCase(l.text) : l.afterBlank || /[.;:]$/u.test(parts[parts.length - 1]!.text))
          break
      }
      parts.push(l)
    }
    if (parts.length > 0) {
      const value = parts
        .map((l) => l.text)
        .join(" ")
        .replace(/\s+/gu, " ")
        .trim()
      title = { value, line: parts[0]!.line, sentence: value }
    }
  }

  const body = Paragraphs.paragraphs(lines.slice(bodyStart))
  const sections = sectionsOf(body)
  const firstSection = body.findIndex((p) => romanHeading.test(p.text))
  const preamble = body.slice(0, firstSection < 0 ? Math.min(body.length, 3) : firstSection)

  const basis = preamble.filter((p) => /^(?:Thực hiện|Căn cứ)(?!\p{L})/u.test(p.text)).flatMap(basisOf)

  const tasks: Array<Finding<Events.Task>> = []
  for (const section of sections) {
    if (!tasksSection.test(section.title) || notTasks.test(section.title)) continue
    for (const item of itemsOf(section)) {
      tasks.push({
        value: { code: `${section.roman}.${item.number}`, text: item.text },
        line: item.first.line,
        sentence: item.first.text
      })
    }
  }

  const assignments: Array<LevelAssignment> = []
  const others: Array<OtherAssignee> = []
  const seen = new Set<Events.Level>()
  for (const section of sections) {
    if (!organisation.test(section.title)) continue
    for (const item of itemsOf(section)) {
      const code = `${section.roman}.${item.number}`
      // "UBND các huyện, thành phố: Căn cứ …" — the subject ends at a colon, or at its first verb.
      const head = item.first.text.split(/[:.;]/u)[0]!
      const end = subjectEnd.exec(head)
      const subject = (end === null ? head : head.slice(0, end.index)).trim()
      const levels = levelsInSubject(subject)
      if (levels.length === 0) {
        const issuerItself =
          /(?:Ủy ban|UBND|Ban Thường trực|Thường trực)[^,]*?\s(?:tỉnh|Thành phố|thành phố|huyện|xã|phường)$/u.test(
            subject
          ) && !/^(?:Sở|Công an|Bộ Chỉ huy|Ban Chỉ huy)/u.test(subject)
        others.push({ item: code, subject, issuerItself, line: item.first.line })
        continue
      }
      const due = subPlanDue.exec(item.text)
      let subPlanDueBy: string | undefined
      if (due !== null) {
        const [d, m, y] = [Number(due[1]), Number(due[2]), Number(due[3])]
        if (!Dates.exists(y, m, d))
          return Either.left(new InvalidDate({ text: `${due[1]}/${due[2]}/${due[3]}`, line: item.first.line }))
        subPlanDueBy = Dates.local(y, m, d)
      }
      for (const level of levels) {
        if (seen.has(level)) continue
        seen.add(level)
        assignments.push({
          level,
          item: code,
          ownPlan: ownPlan.test(item.first.text),
          subPlanDueBy,
          line: item.first.line,
          sentence: item.first.text
        })
      }
    }
  }

  // Reporting regime: every clause of the body that names a report and a deadline.
  const schedules: Array<Finding<ReportingRegime.Found>> = []
  let lead = false
  for (const p of body) {
    const bullet = /^[-–—+•*]\s?/u.test(p.text)
    for (const clause of p.text.split(/;\s*/u)) {
      const text = bullet && lead && !/báo cáo/iu.test(clause) ? `báo cáo ${clause}` : clause
      const found = ReportingRegime.readClause(text, p.line)
      if (Either.isLeft(found)) return Either.left(found.left)
      for (const value of found.right) schedules.push({ value, line: p.line, sentence: clause.trim() })
    }
    if (!bullet) lead = /báo cáo/iu.test(p.text) && /:\s*$/u.test(p.text)
  }

  let effectiveUntil: Finding<string> | undefined
  const span = title === undefined ? undefined : until(title.value)
  if (title !== undefined && span !== undefined) {
    effectiveUntil = { value: Dates.local(span.year, 12, 31), line: title.line, sentence: title.value }
  }

  return Either.right({
    issuer,
    issuerLevel: issuer === undefined ? undefined : levelOfIssuer(issuer.value),
    documentNumber,
    place,
    issuedOn,
    title,
    basis,
    tasks,
    assignments,
    others,
    schedules,
    effectiveUntil
  })
}
