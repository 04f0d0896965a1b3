/**
 * Reading the log: lines by position range and filters (for `read`, `export`
 * and live tails), the head of the chain, and the part of the log a
 * projection reads (`Relevance`), folded into a partial state through the indexes.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type * as Statement from "@effect/sql/Statement"
import { State } from "@kehoach/domain"
import type { Relevance } from "@kehoach/domain"
import { Chunk, Effect, Option, Stream } from "effect"
import type { Digest, ReadQuery, StoredEvent } from "./EventStore.js"
import * as HashChain from "./HashChain.js"
import * as Migrations from "./Migrations.js"
import * as Rows from "./Rows.js"

/** The conditions of a query, as one fragment (placeholders are the driver's own). */
const where = (sql: SqlClient.SqlClient, query: ReadQuery) => {
  const conditions = [sql`position > ${query.from ?? 0}`]
  if (query.to !== undefined) conditions.push(sql`position <= ${query.to}`)
  if (query.type !== undefined) conditions.push(sql`type = ${query.type}`)
  if (query.unitId !== undefined) conditions.push(sql`unit_id = ${query.unitId}`)
  if (query.planId !== undefined) conditions.push(sql`plan_id = ${query.planId}`)
  return sql.and(conditions)
}

/** Stored lines matching a query, in log order, read in pages, as a stream. */
export const lines = (sql: SqlClient.SqlClient, query: ReadQuery = {}): Stream.Stream<string, SqlError> => {
  const limit = query.limit
  return Stream.paginateChunkEffect({ after: query.from ?? 0, taken: 0 }, (cursor) => {
    const want = limit === undefined ? 1000 : Math.min(1000, limit - cursor.taken)
    if (want <= 0) return Effect.succeed([Chunk.empty<string>(), Option.none()] as const)
    return Effect.map(
      sql<{ position: number; line: string }>`SELECT position, line FROM events
        WHERE ${where(sql, { ...query, from: cursor.after })} ORDER BY position LIMIT ${want}`,
      (rows) => {
        const next =
          rows.length < want
            ? Option.none()
            : Option.some({ after: rows[rows.length - 1]!.position, taken: cursor.taken + rows.length })
        return [Chunk.fromIterable(rows.map((r) => r.line)), next] as const
      }
    )
  })
}

/** The position and hash of the last event (position 0 and 64 zeros for an empty log). */
export const head = (sql: SqlClient.SqlClient): Effect.Effect<Digest, SqlError> =>
  Effect.map(
    sql<{ position: number; line: string }>`SELECT position, line FROM events ORDER BY position DESC LIMIT 1`,
    (rows) =>
      rows.length === 0
        ? { position: 0, hash: HashChain.genesis }
        : { position: rows[0]!.position, hash: (JSON.parse(rows[0]!.line) as { hash: string }).hash }
  )

/**
 * Rows per page when folding the log into a state. On SQLite, small pages:
 * a page's lines are all alive until it is folded, and every young-generation
 * collection in between copies them; pages of 1,000 lines fold the log about
 * 10% faster than pages of 10,000 (bench/store.mjs), and a query costs no
 * round trip. On PostgreSQL each page is a round trip, and 10,000 is faster.
 */
const pageSize = (sql: SqlClient.SqlClient): number => sql.onDialectOrElse({ pg: () => 10_000, orElse: () => 1_000 })

/**
 * Folds the events stored after the state's position into it, page by page;
 * the new head. Each line is read alone (no row object) and decoded by
 * `Rows.eventOfLine`, which parses only the payload of a line in the store's form.
 */
export const catchUp = (sql: SqlClient.SqlClient, state: State.State, from: Digest): Effect.Effect<Digest, SqlError> =>
  Effect.gen(function* () {
    const limit = pageSize(sql)
    let last = from
    for (;;) {
      const rows = yield* Rows.linesAfter(sql, State.position(state), limit)
      let e: StoredEvent | undefined
      for (let i = 0; i < rows.length; i++) {
        e = Rows.eventOfLine(rows[i]![0])
        State.evolve(state, e)
      }
      if (e !== undefined) last = { position: e.position, hash: e.hash }
      if (rows.length < limit) return last
    }
  })

/** The lines of one part of a selection, in log order, through the type or plan index. */
const selectedLines = (sql: SqlClient.SqlClient, clause: Statement.Fragment) =>
  sql<{ position: number; line: string }>`SELECT position, line FROM events WHERE ${clause} ORDER BY position`

/**
 * A state of only the events a projection reads (see the domain's
 * `Relevance`), read through the type and plan indexes: a one-off command on
 * a national log need not parse every report of every plan.
 */
export const selection = (
  sql: SqlClient.SqlClient,
  selection: Relevance.Selection
): Effect.Effect<State.State, SqlError> =>
  Effect.gen(function* () {
    const parts: Array<ReadonlyArray<{ position: number; line: string }>> = []
    for (const type of selection.types) parts.push(yield* selectedLines(sql, sql`type = ${type}`))
    if (selection.plan !== undefined && selection.plan.types.length > 0) {
      const types = selection.plan.types.filter((t) => !selection.types.includes(t))
      if (types.length > 0) {
        parts.push(yield* selectedLines(sql, sql`plan_id = ${selection.plan.planId} AND ${sql.in("type", types)}`))
      }
    }
    // Each part is in log order: merge them by position and fold.
    const partial = State.empty()
    const next = parts.map(() => 0)
    for (;;) {
      let best = -1
      for (let i = 0; i < parts.length; i++) {
        const row = parts[i]![next[i]!]
        if (row !== undefined && (best < 0 || row.position < parts[best]![next[best]!]!.position)) best = i
      }
      if (best < 0) break
      State.evolve(partial, Rows.eventOfLine(parts[best]![next[best]!++]!.line))
    }
    // The reports of the other plans were not read: they are cold, so a projection that reads them fails loudly.
    const reportsOf = selection.plan?.types.includes("ReportFiled") === true ? selection.plan.planId : undefined
    for (const plan of State.plans(partial)) if (plan.planId !== reportsOf) State.release(partial, plan.planId)
    return partial
  })

/** Ids per statement when a list of ids is looked up (well under either database's limit on parameters). */
const idsPerStatement = 500

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Warms cold plans (see the domain's `State.warm`): reads the reports of each
 * from the log, up to the state's position, through the plan index. Plans
 * already warm, or unknown to the state, are passed over.
 */
export const warm = (
  sql: SqlClient.SqlClient,
  state: State.State,
  planIds: Iterable<string>
): Effect.Effect<void, SqlError> =>
  Effect.gen(function* () {
    const cold = [...new Set(planIds)].filter((id) => !State.isWarm(state, id) && State.plan(state, id) !== undefined)
    for (const chunk of chunksOf(cold, idsPerStatement)) {
      // Through the plan index alone: the plan's other events are few, and are passed over with those past the
      // state's position by `State.warm`. (Asked for its reports by type as well, SQLite's planner took the
      // index by type and read every report of the log: 3 s a plan on ten national years.)
      const rows = yield* sql<{
        line: string
      }>`SELECT line FROM events WHERE ${sql.in("plan_id", chunk)} ORDER BY position`
      const byPlan = new Map<string, Array<ReturnType<typeof Rows.eventOfLine>>>(chunk.map((id) => [id, []]))
      for (const row of rows) {
        const event = Rows.eventOfLine(row.line)
        if (event.type === "ReportFiled") byPlan.get(event.data.planId)?.push(event)
      }
      for (const [planId, events] of byPlan) State.warm(state, planId, events)
    }
  })

/** The plan holding each of these report ids in the log, for those it holds (through the index of migration 0005). */
export const plansOfReports = (
  sql: SqlClient.SqlClient,
  reportIds: ReadonlyArray<string>
): Effect.Effect<Map<string, string>, SqlError> =>
  Effect.gen(function* () {
    const plans = new Map<string, string>()
    const expression = sql.literal(
      sql.onDialectOrElse({ pg: () => Migrations.reportIdOf.pg, orElse: () => Migrations.reportIdOf.sqlite })
    )
    // SQLite's planner, without statistics, prefers the index by type (every report of the log) to the
    // report-id index: it is named.
    const table = sql.literal(
      sql.onDialectOrElse({ sqlite: () => "events INDEXED BY events_report", orElse: () => "events" })
    )
    for (const chunk of chunksOf(reportIds, idsPerStatement)) {
      const rows = yield* sql<{ report_id: string; plan_id: string }>`SELECT ${expression} AS report_id, plan_id
        FROM ${table} WHERE type = 'ReportFiled' AND ${expression} IN ${sql.in(chunk)}`
      for (const row of rows) plans.set(row.report_id, row.plan_id)
    }
    return plans
  })
