/**
 * What only the PostgreSQL connection does: which `--db` values are URLs, how
 * a URL is shown in an error (never its password), and the one clear error
 * when no server answers (no server needed for these).
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import Pg from "pg"
import { EventStore, Postgres, SqlEventStore } from "../src/index.js"
import * as Backends from "./Backends.js"
import * as Generate from "./Generate.js"

const { backends, skipped } = await Backends.available("Postgres")
const postgres = backends.find((b) => b.name === "PostgreSQL")
afterAll(async () => {
  for (const backend of backends) await backend.cleanUp()
})

describe("Postgres", () => {
  it("a postgres:// or postgresql:// URL is a PostgreSQL database, anything else a file", () => {
    assert.isTrue(Postgres.isUrl("postgres://u@h/db"))
    assert.isTrue(Postgres.isUrl("POSTGRESQL://u@h:5433/db?sslmode=require"))
    assert.isFalse(Postgres.isUrl("./kehoach.db"))
    assert.isFalse(Postgres.isUrl("postgres.db"))
  })

  it("a URL is shown without its password and connection options", () => {
    assert.strictEqual(
      Postgres.describe("postgres://kehoach:s3cret@db.example.vn:5432/kehoach?options=-c%20search_path%3Dx"),
      "postgres://kehoach:***@db.example.vn:5432/kehoach"
    )
    assert.strictEqual(Postgres.describe("postgres://kehoach@db/k"), "postgres://kehoach@db/k")
  })

  it.live("a server that does not answer is one Unavailable naming it, and the reason", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.provide(EventStore.EventStore, SqlEventStore.layerFor({ db: "postgres://kehoach:s3cret@127.0.0.1:1/k" }))
      )
      assert.strictEqual(error._tag, "Unavailable")
      assert.match(error.message, /^cannot connect to postgres:\/\/kehoach:\*\*\*@127\.0\.0\.1:1\/k: .*ECONNREFUSED/)
      assert.notInclude(error.message, "s3cret")
    })
  )
})

const suite = postgres === undefined ? describe.skip : describe
suite(postgres === undefined ? `Postgres faults (skipped: ${skipped})` : "Postgres faults", () => {
  it.live("a connection dropped mid-import fails it in one line naming the server, and leaves the log as it was", () =>
    Effect.gen(function* () {
      const backend = postgres!
      const name = `kehoach-drop-${process.pid}`
      const db = `${backend.fresh()}&application_name=${name}`
      // Created and migrated first, with one event, so the import takes the ordinary path.
      const lines = [...Generate.lines({ districts: 2, communes: 5, areas: 5, plans: 4 })].map((l) => l.trimEnd())
      yield* Effect.provide(
        Effect.flatMap(EventStore.EventStore, (store) =>
          store.importLines(Stream.make(lines[0]!), { recordedBy: "t" })
        ),
        backend.layer(db)
      )
      let dropped: Promise<unknown> | undefined
      const drop = () =>
        (dropped ??= (async () => {
          const client = new Pg.Client({ connectionString: Backends.serverUrl() })
          await client.connect()
          try {
            await client.query(
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL",
              [name]
            )
          } finally {
            await client.end()
          }
        })())
      const error = yield* Effect.flip(
        Effect.provide(
          Effect.flatMap(EventStore.EventStore, (store) =>
            store.importLines(
              // The connection is dropped after the first chunk, while the import's transaction is open.
              Stream.rechunk(Stream.fromIterable(lines.slice(1)), 50).pipe(
                Stream.tap(() => (dropped === undefined ? Effect.promise(drop) : Effect.void))
              ),
              { recordedBy: "t" }
            )
          ),
          backend.layer(db)
        )
      )
      assert.strictEqual(error._tag, "ImportError")
      assert.isTrue(error.message.startsWith(`database error on ${Postgres.describe(db)}: `), error.message)
      const after = yield* Effect.provide(
        Effect.flatMap(EventStore.EventStore, (store) => Effect.all([store.position, store.verify()])),
        backend.layer(db)
      )
      assert.strictEqual(after[0], 1)
      assert.isTrue(after[1].ok)
    })
  )
})
