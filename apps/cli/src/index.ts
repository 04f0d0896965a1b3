/**
 * `@kehoach/cli`: the `kehoach` command line. The renderers are exported for
 * tools that print the same tables and CSV.
 */
export * as Cli from "./Cli.js"
export * as CliError from "./CliError.js"
export * as Csv from "./Csv.js"
export * as Main from "./Main.js"
export * as Render from "./Render.js"
export * as Table from "./Table.js"
