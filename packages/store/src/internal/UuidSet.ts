/**
 * A set of UUIDs in typed arrays: 16 bytes a UUID, off the garbage-collected
 * heap, for the ids seen by a bulk import (1.5 million ids in 32 MB, where a
 * `Set<string>` would hold 1.5 million strings). Ids that are not UUIDs, and
 * UUIDs differing only in letter case, may be reported as already seen: a
 * hit is a "maybe" that the caller confirms in the database.
 */
export class UuidSet {
  private words: Uint32Array
  private used: Uint8Array
  private mask: number
  private count = 0

  constructor(capacity = 1 << 16) {
    this.words = new Uint32Array(capacity * 4)
    this.used = new Uint8Array(capacity)
    this.mask = capacity - 1
  }

  /** Adds an id; `false` when it may have been added before. */
  add(id: string): boolean {
    if (id.length !== 36) return false
    const a = parseInt(id.slice(0, 8), 16)
    const b = parseInt(id.slice(9, 13) + id.slice(14, 18), 16)
    const c = parseInt(id.slice(19, 23) + id.slice(24, 28), 16)
    const d = parseInt(id.slice(28, 36), 16)
    if (Number.isNaN(a + b + c + d)) return false
    if ((this.count + 1) * 2 > this.used.length) this.grow()
    return this.insert(a >>> 0, b >>> 0, c >>> 0, d >>> 0)
  }

  private insert(a: number, b: number, c: number, d: number): boolean {
    let i =
      (Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b) ^ Math.imul(d, 0xc2b2ae35), 0x27d4eb2f) >>>
        0) &
      this.mask
    const w = this.words
    for (;;) {
      if (this.used[i] === 0) {
        this.used[i] = 1
        w[i * 4] = a
        w[i * 4 + 1] = b
        w[i * 4 + 2] = c
        w[i * 4 + 3] = d
        this.count++
        return true
      }
      if (w[i * 4] === a && w[i * 4 + 1] === b && w[i * 4 + 2] === c && w[i * 4 + 3] === d) return false
      i = (i + 1) & this.mask
    }
  }

  private grow(): void {
    const { words, used } = this
    this.words = new Uint32Array(words.length * 2)
    this.used = new Uint8Array(used.length * 2)
    this.mask = this.used.length - 1
    this.count = 0
    for (let i = 0; i < used.length; i++) {
      if (used[i] === 1) this.insert(words[i * 4]!, words[i * 4 + 1]!, words[i * 4 + 2]!, words[i * 4 + 3]!)
    }
  }
}
