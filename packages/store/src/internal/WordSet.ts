/**
 * A set of fixed-width keys (a few 32-bit words each), open addressing in
 * typed arrays: off the garbage-collected heap, a few bytes a key. What the
 * compact sets of a bulk import (`UuidSet`, `DigestSet`) are made of.
 */
export class WordSet {
  private words: Uint32Array
  private used: Uint8Array
  private mask: number
  private count = 0

  /** A set of keys of `width` words, with room for `capacity` (a power of two) before it grows. */
  constructor(
    private readonly width: number,
    capacity = 1 << 16
  ) {
    this.words = new Uint32Array(capacity * width)
    this.used = new Uint8Array(capacity)
    this.mask = capacity - 1
  }

  /** Whether the key is in the set. */
  has(key: ArrayLike<number>): boolean {
    for (let i = this.slot(key); this.used[i] === 1; i = (i + 1) & this.mask) if (this.matches(i, key)) return true
    return false
  }

  /** Adds a key; `false` when it was in the set already. */
  add(key: ArrayLike<number>): boolean {
    if ((this.count + 1) * 2 > this.used.length) this.grow()
    return this.insert(key)
  }

  private slot(key: ArrayLike<number>): number {
    let h = 0x27d4eb2f
    for (let j = 0; j < this.width; j++) h = Math.imul(h ^ key[j]!, 0x9e3779b1) ^ (h >>> 15)
    return (Math.imul(h ^ (h >>> 13), 0x85ebca6b) >>> 0) & this.mask
  }

  private matches(i: number, key: ArrayLike<number>): boolean {
    const at = i * this.width
    for (let j = 0; j < this.width; j++) if (this.words[at + j] !== key[j]) return false
    return true
  }

  private insert(key: ArrayLike<number>): boolean {
    let i = this.slot(key)
    for (; this.used[i] === 1; i = (i + 1) & this.mask) if (this.matches(i, key)) return false
    this.used[i] = 1
    for (let j = 0; j < this.width; j++) this.words[i * this.width + j] = key[j]!
    this.count++
    return true
  }

  private grow(): void {
    const { words, used, width } = this
    this.words = new Uint32Array(words.length * 2)
    this.used = new Uint8Array(used.length * 2)
    this.mask = this.used.length - 1
    this.count = 0
    for (let i = 0; i < used.length; i++) if (used[i] === 1) this.insert(words.subarray(i * width, (i + 1) * width))
  }
}
