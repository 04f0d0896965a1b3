/**
 * `@kehoach/web`: the dashboard's built files (`Assets`) and the
 * self-contained HTML report (`Report`). The page itself is in `src/app/`,
 * bundled for the browser by `scripts/build.mjs`.
 */
export * as Assets from "./Assets.js"
export * as Report from "./Report.js"
