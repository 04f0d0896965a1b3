/**
 * A set of strings kept as two 32-bit hashes each, in typed arrays: 8 bytes a
 * string, off the garbage-collected heap (12 million report ids in about
 * 200 MB at most, where a `Set<string>` would hold 12 million strings). Two
 * strings with the same two hashes look the same: a hit is a "maybe" that the
 * caller confirms in the database, a miss is certain.
 */
export class DigestSet {
  private words: Uint32Array
  private used: Uint8Array
  private mask: number
  private count = 0

  constructor(capacity = 1 << 16) {
    this.words = new Uint32Array(capacity * 2)
    this.used = new Uint8Array(capacity)
    this.mask = capacity - 1
  }

  /** Whether the string may have been added (`false`: it certainly was not). */
  has(text: string): boolean {
    const a = fnv1a(text)
    const b = murmurish(text)
    const w = this.words
    for (let i = slot(a, b) & this.mask; this.used[i] === 1; i = (i + 1) & this.mask) {
      if (w[i * 2] === a && w[i * 2 + 1] === b) return true
    }
    return false
  }

  /** Adds a string. */
  add(text: string): void {
    if ((this.count + 1) * 2 > this.used.length) this.grow()
    this.insert(fnv1a(text), murmurish(text))
  }

  private insert(a: number, b: number): void {
    const w = this.words
    let i = slot(a, b) & this.mask
    for (;;) {
      if (this.used[i] === 0) {
        this.used[i] = 1
        w[i * 2] = a
        w[i * 2 + 1] = b
        this.count++
        return
      }
      if (w[i * 2] === a && w[i * 2 + 1] === b) return
      i = (i + 1) & this.mask
    }
  }

  private grow(): void {
    const { words, used } = this
    this.words = new Uint32Array(words.length * 2)
    this.used = new Uint8Array(used.length * 2)
    this.mask = this.used.length - 1
    this.count = 0
    for (let i = 0; i < used.length; i++) if (used[i] === 1) this.insert(words[i * 2]!, words[i * 2 + 1]!)
  }
}

const slot = (a: number, b: number): number => Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) >>> 0

const fnv1a = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

const murmurish = (text: string): number => {
  let h = 0x9747b28c ^ text.length
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995)
    h ^= h >>> 15
  }
  return (Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ (h >>> 16)) >>> 0
}
