/**
 * The Merkle tree of RFC 9162 §2 over the log, as pure functions: the leaf
 * and node hashes (SHA-256 with the `0x00` / `0x01` domain separation), the
 * tree hash MTH with its largest-power-of-two split, the inclusion path
 * (PATH) and the consistency proof (PROOF / SUBPROOF), their verification
 * (§2.1.3.2 and §2.1.4.2), and the right edge of a growing tree (the roots of
 * its perfect subtrees) that an append extends. A leaf of the log is the
 * exported NDJSON line of an event, as stored, without its newline.
 *
 * Proof generation is written over ranges of leaves: every range the RFC's
 * recursion visits is a run of aligned perfect subtrees, so a store that keeps
 * the perfect subtrees' hashes answers any proof with O(log n) reads.
 */
import * as Crypto from "node:crypto"

/**
 * A SHA-256 hash as 64 lowercase hex digits: how documents carry it and the
 * store keeps it, and cheaper in V8 than a small Buffer per hash (an import
 * computes two per event; see docs/decisions/0011-merkle-proofs.md).
 */
export type Hash = string

// `crypto.hash` (Node >= 20.12) is a one-shot digest, cheaper than `createHash` for small inputs.
const oneShot = (
  Crypto as unknown as {
    hash?: (algorithm: string, data: string | Uint8Array, encoding: "hex") => string
  }
).hash

const sha256 = (data: string | Uint8Array): Hash =>
  oneShot !== undefined ? oneShot("sha256", data, "hex") : Crypto.createHash("sha256").update(data).digest("hex")

/** Whether a value is a hash as this module writes them: 64 lowercase hex digits. */
export const isHash = (value: unknown): value is Hash => typeof value === "string" && /^[0-9a-f]{64}$/.test(value)

/** MTH of the empty tree: the SHA-256 of no bytes. */
export const emptyRoot: Hash = sha256(new Uint8Array(0))

/**
 * The leaf hash `SHA-256(0x00 || bytes)`; a string is taken as its UTF-8
 * bytes (the exported line of an event, without its newline).
 */
export const leafHash = (bytes: string | Uint8Array): Hash =>
  typeof bytes === "string" ? sha256("\u0000" + bytes) : sha256(Buffer.concat([Buffer.from([0]), bytes]))

// One buffer for every interior node's input (the hash is one-shot and synchronous): no allocation per node.
const nodeInput = Buffer.alloc(65, 1)

/** The interior node hash `SHA-256(0x01 || left || right)` (both well formed: see `isHash`). */
export const nodeHash = (left: Hash, right: Hash): Hash => {
  nodeInput.write(left, 1, "hex")
  nodeInput.write(right, 33, "hex")
  return sha256(nodeInput)
}

const isPowerOfTwo = (n: number): boolean => n > 0 && 2 ** Math.round(Math.log2(n)) === n

/** The largest power of two smaller than `n` (n > 1): where RFC 9162 splits a tree of `n` leaves. */
export const split = (n: number): number => {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** MTH of a list of leaf hashes, by the RFC's recursion (the reference the stored tree is checked against). */
export const root = (leaves: ReadonlyArray<Hash>): Hash => {
  const mth = (lo: number, hi: number): Hash => {
    if (hi - lo === 1) return leaves[lo]!
    const k = split(hi - lo)
    return nodeHash(mth(lo, lo + k), mth(lo + k, hi))
  }
  return leaves.length === 0 ? emptyRoot : mth(0, leaves.length)
}

/** The leaves `[lo, hi)` (0-based): one subtree the RFC's recursion visits. */
export interface Range {
  readonly lo: number
  readonly hi: number
}

/**
 * The ranges whose hashes make the inclusion proof of leaf `m` in the tree
 * of `n` leaves (RFC 9162 §2.1.3.1, PATH), in the RFC's order: the sibling
 * nearest the leaf first.
 */
export const inclusionRanges = (m: number, n: number): Array<Range> => {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m < n)) {
    throw new RangeError(`no leaf ${m} in a tree of ${n} leaves`)
  }
  const path: Array<Range> = []
  const walk = (lo: number, hi: number): void => {
    if (hi - lo === 1) return
    const k = split(hi - lo)
    if (m < lo + k) {
      walk(lo, lo + k)
      path.push({ lo: lo + k, hi })
    } else {
      walk(lo + k, hi)
      path.push({ lo, hi: lo + k })
    }
  }
  walk(0, n)
  return path
}

/**
 * The ranges whose hashes make the consistency proof between the trees of
 * `m` and `n` leaves (RFC 9162 §2.1.4.1, PROOF and SUBPROOF), in the RFC's
 * order; empty when `m` is 0 or `m` equals `n`.
 */
export const consistencyRanges = (m: number, n: number): Array<Range> => {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m <= n)) {
    throw new RangeError(`no consistency proof from a tree of ${m} leaves to one of ${n}`)
  }
  const proof: Array<Range> = []
  if (m === 0 || m === n) return proof
  // SUBPROOF(m, D[lo:hi], b): `b` is true while the subtree is the whole old tree, whose hash the verifier holds.
  const sub = (m: number, lo: number, hi: number, b: boolean): void => {
    const size = hi - lo
    if (m === size) {
      if (!b) proof.push({ lo, hi })
      return
    }
    const k = split(size)
    if (m <= k) {
      sub(m, lo, lo + k, b)
      proof.push({ lo: lo + k, hi })
    } else {
      sub(m - k, lo + k, hi, false)
      proof.push({ lo, hi: lo + k })
    }
  }
  sub(m, 0, n, true)
  return proof
}

/** A perfect subtree: the `2^level` leaves from `index * 2^level`. */
export interface Subtree {
  readonly level: number
  readonly index: number
}

/**
 * The aligned perfect subtrees a range of the RFC's recursion is made of, the
 * largest (leftmost) first: one per set bit of its size. The range's hash is
 * their right fold by `nodeHash` (`foldRange`).
 */
export const subtreesOf = (range: Range): Array<Subtree> => {
  const out: Array<Subtree> = []
  let lo = range.lo
  let size = range.hi - range.lo
  for (let level = 52; level >= 0 && size > 0; level--) {
    const width = 2 ** level
    if (size >= width) {
      if (lo % width !== 0) throw new RangeError(`the range [${range.lo}, ${range.hi}) is not aligned`)
      out.push({ level, index: lo / width })
      lo += width
      size -= width
    }
  }
  return out
}

/** The hash of a range from the hashes of its perfect subtrees, in `subtreesOf` order. */
export const foldRange = (hashes: ReadonlyArray<Hash>): Hash => {
  if (hashes.length === 0) return emptyRoot
  let acc = hashes[hashes.length - 1]!
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc)
  return acc
}

// ---------------------------------------------------------------------------
// Verification

/**
 * The root that an inclusion path leads to from a leaf (RFC 9162
 * §2.1.3.2), or why the path cannot be one for that leaf index and tree
 * size (a path of the wrong length: truncated or padded).
 */
export const rootFromInclusion = (
  index: number,
  size: number,
  leaf: Hash,
  path: ReadonlyArray<Hash>
): { readonly root: Hash } | { readonly reason: string } => {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) {
    return { reason: `leaf index ${index} is not in a tree of ${size} leaves` }
  }
  const bad = [leaf, ...path].findIndex((h) => !isHash(h))
  if (bad >= 0) return { reason: `${bad === 0 ? "the leaf hash" : `hash ${bad} of the path`} is not 64 hex digits` }
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of path) {
    if (sn === 0) return { reason: `the path has ${path.length} hashes, more than a tree of ${size} leaves needs` }
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  if (sn !== 0) return { reason: `the path has ${path.length} hashes, fewer than a tree of ${size} leaves needs` }
  return { root: r }
}

/**
 * Checks a consistency proof between two tree heads (RFC 9162 §2.1.4.2):
 * `undefined` when it proves the tree of `second` leaves extends the tree of
 * `first`, else which part does not match.
 */
export const checkConsistency = (
  first: number,
  second: number,
  firstRoot: Hash,
  secondRoot: Hash,
  proof: ReadonlyArray<Hash>
): string | undefined => {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 0 && first <= second)) {
    return `a tree of ${first} leaves cannot be extended by one of ${second}`
  }
  if (![firstRoot, secondRoot, ...proof].every(isHash)) return "a hash of the proof is not 64 hex digits"
  if (first === second) {
    if (proof.length !== 0) return `the proof between equal sizes must be empty, it has ${proof.length} hashes`
    return firstRoot === secondRoot ? undefined : `the two root hashes of size ${first} differ`
  }
  if (first === 0) {
    if (proof.length !== 0) return `the proof from the empty tree must be empty, it has ${proof.length} hashes`
    return firstRoot === emptyRoot ? undefined : "the first root hash is not the empty tree's"
  }
  const expected = consistencyRanges(first, second).length
  if (proof.length !== expected) {
    return `the proof has ${proof.length} hashes, but one from size ${first} to ${second} has ${expected}`
  }
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof]
  let fn = first - 1
  let sn = second - 1
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  let fr = path[0]!
  let sr = path[0]!
  for (const c of path.slice(1)) {
    if (sn === 0) return "the proof is longer than the two sizes need"
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  if (sn !== 0) return "the proof is shorter than the two sizes need"
  if (fr !== firstRoot) return `the proof does not lead to the root hash of size ${first}`
  if (sr !== secondRoot) return `the proof does not lead to the root hash of size ${second}`
  return undefined
}

// ---------------------------------------------------------------------------
// The right edge of a growing tree

/**
 * A tree of `size` leaves by its right edge: the hashes of the perfect
 * subtrees of `subtreesOf({ lo: 0, hi: size })`, largest first. It is all an
 * append needs, and its root is the tree's.
 */
export interface Frontier {
  readonly size: number
  readonly hashes: ReadonlyArray<Hash>
}

/** The empty tree's frontier. */
export const emptyFrontier: Frontier = { size: 0, hashes: [] }

/** A perfect subtree with its hash, as an append completes it. */
export interface Node extends Subtree {
  readonly hash: Hash
}

/**
 * Appends leaves to a frontier: the new frontier, and every perfect subtree
 * of at least `minLevel` that the leaves completed (what a store keeps).
 */
export const extend = (
  frontier: Frontier,
  leaves: ReadonlyArray<Hash>,
  minLevel: number
): { readonly frontier: Frontier; readonly completed: Array<Node> } => {
  const hashes = frontier.hashes.slice()
  const completed: Array<Node> = []
  let size = frontier.size
  for (const leaf of leaves) {
    let h = leaf
    let level = 0
    // Each trailing 1 bit of the old size is a subtree the new leaf completes a pair with.
    let s = size
    while (s % 2 === 1) {
      h = nodeHash(hashes.pop()!, h)
      level++
      s = Math.floor(s / 2)
      if (level >= minLevel) completed.push({ level, index: Math.floor(size / 2 ** level), hash: h })
    }
    if (level === 0 && minLevel <= 0) completed.push({ level: 0, index: size, hash: h })
    hashes.push(h)
    size++
  }
  return { frontier: { size, hashes }, completed }
}

/** The root hash of the tree a frontier stands for. */
export const frontierRoot = (frontier: Frontier): Hash => foldRange(frontier.hashes)
