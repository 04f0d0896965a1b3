/**
 * The Merkle tree of the log (RFC 9162 §2, see `Merkle`) as the store keeps
 * it: the hashes of its perfect subtrees of `storedLevel` and above, one row
 * each in `merkle_nodes (level, idx, hash)`, written by the one write path
 * in the same transaction as the events they cover. A smaller subtree lies
 * inside one block of `2^storedLevel` events and is hashed from their lines
 * (one range read), so the table holds about one row per sixteen events and
 * any proof, for any tree size up to the log's, takes O(log n) indexed reads.
 *
 * The rows are a cache of what the lines determine: `verify` recomputes
 * them from the lines and reports any that differ.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Proofs } from "@kehoach/domain"
import { Effect } from "effect"
import type { ProofTarget } from "./EventStore.js"
import { ProofUnavailable } from "./EventStore.js"
import * as Merkle from "./Merkle.js"
import * as Read from "./Read.js"

/**
 * Perfect subtrees of this many levels (2^5 = 32 events) and more are stored; smaller ones are
 * hashed from the lines: one row per 16 events, and a proof reads at most two blocks of 32 lines.
 */
export const storedLevel = 5

const blockSize = 2 ** storedLevel

/** The table, in SQL that SQLite and PostgreSQL both take (hashes as lowercase hex). */
export const createTable = `CREATE TABLE merkle_nodes (
  level INTEGER NOT NULL,
  idx BIGINT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (level, idx)
)`

/** Rows per multi-row INSERT (3 parameters each). */
const insertBatch = 300

/** Writes completed subtrees (of `storedLevel` and above). */
export const insertNodes = (
  sql: SqlClient.SqlClient,
  nodes: ReadonlyArray<Merkle.Node>
): Effect.Effect<void, SqlError> =>
  nodes.length === 0
    ? Effect.void
    : sql.onDialectOrElse({
        pg: () =>
          Effect.forEach(
            Array.from({ length: Math.ceil(nodes.length / 5000) }, (_, k) => nodes.slice(k * 5000, (k + 1) * 5000)),
            (part) =>
              sql`INSERT INTO merkle_nodes ${sql.insert(part.map((n) => ({ level: n.level, idx: n.index, hash: n.hash })))}`,
            { discard: true }
          ),
        orElse: () => insertSqlite(sql, nodes)
      })

const insertSqlite = (sql: SqlClient.SqlClient, nodes: ReadonlyArray<Merkle.Node>): Effect.Effect<void, SqlError> =>
  Effect.gen(function* () {
    for (let i = 0; i < nodes.length; i += insertBatch) {
      const n = Math.min(insertBatch, nodes.length - i)
      const params: Array<unknown> = new Array(n * 3)
      for (let k = 0; k < n; k++) {
        const node = nodes[i + k]!
        params[k * 3] = node.level
        params[k * 3 + 1] = node.index
        params[k * 3 + 2] = node.hash
      }
      yield* sql.unsafe(`INSERT INTO merkle_nodes (level, idx, hash) VALUES ${"(?,?,?),".repeat(n - 1)}(?,?,?)`, params)
        .raw
    }
  })

/** The leaf hashes of the events at positions `from .. to` (1-based, inclusive), from their stored lines. */
const leafHashes = (sql: SqlClient.SqlClient, from: number, to: number): Effect.Effect<Array<Merkle.Hash>, SqlError> =>
  Effect.map(
    sql<{ position: number; line: string }>`SELECT position, line FROM events
      WHERE position >= ${from} AND position <= ${to} ORDER BY position`,
    (rows) => {
      if (rows.length !== to - from + 1) {
        throw new Error(`the log has no events at some of positions ${from} to ${to}`)
      }
      return rows.map((r) => Merkle.leafHash(r.line))
    }
  )

/** The stored line of the event at a position, if any. */
export const lineAt = (sql: SqlClient.SqlClient, position: number): Effect.Effect<string | undefined, SqlError> =>
  Effect.map(sql<{ line: string }>`SELECT line FROM events WHERE position = ${position}`, (rows) => rows[0]?.line)

/**
 * The hashes of perfect subtrees, in the order asked: the stored ones in one
 * query, the small ones from the lines of their blocks (each block read once).
 */
export const subtreeHashes = (
  sql: SqlClient.SqlClient,
  subtrees: ReadonlyArray<Merkle.Subtree>
): Effect.Effect<Array<Merkle.Hash>, SqlError> =>
  Effect.gen(function* () {
    const out: Array<Merkle.Hash | undefined> = new Array(subtrees.length)
    const stored = subtrees.map((s, i) => [s, i] as const).filter(([s]) => s.level >= storedLevel)
    if (stored.length > 0) {
      const rows = yield* sql<{ level: number; idx: number | string; hash: string }>`SELECT level, idx, hash
        FROM merkle_nodes WHERE ${sql.or(stored.map(([s]) => sql`(level = ${s.level} AND idx = ${s.index})`))}`
      const byKey = new Map(rows.map((r) => [`${r.level}:${Number(r.idx)}`, r.hash]))
      for (const [s, i] of stored) {
        const hash = byKey.get(`${s.level}:${s.index}`)
        if (!Merkle.isHash(hash)) {
          return yield* Effect.dieMessage(
            `the Merkle tree has no well-formed node at level ${s.level}, index ${s.index}: ` +
              `the database is damaged (run kehoach verify)`
          )
        }
        out[i] = hash
      }
    }
    // Small subtrees, by the block of 2^storedLevel leaves that holds them.
    const blocks = new Map<number, { lo: number; hi: number }>()
    for (const s of subtrees) {
      if (s.level >= storedLevel) continue
      const lo = s.index * 2 ** s.level
      const hi = lo + 2 ** s.level
      const block = Math.floor(lo / blockSize)
      const b = blocks.get(block)
      blocks.set(block, b === undefined ? { lo, hi } : { lo: Math.min(b.lo, lo), hi: Math.max(b.hi, hi) })
    }
    const leavesOf = new Map<number, { lo: number; leaves: Array<Merkle.Hash> }>()
    for (const [block, { hi, lo }] of blocks) {
      leavesOf.set(block, { lo, leaves: yield* leafHashes(sql, lo + 1, hi) })
    }
    subtrees.forEach((s, i) => {
      if (s.level >= storedLevel) return
      const lo = s.index * 2 ** s.level
      const b = leavesOf.get(Math.floor(lo / blockSize))!
      out[i] = Merkle.root(b.leaves.slice(lo - b.lo, lo - b.lo + 2 ** s.level))
    })
    return out as Array<Merkle.Hash>
  })

/** The hashes of ranges of the RFC's recursion, each folded from its perfect subtrees. */
export const rangeHashes = (
  sql: SqlClient.SqlClient,
  ranges: ReadonlyArray<Merkle.Range>
): Effect.Effect<Array<Merkle.Hash>, SqlError> =>
  Effect.gen(function* () {
    const parts = ranges.map(Merkle.subtreesOf)
    const hashes = yield* subtreeHashes(sql, parts.flat())
    let at = 0
    return parts.map((p) => {
      const h = Merkle.foldRange(hashes.slice(at, at + p.length))
      at += p.length
      return h
    })
  })

/** The right edge of the tree of the first `size` events, from the stored nodes and the last block's lines. */
export const frontier = (sql: SqlClient.SqlClient, size: number): Effect.Effect<Merkle.Frontier, SqlError> =>
  Effect.map(subtreeHashes(sql, Merkle.subtreesOf({ lo: 0, hi: size })), (hashes) => ({ size, hashes }))

/** The root hash of the tree of the first `size` events. */
export const rootAt = (sql: SqlClient.SqlClient, size: number): Effect.Effect<Merkle.Hash, SqlError> =>
  Effect.map(rangeHashes(sql, [{ lo: 0, hi: size }]), (hashes) => hashes[0]!)

/** An inclusion proof as the store computes it. */
export interface Inclusion {
  readonly leaf: Merkle.Hash
  readonly path: ReadonlyArray<Merkle.Hash>
  readonly root: Merkle.Hash
}

/** The inclusion proof of leaf `index` (0-based) in the tree of the first `size` events. */
export const inclusion = (sql: SqlClient.SqlClient, index: number, size: number): Effect.Effect<Inclusion, SqlError> =>
  Effect.map(
    rangeHashes(sql, [{ lo: index, hi: index + 1 }, { lo: 0, hi: size }, ...Merkle.inclusionRanges(index, size)]),
    ([leaf, root, ...path]) => ({ leaf: leaf!, root: root!, path })
  )

/** A consistency proof as the store computes it. */
export interface Consistency {
  readonly firstRoot: Merkle.Hash
  readonly secondRoot: Merkle.Hash
  readonly path: ReadonlyArray<Merkle.Hash>
}

/** The consistency proof between the trees of the first `first` and `second` events. */
export const consistency = (
  sql: SqlClient.SqlClient,
  first: number,
  second: number
): Effect.Effect<Consistency, SqlError> =>
  Effect.map(
    rangeHashes(sql, [{ lo: 0, hi: first }, { lo: 0, hi: second }, ...Merkle.consistencyRanges(first, second)]),
    ([firstRoot, secondRoot, ...path]) => ({ firstRoot: firstRoot!, secondRoot: secondRoot!, path })
  )

/**
 * Builds the stored nodes of a log written before the tree existed (the
 * migration that creates the table), from its lines, page by page.
 */
export const build = (sql: SqlClient.SqlClient): Effect.Effect<void, SqlError> =>
  Effect.gen(function* () {
    let tree = Merkle.emptyFrontier
    for (;;) {
      const rows = (yield* sql<{ position: number | string; line: string }>`SELECT position, line FROM events
        WHERE position > ${tree.size} ORDER BY position LIMIT 10000`).map((r) => ({
        ...r,
        position: Number(r.position)
      }))
      if (rows.length === 0) return
      if (rows[0]!.position !== tree.size + 1) {
        return yield* Effect.dieMessage(
          `the log has a gap after position ${tree.size}: it cannot be hashed into a tree`
        )
      }
      const extended = Merkle.extend(
        tree,
        rows.map((r) => Merkle.leafHash(r.line)),
        storedLevel
      )
      yield* insertNodes(sql, extended.completed)
      tree = extended.frontier
      if (rows[rows.length - 1]!.position !== tree.size) {
        return yield* Effect.dieMessage(`the log has a gap before position ${rows[rows.length - 1]!.position}`)
      }
    }
  })

/** How many nodes the tree of `size` events stores. */
export const nodeCount = (size: number): number => {
  let count = 0
  for (let level = storedLevel; 2 ** level <= size; level++) count += Math.floor(size / 2 ** level)
  return count
}

// ---------------------------------------------------------------------------
// The documents of docs/proofs.md

/** The head of the tree of the whole log, with the given timestamp. */
export const treeHead = (sql: SqlClient.SqlClient, timestamp: string): Effect.Effect<Proofs.TreeHead, SqlError> =>
  Effect.gen(function* () {
    const digest = yield* Read.head(sql)
    const root = yield* rootAt(sql, digest.position)
    return { treeSize: digest.position, rootHash: root, chainHash: digest.hash, timestamp }
  })

/** The size asked for, checked against the log's (absent: the log's). */
const sizeOf = (
  sql: SqlClient.SqlClient,
  asked: number | undefined,
  what: string
): Effect.Effect<number, ProofUnavailable | SqlError> =>
  Effect.flatMap(Read.head(sql), (digest) => {
    if (asked === undefined) return Effect.succeed(digest.position)
    if (!Number.isSafeInteger(asked) || asked < 0) {
      return Effect.fail(new ProofUnavailable({ reason: `${what} ${asked} is not a whole number >= 0` }))
    }
    return asked > digest.position
      ? Effect.fail(
          new ProofUnavailable({ reason: `${what} ${asked} is beyond the log, which holds ${digest.position} events` })
        )
      : Effect.succeed(asked)
  })

/** The inclusion proof of an event, by position or id, in the tree of `treeSize` events (default: the log's). */
export const inclusionProof = (
  sql: SqlClient.SqlClient,
  target: ProofTarget,
  treeSize?: number
): Effect.Effect<Proofs.InclusionProof, ProofUnavailable | SqlError> =>
  Effect.gen(function* () {
    let position: number
    if ("id" in target) {
      const rows = yield* sql<{ position: number | string }>`SELECT position FROM events WHERE id = ${target.id}`
      if (rows.length === 0)
        return yield* new ProofUnavailable({ reason: `the log holds no event with id ${target.id}` })
      position = Number(rows[0]!.position)
    } else {
      position = target.position
    }
    const size = yield* sizeOf(sql, treeSize, "tree size")
    if (!Number.isSafeInteger(position) || position < 1 || position > size) {
      return yield* new ProofUnavailable({
        reason: `position ${position} is not in the tree of ${size} events (positions 1 to ${size})`
      })
    }
    const line = yield* lineAt(sql, position)
    const proof = yield* inclusion(sql, position - 1, size)
    return {
      proof: "inclusion",
      version: 1,
      position,
      treeSize: size,
      line: line!,
      leafHash: proof.leaf,
      rootHash: proof.root,
      path: proof.path
    } satisfies Proofs.InclusionProof
  })

/** The consistency proof from the tree of `first` events to the tree of `second` (default: the log's). */
export const consistencyProof = (
  sql: SqlClient.SqlClient,
  first: number,
  second?: number
): Effect.Effect<Proofs.ConsistencyProof, ProofUnavailable | SqlError> =>
  Effect.gen(function* () {
    const to = yield* sizeOf(sql, second, "the second tree size")
    yield* sizeOf(sql, first, "the first tree size")
    if (first > to) {
      return yield* new ProofUnavailable({
        reason: `the first tree size ${first} is larger than the second, ${to}: a log only grows`
      })
    }
    const proof = yield* consistency(sql, first, to)
    return {
      proof: "consistency",
      version: 1,
      firstSize: first,
      secondSize: to,
      firstRootHash: proof.firstRoot,
      secondRootHash: proof.secondRoot,
      path: proof.path
    } satisfies Proofs.ConsistencyProof
  })
