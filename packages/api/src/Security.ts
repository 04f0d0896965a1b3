/**
 * Access control of the contract: every endpoint except `/health` (and the
 * OpenAPI document and Swagger UI, which are not endpoints) needs a bearer
 * token; the server resolves it to an `Actor` with a role and, for a
 * recorder, the unit whose subtree it may write to.
 */
import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Context, Schema } from "effect"
import { Unauthorized } from "./ApiError.js"

/**
 * What a token may do: an `admin` everything (import included); a `recorder`
 * reads, and appends events about units inside its `unitId` subtree (its
 * reports filed online, when the server receives them); a `clerk` (văn thư)
 * reads, and enters reports received on paper for units inside its `unitId`
 * subtree, within the backdating window; an `auditor` reads everything and
 * writes nothing.
 */
export const Role = Schema.Literal("admin", "recorder", "clerk", "auditor")
export type Role = typeof Role.Type

/** Who is calling: the token's actor (recorded as `recordedBy`), role and unit. */
export interface Actor {
  readonly actor: string
  readonly role: Role
  readonly unitId: string | undefined
}

/** The actor of the current request, provided by `Authorization`. */
export class CurrentActor extends Context.Tag("@kehoach/api/CurrentActor")<CurrentActor, Actor>() {}

/** Resolves the `Authorization: Bearer …` header to the `CurrentActor`, or fails with 401. */
export class Authorization extends HttpApiMiddleware.Tag<Authorization>()("@kehoach/api/Authorization", {
  failure: Unauthorized,
  provides: CurrentActor,
  security: { bearer: HttpApiSecurity.bearer }
}) {}
