// Imports an NDJSON file into the store in `db` (a file or a postgres:// URL); prints "started" once
// the store is open, so the crash test can kill it mid-import. Uses the built dist.
import { Effect } from "effect"
import { Ndjson, SqlEventStore } from "../../dist/index.js"

const [db, file] = process.argv.slice(2)
const program = Ndjson.importFile(file, {
  recordedBy: "child",
  onProgress: (lines) => {
    if (lines > 0 && !globalThis.started) {
      globalThis.started = true
      process.stdout.write("started\n")
    }
  }
}).pipe(Effect.provide(SqlEventStore.layerFor({ db })))
Effect.runPromise(program).then(
  (result) => {
    process.stdout.write(JSON.stringify(result) + "\n")
    process.exit(0)
  },
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
