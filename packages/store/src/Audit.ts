/**
 * What an auditor checks without the log (docs/proofs.md): an inclusion or
 * consistency proof document against its own hashes, against a tree head
 * the auditor holds, and a tree head's Ed25519 signature against a public
 * key published by the log's keeper; and what the keeper needs to sign
 * (a key pair, a signed head). Each refusal names what does not match.
 * Ed25519 is `node:crypto`'s; the independent verifier in docs/ does the same
 * checks in Python.
 */
import { Proofs } from "@kehoach/domain"
import { Schema } from "effect"
import * as Crypto from "node:crypto"
import * as Merkle from "./Merkle.js"

/** A proof, a line or a tree head that does not check out; `reason` names what does not match. */
export class ProofRejected extends Schema.TaggedError<ProofRejected>()("ProofRejected", {
  reason: Schema.String
}) {
  override get message(): string {
    return this.reason
  }
}

/** An Ed25519 public key, with the id a signed head names it by. */
export interface PublicKey {
  readonly key: Crypto.KeyObject
  /** The 32 raw bytes. */
  readonly raw: Buffer
  /** The first 16 hex digits of the SHA-256 of the raw bytes. */
  readonly keyId: string
}

// An Ed25519 SubjectPublicKeyInfo is this 12-byte DER header and the 32 raw bytes.
const spkiHeader = Buffer.from("302a300506032b6570032100", "hex")

const keyIdOf = (raw: Buffer): string => Crypto.createHash("sha256").update(raw).digest("hex").slice(0, 16)

/**
 * Reads a public key as published: a PEM `PUBLIC KEY` (what `kehoach keygen`
 * writes) or the base64 of the 32 raw bytes. `undefined` when it is neither.
 */
export const parsePublicKey = (text: string): PublicKey | undefined => {
  const trimmed = text.trim()
  let raw: Buffer | undefined
  if (trimmed.startsWith("-----BEGIN PUBLIC KEY-----")) {
    try {
      const key = Crypto.createPublicKey(trimmed)
      if (key.asymmetricKeyType !== "ed25519") return undefined
      raw = key.export({ format: "der", type: "spki" }).subarray(spkiHeader.length)
    } catch {
      return undefined
    }
  } else if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
    raw = Buffer.from(trimmed, "base64")
  }
  if (raw === undefined || raw.length !== 32) return undefined
  try {
    const key = Crypto.createPublicKey({ key: Buffer.concat([spkiHeader, raw]), format: "der", type: "spki" })
    return { key, raw, keyId: keyIdOf(raw) }
  } catch {
    return undefined
  }
}

/** A new Ed25519 key pair: the private key as PKCS #8 PEM, the public key as SPKI PEM, and its id. */
export const generateKeyPair = (): {
  readonly privatePem: string
  readonly publicPem: string
  readonly keyId: string
} => {
  const { privateKey, publicKey } = Crypto.generateKeyPairSync("ed25519")
  const publicPem = publicKey.export({ format: "pem", type: "spki" }).toString()
  return {
    privatePem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicPem,
    keyId: parsePublicKey(publicPem)!.keyId
  }
}

const privateKeyOf = (privatePem: string): Crypto.KeyObject | ProofRejected => {
  let key: Crypto.KeyObject
  try {
    key = Crypto.createPrivateKey(privatePem)
  } catch {
    return new ProofRejected({ reason: "not a private key (PEM), as `kehoach keygen` writes it" })
  }
  return key.asymmetricKeyType === "ed25519"
    ? key
    : new ProofRejected({ reason: `the signing key is ${key.asymmetricKeyType}, not Ed25519` })
}

/** Why a text is not an Ed25519 private key (PKCS #8 PEM) to sign with, or `undefined` when it is one. */
export const checkPrivateKey = (privatePem: string): ProofRejected | undefined => {
  const key = privateKeyOf(privatePem)
  return key instanceof ProofRejected ? key : undefined
}

/** Signs a tree head with a private key (PKCS #8 PEM); a key that is not Ed25519 is refused. */
export const sign = (head: Proofs.TreeHead, privatePem: string): Proofs.SignedTreeHead | ProofRejected => {
  const key = privateKeyOf(privatePem)
  if (key instanceof ProofRejected) return key
  const raw = Crypto.createPublicKey(key).export({ format: "der", type: "spki" }).subarray(spkiHeader.length)
  const signature = Crypto.sign(null, Buffer.from(Proofs.signedMessage(head), "utf8"), key).toString("base64")
  return {
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    chainHash: head.chainHash,
    timestamp: head.timestamp,
    keyId: keyIdOf(raw),
    signature
  }
}

/** Checks a signed head's signature with a public key: `undefined`, or which of key and signature is wrong. */
export const checkSignature = (head: Proofs.SignedTreeHead, key: PublicKey): ProofRejected | undefined => {
  if (head.keyId !== key.keyId) {
    return new ProofRejected({
      reason: `the tree head is signed by key ${head.keyId}, not by the given public key ${key.keyId}`
    })
  }
  const signature = Buffer.from(head.signature, "base64")
  const ok =
    signature.length === 64 && Crypto.verify(null, Buffer.from(Proofs.signedMessage(head), "utf8"), key.key, signature)
  return ok
    ? undefined
    : new ProofRejected({
        reason:
          `the tree head's signature does not verify with key ${key.keyId}: ` +
          `its size, root hash, chain hash or timestamp was changed after signing, or the signature was`
      })
}

/** Checks an inclusion proof's own hashes (and, given, that `line` is the proven event's): `undefined` or why not. */
export const checkInclusion = (proof: Proofs.InclusionProof, line?: string): ProofRejected | undefined => {
  const embedded = Merkle.leafHash(proof.line)
  if (embedded !== proof.leafHash) {
    return new ProofRejected({
      reason: `the proof's line hashes to leaf ${embedded}, not to its leafHash ${proof.leafHash}: the line was changed`
    })
  }
  if (line !== undefined) {
    const given = Merkle.leafHash(line)
    if (given !== proof.leafHash) {
      return new ProofRejected({
        reason:
          `the given line hashes to leaf ${given}, not to the proof's leafHash ${proof.leafHash}: ` +
          `it is not the proven event's line, byte for byte`
      })
    }
  }
  let stated: unknown
  try {
    stated = (JSON.parse(proof.line) as { position?: unknown }).position
  } catch {
    stated = undefined
  }
  if (stated !== proof.position) {
    return new ProofRejected({
      reason: `the proof is for position ${proof.position}, but its line states position ${String(stated)}`
    })
  }
  const got = Merkle.rootFromInclusion(proof.position - 1, proof.treeSize, proof.leafHash, proof.path)
  if ("reason" in got) return new ProofRejected({ reason: `the inclusion path is malformed: ${got.reason}` })
  const root = got.root
  return root === proof.rootHash
    ? undefined
    : new ProofRejected({
        reason: `the inclusion path leads to root ${root}, not to the proof's rootHash ${proof.rootHash}`
      })
}

/** Checks a consistency proof's own hashes: `undefined` or why not. */
export const checkConsistency = (proof: Proofs.ConsistencyProof): ProofRejected | undefined => {
  const reason = Merkle.checkConsistency(
    proof.firstSize,
    proof.secondSize,
    proof.firstRootHash,
    proof.secondRootHash,
    proof.path
  )
  return reason === undefined
    ? undefined
    : new ProofRejected({ reason: `the consistency proof does not hold: ${reason}` })
}

/**
 * Checks that a proof is about the tree a head names: the same size and root
 * (for a consistency proof, either of its two trees).
 */
export const checkAgainstHead = (proof: Proofs.Proof, head: Proofs.TreeHead): ProofRejected | undefined => {
  const trees =
    proof.proof === "inclusion"
      ? [{ size: proof.treeSize, root: proof.rootHash }]
      : [
          { size: proof.firstSize, root: proof.firstRootHash },
          { size: proof.secondSize, root: proof.secondRootHash }
        ]
  const same = trees.find((t) => t.size === head.treeSize)
  if (same === undefined) {
    return new ProofRejected({
      reason:
        `the proof is for the tree of ${trees.map((t) => t.size).join(" and ")} events, ` +
        `but the tree head is of ${head.treeSize}`
    })
  }
  return same.root === head.rootHash
    ? undefined
    : new ProofRejected({
        reason: `the proof's tree of ${same.size} events has root ${same.root}, but the tree head's root is ${head.rootHash}`
      })
}
