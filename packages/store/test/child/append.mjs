// Appends `count` districts, one per append, to the store in `db` (a file or a postgres:// URL): one
// of the processes of the concurrency test. Uses the built dist.
import { Effect } from "effect"
import { EventStore, SqlEventStore } from "../../dist/index.js"

const [db, prefix, count, startAt] = process.argv.slice(2)
const program = Effect.gen(function* () {
  const store = yield* EventStore.EventStore
  // Both processes start appending at the same instant.
  yield* Effect.sleep(Math.max(0, Number(startAt ?? 0) - Date.now()))
  for (let i = 0; i < Number(count); i++) {
    yield* store.append(
      [
        {
          type: "UnitRegistered",
          occurredAt: "2018-01-01T00:00:00+07:00",
          data: { unitId: `${prefix}${i}`, name: `Huyện ${prefix}${i}`, level: "district", parentId: "08" }
        }
      ],
      { recordedBy: prefix }
    )
  }
}).pipe(Effect.provide(SqlEventStore.layerFor({ db })))
Effect.runPromise(program).then(
  () => process.exit(0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
