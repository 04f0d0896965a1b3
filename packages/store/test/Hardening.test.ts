/**
 * The store's side of the hardening suite (issue 13), on real SQLite files:
 * a tampered line that keeps an event's id and hash is refused, every column
 * derived from a line is checked by `verify`, the per-event limit holds on
 * import, `expectedPosition` holds on an empty batch, a read-only file is a
 * clear error (as root too: the writer then runs as an unprivileged user),
 * and random corruptions of an exported log are either taken whole or refused
 * with a line number, leaving the store unchanged.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import * as fc from "fast-check"
import { Chunk, Effect, Either, Stream } from "effect"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { EventStore, SqlEventStore } from "../src/index.js"
import * as Generate from "./Generate.js"

const dirs: Array<string> = []
const tempDb = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-hardening-"))
  dirs.push(dir)
  return path.join(dir, "log.db")
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

const withStore = <A, E>(
  filename: string,
  f: (store: EventStore.EventStore["Type"]) => Effect.Effect<A, E>,
  options: Partial<SqlEventStore.Options> = {}
) => Effect.flatMap(EventStore.EventStore, f).pipe(Effect.provide(SqlEventStore.layer({ filename, ...options })))

const small: Generate.Shape = { districts: 2, communes: 2, areas: 1, plans: 1 }
const lines = [...Generate.lines(small)].map((l) => l.trimEnd())

const importAll = (store: EventStore.EventStore["Type"], ls: ReadonlyArray<string>) =>
  Effect.either(store.importLines(Stream.fromIterable(ls), { recordedBy: "t" }))

/** A file holding the small log, and its export. */
const seeded = Effect.gen(function* () {
  const filename = tempDb()
  const exported = yield* withStore(filename, (store) =>
    Effect.zipRight(
      store.importLines(Stream.fromIterable(lines), { recordedBy: "t" }),
      Effect.map(Stream.runCollect(store.exportLines()), Chunk.toReadonlyArray)
    )
  )
  return { filename, exported }
})

describe("found 1: a line that keeps an event's id and hash but changes its content", () => {
  it.effect("is refused with its line number, into the store it came from and into a fresh one", () =>
    Effect.gen(function* () {
      const { exported, filename } = yield* seeded
      const tampered = exported[1]!.replace(/"name":"([^"]*)"/, '"name":"$1 (sửa)"')
      assert.notStrictEqual(tampered, exported[1])
      const same = yield* withStore(filename, (store) =>
        Effect.zip(importAll(store, [exported[0]!, tampered]), store.position)
      )
      assert.isTrue(Either.isLeft(same[0]))
      const error = (same[0] as Either.Left<EventStore.ImportError, unknown>).left
      assert.strictEqual(error.line, 2)
      assert.include(error.reason, "already stored at position 2 with other content")
      assert.strictEqual(same[1], exported.length)
      // Into an empty log the line is checked against its own hash.
      const fresh = yield* withStore(tempDb(), (store) =>
        Effect.zip(importAll(store, [exported[0]!, tampered]), store.position)
      )
      assert.isTrue(Either.isLeft(fresh[0]))
      assert.strictEqual((fresh[0] as Either.Left<EventStore.ImportError, unknown>).left.line, 2)
      assert.include((fresh[0] as Either.Left<EventStore.ImportError, unknown>).left.reason, "hash")
      assert.strictEqual(fresh[1], 0)
    })
  )
})

describe("found 2: verify checks every column derived from the line", () => {
  const cases: ReadonlyArray<readonly [column: string, sql: string]> = [
    ["unit_id", "UPDATE events SET unit_id = 'elsewhere' WHERE position = 3"],
    ["unit_id", "UPDATE events SET unit_id = NULL WHERE position = 3"],
    [
      "plan_id",
      `UPDATE events SET plan_id = 'other' WHERE position = (SELECT min(position) FROM events WHERE plan_id IS NOT NULL)`
    ],
    ["type", "UPDATE events SET type = 'UnitClosed' WHERE position = 3"],
    ["id", "UPDATE events SET id = '00000000-0000-4000-8000-ffffffffffff' WHERE position = 3"]
  ]
  for (const [column, statement] of cases) {
    it.effect(`an edited ${column} is named at its position (${statement.slice(18, 50)}…)`, () =>
      Effect.gen(function* () {
        const { filename } = yield* seeded
        const raw = new Database(filename)
        const position = (
          raw
            .prepare(
              statement.includes("plan_id =")
                ? "SELECT min(position) AS p FROM events WHERE plan_id IS NOT NULL"
                : "SELECT 3 AS p"
            )
            .get() as { p: number }
        ).p
        raw.prepare(statement).run()
        raw.close()
        const result = yield* withStore(filename, (store) => store.verify())
        assert.deepStrictEqual(result, {
          ok: false,
          position,
          reason: `the row's ${column} column does not match its stored line`
        })
      })
    )
  }

  it.effect("the other columns are generated from the line by SQLite and cannot be edited", () =>
    Effect.gen(function* () {
      const { filename } = yield* seeded
      const raw = new Database(filename)
      for (const column of ["version", "occurred_at", "recorded_at", "recorded_by", "data", "prev_hash", "hash"]) {
        assert.throws(
          () => raw.prepare(`UPDATE events SET ${column} = 'x' WHERE position = 3`).run(),
          /generated column/
        )
      }
      raw.close()
    })
  )
})

describe("found 4: the per-event limit holds on import", () => {
  it.effect("a line over the limit is refused with its number before it is parsed, and nothing is stored", () =>
    Effect.gen(function* () {
      const huge = JSON.stringify({
        type: "UnitRegistered",
        occurredAt: "2018-01-01T00:00:00+07:00",
        data: { x: "x".repeat(5000) }
      })
      const [result, position] = yield* withStore(
        tempDb(),
        (store) =>
          Effect.zip(
            importAll(store, [...lines.slice(0, 3), "not even json " + "y".repeat(5000), huge]),
            store.position
          ),
        { maxEventBytes: 4096 }
      )
      assert.isTrue(Either.isLeft(result))
      const error = (result as Either.Left<EventStore.ImportError, unknown>).left
      assert.strictEqual(error.line, 4)
      assert.include(error.reason, "over the limit of 4096 bytes per event")
      assert.strictEqual(position, 0)
    })
  )
})

describe("found 5: expectedPosition on an empty batch", () => {
  it.effect("is a ConcurrencyConflict when the log is elsewhere, and a no-op when it is there", () =>
    Effect.gen(function* () {
      const { filename, exported } = yield* seeded
      const [wrong, right] = yield* withStore(filename, (store) =>
        Effect.zip(
          Effect.flip(store.append([], { recordedBy: "t", expectedPosition: 5 })),
          store.append([], { recordedBy: "t", expectedPosition: exported.length })
        )
      )
      assert.strictEqual(wrong._tag, "ConcurrencyConflict")
      assert.deepInclude(wrong, { expectedPosition: 5, actualPosition: exported.length })
      assert.deepStrictEqual(
        { appended: right.appended, position: right.position },
        { appended: 0, position: exported.length }
      )
    })
  )
})

/**
 * How to run a child process that cannot write a file this process owns. Root writes through any
 * file mode, so as root the child runs as the unprivileged user 65534 (`setpriv` of util-linux);
 * any other user is stopped by the mode already. The reason instead, when neither is possible here.
 */
const unprivileged = ((): { readonly prefix: ReadonlyArray<string> } | { readonly skipped: string } => {
  if (process.getuid?.() !== 0) return { prefix: [] }
  const prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
  const store = new URL("../dist/index.js", import.meta.url).href
  const probe = spawnSync(
    prefix[0]!,
    [...prefix.slice(1), process.execPath, "--input-type=module", "-e", `await import(${JSON.stringify(store)})`],
    { encoding: "utf8" }
  )
  if (probe.error !== undefined) return { skipped: `running as root, and setpriv cannot run: ${probe.error.message}` }
  if (probe.status !== 0) {
    const why = probe.stderr.split("\n").find((l) => l.trim() !== "") ?? `status ${probe.status}`
    return { skipped: `running as root, and user 65534 cannot load node and the built store: ${why}` }
  }
  return { prefix }
})()

/** Runs a script of `test/child` (on the built dist), unprivileged; its exit status and stderr. */
const runChild = (prefix: ReadonlyArray<string>, name: string, args: ReadonlyArray<string>) =>
  Effect.async<{ status: number | null; stderr: string }>((resume) => {
    const command = [...prefix, process.execPath, fileURLToPath(new URL(`./child/${name}`, import.meta.url)), ...args]
    const child = spawn(command[0]!, command.slice(1), { stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.on("close", (status) => resume(Effect.succeed({ status, stderr })))
  })

describe("faults", () => {
  it.effect.skipIf("skipped" in unprivileged)(
    `a read-only database file: an append and an import from other processes fail naming it, and the log is as it was${
      "skipped" in unprivileged ? ` (skipped: ${unprivileged.skipped})` : ""
    }`,
    () =>
      Effect.gen(function* () {
        if (!("prefix" in unprivileged)) return
        const filename = tempDb()
        const dir = path.dirname(filename)
        const district = (unitId: string) => ({
          type: "UnitRegistered" as const,
          occurredAt: "2018-01-01T00:00:00+07:00",
          data: { unitId, name: `Huyện ${unitId}`, level: "district", parentId: "08" }
        })
        // A province "08" for the children's districts (test/child/append.mjs), so each write would be taken.
        const before = yield* withStore(filename, (store) =>
          Effect.zipRight(
            store.append([{ ...district("08"), data: { unitId: "08", name: "Tỉnh", level: "province" } }], {
              recordedBy: "t"
            }),
            store.digest
          )
        )
        const input = path.join(dir, "more.ndjson")
        fs.writeFileSync(input, JSON.stringify(district("d-imported")) + "\n")
        // The child may read the directory, the file and the input, and write none of them.
        fs.chmodSync(dir, 0o755)
        for (const f of [filename, `${filename}-wal`, `${filename}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o444)
        const appended = yield* runChild(unprivileged.prefix, "append.mjs", [filename, "d-appended-", "1", "0"])
        const imported = yield* runChild(unprivileged.prefix, "import.mjs", [filename, input])
        fs.chmodSync(filename, 0o644)
        for (const result of [appended, imported]) {
          assert.notStrictEqual(result.status, 0, "the write did not succeed")
          assert.include(result.stderr, "attempt to write a readonly database")
        }
        const [after, verified] = yield* withStore(filename, (store) => Effect.zip(store.digest, store.verify()))
        assert.deepStrictEqual(after, before)
        assert.isTrue(verified.ok)
      })
  )
})

/** One random corruption of an exported log: which line, and how. */
const corruption = fc.record({
  line: fc.nat(),
  kind: fc.constantFrom(
    "flip",
    "delete-char",
    "insert-char",
    "truncate",
    "drop-line",
    "swap-lines",
    "duplicate-line",
    "garbage"
  ),
  at: fc.nat(),
  char: fc.constantFrom('"', "{", "}", ",", ":", "0", "a", "é", "\\", " ", "\u0000"),
  garbage: fc.string({ maxLength: 40 })
})
type Corruption = typeof corruption extends fc.Arbitrary<infer A> ? A : never

const corrupt = (log: ReadonlyArray<string>, c: Corruption): Array<string> => {
  const out = [...log]
  const i = c.line % out.length
  const l = out[i]!
  const at = c.at % Math.max(1, l.length)
  switch (c.kind) {
    case "flip":
      out[i] = l.slice(0, at) + String.fromCharCode(l.charCodeAt(at) ^ 1) + l.slice(at + 1)
      break
    case "delete-char":
      out[i] = l.slice(0, at) + l.slice(at + 1)
      break
    case "insert-char":
      out[i] = l.slice(0, at) + c.char + l.slice(at)
      break
    case "truncate":
      out[i] = l.slice(0, at)
      break
    case "drop-line":
      out.splice(i, 1)
      break
    case "swap-lines": {
      const j = (i + 1) % out.length
      out[i] = out[j]!
      out[j] = l
      break
    }
    case "duplicate-line":
      out.splice(i, 0, l)
      break
    case "garbage":
      out[i] = c.garbage
      break
  }
  return out
}

describe("property: random corruptions of an exported log", () => {
  it.effect(
    "are taken whole (and verify) or refused with a line number, the store unchanged",
    () =>
      Effect.gen(function* () {
        const { exported } = yield* seeded
        // One store per kind of target, reused across runs: a fresh empty log, and the log the export came from.
        const emptyFile = tempDb()
        const fullFile = yield* Effect.map(seeded, (s) => s.filename)
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(corruption, async (c) => {
              const input = corrupt(exported, c)
              const changed = input.join("\n") !== exported.join("\n")
              for (const [file, before] of [
                [emptyFile, 0],
                [fullFile, exported.length]
              ] as const) {
                const [result, position, verified, stored] = await Effect.runPromise(
                  withStore(file, (store) =>
                    Effect.all([
                      importAll(store, input),
                      store.position,
                      store.verify(),
                      Effect.map(Stream.runCollect(store.exportLines()), Chunk.toReadonlyArray)
                    ])
                  )
                )
                if (Either.isLeft(result)) {
                  const error = result.left
                  if (!(error.line >= 1 && error.line <= input.length))
                    throw new Error(`no line number: ${error.message}`)
                  if (position !== before) throw new Error(`refused, but the log moved from ${before} to ${position}`)
                } else if (before > 0) {
                  // Into the log it came from, a corruption that is taken changed nothing (repeats, blank lines).
                  if (position !== before) throw new Error(`a corruption appended to the full log: ${position}`)
                } else {
                  // Taken whole into the empty log: every line of it (a prefix, a repeat) and no other.
                  if (position !== result.right.position || position > exported.length)
                    throw new Error("position mismatch")
                  if (!changed && position !== exported.length) throw new Error("the intact log was not taken whole")
                  if (stored.join("\n") !== exported.slice(0, position).join("\n"))
                    throw new Error("stored other lines")
                }
                if (!verified.ok) throw new Error(`the log no longer verifies: ${verified.reason}`)
                // The empty store is emptied again for the next run.
                if (before === 0 && Either.isRight(result)) {
                  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true })
                }
              }
            }),
            { numRuns: 25 }
          )
        )
      }),
    60_000
  )
})
