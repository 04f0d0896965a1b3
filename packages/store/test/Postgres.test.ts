/**
 * What only the PostgreSQL connection does: which `--db` values are URLs, how
 * a URL is shown in an error (never its password), and the one clear error
 * when no server answers (no server needed for these).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { EventStore, Postgres, SqlEventStore } from "../src/index.js"

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
