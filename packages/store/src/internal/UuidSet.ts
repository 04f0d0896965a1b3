/**
 * A set of UUIDs in typed arrays: 16 bytes a UUID, off the garbage-collected
 * heap, for the ids seen by a bulk import (1.5 million ids in 32 MB, where a
 * `Set<string>` would hold 1.5 million strings). Ids that are not UUIDs, and
 * UUIDs differing only in letter case, may be reported as already seen: a
 * hit is a "maybe" that the caller confirms in the database.
 */
import { WordSet } from "./WordSet.js"

export class UuidSet {
  private readonly set: WordSet
  private readonly key = new Uint32Array(4)

  constructor(capacity = 1 << 16) {
    this.set = new WordSet(4, capacity)
  }

  /** Adds an id; `false` when it may have been added before. */
  add(id: string): boolean {
    if (id.length !== 36) return false
    const a = parseInt(id.slice(0, 8), 16)
    const b = parseInt(id.slice(9, 13) + id.slice(14, 18), 16)
    const c = parseInt(id.slice(19, 23) + id.slice(24, 28), 16)
    const d = parseInt(id.slice(28, 36), 16)
    if (Number.isNaN(a + b + c + d)) return false
    this.key[0] = a
    this.key[1] = b
    this.key[2] = c
    this.key[3] = d
    return this.set.add(this.key)
  }
}
