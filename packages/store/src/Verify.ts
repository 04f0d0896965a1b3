/**
 * `verify`: walks the whole log from the stored lines alone (never the
 * snapshots, never the in-memory state) and names the first position where
 * the chain breaks: a gap, a line that is not JSON, a row whose indexed
 * columns do not match its line, a `prevHash` that is not the previous hash,
 * a hash that does not match the content, a knowledge time that goes back,
 * or a kept digest the log no longer extends. It also recomputes the
 * Merkle tree from the lines (never trusting a stored node), reports the
 * first stored node that differs, and, for a kept tree head, a root hash
 * that is not the tree's at that size.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Time } from "@kehoach/domain"
import { Effect } from "effect"
import type { KeptHead, StoredEvent, VerifyResult } from "./EventStore.js"
import * as HashChain from "./HashChain.js"
import * as Merkle from "./Merkle.js"
import * as MerkleTree from "./MerkleTree.js"
import * as Rows from "./Rows.js"

const pageSize = 10_000

interface StoredRow {
  readonly position: number
  readonly id: string
  readonly type: string
  readonly unit_id: string | null
  readonly plan_id: string | null
  readonly line: string
}

/** The first indexed column of a row that does not match its line, if any. */
const mismatchedColumn = (row: StoredRow, event: StoredEvent): string | undefined => {
  let columns: Omit<Rows.Row, "line">
  try {
    columns = Rows.columnsOf(event)
  } catch {
    return "type"
  }
  if (columns.position !== row.position) return "position"
  if (columns.id !== row.id) return "id"
  if (columns.type !== row.type) return "type"
  if (columns.unitId !== row.unit_id) return "unit_id"
  if (columns.planId !== row.plan_id) return "plan_id"
  return undefined
}

/**
 * The first of the nodes a page of leaves completed that the table does not
 * hold as computed, as a failure of `verify`; one query per level.
 */
const checkNodes = (
  sql: SqlClient.SqlClient,
  computed: ReadonlyArray<Merkle.Node>
): Effect.Effect<{ readonly position: number; readonly reason: string } | undefined, SqlError> =>
  Effect.gen(function* () {
    const byLevel = new Map<number, Array<Merkle.Node>>()
    for (const node of computed) {
      const list = byLevel.get(node.level)
      if (list === undefined) byLevel.set(node.level, [node])
      else list.push(node)
    }
    let first: { readonly position: number; readonly reason: string } | undefined
    for (const [level, nodes] of byLevel) {
      const rows = yield* sql<{ idx: number | string; hash: string }>`SELECT idx, hash FROM merkle_nodes
        WHERE level = ${level} AND idx >= ${nodes[0]!.index} AND idx <= ${nodes[nodes.length - 1]!.index}`
      const stored = new Map(rows.map((r) => [Number(r.idx), r.hash]))
      for (const node of nodes) {
        const hash = stored.get(node.index)
        if (hash === node.hash) continue
        const width = 2 ** node.level
        const from = node.index * width + 1
        const position = from + width - 1
        if (first !== undefined && first.position <= position) continue
        first = {
          position,
          reason:
            hash === undefined
              ? `the Merkle tree lacks its node over positions ${from}-${position} (level ${node.level}, index ${node.index})`
              : `the stored Merkle node over positions ${from}-${position} (level ${node.level}, index ${node.index}) ` +
                `is ${hash}, but those lines hash to ${node.hash}`
        }
      }
    }
    return first
  })

/** Walks the chain; with a kept digest, also checks the log still extends it. */
export const verify = (sql: SqlClient.SqlClient, kept?: KeptHead): Effect.Effect<VerifyResult, SqlError> =>
  Effect.gen(function* () {
    let expected = 1
    let prev = HashChain.genesis
    let prevRec = Number.NEGATIVE_INFINITY
    let prevRecText = ""
    let keptOk =
      kept === undefined ||
      (kept.position === 0 &&
        kept.hash === HashChain.genesis &&
        (kept.rootHash === undefined || kept.rootHash === Merkle.emptyRoot))
    let tree = Merkle.emptyFrontier
    const fail = (position: number, reason: string): VerifyResult => ({ ok: false, position, reason })
    for (;;) {
      const rows = yield* sql<StoredRow>`SELECT position, id, type, unit_id, plan_id, line FROM events
        WHERE position >= ${expected} ORDER BY position LIMIT ${pageSize}`
      const leaves: Array<Merkle.Hash> = []
      for (const row of rows) {
        leaves.push(Merkle.leafHash(row.line))
        if (row.position !== expected) {
          return fail(expected, HashChain.describe({ _tag: "PositionGap", expected, found: row.position }))
        }
        let e: StoredEvent
        try {
          e = JSON.parse(row.line) as StoredEvent
        } catch {
          return fail(row.position, "the stored line is not valid JSON")
        }
        const column = mismatchedColumn(row, e)
        if (column !== undefined) {
          return fail(row.position, `the row's ${column} column does not match its stored line`)
        }
        if (e.prevHash !== prev) {
          return fail(row.position, HashChain.describe({ _tag: "PrevHashMismatch", expected: prev, found: e.prevHash }))
        }
        let computed: string
        try {
          computed = HashChain.hashOf(e)
        } catch (error) {
          return fail(row.position, `the stored line cannot be hashed: ${(error as Error).message}`)
        }
        if (computed !== e.hash) {
          return fail(row.position, HashChain.describe({ _tag: "HashMismatch", computed, found: e.hash }))
        }
        const rec = Time.parseInstant(e.recordedAt)
        if (rec === undefined) return fail(row.position, `recordedAt ${e.recordedAt} is not an instant`)
        if (rec < prevRec) {
          return fail(
            row.position,
            HashChain.describe({ _tag: "RecordedAtDecreased", recordedAt: e.recordedAt, previous: prevRecText })
          )
        }
        if (kept !== undefined && kept.position === row.position) {
          if (kept.hash !== e.hash) {
            return fail(
              row.position,
              `the log no longer extends the kept digest: the hash at position ${row.position} is ${e.hash}, not ${kept.hash}`
            )
          }
          if (kept.rootHash !== undefined) {
            const before = Merkle.extend(tree, leaves, Number.POSITIVE_INFINITY).frontier
            const root = Merkle.frontierRoot(before)
            if (root !== kept.rootHash) {
              return fail(
                row.position,
                `the log no longer extends the kept tree head: the Merkle root of its first ${row.position} events ` +
                  `is ${root}, not ${kept.rootHash}`
              )
            }
          }
          keptOk = true
        }
        prev = e.hash
        prevRec = rec
        prevRecText = e.recordedAt
        expected++
      }
      const grown = Merkle.extend(tree, leaves, MerkleTree.storedLevel)
      tree = grown.frontier
      const bad = yield* checkNodes(sql, grown.completed)
      if (bad !== undefined) return fail(bad.position, bad.reason)
      if (rows.length < pageSize) break
    }
    const last = expected - 1
    if (!keptOk) {
      return kept!.position > last
        ? fail(last, `the log no longer extends the kept digest: it ends at position ${last}, before ${kept!.position}`)
        : fail(kept!.position, `the log no longer extends the kept digest at position ${kept!.position}`)
    }
    const [{ n }] = yield* sql<{ n: number | string }>`SELECT count(*) AS n FROM merkle_nodes`
    if (Number(n) !== MerkleTree.nodeCount(last)) {
      // Nodes over positions past the end: the log held more events once (the chain alone cannot tell).
      const [{ reach }] = yield* sql<{ reach: number | string | null }>`SELECT max((idx + 1) << level) AS reach
        FROM merkle_nodes`
      if (reach !== null && Number(reach) > last) {
        return fail(
          last,
          `the Merkle tree has nodes over positions up to ${reach}, past the log's last position ${last}: ` +
            `events were removed from the end of the log`
        )
      }
      return fail(
        last,
        `the Merkle tree holds ${n} stored nodes, but a log of ${last} events has ${MerkleTree.nodeCount(last)}`
      )
    }
    return { ok: true, position: last, hash: prev, rootHash: Merkle.frontierRoot(tree) } satisfies VerifyResult
  })
