/**
 * `@kehoach/server`: the HTTP server of kehoach. `Server.serve(options)` runs
 * it over a provided `EventStore` until interrupted; `Server.layer(options)`
 * is the same as a layer; `Server.layerApp` mounts it on any `HttpServer`.
 */
export * as Access from "./Access.js"
export * as GroupCommit from "./GroupCommit.js"
export * as Http from "./Http.js"
export * as ProjectionCache from "./ProjectionCache.js"
export * as Server from "./Server.js"
export * as Tokens from "./Tokens.js"
