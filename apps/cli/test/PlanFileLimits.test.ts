/** Issue 21: plan files are stat'ed first; non-regular files and files over 10 MB are refused before reading. */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { MAX_FILE_BYTES, text } from "../src/PlanFile.js"

const reason = async (file: string): Promise<string> => {
  const result = await Effect.runPromise(Effect.either(text(file)))
  return Either.isLeft(result) ? result.left.reason : "read"
}

describe("plan file limits", () => {
  it("refuses /dev/zero quickly", async () => {
    expect(await reason("/dev/zero")).toMatch(/not a regular file/)
  })
  it("refuses a FIFO without hanging", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-fifo-"))
    const fifo = path.join(dir, "plan.txt")
    execFileSync("mkfifo", [fifo])
    expect(await reason(fifo)).toMatch(/not a regular file/)
  })
  it("refuses a file over the limit", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-big-"))
    const big = path.join(dir, "plan.txt")
    fs.writeFileSync(big, "")
    fs.truncateSync(big, MAX_FILE_BYTES + 1)
    expect(await reason(big)).toMatch(/larger than the limit/)
  })
})
