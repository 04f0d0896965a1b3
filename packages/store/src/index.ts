/**
 * `@kehoach/store`: the event log of kehoach in SQL. The `EventStore` port,
 * its SQL adapter (`SqlEventStore`, SQLite by default), the hash chain and
 * the NDJSON format.
 */
export * as Audit from "./Audit.js"
export * as EventStore from "./EventStore.js"
export * as HashChain from "./HashChain.js"
export * as Merkle from "./Merkle.js"
export * as Ndjson from "./Ndjson.js"
export * as Postgres from "./Postgres.js"
export * as SqlEventStore from "./SqlEventStore.js"
export * as Snapshots from "./Snapshots.js"
