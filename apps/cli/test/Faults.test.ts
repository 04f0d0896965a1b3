/**
 * The built `kehoach` when the disk fills (issue 13): an import whose writes
 * fail part-way is one line naming the database error, exit status 1, and an
 * empty log that verifies; a COMMIT that fails is the write's error, not a
 * crash ("unexpected error"). An import into a database file it may not
 * write (as root too, run as an unprivileged user) is one line naming the
 * problem, and the log is as it was.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Sample from "./Sample.js"

const cliDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")
const bundle = path.join(cliDir, "dist", "bundle", "kehoach.mjs")
let tmp: string

/**
 * Runs the CLI through `sh`, with `prefix` (a ulimit) applied to it and under `as` (a command that runs
 * it as another user); SIGXFSZ ignored so a write fails with EFBIG.
 */
const run = (
  args: ReadonlyArray<string>,
  prefix = "",
  as: ReadonlyArray<string> = []
): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const quoted = [...as, process.execPath, bundle, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")
    const child = spawn("sh", ["-c", `trap '' XFSZ; ${prefix} exec ${quoted}`], { cwd: tmp })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  })

/**
 * How to run the CLI so that it cannot write a file this process owns. Root writes through any file
 * mode, so as root the CLI runs as the unprivileged user 65534 (`setpriv` of util-linux); any other
 * user is stopped by the mode already. The reason instead, when neither is possible here.
 */
const unprivileged = ((): { readonly as: ReadonlyArray<string> } | { readonly skipped: string } => {
  if (process.getuid?.() !== 0) return { as: [] }
  const as = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
  const probe = spawnSync(as[0]!, [...as.slice(1), process.execPath, bundle, "--version"], { encoding: "utf8" })
  if (probe.error !== undefined) return { skipped: `running as root, and setpriv cannot run: ${probe.error.message}` }
  if (probe.status !== 0) {
    const why = probe.stderr.split("\n").find((l) => l.trim() !== "") ?? `status ${probe.status}`
    return { skipped: `running as root, and user 65534 cannot run node and the bundle: ${why}` }
  }
  return { as }
})()

beforeAll(() => {
  const built = spawnSync(process.execPath, [path.join(cliDir, "scripts", "bundle.mjs")], { encoding: "utf8" })
  if (built.status !== 0) throw new Error(`bundling failed: ${built.stderr}`)
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-cli-faults-"))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe("a full disk", () => {
  it("an import that runs out of space (a file-size limit on the process) is one clear line, and nothing is written", async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({
        type: "UnitRegistered",
        occurredAt: "2018-01-01T08:00:00+07:00",
        data:
          i === 0
            ? { unitId: "U0", name: "Tỉnh thử", level: "province" }
            : {
                unitId: `U${i}`,
                name: `Huyện số ${i}, một cái tên khá dài để chiếm chỗ`,
                level: "district",
                parentId: "U0"
              }
      })
    )
    fs.writeFileSync(path.join(tmp, "many.ndjson"), lines.join("\n") + "\n")
    const full = path.join(tmp, "full.db")
    const r = await run(["import", "many.ndjson", "--db", full], "ulimit -f 2000;")
    expect(r.status).toBe(1)
    const errorLines = r.stderr.split("\n").filter((l) => l !== "")
    expect(errorLines).toHaveLength(1)
    expect(errorLines[0]).toMatch(
      /^kehoach: many\.ndjson: database error: .*(disk|I\/O|full).*\(nothing from the file was stored\)$/
    )
    const verified = await run(["verify", "--db", full])
    expect(verified.status).toBe(0)
    expect(verified.stdout).toMatch(/of 0 events verifies/)
  })
})

describe("a read-only database", () => {
  it.skipIf("skipped" in unprivileged)(
    `an import into a database file the process may not write is one clear line, and nothing is written${
      "skipped" in unprivileged ? ` (skipped: ${unprivileged.skipped})` : ""
    }`,
    async () => {
      if (!("as" in unprivileged)) return
      const dir = path.join(tmp, "readonly")
      fs.mkdirSync(dir)
      fs.writeFileSync(path.join(dir, "first.ndjson"), Sample.lines().slice(0, 3).join("\n") + "\n")
      fs.writeFileSync(path.join(dir, "more.ndjson"), Sample.lines().slice(3, 6).join("\n") + "\n")
      const db = path.join("readonly", "log.db")
      expect((await run(["import", "readonly/first.ndjson", "--db", db, "--quiet"])).status).toBe(0)
      const before = await run(["digest", "--db", db])
      expect(before.stdout).toMatch(/^3:[0-9a-f]{64}\n$/)
      // The CLI may read the directories, the database and the input, and write none of them.
      for (const d of [tmp, dir]) fs.chmodSync(d, 0o755)
      for (const f of ["", "-wal", "-shm"])
        if (fs.existsSync(path.join(tmp, db + f))) fs.chmodSync(path.join(tmp, db + f), 0o444)
      const r = await run(["import", "readonly/more.ndjson", "--db", db], "", unprivileged.as)
      fs.chmodSync(path.join(tmp, db), 0o644)
      expect(r.status).toBe(1)
      expect(r.stderr).toBe(`kehoach: ${db}: cannot open the database: attempt to write a readonly database\n`)
      expect(r.stdout).toBe("")
      const verified = await run(["verify", "--db", db])
      expect(verified.status, verified.stderr).toBe(0)
      expect((await run(["digest", "--db", db])).stdout).toBe(before.stdout)
    }
  )
})
