// The Merkle tree's costs (issue 15): proof generation on a 16M-event log, and what keeping the
// tree adds to an import.
//
//   pnpm run build && node --expose-gc bench/proofs.mjs
//
// 1. Proofs on 16,000,000 events. Importing 16M events would take hours here, so the tree is
//    built synthetically: 16M synthetic exported lines are hashed into leaves, the perfect
//    subtrees of 16 leaves and more are written to `merkle_nodes` exactly as the write path
//    writes them, and only the lines of 300 sampled blocks of 16 events (and the last block) are
//    stored in `events` (a proof reads the lines of at most the leaf's block and the last one).
//    Then the real store (`SqlEventStore`) answers inclusion proofs (by position and by id) and
//    consistency proofs; each is checked against the root computed while building; times per proof.
// 2. Import with and without the tree: the national year (the fixtures' seeded `Scenario`, seed
//    2018, all provinces; BENCH_EVENTS caps it) imported into a fresh file with `Ndjson.importFile`,
//    with the store's `merkleTree: false` (a switch that exists for this measurement) and with the
//    tree, alternately, twice each; then the tree's work alone: the same leaf hashing, right-edge
//    folding and node inserts over the imported lines (`MerkleTree.build` into an emptied table,
//    in one transaction; it also reads the lines back, so it is an upper bound). Proof times and
//    `verify` on the national file are printed too.
// Environment: BENCH_LEAVES (default 16000000), BENCH_EVENTS (cap on the national log).
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const storeDir = path.join(root, "packages/store")
const requireStore = createRequire(path.join(storeDir, "package.json"))
const load = (rel) => import(pathToFileURL(path.join(root, rel)).href)

const { Effect, Layer } = await load("packages/store/node_modules/effect/dist/esm/index.js")
const { EventStore, Merkle, Ndjson, SqlEventStore } = await load("packages/store/dist/index.js")
const MerkleTree = await load("packages/store/dist/MerkleTree.js")
const SqlClient = await load("packages/store/node_modules/@effect/sql/dist/esm/SqlClient.js")
const SqliteClient = await load("packages/store/node_modules/@effect/sql-sqlite-node/dist/esm/SqliteClient.js")
const Database = requireStore("better-sqlite3")

const leavesWanted = Number(process.env.BENCH_LEAVES ?? 16_000_000)
const cap = process.env.BENCH_EVENTS === undefined ? Infinity : Number(process.env.BENCH_EVENTS)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-bench-proofs-"))
const gc = () => globalThis.gc?.()
const fmt = (n) => n.toLocaleString("en-US")
const run = (effect) => Effect.runPromise(effect)
const ms = (x) => `${x.toFixed(3)} ms`

/** Median, p99 and max of a list of times. */
const stats = (times) => {
  const s = [...times].sort((a, b) => a - b)
  return {
    median: s[Math.floor(s.length / 2)],
    p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))],
    max: s[s.length - 1]
  }
}

/** Opens the store on a file, runs `f(store)`, closes it. */
const withStore = (filename, f) =>
  run(
    Effect.scoped(
      Effect.gen(function* () {
        const ctx = yield* Layer.build(SqlEventStore.layer({ filename }))
        return yield* Effect.promise(() => f(ctx.unsafeMap.get(EventStore.EventStore.key)))
      })
    )
  )

/** Times `count` proofs by `make(i)`, each checked by `check(proof, i)`. */
const timeProofs = async (count, make, check) => {
  const times = []
  for (let i = 0; i < count + 50; i++) {
    const t = performance.now()
    const proof = await run(make(i))
    const took = performance.now() - t
    check(proof, i)
    if (i >= 50) times.push(took) // the first 50 warm the page cache and the JIT
  }
  return stats(times)
}

const checkInclusion = (root) => (proof) => {
  const got = Merkle.rootFromInclusion(proof.position - 1, proof.treeSize, proof.leafHash, proof.path)
  if (!("root" in got) || got.root !== root || proof.rootHash !== root)
    throw new Error(`bad proof for ${proof.position}`)
}

// ---------------------------------------------------------------------------
// 1. Proofs on a synthetic 16M-event tree (BENCH_LEAVES=0 skips it)

if (leavesWanted > 0) {
  const n = leavesWanted
  const file = path.join(dir, "synthetic.db")
  await withStore(file, async () => undefined) // the store's schema, migrations included
  const blockSize = 2 ** MerkleTree.storedLevel
  const blocks = Math.ceil(n / blockSize)
  // 300 sampled blocks (a fixed pseudo-random choice) and the last one.
  const sampled = new Set([blocks - 1])
  let seed = 2018
  while (sampled.size < Math.min(301, blocks)) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    sampled.add(seed % blocks)
  }
  const idOf = (p) => `00000000-0000-4000-8000-${p.toString(16).padStart(12, "0")}`
  const lineOf = (p) =>
    `{"position":${p},"id":"${idOf(p)}","type":"ReportFiled","version":1,"occurredAt":"2018-03-15T10:00:00+07:00",` +
    `"recordedAt":"2018-03-16T08:00:00+07:00","recordedBy":"bench","data":{"planId":"p","reportId":"r-${p}","unitId":"u"},` +
    `"prevHash":"${"0".repeat(64)}","hash":"${"0".repeat(64)}"}`
  const db = new Database(file)
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = OFF")
  const insertNode = db.prepare("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)")
  const insertEvent = db.prepare(
    "INSERT INTO events (position, id, type, unit_id, plan_id, line) VALUES (?, ?, 'ReportFiled', NULL, NULL, ?)"
  )
  const t0 = performance.now()
  let tree = Merkle.emptyFrontier
  let nodes = 0
  const chunk = 1 << 16
  for (let lo = 0; lo < n; lo += chunk) {
    const hi = Math.min(n, lo + chunk)
    const leaves = new Array(hi - lo)
    for (let i = lo; i < hi; i++) leaves[i - lo] = Merkle.leafHash(lineOf(i + 1))
    const grown = Merkle.extend(tree, leaves, MerkleTree.storedLevel)
    tree = grown.frontier
    db.transaction(() => {
      for (const node of grown.completed) insertNode.run(node.level, node.index, node.hash)
      for (let b = Math.floor(lo / blockSize); b * blockSize < hi; b++) {
        if (!sampled.has(b)) continue
        for (let p = b * blockSize + 1; p <= Math.min(n, (b + 1) * blockSize); p++)
          insertEvent.run(p, idOf(p), lineOf(p))
      }
    })()
    nodes += grown.completed.length
  }
  db.close()
  const root = Merkle.frontierRoot(tree)
  const buildMs = performance.now() - t0
  console.log(
    `synthetic tree: ${fmt(n)} leaves hashed, ${fmt(nodes)} stored nodes (levels >= ${MerkleTree.storedLevel}) in ${(buildMs / 1000).toFixed(1)} s; ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MB`
  )
  gc()

  const positions = [...sampled].flatMap((b) => [b * blockSize + 1, b * blockSize + 7]).filter((p) => p <= n)
  await withStore(file, async (store) => {
    const head = await run(store.treeHead)
    if (head.treeSize !== n || head.rootHash !== root)
      throw new Error(`the store's head ${head.treeSize}/${head.rootHash} is not the built tree's`)
    const byPosition = await timeProofs(
      1000,
      (i) => store.inclusionProof({ position: positions[i % positions.length] }),
      checkInclusion(root)
    )
    console.log(
      `inclusion proof, by position, ${fmt(n)}-event log: median ${ms(byPosition.median)}, p99 ${ms(byPosition.p99)}, max ${ms(byPosition.max)} (1,000 proofs, ${positions.length} positions, each checked)`
    )
    const byId = await timeProofs(
      1000,
      (i) => store.inclusionProof({ id: idOf(positions[i % positions.length]) }),
      checkInclusion(root)
    )
    console.log(
      `inclusion proof, by id:                      median ${ms(byId.median)}, p99 ${ms(byId.p99)}, max ${ms(byId.max)}`
    )
    const older = await timeProofs(
      500,
      (i) =>
        store.inclusionProof(
          { position: positions[i % positions.length] },
          Math.max(positions[i % positions.length], [...sampled][i % sampled.size] * blockSize + 3)
        ),
      () => undefined
    )
    console.log(`inclusion proof against an earlier size:     median ${ms(older.median)}, p99 ${ms(older.p99)}`)
    const firsts = [...sampled].map((b) => b * blockSize + 5).filter((m) => m < n)
    const consistency = await timeProofs(
      1000,
      (i) => store.consistencyProof(firsts[i % firsts.length]),
      (proof) => {
        if (proof.secondRootHash !== root) throw new Error("bad consistency proof")
        const reason = Merkle.checkConsistency(proof.firstSize, proof.secondSize, proof.firstRootHash, root, proof.path)
        if (reason !== undefined) throw new Error(reason)
      }
    )
    console.log(
      `consistency proof to the head:               median ${ms(consistency.median)}, p99 ${ms(consistency.p99)}, max ${ms(consistency.max)}`
    )
    const heads = await timeProofs(
      200,
      () => store.treeHead,
      () => undefined
    )
    console.log(`tree head (root of the whole tree):           median ${ms(heads.median)}`)
  })
  fs.rmSync(file, { force: true })
  fs.rmSync(file + "-wal", { force: true })
  fs.rmSync(file + "-shm", { force: true })
  gc()
}

// ---------------------------------------------------------------------------
// 2. Import with the tree, and the tree's work alone, on the national year

{
  let source
  let lines
  try {
    const { Scenario } = await load("packages/fixtures/dist/index.js")
    lines = Scenario.events({ seed: 2018, provinces: "all" })
    source = 'fixtures Scenario.events({ seed: 2018, provinces: "all" })'
  } catch (error) {
    console.log(`(fixtures not built: ${error.message.split("\n")[0]}; skipping the import measurement)`)
    process.exit(0)
  }
  const file = path.join(dir, "year.ndjson")
  const fd = fs.openSync(file, "w")
  let text = ""
  let count = 0
  for (const line of lines) {
    if (count >= cap) break
    text += JSON.stringify(line) + "\n"
    count++
    if (text.length > 1 << 20) {
      fs.writeSync(fd, text)
      text = ""
    }
  }
  fs.writeSync(fd, text)
  fs.closeSync(fd)
  lines = undefined
  gc()
  console.log(`national log: ${fmt(count)} events from ${source}`)

  // Without and with the tree, alternately, twice each (the machine is shared: the best of two).
  const importInto = async (filename, merkleTree) => {
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(filename + suffix, { force: true })
    const t0 = performance.now()
    const imported = await run(
      Ndjson.importFile(file, { recordedBy: "bench" }).pipe(
        Effect.provide(SqlEventStore.layer({ filename, merkleTree }))
      )
    )
    const took = performance.now() - t0
    console.log(
      `import ${merkleTree ? "with" : "without"} the tree: ${fmt(imported.position)} events in ${(took / 1000).toFixed(1)} s = ${fmt(Math.round((imported.position * 1000) / took))} events/s`
    )
    gc()
    return took
  }
  const dbFile = path.join(dir, "national.db")
  const bare = path.join(dir, "national-without-tree.db")
  const a1 = await importInto(bare, false)
  const b1 = await importInto(dbFile, true)
  const a2 = await importInto(bare, false)
  const b2 = await importInto(dbFile, true)
  const withoutMs = Math.min(a1, a2)
  const withMs = Math.min(b1, b2)
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(bare + suffix, { force: true })
  console.log(
    `=> the tree adds ${((100 * (withMs - withoutMs)) / withoutMs).toFixed(1)}% to an import (best of two each: ${(withoutMs / 1000).toFixed(1)} s without, ${(withMs / 1000).toFixed(1)} s with; target < 10%)`
  )

  // The tree's work alone: the same hashing, folding and inserts over the same lines, in one transaction.
  const tree = await run(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const before = (yield* sql.unsafe("SELECT count(*) AS n FROM merkle_nodes"))[0].n
      yield* sql.unsafe("DELETE FROM merkle_nodes")
      const t = performance.now()
      yield* sql.withTransaction(MerkleTree.build(sql))
      const took = performance.now() - t
      const after = (yield* sql.unsafe("SELECT count(*) AS n FROM merkle_nodes"))[0].n
      if (after !== before) throw new Error(`rebuilt ${after} nodes, the import wrote ${before}`)
      return { took, nodes: after }
    }).pipe(Effect.provide(SqliteClient.layer({ filename: dbFile })))
  )
  console.log(
    `tree work alone (leaf hashes, folding, ${fmt(tree.nodes)} node inserts, plus reading the lines back): ${(tree.took / 1000).toFixed(1)} s = ${((100 * tree.took) / withoutMs).toFixed(1)}% of the import without the tree`
  )

  await withStore(dbFile, async (store) => {
    const head = await run(store.treeHead)
    const n = head.treeSize
    const proofs = await timeProofs(
      1000,
      (i) => store.inclusionProof({ position: 1 + Math.floor((i * 7919 * 131) % n) }),
      checkInclusion(head.rootHash)
    )
    console.log(
      `inclusion proof on the national file (${fmt(n)} events, random positions): median ${ms(proofs.median)}, p99 ${ms(proofs.p99)}`
    )
    const t = performance.now()
    const verified = await run(store.verify())
    console.log(
      `verify (chain and tree recomputed from the lines): ${verified.ok ? "ok" : verified.reason} in ${((performance.now() - t) / 1000).toFixed(1)} s`
    )
  })
}
fs.rmSync(dir, { recursive: true, force: true })
