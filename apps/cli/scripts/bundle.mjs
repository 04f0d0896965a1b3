// Bundles the compiled CLI (dist/bin.js, from `tsc -b`) into dist/bundle/kehoach.mjs.
// Effect's module graph is large; loading one bundled file is several times
// faster than resolving hundreds of modules, and `kehoach --help` must answer
// in well under half a second. The store, the server and the fixtures are
// split into chunks loaded only by the commands that need them.
// better-sqlite3 stays external: it is a native addon.
import * as esbuild from "esbuild"
import { chmodSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { basename, dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const outdir = join(root, "dist", "bundle")

// better-sqlite3 is the store's dependency, not the CLI's: resolve it where the
// store's SQLite client finds it, and import it from the bundle by that path.
const fromStore = createRequire(realpathSync(join(root, "node_modules/@kehoach/store/package.json")))
const fromSqlite = createRequire(fromStore.resolve("@effect/sql-sqlite-node/package.json"))
const betterSqlite3 = realpathSync(fromSqlite.resolve("better-sqlite3"))
const nativeAddon = {
  name: "better-sqlite3",
  setup(build) {
    build.onResolve({ filter: /^better-sqlite3$/ }, () => ({
      path: "./" + relative(outdir, betterSqlite3).split("\\").join("/"),
      external: true
    }))
  }
}
// Modules that find data files beside themselves (the fixtures' unit lists, the dashboard's built files,
// `new URL("../data/", import.meta.url)`) must keep finding them from inside
// the bundle: point their import.meta.url at where the module was.
const keepModuleUrl = {
  name: "keep-module-url",
  setup(build) {
    build.onLoad({ filter: /[\\/](packages[\\/]fixtures|apps[\\/]web)[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, "utf8")
      if (!text.includes("import.meta.url")) return undefined
      const rel = relative(outdir, args.path).split("\\").join("/")
      return {
        contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(rel)}, import.meta.url).href`),
        loader: "js",
        resolveDir: dirname(args.path)
      }
    })
  }
}

// @effect/cli parses YAML and TOML for Options.fileParse, which kehoach does
// not use; the two CommonJS parsers would be a third of the entry's code.
const noConfigFileParsers = {
  name: "no-config-file-parsers",
  setup(build) {
    build.onResolve({ filter: /^(yaml|toml)$/ }, (args) => ({ path: args.path, namespace: "unused-parser" }))
    build.onLoad({ filter: /.*/, namespace: "unused-parser" }, (args) => ({
      contents: `export const parse = () => { throw new Error("kehoach is built without the ${args.path} parser") }`,
      loader: "js"
    }))
  }
}

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { kehoach: "dist/bin.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  plugins: [nativeAddon, keepModuleUrl, noConfigFileParsers],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: 'import { createRequire as __kehoachCreateRequire } from "node:module"; const require = __kehoachCreateRequire(import.meta.url);'
  },
  legalComments: "none",
  minify: true,
  // Effect's error messages and class names stay readable.
  keepNames: false,
  logLevel: "warning",
  metafile: true
})
chmodSync(join(outdir, "kehoach.mjs"), 0o755)
// Chunks of earlier builds go only now, so a kehoach already running keeps its files until the new ones are in place.
const fresh = new Set(Object.keys(result.metafile.outputs).map((f) => basename(f)))
for (const file of readdirSync(outdir)) if (!fresh.has(file)) rmSync(join(outdir, file), { force: true })
// KEHOACH_BUNDLE_META=FILE keeps esbuild's metafile, to see what each chunk holds.
if (process.env.KEHOACH_BUNDLE_META) writeFileSync(process.env.KEHOACH_BUNDLE_META, JSON.stringify(result.metafile))
const outputs = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith(".mjs"))
const kb = (n) => `${Math.round(n / 1024)} kB`
console.log(
  `bundled ${outputs.length} files into ${outdir}: ${outputs.map(([f, o]) => `${f.split("/").pop()} ${kb(o.bytes)}`).join(", ")}`
)
