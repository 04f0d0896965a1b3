/**
 * `@kehoach/api`: the HTTP contract of kehoach as an Effect `HttpApi`, shared
 * by the server, the CLI and outside clients (`HttpApiClient.make(Api.Api)`).
 */
export * as Api from "./Api.js"
export * as ApiError from "./ApiError.js"
export * as DashboardApi from "./DashboardApi.js"
export * as DueApi from "./DueApi.js"
export * as ProofsApi from "./ProofsApi.js"
export * as Resources from "./Resources.js"
export * as Security from "./Security.js"
