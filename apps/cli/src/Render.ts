/**
 * How each answer is printed: `table` for people (a tree indented by level,
 * names as written, rates as percentages, counts that add up), `json` exactly
 * the contract of DOMAIN.md §5, and `csv` (RFC 4180) one row per unit. The
 * figures all come from the domain; this module only lays them out.
 */
import type { Compliance, Explain } from "@kehoach/domain"
import { Coverage, Events } from "@kehoach/domain"
import type * as EventStore from "@kehoach/store/EventStore"
import * as Csv from "./Csv.js"
import * as Table from "./Table.js"

/** The output formats of the projections. */
export const formats = ["table", "json", "csv"] as const

/** An output format. */
export type Format = (typeof formats)[number]

/** The depth of each row in a depth-first list of rows with `parentId` (0 for a row whose parent is not listed). */
export const depths = (
  rows: ReadonlyArray<{ readonly unitId: string; readonly parentId: string | null }>
): Array<number> => {
  const depthOf = new Map<string, number>()
  return rows.map((row) => {
    const parent = row.parentId === null ? undefined : depthOf.get(row.parentId)
    const depth = parent === undefined ? 0 : parent + 1
    depthOf.set(row.unitId, depth)
    return depth
  })
}

const indent = (name: string, depth: number): string => "  ".repeat(depth) + name

const json = (value: unknown): string => JSON.stringify(value, null, 2) + "\n"

// ---------------------------------------------------------------------------
// Compliance

/** The compliance JSON of DOMAIN.md §5: the domain's object as it is. */
export const complianceJson = (c: Compliance.Compliance): string => json(c)

const countKeys = ["onTime", "late", "missing", "pending"] as const

/** The compliance of a plan as a table: each unit's own obligations and its whole subtree's. */
export const complianceTable = (c: Compliance.Compliance): string => {
  const ds = depths(c.units)
  const columns: Array<Table.Column> = [
    { header: "Unit", align: "left" },
    { header: "ID", align: "left" },
    { header: "Level", align: "left" },
    { header: "On time", align: "right" },
    { header: "Late", align: "right" },
    { header: "Missing", align: "right" },
    { header: "Pending", align: "right" },
    { header: "On time", align: "right" },
    { header: "Late", align: "right" },
    { header: "Missing", align: "right" },
    { header: "Pending", align: "right" },
    { header: "Reported", align: "right" },
    { header: "On time", align: "right" }
  ]
  const rows = c.units.map((u, i) => [
    indent(u.name, ds[i]!),
    u.unitId,
    u.level,
    ...countKeys.map((k) => Table.count(u.self[k])),
    ...countKeys.map((k) => Table.count(u.total[k])),
    Table.percent(u.total.reportingRate),
    Table.percent(u.total.onTimeRate)
  ])
  const sums = { onTime: 0, late: 0, missing: 0, pending: 0 }
  for (const o of c.obligations) {
    if (o.status === "on-time") sums.onTime++
    else if (o.status === "late") sums.late++
    else if (o.status === "missing") sums.missing++
    else sums.pending++
  }
  const lines = [
    `Plan ${c.planId}: compliance as of ${c.asOf}, known at ${c.knownAt}`,
    "",
    ...Table.render(columns, rows, [
      { label: " this unit ", from: 3, to: 6 },
      { label: " this unit and all below ", from: 7, to: 10 },
      { label: " rate ", from: 11, to: 12 }
    ]),
    "",
    `Obligations of the ${c.units.length} units listed: ${c.obligations.length} = ${sums.onTime} on time + ${sums.late} late + ${sums.missing} missing + ${sums.pending} pending (the sums of the "this unit" columns).`,
    `"This unit and all below" adds the unit's own obligations to those of every unit that was below it at each deadline.`,
    `Rates are of reports due (on time + late + missing): reported = (on time + late) / due, on time = on time / due; "-" when none is due yet.`,
    ...bySchedule(c)
  ]
  return lines.join("\n") + "\n"
}

const kindLabel: Readonly<Record<Compliance.ScheduleRow["kind"], string>> = {
  monthly: "monthly reports",
  once: "one report",
  quarterly: "quarterly reports",
  "half-yearly": "half-yearly reports",
  yearly: "yearly reports",
  "sub-plan": "sub-plans to issue, not reports"
}

/** The footer's lines by schedule: reports schedule by schedule, then the sub-plans owed, labelled apart. */
const bySchedule = (c: Compliance.Compliance): Array<string> => {
  if (c.schedules.length === 0) return []
  const width = Math.max(...c.schedules.map((s) => s.scheduleId.length))
  return [
    "",
    c.schedule === null ? "By schedule (obligations of the units listed):" : `Only schedule ${c.schedule}:`,
    ...c.schedules.map(
      ({ counts: n, kind, scheduleId }) =>
        `  ${scheduleId.padEnd(width)}  ${n.onTime + n.late + n.missing + n.pending} = ${n.onTime} on time + ${n.late} late + ${n.missing} missing + ${n.pending} pending; reported ${Table.percent(
          n.reportingRate
        )}, on time ${Table.percent(n.onTimeRate)}  (${kindLabel[kind]})`
    )
  ]
}

/** The compliance of a plan as CSV, one row per unit, the self and total counts and rates flattened. */
export const complianceCsv = (c: Compliance.Compliance): string => {
  const counts = (prefix: string) =>
    [...countKeys, "reportingRate", "onTimeRate"].map((k) => `${prefix}${k[0]!.toUpperCase()}${k.slice(1)}`)
  const header = ["planId", "unitId", "name", "level", "parentId", ...counts("self"), ...counts("total")]
  return Csv.document(
    header,
    c.units.map((u) => [
      c.planId,
      u.unitId,
      u.name,
      u.level,
      u.parentId,
      ...countKeys.map((k) => u.self[k]),
      u.self.reportingRate,
      u.self.onTimeRate,
      ...countKeys.map((k) => u.total[k]),
      u.total.reportingRate,
      u.total.onTimeRate
    ])
  )
}

/** Compliance in a format. */
export const compliance = (c: Compliance.Compliance, format: Format): string =>
  format === "json" ? complianceJson(c) : format === "csv" ? complianceCsv(c) : complianceTable(c)

// ---------------------------------------------------------------------------
// Coverage

/** Coverage as a table: residential areas covered by models, with households and commitments. */
export const coverageTable = (c: Coverage.Coverage): string => {
  const ds = depths(c.units)
  const columns: Array<Table.Column> = [
    { header: "Unit", align: "left" },
    { header: "ID", align: "left" },
    { header: "Level", align: "left" },
    { header: "Areas", align: "right" },
    { header: "Covered", align: "right" },
    { header: "Coverage", align: "right" },
    { header: "Households", align: "right" },
    { header: "Committed", align: "right" }
  ]
  const rows = c.units.map((u, i) => [
    indent(u.name, ds[i]!),
    u.unitId,
    u.level,
    Table.count(u.residentialAreas),
    Table.count(u.covered),
    Table.percent(u.coverage),
    Table.count(u.households),
    Table.count(u.committed)
  ])
  const filters = [
    c.kind === undefined ? "models of any kind" : `models of kind ${c.kind}`,
    ...(c.tag === undefined ? [] : [`residential areas tagged ${c.tag}`])
  ].join(", ")
  const lines = [
    `Coverage as of ${c.asOf}, known at ${c.knownAt} (${filters})`,
    "",
    ...Table.render(columns, rows),
    "",
    `Areas: open residential areas in the unit's subtree; Covered: those with at least one active model; Coverage = Covered / Areas.`,
    `Households and Committed: summed over the active models in the subtree. Each row is the sum of the rows directly below it (and the unit's own models).`
  ]
  if (c.plan !== undefined) {
    lines.push(
      "",
      `Plan ${c.plan.planId}: open units under its issuer ${c.plan.issuerId} assigned to it, by level`,
      "",
      ...Table.render(
        [
          { header: "Level", align: "left" },
          { header: "Units", align: "right" },
          { header: "Assigned", align: "right" },
          { header: "Share", align: "right" }
        ],
        c.plan.levels.map((l) => [l.level, Table.count(l.units), Table.count(l.assigned), Table.percent(l.share)])
      )
    )
  }
  return lines.join("\n") + "\n"
}

/** Coverage as CSV, one row per unit. */
export const coverageCsv = (c: Coverage.Coverage): string =>
  Csv.document(
    ["unitId", "name", "level", "parentId", "residentialAreas", "covered", "coverage", "households", "committed"],
    c.units.map((u) => [
      u.unitId,
      u.name,
      u.level,
      u.parentId,
      u.residentialAreas,
      u.covered,
      u.coverage,
      u.households,
      u.committed
    ])
  )

/** Coverage in a format. */
export const coverage = (c: Coverage.Coverage, format: Format): string =>
  format === "json" ? json(Coverage.toContract(c)) : format === "csv" ? coverageCsv(c) : coverageTable(c)

// ---------------------------------------------------------------------------
// Explain

const reasonsTable = (events: ReadonlyArray<Explain.Reason>): Array<string> =>
  Table.render(
    [
      { header: "Position", align: "right" },
      { header: "Occurred at", align: "left" },
      { header: "Recorded at", align: "left" },
      { header: "Role", align: "left" }
    ],
    events.map((e) => [String(e.position), e.occurredAt, e.recordedAt, e.role])
  )

const reasonsCsv = (events: ReadonlyArray<Explain.Reason>): string =>
  Csv.document(
    ["position", "occurredAt", "recordedAt", "role"],
    events.map((e) => [e.position, e.occurredAt, e.recordedAt, e.role])
  )

/**
 * How a report reached the log and when it was recorded (DOMAIN.md "Filing time"): an auditor sees
 * where the stated filing time and the recording time part.
 */
const filingLine = (o: Compliance.ObligationRow): string => {
  const channel =
    o.channel === "paper"
      ? `on paper, register number ${o.registerNumber ?? "?"}`
      : o.channel === "online"
        ? "online (filed at receipt)"
        : o.channel === "stated"
          ? "as stated by the filer (a line written before channels)"
          : "by issuing a plan"
  return `Filed: ${channel}; recorded at ${o.recordedAt ?? "?"}`
}

/** An explained obligation in a format. */
export const explainObligation = (x: Explain.ObligationExplained, format: Format): string => {
  if (format === "json") return json(x)
  if (format === "csv") return reasonsCsv(x.events)
  const o = x.obligation
  return (
    [
      `Plan ${x.planId}, unit ${o.unitId}, schedule ${o.scheduleId}, period ${o.period} (as of ${x.asOf}, known at ${x.knownAt})`,
      `Deadline: ${o.deadline}`,
      `Status: ${o.status}${o.filedAt === null ? "" : `, filed at ${o.filedAt} (${o.reportId})`}`,
      ...(o.filedAt === null ? [] : [filingLine(o)]),
      `Rolls up to: ${x.rollsUpTo.length === 0 ? "(no unit above)" : x.rollsUpTo.join(" > ")}`,
      "",
      `The events that decided it (${x.events.length}):`,
      ...reasonsTable(x.events)
    ].join("\n") + "\n"
  )
}

/** An explained coverage figure in a format. */
export const explainCoverage = (x: Explain.CoverageExplained, format: Format): string => {
  if (format === "json") return json(x)
  if (format === "csv") return reasonsCsv(x.events)
  const r = x.row
  return (
    [
      `Coverage of ${r.name} (${r.unitId}, ${r.level}) as of ${x.asOf}, known at ${x.knownAt}`,
      `Residential areas: ${r.residentialAreas}, covered: ${r.covered}, coverage: ${Table.percent(r.coverage)}, households: ${r.households}, committed: ${r.committed}`,
      "",
      `The events behind it (${x.events.length}):`,
      ...reasonsTable(x.events)
    ].join("\n") + "\n"
  )
}

// ---------------------------------------------------------------------------
// The log

const detail = (e: EventStore.StoredEvent): string => {
  switch (e.type) {
    case "UnitRegistered":
      return `${e.data.name} (${e.data.level}${e.data.parentId === undefined ? "" : ` under ${e.data.parentId}`})`
    case "UnitMoved":
      return `under ${e.data.parentId}`
    case "UnitClosed":
      return e.data.successorId === undefined ? "" : `merged into ${e.data.successorId}`
    case "PlanIssued":
      return `${e.data.documentNumber}: ${e.data.title}`
    case "UnitAssigned":
      return e.data.subPlanDueBy === undefined ? "" : `sub-plan due by ${e.data.subPlanDueBy}`
    case "ReportFiled":
      return `${e.data.reportId} ${e.data.scheduleId} ${e.data.period}${e.data.supersedes === undefined ? "" : ` supersedes ${e.data.supersedes}`}`
    case "ModelEstablished":
      return `${e.data.modelId} ${e.data.kind}: ${e.data.name}`
    case "ModelDissolved":
      return e.data.modelId
  }
}

/** Stored events in a format: `json` is an array of the exported envelopes. */
export const log = (events: ReadonlyArray<EventStore.StoredEvent>, format: Format): string => {
  if (format === "json") return json(events)
  if (format === "csv") {
    return Csv.document(
      [
        "position",
        "id",
        "type",
        "version",
        "occurredAt",
        "recordedAt",
        "recordedBy",
        "unitId",
        "planId",
        "data",
        "prevHash",
        "hash"
      ],
      events.map((e) => [
        e.position,
        e.id,
        e.type,
        e.version,
        e.occurredAt,
        e.recordedAt,
        e.recordedBy,
        Events.unitOf(e),
        Events.planOf(e),
        JSON.stringify(e.data),
        e.prevHash,
        e.hash
      ])
    )
  }
  return (
    [
      ...Table.render(
        [
          { header: "Position", align: "right" },
          { header: "Occurred at", align: "left" },
          { header: "Recorded at", align: "left" },
          { header: "Type", align: "left" },
          { header: "Unit", align: "left" },
          { header: "Plan", align: "left" },
          { header: "Detail", align: "left" }
        ],
        events.map((e) => [
          String(e.position),
          e.occurredAt,
          e.recordedAt,
          e.type,
          Events.unitOf(e) ?? "",
          Events.planOf(e) ?? "",
          detail(e)
        ])
      ),
      "",
      `${events.length} event${events.length === 1 ? "" : "s"}`
    ].join("\n") + "\n"
  )
}
