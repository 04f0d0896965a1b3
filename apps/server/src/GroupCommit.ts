/**
 * Group commit of single-event appends: requests that arrive while the store
 * is busy are appended together, as one batch and one transaction, and each
 * gets its own answer. Each append costs the store a transaction and a commit
 * whatever its size, so under load this multiplies the appends per second.
 *
 * A batch is atomic: if any event in it is refused, the batch stores nothing
 * and its requests are then appended one by one, so an event is never refused
 * because of another request's event, and each request gets the answer it
 * would have had alone.
 */
import { Decide } from "@kehoach/domain"
import type { Events } from "@kehoach/domain"
import { EventStore } from "@kehoach/store"
import { Chunk, Context, Deferred, Effect, Exit, Layer, Queue } from "effect"

interface Pending {
  readonly event: Events.ProposedEvent
  readonly recordedBy: string
  readonly authorize: EventStore.Authorize | undefined
  readonly done: Deferred.Deferred<EventStore.AppendResult, EventStore.AppendError>
}

/** Appends one event, grouped with those of concurrent requests. */
export class GroupCommit extends Context.Tag("@kehoach/server/GroupCommit")<
  GroupCommit,
  {
    readonly appendOne: (
      event: Events.ProposedEvent,
      recordedBy: string,
      authorize?: EventStore.Authorize | undefined
    ) => Effect.Effect<EventStore.AppendResult, EventStore.AppendError>
  }
>() {}

/** The most events appended in one group. */
export const maxGroup = 256

/** One pending request appended alone, with its own access check. */
const alone = (store: EventStore.EventStore["Type"], p: Pending) =>
  Effect.exit(store.append([p.event], { recordedBy: p.recordedBy, authorize: p.authorize }))

/** Each request of a group judged on its own event, inside the store's lock. */
const authorizeEach =
  (group: ReadonlyArray<Pending>): EventStore.Authorize =>
  (state) => {
    for (const p of group) {
      const denied = p.authorize?.(state, [p.event])
      if (denied !== undefined) return denied
    }
    return undefined
  }

const complete = (pending: Pending, exit: Exit.Exit<EventStore.AppendResult, EventStore.AppendError>) =>
  Deferred.complete(pending.done, exit)

/**
 * Appends a group of one actor's events, or each alone when the group is refused.
 * Events the rules refuse on the current state are sent alone first, so that a
 * group is rarely refused half-way (which costs the store a rollback and this
 * worker a second round, one by one).
 */
const commit = (store: EventStore.EventStore["Type"], pending: ReadonlyArray<Pending>) =>
  Effect.gen(function* () {
    let group = pending
    if (group.length > 1) {
      const state = yield* store.state
      // A report's rules read reports the state may not hold in memory (a cold plan): the store judges it,
      // warming what it needs inside its write; the other events are judged here.
      const refused = group.filter(
        (p) => p.event.type !== "ReportFiled" && Decide.violation(state, p.event) !== undefined
      )
      if (refused.length > 0) {
        for (const p of refused) yield* complete(p, yield* alone(store, p))
        group = group.filter((p) => !refused.includes(p))
      }
    }
    if (group.length > 1) {
      const exit = yield* Effect.exit(
        store.append(
          group.map((p) => p.event),
          { recordedBy: group[0]!.recordedBy, authorize: authorizeEach(group) }
        )
      )
      if (Exit.isSuccess(exit)) {
        const result = exit.value
        const firstNew = result.position - result.appended
        const seen = new Set<number>()
        for (const [i, pending] of group.entries()) {
          const event = result.events[i]!
          const isNew = event.position > firstNew && !seen.has(event.position)
          seen.add(event.position)
          yield* complete(
            pending,
            Exit.succeed({ events: [event], appended: isNew ? 1 : 0, position: result.position })
          )
        }
        return
      }
    }
    for (const pending of group) yield* complete(pending, yield* alone(store, pending))
  })

/** The group committer over the store in context; its worker lives as long as the layer. */
export const layer: Layer.Layer<GroupCommit, never, EventStore.EventStore> = Layer.scoped(
  GroupCommit,
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const queue = yield* Queue.unbounded<Pending>()
    const worker = Effect.gen(function* () {
      const first = yield* Queue.take(queue)
      const rest = Chunk.toReadonlyArray(yield* Queue.takeUpTo(queue, maxGroup - 1))
      // One actor per group: recordedBy is set per append.
      const groups = new Map<string, Array<Pending>>()
      for (const pending of [first, ...rest]) {
        const group = groups.get(pending.recordedBy)
        if (group === undefined) groups.set(pending.recordedBy, [pending])
        else group.push(pending)
      }
      for (const group of groups.values()) {
        // A defect in a group is its requests' answer (a 500), never a committer gone and requests left waiting.
        const exit = yield* Effect.exit(commit(store, group))
        if (Exit.isFailure(exit)) for (const p of group) yield* Deferred.failCause(p.done, exit.cause)
      }
    })
    yield* Effect.forkScoped(Effect.forever(worker))
    return {
      appendOne: (event, recordedBy, authorize) =>
        Effect.flatMap(Deferred.make<EventStore.AppendResult, EventStore.AppendError>(), (done) =>
          Effect.zipRight(Queue.offer(queue, { event, recordedBy, authorize, done }), Deferred.await(done))
        )
    }
  })
)
