/**
 * From what a plan document says (and what the person drafting it adds with
 * options) to draft events: one `PlanIssued` and one `UnitAssigned` per unit
 * of every level the document assigns, as NDJSON lines for `kehoach import`,
 * and a review of every field: the value, and the sentence or option it came
 * from. A field a `PlanIssued` needs that neither the document nor an option
 * gives stops the draft (`MissingFields`); nothing is invented.
 */
import type { Events } from "@kehoach/domain"
import { Either } from "effect"
import { InvalidDraftOption, MissingFields } from "./Errors.js"
import * as Dates from "./internal/Dates.js"
import * as Paragraphs from "./internal/Paragraphs.js"
import type * as PlanDocument from "./PlanDocument.js"
import * as ReportingRegime from "./ReportingRegime.js"

/** What the document leaves out, given by the person drafting it; each wins over what the document says. */
export interface Options {
  /** The unit id of the issuer (`08` for the province board of Tuyên Quang): documents never carry it. */
  readonly issuerId?: string | undefined
  /** Default: the serial of the number and the year of issue, `182-2018`. */
  readonly planId?: string | undefined
  readonly documentNumber?: string | undefined
  readonly title?: string | undefined
  /** The date of issue, `YYYY-MM-DD`. */
  readonly issuedOn?: string | undefined
  /** When the events occurred (an ISO instant); default: the start of the day of issue in Asia/Ho_Chi_Minh. */
  readonly occurredAt?: string | undefined
  /** Default: the date of issue. */
  readonly effectiveFrom?: string | undefined
  /** Default: the 31 December of the year the title names (`năm 2018`, `giai đoạn 2025 - 2030`). */
  readonly effectiveUntil?: string | undefined
  /** The plan this one implements, when it is in the log. */
  readonly parentPlanId?: string | undefined
  /** The units of each assigned level (the document names levels, never units). */
  readonly units?: Partial<Record<Events.Level, ReadonlyArray<string>>> | undefined
  /** Where the units of a level came from, for the review (`--units`, `the database`). */
  readonly unitsFrom?: Partial<Record<Events.Level, string>> | undefined
  /** The date each level's own plan is due by, when the document does not say. */
  readonly subPlanDueBy?: Partial<Record<Events.Level, string>> | undefined
}

/** One NDJSON line of the draft, in the shape of DOMAIN.md §5. */
export interface Line {
  readonly type: "PlanIssued" | "UnitAssigned"
  readonly version: number
  readonly occurredAt: string
  readonly data: Record<string, unknown>
}

/** One row of the review: a field, the value drafted, and where it came from. */
export interface ReviewRow {
  readonly field: string
  readonly value: string
  readonly source: string
}

/** A draft: its lines, the review, and the payload version of its `PlanIssued`. */
export interface Draft {
  readonly lines: ReadonlyArray<Line>
  readonly review: ReadonlyArray<ReviewRow>
  /** 1 when every schedule is monthly or once (DOMAIN.md §3); 2 when one recurs quarterly, half-yearly or yearly. */
  readonly planVersion: 1 | 2
}

const notFound = "(not found)"
const from = (f: { readonly line: number; readonly sentence: string }): string =>
  `line ${f.line}: ${Paragraphs.excerpt(f.sentence, 100)}`
const levelOrder: ReadonlyArray<Events.Level> = ["province", "district", "commune", "residential-area"]

const describe = (s: ReportingRegime.Schedule): string => {
  switch (s.kind) {
    case "monthly":
      return `monthly, before day ${s.dueBeforeDay}`
    case "once":
      return `once, period ${s.period}, before ${s.dueBefore}`
    default:
      return `${s.kind}, before day ${s.dueBeforeDay}, ${s.dueMonthOffset} month(s) after the period's last month`
  }
}

const checkDate = (option: string, value: string | undefined): Either.Either<void, InvalidDraftOption> =>
  value === undefined || Dates.parseLocal(value) !== undefined
    ? Either.void
    : Either.left(new InvalidDraftOption({ option, value, reason: "expected a date YYYY-MM-DD that exists" }))

/**
 * The draft of a plan document. Fails with `MissingFields` naming each field a
 * `PlanIssued` needs that is missing, with the option that supplies it, and
 * with `InvalidDraftOption` for an option that cannot be used.
 */
export const make = (
  doc: PlanDocument.PlanDocument,
  options: Options = {}
): Either.Either<Draft, MissingFields | InvalidDraftOption> =>
  Either.gen(function* () {
    for (const [option, value] of [
      ["--issued-on", options.issuedOn],
      ["--from", options.effectiveFrom],
      ["--until", options.effectiveUntil]
    ] as const)
      yield* checkDate(option, value)
    for (const [level, date] of Object.entries(options.subPlanDueBy ?? {}))
      yield* checkDate(`--sub-plan-due ${level}`, date)
    if (options.occurredAt !== undefined && Number.isNaN(Date.parse(options.occurredAt))) {
      yield* Either.left(
        new InvalidDraftOption({
          option: "--occurred-at",
          value: options.occurredAt,
          reason: "expected an ISO instant with offset"
        })
      )
    }

    const review: Array<ReviewRow> = []
    const missing: Array<{ field: string; option: string }> = []
    const pick = (
      field: string,
      option: string,
      given: string | undefined,
      found: PlanDocument.Finding<string> | undefined,
      fallback?: { value: string; source: string }
    ) => {
      if (given !== undefined) {
        review.push({ field, value: given, source: `option ${option}` })
        return given
      }
      if (found !== undefined) {
        review.push({ field, value: found.value, source: from(found) })
        return found.value
      }
      if (fallback !== undefined) {
        review.push({ field, value: fallback.value, source: fallback.source })
        return fallback.value
      }
      review.push({ field, value: notFound, source: `give ${option}` })
      missing.push({ field, option })
      return undefined
    }

    review.push(
      doc.issuer === undefined
        ? { field: "issuer block", value: notFound, source: "" }
        : { field: "issuer block", value: doc.issuer.value, source: from(doc.issuer) }
    )
    const issuerId = pick("issuer unit", "--issuer", options.issuerId, undefined)
    const documentNumber = pick("number", "--number", options.documentNumber, doc.documentNumber)
    review.push(
      doc.place === undefined
        ? { field: "place", value: notFound, source: "" }
        : { field: "place", value: doc.place.value, source: from(doc.place) }
    )
    const issuedOn = pick("date of issue", "--issued-on", options.issuedOn, doc.issuedOn)
    const title = pick("title", "--title", options.title, doc.title)
    const serial = documentNumber === undefined ? undefined : /^[^/-]+/u.exec(documentNumber)?.[0]
    const planId = pick(
      "plan id",
      "--plan-id",
      options.planId,
      undefined,
      serial !== undefined && issuedOn !== undefined
        ? { value: `${serial}-${issuedOn.slice(0, 4)}`, source: "number and year of issue" }
        : undefined
    )
    const effectiveFrom = pick(
      "effective from",
      "--from",
      options.effectiveFrom,
      undefined,
      issuedOn === undefined ? undefined : { value: issuedOn, source: "the date of issue" }
    )
    const effectiveUntil = pick("effective until", "--until", options.effectiveUntil, doc.effectiveUntil)
    if (effectiveFrom !== undefined && effectiveUntil !== undefined && effectiveUntil < effectiveFrom) {
      yield* Either.left(
        new InvalidDraftOption({
          option: options.effectiveUntil === undefined ? "effective until (from the title)" : "--until",
          value: effectiveUntil,
          reason: `the plan would end before it starts (${effectiveFrom}); give --from and --until`
        })
      )
    }
    if (options.parentPlanId !== undefined)
      review.push({ field: "parent plan", value: options.parentPlanId, source: "option --parent-plan" })

    if (doc.basis.length === 0) review.push({ field: "basis", value: notFound, source: "" })
    for (const b of doc.basis)
      review.push({ field: "basis", value: Paragraphs.excerpt(b.value, 100), source: `line ${b.line}` })
    if (doc.tasks.length === 0) review.push({ field: "tasks", value: notFound, source: "" })
    for (const t of doc.tasks)
      review.push({
        field: `task ${t.value.code}`,
        value: Paragraphs.excerpt(t.value.text, 100),
        source: `line ${t.line}`
      })

    // Schedules: ids as plan 182 names them, made unique; the same schedule said twice counts once.
    const schedules: Array<ReportingRegime.Schedule> = []
    const seenSchedules = new Set<string>()
    for (const f of doc.schedules) {
      const key = JSON.stringify(f.value)
      if (seenSchedules.has(key)) continue
      seenSchedules.add(key)
      const base = ReportingRegime.baseId(f.value)
      let id = base
      for (let n = 2; schedules.some((s) => s.scheduleId === id); n++) id = `${base}-${n}`
      const schedule = ReportingRegime.toSchedule(f.value, id)
      schedules.push(schedule)
      review.push({ field: `schedule ${id}`, value: describe(schedule), source: from(f) })
    }
    if (schedules.length === 0)
      review.push({ field: "reporting regime", value: notFound, source: "no sentence names a report and a deadline" })
    const planVersion: 1 | 2 = schedules.some(ReportingRegime.needsVersion2) ? 2 : 1

    if (missing.length > 0) yield* Either.left(new MissingFields({ fields: missing, review }))

    const occurredAt = options.occurredAt ?? `${issuedOn!}T00:00:00+07:00`
    const plan: Record<string, unknown> = {
      planId: planId!,
      documentNumber: documentNumber!,
      title: title!,
      issuerId: issuerId!,
      ...(options.parentPlanId === undefined ? {} : { parentPlanId: options.parentPlanId }),
      ...(doc.basis.length === 0 ? {} : { basis: doc.basis.map((b) => b.value) }),
      ...(doc.tasks.length === 0 ? {} : { tasks: doc.tasks.map((t) => t.value) }),
      effectiveFrom: effectiveFrom!,
      effectiveUntil: effectiveUntil!,
      schedules
    }
    const lines: Array<Line> = [{ type: "PlanIssued", version: planVersion, occurredAt, data: plan }]

    // Assignments: every unit given for each level the document assigns.
    const assigned = [...doc.assignments].sort((a, b) => levelOrder.indexOf(a.level) - levelOrder.indexOf(b.level))
    if (assigned.length === 0) review.push({ field: "levels assigned", value: notFound, source: "" })
    for (const a of assigned) {
      const due = options.subPlanDueBy?.[a.level] ?? a.subPlanDueBy
      const units = options.units?.[a.level] ?? []
      review.push({
        field: `assigned ${a.level}`,
        value: `${a.ownPlan ? "own plan required" : "no own plan"}${due === undefined ? "" : `, due by ${due}`}; ${
          units.length === 0
            ? options.unitsFrom?.[a.level] === undefined
              ? "no units given"
              : `none open in ${options.unitsFrom[a.level]}`
            : `${units.length} unit(s) from ${options.unitsFrom?.[a.level] ?? "--units"}`
        }`,
        source: `${a.item}, ${from(a)}`
      })
      if (a.ownPlan && due === undefined) {
        review.push({
          field: `sub-plan due (${a.level})`,
          value: notFound,
          source: `give --sub-plan-due ${a.level}=YYYY-MM-DD`
        })
      }
      for (const unitId of units) {
        lines.push({
          type: "UnitAssigned",
          version: 1,
          occurredAt,
          data: { planId: planId!, unitId, ...(a.ownPlan && due !== undefined ? { subPlanDueBy: due } : {}) }
        })
      }
    }
    for (const o of doc.others) {
      review.push({
        field: `not assigned ${o.item}`,
        value: Paragraphs.excerpt(o.subject, 80),
        source: o.issuerItself ? "the issuer itself (it receives the reports)" : "not a level of the hierarchy"
      })
    }
    // A level the rules did not find assigned, but the person names units of: their word wins, and the review says so.
    for (const level of levelOrder) {
      const units = options.units?.[level] ?? []
      if (units.length === 0 || doc.assignments.some((a) => a.level === level)) continue
      const due = options.subPlanDueBy?.[level]
      review.push({
        field: `assigned ${level}`,
        value: `${units.length} unit(s)${due === undefined ? "" : `, own plan due by ${due}`}`,
        source: "option --units (the document does not assign this level)"
      })
      for (const unitId of units) {
        lines.push({
          type: "UnitAssigned",
          version: 1,
          occurredAt,
          data: { planId: planId!, unitId, ...(due === undefined ? {} : { subPlanDueBy: due }) }
        })
      }
    }
    return { lines, review, planVersion }
  })

/** The draft as NDJSON: one line per event, each ending in a newline. */
export const toNdjson = (draft: Draft): string => draft.lines.map((l) => `${JSON.stringify(l)}\n`).join("")

/** The levels the document assigns, in the order of the hierarchy. */
export const assignedLevels = (doc: PlanDocument.PlanDocument): Array<Events.Level> =>
  levelOrder.filter((level) => doc.assignments.some((a) => a.level === level))
