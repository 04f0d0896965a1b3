/**
 * The built `kehoach` when the disk fills (issue 13): an import whose writes
 * fail part-way is one line naming the database error, exit status 1, and an
 * empty log that verifies; a COMMIT that fails is the write's error, not a
 * crash ("unexpected error").
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const cliDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")
const bundle = path.join(cliDir, "dist", "bundle", "kehoach.mjs")
let tmp: string

/** Runs the CLI through `sh`, with `prefix` (a ulimit) applied to it; SIGXFSZ ignored so a write fails with EFBIG. */
const run = (
  args: ReadonlyArray<string>,
  prefix = ""
): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const quoted = [process.execPath, bundle, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")
    const child = spawn("sh", ["-c", `trap '' XFSZ; ${prefix} exec ${quoted}`], { cwd: tmp })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  })

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
