// better-sqlite3 ships no types and @types/better-sqlite3 is not a dependency;
// the tests use it raw only to tamper with a database file.
declare module "better-sqlite3" {
  interface Statement {
    run(...params: ReadonlyArray<unknown>): unknown
    get(...params: ReadonlyArray<unknown>): unknown
    all(...params: ReadonlyArray<unknown>): Array<unknown>
    readonly reader: boolean
  }
  class Database {
    constructor(filename: string)
    prepare(sql: string): Statement
    close(): void
  }
  namespace Database {
    type Database = InstanceType<typeof Database>
  }
  export default Database
}
