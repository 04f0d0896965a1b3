/**
 * The auditor's commands of the built `kehoach` (prove, head, keygen,
 * check-proof, verify --head), run as child processes on a temporary log,
 * and the independent Python verifier of docs/ run on the same files: both
 * accept the good proofs and refuse each bad one, naming what does not match.
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
const verifier = path.join(cliDir, "..", "..", "docs", "verify_proof.py")
const hasPython = spawnSync("python3", ["--version"]).status === 0

let tmp: string
let db: string
let half: number

interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

const exec = (command: string, args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve, reject) => {
    const env = { ...process.env }
    delete env["KEHOACH_DB"]
    const child = spawn(command, args, { cwd: tmp, env })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, stdout, stderr }))
    child.stdin.end()
  })

const run = (...args: ReadonlyArray<string>) => exec(process.execPath, [bundle, ...args])
const python = (...args: ReadonlyArray<string>) => exec("python3", [verifier, ...args])

const ok = async (r: Promise<Run>, what: string): Promise<string> => {
  const done = await r
  expect(done.stderr, `stderr of ${what}`).toBe("")
  expect(done.status, `status of ${what}`).toBe(0)
  return done.stdout
}

/** A refusal: non-zero status, one line on stderr, no stack trace; the line. */
const refused = async (r: Promise<Run>, what: string): Promise<string> => {
  const done = await r
  expect(done.status, `status of ${what}`).not.toBe(0)
  const lines = done.stderr.split("\n").filter((l) => l !== "")
  expect(lines, `stderr of ${what}`).toHaveLength(1)
  expect(done.stderr).not.toMatch(/\n\s+at /)
  return lines[0]!
}

const write = (name: string, content: unknown): string => {
  const file = path.join(tmp, name)
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2))
  return file
}

beforeAll(async () => {
  const built = spawnSync(process.execPath, [path.join(cliDir, "scripts", "bundle.mjs")], { encoding: "utf8" })
  if (built.status !== 0) throw new Error(`bundling failed: ${built.stderr}`)
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-proofs-"))
  db = path.join(tmp, "log.db")
  const lines = Sample.lines()
  half = Math.floor(lines.length / 2)
  // The log in two imports, with the tree head of the first half kept (signed) in between.
  fs.writeFileSync(path.join(tmp, "first.ndjson"), lines.slice(0, half).join("\n") + "\n")
  fs.writeFileSync(path.join(tmp, "second.ndjson"), lines.slice(half).join("\n") + "\n")
  await ok(run("import", "first.ndjson", "--db", db), "import")
  await ok(run("keygen", "--out", "keys"), "keygen")
  fs.writeFileSync(
    path.join(tmp, "old-head.json"),
    await ok(run("head", "--sign", "keys/tree-head.key", "--db", db), "head")
  )
  await ok(run("import", "second.ndjson", "--db", db), "import")
  fs.writeFileSync(
    path.join(tmp, "head.json"),
    await ok(run("head", "--sign", "keys/tree-head.key", "--db", db), "head")
  )
})

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe("prove, head, check-proof", () => {
  it("every proof command has help with an example, and the top help lists them", async () => {
    const commands = [["prove", "inclusion"], ["prove", "consistency"], ["head"], ["keygen"], ["check-proof"]]
    const top = await ok(run("--help"), "--help")
    for (const c of ["prove", "head", "keygen", "check-proof"]) expect(top).toContain(`- ${c} `)
    for (const c of commands) {
      const h = await ok(run(...c, "--help"), `${c.join(" ")} --help`)
      expect(h, c.join(" ")).toMatch(/Examples?:/)
      expect(h, c.join(" ")).toContain(`$ kehoach ${c.join(" ")}`)
    }
  })

  it("keygen prints the public key and never overwrites a key", async () => {
    const out = await ok(run("keygen", "--out", "other-keys"), "keygen")
    expect(out).toContain("-----BEGIN PUBLIC KEY-----")
    expect(out).toMatch(/key id [0-9a-f]{16}/)
    expect((fs.statSync(path.join(tmp, "other-keys", "tree-head.key")).mode & 0o777).toString(8)).toBe("600")
    expect(await refused(run("keygen", "--out", "other-keys"), "keygen again")).toMatch(
      /tree-head\.key: already exists/
    )
  })

  it("an inclusion proof by position and by id checks against the signed head, in kehoach and in Python", async () => {
    const head = JSON.parse(fs.readFileSync(path.join(tmp, "head.json"), "utf8"))
    const proof = JSON.parse(await ok(run("prove", "inclusion", "--position", "7", "--db", db), "prove"))
    expect(proof).toMatchObject({
      proof: "inclusion",
      version: 1,
      position: 7,
      treeSize: head.treeSize,
      rootHash: head.rootHash
    })
    const byId = JSON.parse(
      await ok(run("prove", "inclusion", "--id", JSON.parse(proof.line).id, "--db", db), "prove --id")
    )
    expect(byId).toEqual(proof)
    const file = write("proof.json", proof)
    const line = write("line.ndjson", proof.line + "\n")
    const args = [file, "--line", line, "--head", "head.json", "--public-key", "keys/tree-head.pub"]
    expect(await ok(run("check-proof", ...args), "check-proof")).toMatch(
      /^OK: the event at position 7 \(the line in .*\) is in the log of \d+ events with root hash [0-9a-f]{64}, the tree of the head in head.json, signed by key [0-9a-f]{16} at /
    )
    if (hasPython) expect(await ok(python(...args), "verify_proof.py")).toMatch(/^OK: the event at position 7/)
    // The exported line is the leaf: the line `kehoach export` prints for position 7 checks too.
    const exported = (await ok(run("export", "--db", db), "export")).split("\n")[6]!
    expect(await ok(run("check-proof", file, "--line", write("exported.ndjson", exported)), "check-proof")).toMatch(
      /^OK/
    )
  })

  it("an inclusion proof against an earlier tree size checks against the head kept then", async () => {
    const file = write(
      "old-proof.json",
      await ok(run("prove", "inclusion", "--position", "3", "--size", String(half), "--db", db), "prove")
    )
    const args = [file, "--head", "old-head.json", "--public-key", "keys/tree-head.pub"]
    expect(await ok(run("check-proof", ...args), "check-proof")).toMatch(new RegExp(`in the log of ${half} events`))
    if (hasPython) expect(await ok(python(...args), "verify_proof.py")).toMatch(/^OK/)
  })

  it("a consistency proof from the kept head checks against both heads; verify --head checks the log extends it", async () => {
    const file = write(
      "consistency.json",
      await ok(run("prove", "consistency", "--from", String(half), "--db", db), "prove")
    )
    for (const head of ["old-head.json", "head.json"]) {
      const args = [file, "--head", head, "--public-key", "keys/tree-head.pub"]
      expect(await ok(run("check-proof", ...args), "check-proof")).toMatch(
        new RegExp(`^OK: the log of \\d+ events \\(root [0-9a-f]{64}\\) extends the log of ${half} events`)
      )
      if (hasPython) expect(await ok(python(...args), "verify_proof.py")).toMatch(/^OK: the log of \d+ events extends/)
    }
    expect(
      await ok(run("verify", "--head", "old-head.json", "--public-key", "keys/tree-head.pub", "--db", db), "verify")
    ).toMatch(
      new RegExp(`extends the kept tree head of ${half} events \\(root [0-9a-f]{64}\\), whose signature verifies`)
    )
  })

  it.skipIf(!hasPython)("the Python verifier's self-test passes (CT and RFC 8032 vectors)", async () => {
    expect(await ok(python("--self-test"), "self-test")).toMatch(/^OK/)
  })
})

describe("bad proofs are refused, naming what does not match", () => {
  const inclusion = async () => JSON.parse(await ok(run("prove", "inclusion", "--position", "9", "--db", db), "prove"))

  /** kehoach and (when present) Python both refuse; kehoach's line matches `expected`. */
  const bothRefuse = async (args: ReadonlyArray<string>, expected: RegExp, pythonExpected: RegExp = expected) => {
    expect(await refused(run("check-proof", ...args), `check-proof ${args.join(" ")}`)).toMatch(expected)
    if (hasPython) expect(await refused(python(...args), `verify_proof.py ${args.join(" ")}`)).toMatch(pythonExpected)
  }

  it("a proof for another head", async () => {
    const file = write("p-other.json", await inclusion())
    await bothRefuse(
      [file, "--head", "old-head.json"],
      new RegExp(`refused: the proof is for the tree of \\d+ events, but the tree head is of ${half}`)
    )
    // Same size, another root.
    const head = JSON.parse(fs.readFileSync(path.join(tmp, "head.json"), "utf8"))
    const forged = write("forged-head.json", { ...head, rootHash: "ab".repeat(32) })
    await bothRefuse([file, "--head", forged], /has root [0-9a-f]{64}, but the tree head's root is abab/)
  })

  it("a tampered leaf: the line in the proof, or the auditor's line", async () => {
    const proof = await inclusion()
    const tampered = write("p-tampered.json", { ...proof, line: proof.line.replace('"position":9', '"position":9 ') })
    await bothRefuse([tampered], /the proof's line hashes to leaf [0-9a-f]{64}, not to its leafHash/)
    const file = write("p-good.json", proof)
    const otherLine = write("other-line.ndjson", proof.line.replace(/"recordedBy":"[^"]*"/, '"recordedBy":"someone"'))
    await bothRefuse(
      [file, "--line", otherLine],
      /the given line hashes to leaf [0-9a-f]{64}, not to the proof's leafHash/
    )
  })

  it("a wrong key, and a head changed after signing", async () => {
    const file = write("p-key.json", await inclusion())
    await ok(run("keygen", "--out", "wrong-keys"), "keygen")
    await bothRefuse(
      [file, "--head", "head.json", "--public-key", "wrong-keys/tree-head.pub"],
      /the tree head is signed by key [0-9a-f]{16}, not by the given public key [0-9a-f]{16}/
    )
    const head = JSON.parse(fs.readFileSync(path.join(tmp, "head.json"), "utf8"))
    const changed = write("changed-head.json", { ...head, timestamp: "2030-01-01T00:00:00.000+07:00" })
    await bothRefuse(
      [file, "--head", changed, "--public-key", "keys/tree-head.pub"],
      /the tree head's signature does not verify with key [0-9a-f]{16}/
    )
    expect(
      await refused(run("verify", "--head", changed, "--public-key", "keys/tree-head.pub", "--db", db), "verify")
    ).toMatch(/signature does not verify/)
  })

  it("a truncated proof, a padded one, a changed hash", async () => {
    const proof = await inclusion()
    await bothRefuse(
      [write("p-short.json", { ...proof, path: proof.path.slice(0, -1) })],
      /the inclusion path is malformed: the path has \d+ hashes, fewer than a tree of \d+ leaves needs/
    )
    await bothRefuse(
      [write("p-long.json", { ...proof, path: [...proof.path, proof.rootHash] })],
      /the inclusion path is malformed: the path has \d+ hashes, more than/
    )
    await bothRefuse(
      [
        write("p-flip.json", {
          ...proof,
          path: [proof.path[0].replace(/^./, (c: string) => (c === "0" ? "1" : "0")), ...proof.path.slice(1)]
        })
      ],
      /the inclusion path leads to root [0-9a-f]{64}, not to the proof's rootHash/
    )
    const consistency = JSON.parse(await ok(run("prove", "consistency", "--from", "5", "--db", db), "prove"))
    await bothRefuse(
      [write("c-short.json", { ...consistency, path: consistency.path.slice(0, -1) })],
      /the consistency proof does not hold: the proof has \d+ hashes, but one from size 5 to \d+ has \d+/,
      /the consistency proof does not hold/
    )
    // Not a proof at all: cut in the middle of the JSON.
    const text = JSON.stringify(proof)
    expect(await refused(run("check-proof", write("p-cut.json", text.slice(0, text.length / 2))), "cut")).toMatch(
      /p-cut\.json: not JSON/
    )
  })

  it("a proof the log cannot give, and options that do not go together", async () => {
    expect(await refused(run("prove", "inclusion", "--position", "100000", "--db", db), "prove")).toMatch(
      /position 100000 is not in the tree of \d+ events/
    )
    expect(await refused(run("prove", "consistency", "--from", "100000", "--db", db), "prove")).toMatch(
      /beyond the log/
    )
    expect(await refused(run("prove", "inclusion", "--db", db), "prove")).toMatch(/exactly one of --position and --id/)
    expect(await refused(run("check-proof", "proof.json", "--public-key", "keys/tree-head.pub"), "check")).toMatch(
      /give --head too/
    )
    expect(await refused(run("head", "--sign", "keys/tree-head.pub", "--db", db), "head")).toMatch(/not a private key/)
  })
})
