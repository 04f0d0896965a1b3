/**
 * The fixtures `demo` loads, in a module of their own so that the bundle
 * loads them (and the GSO unit lists) only when `demo` runs.
 */
export * as Plan182 from "@kehoach/fixtures/Plan182"
export * as Reorganisation2025 from "@kehoach/fixtures/Reorganisation2025"
