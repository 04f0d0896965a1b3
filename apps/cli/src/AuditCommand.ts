/**
 * `kehoach audit backdated --over 3d`: every report whose filing time precedes its recording by
 * more than the window asked, by unit (DOMAIN.md "Filing time", decision 0013). An auditor sees
 * where the stated filing time and the recording time part: paper filings entered late, and
 * version-1 lines (channel `stated`) whose time was the filer's word.
 */
import { Command, HelpDoc, Options } from "@effect/cli"
import { Backdated, Due } from "@kehoach/domain"
import * as EventStore from "@kehoach/store/EventStore"
import { Effect, Option } from "effect"
import * as Cli from "./Cli.js"
import * as Csv from "./Csv.js"
import * as Output from "./Output.js"
import type * as Render from "./Render.js"
import * as Table from "./Table.js"

const table = (rows: ReadonlyArray<Backdated.Filing>, overDays: number): string => {
  const columns: Array<Table.Column> = [
    { header: "Unit", align: "left" },
    { header: "Plan", align: "left" },
    { header: "Schedule", align: "left" },
    { header: "Period", align: "left" },
    { header: "Channel", align: "left" },
    { header: "Register", align: "left" },
    { header: "Filed at", align: "left" },
    { header: "Recorded at", align: "left" },
    { header: "Days", align: "right" },
    { header: "By", align: "left" },
    { header: "Position", align: "right" }
  ]
  let previous: string | undefined
  const lines = rows.map((r) => {
    const first = r.unitId !== previous
    previous = r.unitId
    return [
      first ? r.unitId : "",
      r.planId,
      r.scheduleId,
      r.period,
      r.channel,
      r.registerNumber ?? "",
      r.filedAt,
      r.recordedAt,
      String(r.days),
      r.recordedBy,
      String(r.position)
    ]
  })
  const units = new Set(rows.map((r) => r.unitId)).size
  return (
    [
      `Reports recorded more than ${overDays} days after their filing time`,
      "",
      ...(rows.length === 0 ? ["None."] : Table.render(columns, lines)),
      "",
      `${rows.length} filings of ${units} units.`
    ].join("\n") + "\n"
  )
}

const csv = (rows: ReadonlyArray<Backdated.Filing>): string =>
  Csv.document(
    [
      "unitId",
      "planId",
      "scheduleId",
      "period",
      "reportId",
      "channel",
      "registerNumber",
      "filedAt",
      "recordedAt",
      "days",
      "recordedBy",
      "position"
    ],
    rows.map((r) => [
      r.unitId,
      r.planId,
      r.scheduleId,
      r.period,
      r.reportId,
      r.channel,
      r.registerNumber,
      r.filedAt,
      r.recordedAt,
      r.days,
      r.recordedBy,
      r.position
    ])
  )

/** The list in a format (JSON: the same object as `GET /audit/backdated`). */
export const render = (b: Backdated.Backdated, format: Render.Format): string =>
  format === "json"
    ? JSON.stringify(b, null, 2) + "\n"
    : format === "csv"
      ? csv(b.filings)
      : table(b.filings, b.overDays)

/** `kehoach audit backdated --over 3d [--plan ID] [--unit UNIT] [--format]`. */
const backdatedCommand = Command.make(
  "backdated",
  {
    db: Cli.db,
    over: Options.text("over").pipe(
      Options.withPseudoName("3d"),
      Options.withDescription("List filings recorded more than this many days after their filing time (3d, 3, 2w)"),
      Cli.validated("--over", Due.Window, "is not a window: give days (3d, or 3) or weeks (2w), at most 366 days"),
      Options.withDefault(0)
    ),
    plan: Options.text("plan").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("Only reports on this plan"),
      Options.optional
    ),
    unit: Options.text("unit").pipe(
      Options.withPseudoName("UNIT"),
      Options.withDescription("Only reports of this unit"),
      Options.optional
    ),
    format: Cli.format
  },
  (o) =>
    Effect.gen(function* () {
      const events = yield* Cli.withStore(o.db, () =>
        Effect.flatMap(EventStore.EventStore, (store) =>
          store.read({
            type: "ReportFiled",
            planId: Option.getOrUndefined(o.plan),
            unitId: Option.getOrUndefined(o.unit)
          })
        )
      )
      yield* Output.print(render(Backdated.list(events, o.over), o.format))
    })
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Lists every report whose filing time precedes its recording by more than --over, by unit: paper filings entered late, and old lines whose time was the filer's word (channel stated)."
      ),
      HelpDoc.p("Examples:"),
      HelpDoc.p("  $ kehoach audit backdated --over 3d"),
      HelpDoc.p("  $ kehoach audit backdated --over 30d --plan 182-2018 --format csv > ghi-muon.csv")
    ])
  )
)

/** `kehoach audit …`: questions an auditor asks of the record. */
export const command = Command.make("audit").pipe(
  Command.withDescription("Questions an auditor asks of the record: kehoach audit backdated --over 3d"),
  Command.withSubcommands([backdatedCommand])
)
