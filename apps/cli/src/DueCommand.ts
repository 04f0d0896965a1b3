/**
 * `kehoach due`: the domain's due list (`Due.list`) on the command line, as a
 * table for an officer, JSON (the same object as `GET /due`) or CSV for a mail
 * merge. Who has not reported yet, and who is late, unit by unit.
 */
import { Command, HelpDoc, Options } from "@effect/cli"
import { Due, Relevance } from "@kehoach/domain"
import { Effect, Option } from "effect"
import * as Cli from "./Cli.js"
import * as Csv from "./Csv.js"
import * as Output from "./Output.js"
import type * as Render from "./Render.js"
import * as Table from "./Table.js"

const kindLabel: Readonly<Record<Due.DueRow["kind"], string>> = {
  monthly: "monthly report",
  once: "report",
  quarterly: "quarterly report",
  "half-yearly": "half-yearly report",
  yearly: "yearly report",
  "sub-plan": "sub-plan to issue"
}

/** The due list as a table: one row per obligation, grouped by unit, with the days left or late. */
export const table = (d: Due.DueList): string => {
  const columns: Array<Table.Column> = [
    { header: "Unit", align: "left" },
    { header: "ID", align: "left" },
    { header: "Parent", align: "left" },
    { header: "Schedule", align: "left" },
    { header: "Owes", align: "left" },
    { header: "Period", align: "left" },
    { header: "Deadline", align: "left" },
    { header: "Status", align: "left" },
    { header: "Days", align: "right" }
  ]
  let previous: string | undefined
  const rows = d.items.map((r) => {
    const first = r.unitId !== previous
    previous = r.unitId
    return [
      first ? r.name : "",
      first ? r.unitId : "",
      first ? (r.parentName ?? "") : "",
      r.scheduleId,
      kindLabel[r.kind],
      r.period,
      r.deadline.slice(0, 10),
      r.status,
      r.daysLeft !== null ? `${r.daysLeft} left` : `${r.daysLate} late`
    ]
  })
  const overdue = d.items.filter((r) => r.status === "overdue").length
  const units = new Set(d.items.map((r) => r.unitId)).size
  return (
    [
      `Plan ${d.planId}: due within ${d.withinDays} days of ${d.asOf}, and overdue (known at ${d.knownAt})`,
      "",
      ...(d.items.length === 0 ? ["Nothing is due or overdue."] : Table.render(columns, rows)),
      "",
      `${d.items.length} obligations of ${units} units: ${d.items.length - overdue} due, ${overdue} overdue.`,
      `A deadline is 00:00 of its day in Asia/Ho_Chi_Minh ("before the 20th"): on the 19th 1 day is left; on the 20th the report is 1 day late.`
    ].join("\n") + "\n"
  )
}

/** The due list as CSV (RFC 4180), one row per obligation, for a mail merge. */
export const csv = (d: Due.DueList): string =>
  Csv.document(
    [
      "planId",
      "unitId",
      "name",
      "level",
      "parentId",
      "parentName",
      "scheduleId",
      "kind",
      "period",
      "deadline",
      "status",
      "daysLeft",
      "daysLate"
    ],
    d.items.map((r) => [
      d.planId,
      r.unitId,
      r.name,
      r.level,
      r.parentId,
      r.parentName,
      r.scheduleId,
      r.kind,
      r.period,
      r.deadline,
      r.status,
      r.daysLeft,
      r.daysLate
    ])
  )

/** The due list in a format. */
export const render = (d: Due.DueList, format: Render.Format): string =>
  format === "json" ? JSON.stringify(d, null, 2) + "\n" : format === "csv" ? csv(d) : table(d)

/** `kehoach due --plan ID [--within 7d] [--as-of] [--known-at] [--unit] [--schedule] [--format]`. */
export const command = Command.make(
  "due",
  {
    db: Cli.db,
    plan: Options.text("plan").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("The plan (its planId, e.g. 182-2018)")
    ),
    within: Options.text("within").pipe(
      Options.withPseudoName("7d"),
      Options.withDescription("List what falls due within this many days of --as-of (7d, 7, or weeks: 2w); default 7d"),
      Cli.validated("--within", Due.Window, "is not a window: give days (7d, or 7) or weeks (2w), at most 366 days"),
      Options.withDefault(7)
    ),
    asOf: Cli.asOf,
    knownAt: Cli.knownAt,
    unit: Options.text("unit").pipe(
      Options.withPseudoName("UNIT"),
      Options.withDescription("Only this unit and the units below it"),
      Options.optional
    ),
    schedule: Options.text("schedule").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("Only this schedule (a scheduleId of the plan, or sub-plan)"),
      Options.optional
    ),
    format: Cli.format
  },
  (o) =>
    Effect.gen(function* () {
      const query: Due.Query = {
        planId: o.plan,
        ...(yield* Cli.viewOf(o)),
        withinDays: o.within,
        unit: Option.getOrUndefined(o.unit),
        schedule: Option.getOrUndefined(o.schedule)
      }
      const result = yield* Cli.projected(o.db, Relevance.compliance(query.planId), (state) => Due.list(state, query))
      yield* Output.print(render(result, o.format))
    })
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "The obligations of a plan not filed yet that fall due within a window, and those overdue, unit by unit, with each unit's parent, the deadline and the days left or late (what DHIS2 sends as notifications)."
      ),
      HelpDoc.p("Examples:"),
      HelpDoc.p("  $ kehoach due --plan 182-2018 --within 7d --as-of 2018-03-13"),
      HelpDoc.p("  $ kehoach due --plan 182-2018 --unit 070 --format csv > nhac-viec.csv")
    ])
  )
)
