/**
 * A small cache of projection answers. A projection is a pure function of the
 * log up to a position and of the query, so an answer computed at position N
 * is the answer for the same query at N, byte for byte. Every knowledge time
 * at or after the last `recordedAt` in the log sees the same events, so the
 * usual `knownAt` (now) shares one entry; only the `knownAt` printed in the
 * answer differs, and it is spliced in.
 */
import { State, Time } from "@kehoach/domain"

const sentinel = "\u0000knownAt\u0000"
const sentinelJson = JSON.stringify(sentinel)

/** An answer with its `knownAt` left out, to be spliced back in; UTF-8, encoded once. */
interface Entry {
  readonly before: Uint8Array
  readonly after: Uint8Array
}

/** A JSON answer as the parts of its body, sent one after the other without being joined. */
export type Body = ReadonlyArray<Uint8Array>

const encoder = new TextEncoder()

/** A cache of serialised answers, least recently used out first. */
export interface ProjectionCache {
  /**
   * The JSON text of the answer to `query` at the state's position: from the
   * cache, or `compute(knownAt)` serialised and kept. `compute` must return an
   * object with a top-level `knownAt` field.
   */
  readonly json: <E>(
    state: State.State,
    kind: string,
    query: Readonly<Record<string, string | number | undefined>>,
    knownAt: number,
    compute: () => { readonly ok: true; readonly value: object } | { readonly ok: false; readonly error: E }
  ) => { readonly ok: true; readonly body: Body } | { readonly ok: false; readonly error: E }
}

/** A cache of at most `capacity` answers. */
export const make = (capacity: number): ProjectionCache => {
  const entries = new Map<string, Entry>()
  return {
    json: (state, kind, query, knownAt, compute) => {
      const latest = knownAt >= (State.lastRecordedAt(state)?.at ?? Number.NEGATIVE_INFINITY)
      const key = JSON.stringify([kind, State.position(state), latest ? "latest" : knownAt, query])
      const knownAtJson = encoder.encode(JSON.stringify(Time.formatInstant(knownAt)))
      const hit = entries.get(key)
      if (hit !== undefined) {
        entries.delete(key)
        entries.set(key, hit)
        return { ok: true, body: [hit.before, knownAtJson, hit.after] }
      }
      const result = compute()
      if (!result.ok) return result
      const text = JSON.stringify({ ...result.value, knownAt: sentinel })
      const at = text.indexOf(sentinelJson)
      // The sentinel cannot be in the data (ids and names have no NUL); if it were, do not cache.
      if (at < 0 || text.indexOf(sentinelJson, at + 1) >= 0) {
        return { ok: true, body: [encoder.encode(JSON.stringify(result.value))] }
      }
      const entry = {
        before: encoder.encode(text.slice(0, at)),
        after: encoder.encode(text.slice(at + sentinelJson.length))
      }
      entries.set(key, entry)
      if (entries.size > capacity) entries.delete(entries.keys().next().value!)
      return { ok: true, body: [entry.before, knownAtJson, entry.after] }
    }
  }
}
