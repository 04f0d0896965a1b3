/**
 * The auditor's commands (docs/proofs.md): `prove inclusion` and `prove
 * consistency` print a proof document from the log; `head` prints the tree
 * head, signed with `--sign KEY`; `keygen` makes the Ed25519 key pair that
 * signs heads; `check-proof` checks a proof document, a line, a tree head
 * and its signature without any database. The hashing and checking are the
 * store's (`MerkleTree`, `Audit`); this module reads options and files.
 */
import { Args, Command, HelpDoc, Options } from "@effect/cli"
import * as Audit from "@kehoach/store/Audit"
import * as EventStore from "@kehoach/store/EventStore"
import { Effect, Option, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as AuditFiles from "./AuditFiles.js"
import * as Cli from "./Cli.js"
import { FileError, UsageError } from "./CliError.js"
import * as Output from "./Output.js"

/** A proof (or a line, or a head) that `check-proof` refuses; nothing about it was accepted. */
export class ProofRefused extends Schema.TaggedError<ProofRefused>()("ProofRefused", {
  file: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.file}: refused: ${this.reason}`
  }
}

const help = (description: string, ...examples: ReadonlyArray<string>): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    HelpDoc.p(description),
    HelpDoc.p(examples.length === 1 ? "Example:" : "Examples:"),
    ...examples.map((e) => HelpDoc.p(`  $ ${e}`))
  ])

const printJson = (value: unknown) => Output.print(JSON.stringify(value, null, 2) + "\n")

/** The file names `keygen` writes in its directory. */
export const keyFiles = { privateKey: "tree-head.key", publicKey: "tree-head.pub" } as const

// ---------------------------------------------------------------------------
// prove

const inclusionCommand = Command.make(
  "inclusion",
  {
    db: Cli.db,
    position: Options.integer("position").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("The event at this position"),
      Options.optional
    ),
    id: Options.text("id").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("The event with this id"),
      Options.optional
    ),
    size: Options.integer("size").pipe(
      Options.withPseudoName("S"),
      Options.withDescription("Against the tree of the first S events (default: the whole log)"),
      Options.optional
    )
  },
  ({ db, id, position, size }) =>
    Effect.gen(function* () {
      if (Option.isSome(id) === Option.isSome(position)) {
        return yield* new UsageError({ command: "prove inclusion", reason: "give exactly one of --position and --id" })
      }
      const target = Option.isSome(id) ? { id: id.value } : { position: Option.getOrThrow(position) }
      const proof = yield* Cli.withStore(db, () =>
        Effect.flatMap(EventStore.EventStore, (store) => store.inclusionProof(target, Option.getOrUndefined(size)))
      )
      yield* printJson(proof)
    })
).pipe(
  Command.withDescription(
    help(
      "Prints the proof (JSON, docs/proofs.md) that one event is in the log: its exported line, the leaf hash, the root hash of the tree of --size events (default: all) and the RFC 9162 audit path between them. Whoever holds the proof and a tree head of that size can check it with `kehoach check-proof` or docs/verify_proof.py, without the log.",
      "kehoach prove inclusion --position 1234 > proof.json",
      "kehoach prove inclusion --id 0b7c…-… --size 5000"
    )
  )
)

const consistencyCommand = Command.make(
  "consistency",
  {
    db: Cli.db,
    from: Options.integer("from").pipe(
      Options.withPseudoName("M"),
      Options.withDescription("The size of the earlier tree (a tree head you kept)")
    ),
    to: Options.integer("to").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("The size of the later tree (default: the whole log)"),
      Options.optional
    )
  },
  ({ db, from, to }) =>
    Cli.withStore(db, () =>
      Effect.flatMap(EventStore.EventStore, (store) => store.consistencyProof(from, Option.getOrUndefined(to)))
    ).pipe(Effect.flatMap(printJson))
).pipe(
  Command.withDescription(
    help(
      "Prints the proof (JSON, docs/proofs.md) that the log of --to events (default: all) extends the log of --from events unchanged: the two root hashes and the RFC 9162 consistency proof between them. An auditor who kept the earlier tree head checks it with `kehoach check-proof`.",
      "kehoach prove consistency --from 1000 > consistency.json",
      "kehoach prove consistency --from 1000 --to 2000"
    )
  )
)

const proveCommand = Command.make("prove").pipe(
  Command.withDescription(
    help(
      "Proofs for an auditor: `inclusion` (an event is in the log) and `consistency` (the log extends an earlier one).",
      "kehoach prove inclusion --position 12",
      "kehoach prove consistency --from 10"
    )
  ),
  Command.withSubcommands([inclusionCommand, consistencyCommand])
)

// ---------------------------------------------------------------------------
// head, keygen

const headCommand = Command.make(
  "head",
  {
    db: Cli.db,
    sign: Options.file("sign").pipe(
      Options.withPseudoName("KEY"),
      Options.withDescription("Sign the head with this Ed25519 private key (from `kehoach keygen`)"),
      Options.optional
    )
  },
  ({ db, sign }) =>
    Effect.gen(function* () {
      const privatePem = Option.isSome(sign) ? yield* AuditFiles.readPrivateKey(sign.value) : undefined
      const head = yield* Cli.withStore(db, () => Effect.flatMap(EventStore.EventStore, (store) => store.treeHead))
      if (privatePem === undefined) return yield* printJson(head)
      const signed = Audit.sign(head, privatePem)
      if (signed instanceof Audit.ProofRejected) {
        return yield* new FileError({ path: Option.getOrThrow(sign), reason: signed.reason })
      }
      yield* printJson(signed)
    })
).pipe(
  Command.withDescription(
    help(
      "Prints the tree head of the log (JSON): its size, the RFC 9162 Merkle root hash, the hash-chain hash of its last event, and the time; with --sign, an Ed25519 signature over them. Publish signed heads: `kehoach verify --head` and `kehoach check-proof --head` check a log or a proof against one.",
      "kehoach head",
      "kehoach head --sign keys/tree-head.key > head-2026-12-03.json"
    )
  )
)

const keygenCommand = Command.make(
  "keygen",
  {
    out: Options.directory("out").pipe(
      Options.withPseudoName("DIR"),
      Options.withDescription("Write the key pair into this directory (created if needed)")
    )
  },
  ({ out }) =>
    Effect.gen(function* () {
      const privatePath = path.join(out, keyFiles.privateKey)
      const publicPath = path.join(out, keyFiles.publicKey)
      for (const file of [privatePath, publicPath]) {
        if (fs.existsSync(file)) {
          return yield* new FileError({
            path: file,
            reason: "already exists: a key is never overwritten (move it away first)"
          })
        }
      }
      const keys = Audit.generateKeyPair()
      yield* Effect.try({
        try: () => {
          fs.mkdirSync(out, { recursive: true })
          fs.writeFileSync(privatePath, keys.privatePem, { mode: 0o600, flag: "wx" })
          fs.writeFileSync(publicPath, keys.publicPem, { flag: "wx" })
        },
        catch: (e) => new FileError({ path: out, reason: `cannot write the keys: ${(e as Error).message}` })
      })
      yield* Output.print(
        `Wrote ${privatePath} (the private key: keep it secret) and ${publicPath}.\n` +
          `Publish this public key (key id ${keys.keyId}):\n${keys.publicPem}`
      )
    })
).pipe(
  Command.withDescription(
    help(
      "Creates an Ed25519 key pair for signing tree heads (node:crypto): DIR/tree-head.key (private, PKCS #8 PEM, mode 600) and DIR/tree-head.pub (public, SPKI PEM), and prints the public key for publication. Existing keys are never overwritten.",
      "kehoach keygen --out keys"
    )
  )
)

// ---------------------------------------------------------------------------
// check-proof

const checkProofCommand = Command.make(
  "check-proof",
  {
    file: Args.file({ name: "FILE" }).pipe(
      Args.withDescription("A proof document from `kehoach prove` or GET /proofs/...")
    ),
    line: Options.file("line").pipe(
      Options.withPseudoName("LINEFILE"),
      Options.withDescription("The event's exported line, as you hold it: it must be the proven leaf"),
      Options.optional
    ),
    head: Options.file("head").pipe(
      Options.withPseudoName("HEADFILE"),
      Options.withDescription("A tree head (from `kehoach head`): the proof must be about its tree"),
      Options.optional
    ),
    publicKey: Options.file("public-key").pipe(
      Options.withPseudoName("KEY"),
      Options.withDescription("The published public key: the head's signature must verify with it"),
      Options.optional
    )
  },
  ({ file, head, line, publicKey }) =>
    Effect.gen(function* () {
      if (Option.isSome(publicKey) && Option.isNone(head)) {
        return yield* new UsageError({
          command: "check-proof",
          reason: "--public-key checks a signed tree head: give --head too"
        })
      }
      const proof = yield* AuditFiles.readProof(file)
      const refuse = (where: string) => (e: Audit.ProofRejected) => new ProofRefused({ file: where, reason: e.reason })
      const given = Option.isSome(line) ? yield* AuditFiles.readLine(line.value) : undefined
      if (proof.proof === "inclusion" && given !== undefined) {
        const bad = Audit.checkInclusion(proof, given)
        if (bad !== undefined) return yield* refuse(Option.getOrThrow(line))(bad)
      } else if (given !== undefined) {
        return yield* new UsageError({
          command: "check-proof",
          reason: "--line goes with an inclusion proof, and this is a consistency proof"
        })
      }
      const own = proof.proof === "inclusion" ? Audit.checkInclusion(proof) : Audit.checkConsistency(proof)
      if (own !== undefined) return yield* refuse(file)(own)
      let against = ""
      if (Option.isSome(head)) {
        const checked = yield* Effect.mapError(
          AuditFiles.checkedHead(head.value, Option.getOrUndefined(publicKey)),
          (e) => (e._tag === "ProofRejected" ? refuse(head.value)(e) : e)
        )
        const bad = Audit.checkAgainstHead(proof, checked.head)
        if (bad !== undefined) return yield* refuse(file)(bad)
        against =
          checked.keyId === undefined
            ? `, the tree of the head in ${head.value}` +
              (AuditFiles.isSigned(checked.head) ? " (signature not checked: no --public-key)" : "")
            : `, the tree of the head in ${head.value}, signed by key ${checked.keyId} at ${checked.head.timestamp}`
      }
      yield* Output.print(
        proof.proof === "inclusion"
          ? `OK: the event at position ${proof.position} ${given === undefined ? "" : `(the line in ${Option.getOrThrow(line)}) `}` +
              `is in the log of ${proof.treeSize} events with root hash ${proof.rootHash}${against}.\n`
          : `OK: the log of ${proof.secondSize} events (root ${proof.secondRootHash}) extends the log of ` +
              `${proof.firstSize} events (root ${proof.firstRootHash}) unchanged${against}.\n`
      )
    })
).pipe(
  Command.withDescription(
    help(
      "Checks a proof document without the log: its own hashes (the leaf is the hash of its line, the path leads to the root; or the consistency proof joins the two roots), with --line that your copy of the line is the proven leaf, with --head that the proof is about that tree head, and with --public-key that the head's signature verifies. Exits with status 1 and what does not match otherwise.",
      "kehoach check-proof proof.json --line my-report.ndjson --head head.json --public-key tree-head.pub",
      "kehoach check-proof consistency.json --head old-head.json"
    )
  )
)

/** The auditor's commands, for the command tree. */
export const commands = [proveCommand, headCommand, keygenCommand, checkProofCommand] as const
