/**
 * The documents an auditor is handed (docs/proofs.md): an inclusion proof
 * that an event is in the log, a consistency proof that a later log extends
 * an earlier one, and a tree head (the size and Merkle root hash of the log,
 * optionally signed with Ed25519). They are declared once here, as schemas,
 * so that the CLI, the server and the HTTP contract read and write the same
 * JSON; computing and checking the hashes is the store's (`Merkle`, `Audit`).
 */
import { Schema } from "effect"

/** A SHA-256 hash in lowercase hex. */
export const HashHex = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{64}$/, { message: () => "expected a SHA-256 hash: 64 lowercase hex digits" })
).annotations({ description: "SHA-256, 64 lowercase hex digits" })

const Size = Schema.Number.pipe(Schema.int(), Schema.nonNegative())

/** The first line of a signed tree head's message: which format it is. */
export const treeHeadMessageTag = "kehoach tree head v1"

/**
 * The head of the log's Merkle tree: how many events it covers, its RFC 9162
 * root hash, the hash-chain hash of its last event (so the same head also
 * serves `verify --digest`), and when it was taken.
 */
export const TreeHead = Schema.Struct({
  treeSize: Size,
  rootHash: HashHex,
  chainHash: HashHex,
  timestamp: Schema.String
}).annotations({ identifier: "TreeHead" })

/** A tree head. */
export type TreeHead = typeof TreeHead.Type

/**
 * A tree head signed with Ed25519: `keyId` names the key (the first 16 hex
 * digits of the SHA-256 of its 32 raw bytes), `signature` is base64 of the
 * 64-byte signature of `signedMessage(head)`.
 */
export const SignedTreeHead = Schema.Struct({
  ...TreeHead.fields,
  keyId: Schema.String,
  signature: Schema.String
}).annotations({ identifier: "SignedTreeHead" })

/** A signed tree head. */
export type SignedTreeHead = typeof SignedTreeHead.Type

/**
 * The bytes (UTF-8) an Ed25519 signature of a tree head covers: five lines,
 * each ended by a newline, `kehoach tree head v1`, the size in decimal, the
 * root hash, the chain hash and the timestamp, so that any language can
 * rebuild them without a JSON canonicaliser.
 */
export const signedMessage = (head: TreeHead): string =>
  `${treeHeadMessageTag}\n${head.treeSize}\n${head.rootHash}\n${head.chainHash}\n${head.timestamp}\n`

/**
 * An inclusion proof: the event at `position` (leaf index `position - 1`),
 * whose exported line is `line` and hashes to `leafHash`, is in the tree of
 * `treeSize` events whose root is `rootHash`, by the RFC 9162 audit `path`.
 */
export const InclusionProof = Schema.Struct({
  proof: Schema.Literal("inclusion"),
  version: Schema.Literal(1),
  position: Schema.Number.pipe(Schema.int(), Schema.positive()),
  treeSize: Size,
  line: Schema.String,
  leafHash: HashHex,
  rootHash: HashHex,
  path: Schema.Array(HashHex)
}).annotations({ identifier: "InclusionProof" })

/** An inclusion proof. */
export type InclusionProof = typeof InclusionProof.Type

/**
 * A consistency proof: the tree of `secondSize` events (root
 * `secondRootHash`) extends the tree of `firstSize` (root `firstRootHash`),
 * by the RFC 9162 proof `path`.
 */
export const ConsistencyProof = Schema.Struct({
  proof: Schema.Literal("consistency"),
  version: Schema.Literal(1),
  firstSize: Size,
  secondSize: Size,
  firstRootHash: HashHex,
  secondRootHash: HashHex,
  path: Schema.Array(HashHex)
}).annotations({ identifier: "ConsistencyProof" })

/** A consistency proof. */
export type ConsistencyProof = typeof ConsistencyProof.Type

/** Either proof document, told apart by its `proof` field. */
export const Proof = Schema.Union(InclusionProof, ConsistencyProof)

/** Either proof document. */
export type Proof = typeof Proof.Type
