/**
 * The dashboard's files as built by `scripts/build.mjs` (esbuild) into
 * `dist/static/`, for the server to serve at `/` and `/assets/…` and for
 * `kehoach report --html` to inline. They are read from beside this module,
 * so they travel with the package (no CDN, no network).
 */
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"

/** One file and its content type. */
export interface Asset {
  readonly body: Uint8Array
  readonly contentType: string
}

const types: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
  "communes-2025-07-01.json": "application/json"
}

/** The names served under `/assets/` (and `index.html` at `/`). */
export const names: ReadonlyArray<string> = Object.keys(types)

/** Where the built files are. */
export const directory = (): string => fileURLToPath(new URL("./static/", import.meta.url))

const cache = new Map<string, Asset>()

/**
 * A built file by name, or `undefined` for a name that is not one of
 * `names` (no path is ever taken from a request) or a file not built yet.
 */
export const read = (name: string): Asset | undefined => {
  const contentType = types[name]
  if (contentType === undefined) return undefined
  const hit = cache.get(name)
  if (hit !== undefined) return hit
  try {
    const asset = { body: new Uint8Array(Fs.readFileSync(directory() + name)), contentType }
    cache.set(name, asset)
    return asset
  } catch {
    return undefined
  }
}

/** A built file as text, failing with a sentence that says to build. */
export const text = (name: string): string => {
  const asset = read(name)
  if (asset === undefined) {
    throw new Error(`the dashboard is not built: ${directory()}${name} is missing (run pnpm run build)`)
  }
  return new TextDecoder().decode(asset.body)
}
