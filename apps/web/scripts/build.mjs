// Bundles the dashboard (src/app/Main.ts and Observable Plot) with esbuild into
// dist/static/: index.html, app.js, app.css, and the communes' centres. The
// server serves these files at / and /assets/; `kehoach report --html` inlines
// them into one file. Nothing is fetched from a CDN.
import * as esbuild from "esbuild"
import { copyFileSync, mkdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const out = join(root, "dist", "static")
mkdirSync(out, { recursive: true })
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ["src/app/Main.ts"],
  outfile: join(out, "app.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome109", "firefox115", "safari15"],
  minify: true,
  legalComments: "eof",
  logLevel: "warning",
  metafile: true
})
copyFileSync(join(root, "static", "index.html"), join(out, "index.html"))
copyFileSync(join(root, "static", "app.css"), join(out, "app.css"))
copyFileSync(join(root, "data", "communes-2025-07-01.json"), join(out, "communes-2025-07-01.json"))
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0)
console.log(`web: bundled ${Math.round(bytes / 1024)} kB into ${out}`)
