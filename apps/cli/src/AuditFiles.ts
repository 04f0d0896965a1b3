/**
 * The files an auditor holds, read for the proof commands and `verify`: a
 * proof document, a tree head (signed or not), a public key and an exported
 * line. Each is checked against its schema, and a file that is not what it
 * should be is one line naming the file and what is wrong with it.
 */
import { Proofs } from "@kehoach/domain"
import * as Audit from "@kehoach/store/Audit"
import { Effect, Either, ParseResult, Schema } from "effect"
import * as fs from "node:fs"
import { FileError } from "./CliError.js"

/** The text of a file. */
export const readText = (path: string): Effect.Effect<string, FileError> =>
  Effect.try({
    try: () => fs.readFileSync(path, "utf8"),
    catch: (e) => new FileError({ path, reason: `cannot read: ${(e as Error).message}` })
  })

const decodeJson = <A, I>(path: string, schema: Schema.Schema<A, I>, what: string) =>
  Effect.flatMap(readText(path), (text) => {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (e) {
      return Effect.fail(new FileError({ path, reason: `not JSON: ${(e as Error).message}` }))
    }
    return Either.match(Schema.decodeUnknownEither(schema)(json), {
      onLeft: (error) =>
        Effect.fail(
          new FileError({
            path,
            reason: `not ${what}: ${
              ParseResult.ArrayFormatter.formatErrorSync(error).map(
                (i) => `${i.path.length === 0 ? "" : `${i.path.join(".")}: `}${i.message}`
              )[0]
            }`
          })
        ),
      onRight: Effect.succeed
    })
  })

/** A proof document (inclusion or consistency). */
export const readProof = (path: string): Effect.Effect<Proofs.Proof, FileError> =>
  decodeJson(path, Proofs.Proof, "a kehoach proof (docs/proofs.md)")

/** A tree head, signed (with `keyId` and `signature`) or not. */
export const readHead = (path: string): Effect.Effect<Proofs.TreeHead | Proofs.SignedTreeHead, FileError> =>
  decodeJson(path, Schema.Union(Proofs.SignedTreeHead, Proofs.TreeHead), "a tree head (kehoach head)")

/** Whether a head carries a signature. */
export const isSigned = (head: Proofs.TreeHead | Proofs.SignedTreeHead): head is Proofs.SignedTreeHead =>
  "signature" in head

/** A public key file: PEM, as `kehoach keygen` writes it, or the base64 of the 32 raw bytes. */
export const readPublicKey = (path: string): Effect.Effect<Audit.PublicKey, FileError> =>
  Effect.flatMap(readText(path), (text) => {
    const key = Audit.parsePublicKey(text)
    return key === undefined
      ? Effect.fail(new FileError({ path, reason: "not an Ed25519 public key (PEM, or base64 of its 32 bytes)" }))
      : Effect.succeed(key)
  })

/** A private key file to sign with: Ed25519, PKCS #8 PEM, as `kehoach keygen` writes it. */
export const readPrivateKey = (path: string): Effect.Effect<string, FileError> =>
  Effect.flatMap(readText(path), (text) => {
    const bad = Audit.checkPrivateKey(text)
    return bad === undefined ? Effect.succeed(text) : Effect.fail(new FileError({ path, reason: bad.reason }))
  })

/** An exported line, as saved from `kehoach export` (one line; a final newline is not part of it). */
export const readLine = (path: string): Effect.Effect<string, FileError> =>
  Effect.flatMap(readText(path), (text) => {
    const line = text.replace(/\r?\n$/, "")
    return line.includes("\n")
      ? Effect.fail(
          new FileError({ path, reason: "holds more than one line: give the one exported line of the event" })
        )
      : Effect.succeed(line)
  })

/**
 * A tree head checked with a public key when one is given: a signed head's
 * signature must verify; an unsigned head with a key is refused (there is
 * nothing to check the key against).
 */
export const checkedHead = (
  headPath: string,
  keyPath: string | undefined
): Effect.Effect<
  { readonly head: Proofs.TreeHead | Proofs.SignedTreeHead; readonly keyId: string | undefined },
  FileError | Audit.ProofRejected
> =>
  Effect.gen(function* () {
    const head = yield* readHead(headPath)
    if (keyPath === undefined) return { head, keyId: undefined }
    const key = yield* readPublicKey(keyPath)
    if (!isSigned(head)) {
      return yield* new Audit.ProofRejected({
        reason: `${headPath} is not signed: a public key can only check a signed tree head (kehoach head --sign KEY)`
      })
    }
    const bad = Audit.checkSignature(head, key)
    if (bad !== undefined) return yield* bad
    return { head, keyId: key.keyId }
  })
