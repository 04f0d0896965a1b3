/**
 * A set of strings kept as two 32-bit hashes each, in typed arrays: 8 bytes a
 * string, off the garbage-collected heap (12 million report ids in about
 * 200 MB at most, where a `Set<string>` would hold 12 million strings). Two
 * strings with the same two hashes look the same: a hit is a "maybe" that the
 * caller confirms in the database, a miss is certain.
 */
import { WordSet } from "./WordSet.js"

export class DigestSet {
  private readonly set: WordSet
  private readonly key = new Uint32Array(2)

  constructor(capacity = 1 << 16) {
    this.set = new WordSet(2, capacity)
  }

  /** Whether the string may have been added (`false`: it certainly was not). */
  has(text: string): boolean {
    return this.set.has(this.digest(text))
  }

  /** Adds a string. */
  add(text: string): void {
    this.set.add(this.digest(text))
  }

  private digest(text: string): Uint32Array {
    let a = 0x811c9dc5
    let b = 0x9747b28c ^ text.length
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      a = Math.imul(a ^ c, 0x01000193)
      b = Math.imul(b ^ c, 0x5bd1e995)
      b ^= b >>> 15
    }
    this.key[0] = a >>> 0
    this.key[1] = (Math.imul(b ^ (b >>> 13), 0xc2b2ae35) ^ (b >>> 16)) >>> 0
    return this.key
  }
}
