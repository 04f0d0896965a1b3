/**
 * The server `serve` runs, in a module of its own so that the bundle loads
 * the HTTP stack only when `serve` runs.
 */
export * as Server from "@kehoach/server/Server"
