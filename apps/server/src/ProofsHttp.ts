/**
 * The handlers of the auditor's endpoints (`ProofsGroup`): the tree head,
 * signed when the server holds a signing key, and inclusion and consistency
 * proofs from the store. A proof the log cannot give is a 404 naming why.
 */
import { HttpApiBuilder } from "@effect/platform"
import { Api, ApiError } from "@kehoach/api"
import { Audit, EventStore } from "@kehoach/store"
import { Context, Effect } from "effect"

/** The Ed25519 private key (PKCS #8 PEM) that signs `GET /tree/head`; none by default (the head is unsigned). */
export class SigningKey extends Context.Reference<SigningKey>()("@kehoach/server/SigningKey", {
  defaultValue: (): string | undefined => undefined
}) {}

const notFound = (e: EventStore.ProofUnavailable) => new ApiError.NotFound({ message: e.message })

/** `GET /tree/head`, `GET /proofs/inclusion`, `GET /proofs/consistency`. */
export const ProofsLive = HttpApiBuilder.group(Api.Api, "proofs", (handlers) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const signingKey = yield* SigningKey
    return handlers
      .handle("head", () =>
        Effect.flatMap(store.treeHead, (head) => {
          if (signingKey === undefined) return Effect.succeed(head)
          const signed = Audit.sign(head, signingKey)
          return signed instanceof Audit.ProofRejected ? Effect.die(signed) : Effect.succeed(signed)
        })
      )
      .handle("inclusion", ({ urlParams }) => {
        const { id, position, treeSize } = urlParams
        if ((id === undefined) === (position === undefined)) {
          const message = "give exactly one of position and id"
          return Effect.fail(new ApiError.InvalidQuery({ field: "position", reason: message, message }))
        }
        return Effect.mapError(
          store.inclusionProof(id !== undefined ? { id } : { position: position! }, treeSize),
          notFound
        )
      })
      .handle("consistency", ({ urlParams }) =>
        Effect.mapError(store.consistencyProof(urlParams.from, urlParams.to), notFound)
      )
  })
)
