/**
 * The auditor's endpoints (docs/proofs.md): the head of the log's Merkle
 * tree, and inclusion and consistency proofs, as the JSON documents of the
 * domain's `Proofs` (the same that `kehoach prove` and `kehoach head` print).
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Proofs } from "@kehoach/domain"
import { Schema } from "effect"
import * as ApiError from "./ApiError.js"
import { Authorization } from "./Security.js"

/** A tree size or position in a query string: a whole number >= 0. */
const Size = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())

/** `GET /tree/head`, `GET /proofs/inclusion`, `GET /proofs/consistency`. */
export class ProofsGroup extends HttpApiGroup.make("proofs")
  .add(
    HttpApiEndpoint.get("head", "/tree/head")
      .addSuccess(Schema.Union(Proofs.SignedTreeHead, Proofs.TreeHead))
      .annotate(
        OpenApi.Description,
        "The size of the log, the RFC 9162 root hash of its Merkle tree, the hash-chain hash of its last event and " +
          "the time; signed with Ed25519 (keyId, signature) when the server was started with a signing key."
      )
      .annotate(OpenApi.Summary, "The tree head (kehoach head)")
  )
  .add(
    HttpApiEndpoint.get("inclusion", "/proofs/inclusion")
      .setUrlParams(
        Schema.Struct({
          position: Schema.optionalWith(Size, { exact: true }).annotations({
            description: "the event at this position"
          }),
          id: Schema.optionalWith(Schema.String, { exact: true }).annotations({
            description: "or the event with this id"
          }),
          treeSize: Schema.optionalWith(Size, { exact: true }).annotations({
            description: "against the tree of the first treeSize events (default: the whole log)"
          })
        })
      )
      .addSuccess(Proofs.InclusionProof)
      .addError(ApiError.InvalidQuery)
      .addError(ApiError.NotFound)
      .annotate(OpenApi.Summary, "The inclusion proof of an event (kehoach prove inclusion)")
  )
  .add(
    HttpApiEndpoint.get("consistency", "/proofs/consistency")
      .setUrlParams(
        Schema.Struct({
          from: Size.annotations({ description: "the size of the earlier tree" }),
          to: Schema.optionalWith(Size, { exact: true }).annotations({
            description: "the size of the later tree (default: the whole log)"
          })
        })
      )
      .addSuccess(Proofs.ConsistencyProof)
      .addError(ApiError.NotFound)
      .annotate(OpenApi.Summary, "The consistency proof between two tree sizes (kehoach prove consistency)")
  )
  .middleware(Authorization) {}
