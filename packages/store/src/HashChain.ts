/**
 * The hash chain of DOMAIN.md §3: every stored event carries the hash of the
 * one before it (`prevHash`, 64 zeros for the first) and its own `hash`, the
 * lowercase hex SHA-256 of the UTF-8 bytes of the RFC 8785 (JCS) canonical
 * JSON of its exported line without the `hash` field. Changing any byte of a
 * payload or envelope, or removing an event, breaks the chain at that
 * position, which is what `verify` reports.
 */
import canonicalize from "canonicalize"
import * as Crypto from "node:crypto"

/** The `prevHash` of the first event: 64 zeros. */
export const genesis = "0".repeat(64)

/** The fields the hash covers: the exported line without its `hash`. */
export interface Hashed {
  readonly position: number
  readonly id: string
  readonly type: string
  readonly version: number
  readonly occurredAt: string
  readonly recordedAt: string
  readonly recordedBy: string
  readonly data: unknown
  readonly prevHash: string
}

// RFC 8785 serialises strings exactly as ECMAScript's JSON.stringify does, and
// refuses lone surrogates (they have no UTF-8 encoding).
const str = (s: string): string => {
  if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    throw new RangeError("a string with a lone surrogate cannot be hashed")
  }
  return JSON.stringify(s)
}

/** The RFC 8785 canonical JSON of a payload, by the `canonicalize` package. */
export const canonicalData = (data: unknown): string => {
  const json = canonicalize(data)
  if (json === undefined) throw new RangeError("the payload has no JSON representation")
  return json
}

/**
 * The RFC 8785 canonical JSON of an event without its `hash`, given the
 * canonical JSON of its payload. The envelope is written by hand in the
 * canonical key order (UTF-16 order: data, id, occurredAt, position, prevHash,
 * recordedAt, recordedBy, type, version), because its values are plain
 * strings and integers; the payload goes through the `canonicalize` package.
 * A property test checks this equals `canonicalize` of the whole object.
 */
export const canonicalJsonWith = (event: Hashed, dataJson: string): string =>
  `{"data":${dataJson},"id":${str(event.id)},"occurredAt":${str(event.occurredAt)},"position":${JSON.stringify(
    event.position
  )},"prevHash":${str(event.prevHash)},"recordedAt":${str(event.recordedAt)},"recordedBy":${str(
    event.recordedBy
  )},"type":${str(event.type)},"version":${JSON.stringify(event.version)}}`

/** The RFC 8785 canonical JSON of an event without its `hash`. */
export const canonicalJson = (event: Hashed): string => canonicalJsonWith(event, canonicalData(event.data))

// `crypto.hash` (Node >= 20.12) is a one-shot digest, about three times
// cheaper than `createHash` for inputs this small.
const oneShot = (Crypto as unknown as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash

/** Lowercase hex SHA-256 of the UTF-8 bytes of a text. */
export const sha256 = (text: string): string =>
  oneShot !== undefined
    ? oneShot("sha256", text, "hex")
    : Crypto.createHash("sha256").update(text, "utf8").digest("hex")

/** The hash of an event: lowercase hex SHA-256 of its canonical JSON. */
export const hashOf = (event: Hashed): string => sha256(canonicalJson(event))

/** Why a link of the chain is broken. */
export type Break =
  | { readonly _tag: "PositionGap"; readonly expected: number; readonly found: number }
  | { readonly _tag: "PrevHashMismatch"; readonly expected: string; readonly found: string }
  | { readonly _tag: "HashMismatch"; readonly computed: string; readonly found: string }
  | { readonly _tag: "RecordedAtDecreased"; readonly recordedAt: string; readonly previous: string }

/** One sentence for a broken link, as `verify` reports it. */
export const describe = (b: Break): string => {
  switch (b._tag) {
    case "PositionGap":
      return `position gap: expected position ${b.expected}, found ${b.found}`
    case "PrevHashMismatch":
      return `prevHash mismatch: prevHash is ${b.found}, but the previous event's hash is ${b.expected}`
    case "HashMismatch":
      return `hash mismatch: the stored hash is ${b.found}, but the content hashes to ${b.computed}`
    case "RecordedAtDecreased":
      return `recordedAt decreasing: ${b.recordedAt} is earlier than the previous event's ${b.previous}`
  }
}
