/**
 * Real OS processes on one database, a SQLite file and a PostgreSQL schema:
 * two appenders at once, and an import killed with SIGKILL. The children run
 * the built dist (`npx tsc -b packages/store` first).
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { EventStore, Ndjson } from "../src/index.js"
import * as Backends from "./Backends.js"
import * as Generate from "./Generate.js"

const { backends, skipped } = await Backends.available("Processes")
afterAll(async () => {
  for (const backend of backends) await backend.cleanUp()
})
if (skipped !== undefined)
  describe.skip(`PostgreSQL across processes (skipped: ${skipped})`, () => it("runs", () => {}))

const child = (name: string) => fileURLToPath(new URL(`./child/${name}`, import.meta.url))
const dirs: Array<string> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-store-proc-"))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

const run = (args: ReadonlyArray<string>) =>
  Effect.async<{ code: number | null; stderr: string }>((resume) => {
    const p = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    p.stderr.on("data", (d) => (stderr += d))
    p.on("exit", (code) => resume(Effect.succeed({ code, stderr })))
  })

const contract = (backend: Backends.Backend) => {
  const withStore = <A, E>(db: string, f: (store: EventStore.EventStore["Type"]) => Effect.Effect<A, E>) =>
    Effect.flatMap(EventStore.EventStore, f).pipe(Effect.provide(backend.layer(db)))

  describe(`${backend.name}: the event store across processes`, () => {
    it.live("two processes appending to one database at once leave no gap, no duplicate and an intact chain", () =>
      Effect.gen(function* () {
        const db = backend.fresh()
        yield* withStore(db, (store) =>
          store.append(
            [
              {
                type: "UnitRegistered",
                occurredAt: "2018-01-01T00:00:00+07:00",
                data: { unitId: "08", name: "Tỉnh", level: "province" }
              }
            ],
            {
              recordedBy: "t"
            }
          )
        )
        const n = 300
        const startAt = String(Date.now() + 1500)
        const [a, b] = yield* Effect.all(
          [
            run([child("append.mjs"), db, "a", String(n), startAt]),
            run([child("append.mjs"), db, "b", String(n), startAt])
          ],
          {
            concurrency: 2
          }
        )
        assert.deepStrictEqual([a.code, b.code, a.stderr + b.stderr], [0, 0, ""])
        yield* withStore(db, (store) =>
          Effect.gen(function* () {
            const events = yield* store.read({})
            assert.deepStrictEqual(
              events.map((e) => e.position),
              Array.from({ length: 2 * n + 1 }, (_, i) => i + 1)
            )
            assert.strictEqual(new Set(events.map((e) => e.id)).size, 2 * n + 1)
            // Both really ran at once: their events interleave.
            const by = events
              .slice(1)
              .map((e) => e.recordedBy)
              .join("")
            assert.notStrictEqual(by, "a".repeat(n) + "b".repeat(n))
            assert.notStrictEqual(by, "b".repeat(n) + "a".repeat(n))
            assert.isTrue((yield* store.verify()).ok)
            assert.strictEqual((yield* store.state).units.size, 2 * n + 1)
          })
        )
      })
    )

    it.live("an import killed with SIGKILL leaves all of the file or none of it, and verify passes", () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const db = backend.fresh()
        const file = path.join(dir, "log.ndjson")
        const shape: Generate.Shape = { districts: 5, communes: 10, areas: 10, plans: 140 }
        const total = Generate.count(shape)
        assert.isTrue(total >= 100_000)
        const out = fs.openSync(file, "w")
        let buffer = ""
        for (const line of Generate.lines(shape)) {
          buffer += line
          if (buffer.length > 1 << 20) {
            fs.writeSync(out, buffer)
            buffer = ""
          }
        }
        fs.writeSync(out, buffer)
        fs.closeSync(out)
        // The database is created (and migrated) first; the import's transaction is the child's alone.
        yield* withStore(db, (store) => store.position)
        const killed = yield* Effect.async<{ signal: string | null; started: boolean }>((resume) => {
          const p = spawn(process.execPath, [child("import.mjs"), db, file], { stdio: ["ignore", "pipe", "inherit"] })
          let started = false
          p.stdout.on("data", (d: Buffer) => {
            if (!started && d.toString().includes("started")) {
              started = true
              setTimeout(() => p.kill("SIGKILL"), 300)
            }
          })
          p.on("exit", (_code, signal) => resume(Effect.succeed({ signal, started })))
        })
        assert.isTrue(killed.started)
        assert.strictEqual(killed.signal, "SIGKILL")
        // The import dropped the id index inside its transaction: the crash must have restored it.
        assert.include(yield* backend.indexes(db), "events_id")
        yield* withStore(db, (store) =>
          Effect.gen(function* () {
            const position = yield* store.position
            assert.include([0, total], position)
            const verified = yield* store.verify()
            assert.isTrue(verified.ok)
            // The store is usable: the whole file imports (again, or for the first time).
            const result = yield* Effect.orDie(
              store.importLines(Ndjson.linesOfFile(file, { maxLineBytes: store.maxEventBytes }), { recordedBy: "t" })
            )
            assert.strictEqual(result.position, total)
          })
        )
        fs.rmSync(dir, { recursive: true, force: true })
      })
    )
  })
}

for (const backend of backends) contract(backend)
