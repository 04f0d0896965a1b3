/**
 * Group commit of single-event appends: requests that arrive while the store
 * is busy are appended together, in one transaction and one commit, and each
 * gets its own answer. Each append costs the store a transaction and a commit
 * whatever its size, so under load this multiplies the appends per second.
 *
 * The store judges each request of a group as if it were appended alone after
 * the ones before it (`EventStore.appendEach`): a refused event is left out
 * with its own answer and never takes another request's event with it.
 */
import type { Events } from "@kehoach/domain"
import { EventStore } from "@kehoach/store"
import { Chunk, Context, Deferred, Effect, Either, Exit, Layer, Queue } from "effect"

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

/** Lets the event loop run its pending I/O callbacks (a wait of one turn, not a timer). */
const toEventLoop: Effect.Effect<void> = Effect.async<void>((resume) => {
  const pending = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(pending))
})

/** One pending request appended alone. */
const alone = (store: EventStore.EventStore["Type"], p: Pending) =>
  Effect.flatMap(Effect.exit(store.append([p.event], { recordedBy: p.recordedBy, authorize: p.authorize })), (exit) =>
    Deferred.complete(p.done, exit)
  )

/**
 * Appends a group in one transaction, each request judged alone by the store.
 * Should the transaction itself fail (a defect: the database), each request is
 * then tried alone, so one cause never answers for requests it did not concern.
 */
const commit = (store: EventStore.EventStore["Type"], group: ReadonlyArray<Pending>) =>
  Effect.gen(function* () {
    if (group.length === 1) return yield* alone(store, group[0]!)
    const exit = yield* Effect.exit(
      store.appendEach(group.map((p) => ({ events: [p.event], recordedBy: p.recordedBy, authorize: p.authorize })))
    )
    if (Exit.isSuccess(exit)) {
      for (const [i, pending] of group.entries()) {
        yield* Deferred.complete(
          pending.done,
          Either.match(exit.value[i]!, { onLeft: Exit.fail, onRight: Exit.succeed })
        )
      }
      return
    }
    for (const pending of group) yield* alone(store, pending)
  })

/** The group committer over the store in context; its worker lives as long as the layer. */
export const layer: Layer.Layer<GroupCommit, never, EventStore.EventStore> = Layer.scoped(
  GroupCommit,
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const queue = yield* Queue.unbounded<Pending>()
    const worker = Effect.gen(function* () {
      const first = yield* Queue.take(queue)
      // The requests whose bytes have arrived reach the queue in the event loop's callbacks: one turn of it lets
      // them in before the group is taken. Without it a store that works synchronously (SQLite) commits each
      // request before the next one is read, and no group ever forms.
      yield* toEventLoop
      const group = [first, ...Chunk.toReadonlyArray(yield* Queue.takeUpTo(queue, maxGroup - 1))]
      // A defect in a group is its requests' answer (a 500), never a committer gone and requests left waiting.
      const exit = yield* Effect.exit(commit(store, group))
      if (Exit.isFailure(exit)) for (const p of group) yield* Deferred.failCause(p.done, exit.cause)
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
