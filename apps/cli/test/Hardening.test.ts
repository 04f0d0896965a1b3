/**
 * The CLI's side of the hardening suite (issue 13): the built `kehoach`
 * bundle as a child process on real SQLite files. A tampered line that keeps
 * its id and hash, a line over the per-event limit, and an edited indexed
 * column are each one line on stderr and a non-zero exit, with nothing stored;
 * `--from` means "after", as over HTTP; `--quiet` keeps stderr empty.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Sample from "./Sample.js"

const bundle = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "bundle", "kehoach.mjs")
// better-sqlite3 is the store's dependency, used raw here only to tamper with a database file.
const Database = createRequire(
  path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../packages/store/package.json")
)("better-sqlite3") as new (file: string) => {
  prepare(sql: string): { get(...p: Array<unknown>): unknown; run(...p: Array<unknown>): unknown }
  close(): void
}
let tmp: string
let exported: Array<string>

const run = (...args: ReadonlyArray<string>) => {
  const r = spawnSync(process.execPath, [bundle, ...args], {
    cwd: tmp,
    encoding: "utf8",
    env: { ...process.env, KEHOACH_DB: "" }
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}
/** A failure: non-zero exit, one line on stderr, no stack trace. */
const fails = (...args: ReadonlyArray<string>): string => {
  const r = run(...args)
  expect(r.status).not.toBe(0)
  const lines = r.stderr.split("\n").filter((l) => l !== "")
  expect(lines, r.stderr).toHaveLength(1)
  expect(r.stderr).not.toMatch(/\n\s+at /)
  return lines[0]!
}
const sampleDb = (name: string, from = "sample.ndjson"): string => {
  const db = path.join(tmp, name)
  const file = path.join(tmp, from)
  const r = run("import", file, "--db", db, "--quiet")
  expect(r.status, r.stderr).toBe(0)
  expect(r.stderr).toBe("")
  return db
}
const position = (db: string): string => run("digest", "--db", db).stdout.split(":")[0]!.trim()

/**
 * Runs the CLI with `input` piped to its stdin, and reports its peak resident memory. The peak is the
 * kernel's (`getrusage`, as `process.resourceUsage().maxRSS`), written by a preloaded script when the
 * process exits: it counts the buffers outside the JavaScript heap too, which a smaller heap limit
 * (`--max-old-space-size`) would not catch. Measured against a baseline run, not as a fixed figure,
 * since Node and SQLite alone take more than the line would.
 */
const peak = (
  args: ReadonlyArray<string>,
  input: string
): Promise<{ status: number | null; stderr: string; maxRssBytes: number }> =>
  new Promise((resolve, reject) => {
    const preload = path.join(tmp, "peak.cjs")
    const report = path.join(tmp, `peak-${Date.now()}-${Math.random()}.txt`)
    fs.writeFileSync(
      preload,
      `process.on("exit", () => require("node:fs").writeFileSync(process.env.PEAK_FILE, String(process.resourceUsage().maxRSS)))`
    )
    const child = spawn(process.execPath, ["--require", preload, bundle, ...args], {
      cwd: tmp,
      env: { ...process.env, KEHOACH_DB: "", PEAK_FILE: report },
      stdio: ["pipe", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    // The child stops reading once it refuses the line: the rest of the pipe is not wanted.
    child.stdin.on("error", () => {})
    fs.createReadStream(input).on("error", reject).pipe(child.stdin)
    child.on("error", reject)
    child.on("close", (status) =>
      resolve({ status, stderr, maxRssBytes: Number(fs.readFileSync(report, "utf8")) * 1024 })
    )
  })

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-cli-hardening-"))
  fs.writeFileSync(path.join(tmp, "sample.ndjson"), Sample.text())
  const db = sampleDb("source.db")
  const out = path.join(tmp, "export.ndjson")
  expect(run("export", "--db", db, "--out", out).status).toBe(0)
  exported = fs.readFileSync(out, "utf8").trimEnd().split("\n")
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe("kehoach hardening", () => {
  it("a line that keeps an event's id and hash but changes its content is refused with its line number", () => {
    const db = sampleDb("tampered.db", "export.ndjson")
    const before = position(db)
    const line = exported[1]!
    const tampered = line.replace(/"name":"([^"]*)"/, '"name":"$1 (sửa)"')
    expect(tampered).not.toBe(line)
    fs.writeFileSync(path.join(tmp, "tampered.ndjson"), exported[0] + "\n" + tampered + "\n")
    const message = fails("import", "tampered.ndjson", "--db", db)
    expect(message).toMatch(
      /^kehoach: tampered\.ndjson, line 2: event id .* is already stored at position 2 with other content/
    )
    expect(position(db)).toBe(before)
  })

  it("a line over the per-event limit (1 MiB) is refused with its line number, nothing stored", () => {
    const db = path.join(tmp, "big.db")
    const big = "x".repeat(3 * 1024 * 1024)
    fs.writeFileSync(
      path.join(tmp, "big.ndjson"),
      Sample.lines()[0] + "\n" + `{"type":"UnitRegistered","data":"${big}"}\n`
    )
    expect(fails("import", "big.ndjson", "--db", db)).toMatch(
      /^kehoach: big\.ndjson, line 2: the line is over the limit of 1048576 bytes per event \(nothing from the file was stored\)$/
    )
    expect(position(db)).toBe("0")
  })

  it("a 50 MB line with no newline, piped in, is refused as it is read: the process never holds it", async () => {
    const file = path.join(tmp, "huge.ndjson")
    const huge = 50 * 1024 * 1024
    fs.writeFileSync(file, Sample.lines()[0] + "\n" + Sample.lines()[1] + "\n")
    fs.appendFileSync(file, Buffer.alloc(huge, "x"))
    const db = path.join(tmp, "huge.db")
    const refused = await peak(["import", "-", "--db", db], file)
    expect(refused.status).toBe(1)
    expect(refused.stderr).toBe(
      "kehoach: stdin, line 3: the line is over the limit of 1048576 bytes per event (nothing from the file was stored)\n"
    )
    expect(position(db)).toBe("0")
    // The same import of a small file is the baseline: reading the huge line costs a few chunks of 1 MiB more,
    // where holding it (as before) cost several times its size (a string, its bytes, the copy that measures it).
    fs.writeFileSync(path.join(tmp, "small.ndjson"), Sample.lines().slice(0, 2).join("\n") + "\n")
    const baseline = await peak(["import", "-", "--db", path.join(tmp, "small.db")], path.join(tmp, "small.ndjson"))
    expect(baseline.status, baseline.stderr).toBe(0)
    expect(refused.maxRssBytes - baseline.maxRssBytes).toBeLessThan(huge / 4)
  })

  it("verify names an edited unit_id or plan_id column; the position is the edited row", () => {
    const db = sampleDb("edited.db")
    expect(run("verify", "--db", db).status).toBe(0)
    const raw = new Database(db)
    const row = raw
      .prepare("SELECT position FROM events WHERE unit_id IS NOT NULL ORDER BY position DESC LIMIT 1")
      .get() as {
      position: number
    }
    raw.prepare("UPDATE events SET unit_id = 'someone-else' WHERE position = ?").run(row.position)
    raw.close()
    expect(fails("verify", "--db", db)).toContain(
      `the chain does not verify at position ${row.position}: the row's unit_id column does not match its stored line`
    )
  })

  it("log --from N lists the events after N, as GET /events?from=N does", () => {
    const db = path.join(tmp, "source.db")
    const r = run("log", "--db", db, "--from", "3", "--limit", "2", "--format", "json")
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).map((e: { position: number }) => e.position)).toEqual([4, 5])
    expect(run("log", "--help").stdout).toContain("After this position (exclusive")
  })
})
