/**
 * The contract itself: the paths of DOMAIN.md §5 at exactly those paths, the
 * status of every error, bearer security everywhere but `/health`, and the
 * event schemas accepting the NDJSON line shape.
 */
import { HttpApiSchema, OpenApi } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { Api, ApiError, Resources } from "../src/index.js"

const spec = OpenApi.fromApi(Api.Api)

describe("Api", () => {
  it("serves the endpoints of DOMAIN §5 at exactly those paths and methods", () => {
    const routes = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => ["get", "post"].includes(k))
        .map((method) => `${method.toUpperCase()} ${path}`)
    )
    for (const route of [
      "POST /events",
      "POST /import",
      "GET /events",
      "GET /events/stream",
      "GET /compliance",
      "GET /coverage",
      "GET /explain",
      "GET /verify",
      "GET /digest",
      "GET /health",
      "GET /plans",
      "GET /plans/{planId}",
      "GET /units/{unitId}",
      "GET /units/{unitId}/subtree"
    ])
      assert.include(routes, route)
  })

  it("every endpoint but /health requires the bearer token", () => {
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const operation of [item.get, item.post].filter((o) => o !== undefined)) {
        assert.deepStrictEqual(operation!.security, path === "/health" ? [] : [{ bearer: [] }], path)
      }
    }
    assert.deepStrictEqual(spec.components.securitySchemes, { bearer: { type: "http", scheme: "bearer" } })
  })

  it("each error carries its status", () => {
    const statuses: Array<[Schema.Schema.Any, number]> = [
      [ApiError.InvalidBody, 400],
      [ApiError.InvalidQuery, 400],
      [ApiError.Unauthorized, 401],
      [ApiError.Forbidden, 403],
      [ApiError.NotFound, 404],
      [ApiError.ConcurrencyConflict, 409],
      [ApiError.IdConflict, 409],
      [ApiError.PayloadTooLarge, 413],
      [ApiError.Rejected, 422],
      [ApiError.ImportRejected, 422],
      [ApiError.InternalError, 500]
    ]
    for (const [schema, status] of statuses) assert.strictEqual(HttpApiSchema.getStatusError(schema), status)
    const append = spec.paths["/events"]!.post!.responses
    for (const status of ["200", "400", "401", "403", "409", "413", "422"]) assert.property(append, status)
  })

  it("POST /events takes one event in the NDJSON line shape, or a batch", () => {
    const decode = Schema.decodeUnknownEither(Resources.AppendRequest)
    const line = { type: "UnitMoved", occurredAt: "2025-07-01T00:00:00+07:00", data: { unitId: "C1", parentId: "P" } }
    assert.isTrue(Either.isRight(decode(line)))
    assert.isTrue(Either.isRight(decode({ events: [line], expectedPosition: 3 })))
    assert.isTrue(Either.isLeft(decode({ ...line, data: { unitId: "C1" } })))
  })

  it("a query time is a full ISO instant or a date", () => {
    const decode = Schema.decodeUnknownEither(Api.QueryTime)
    assert.isTrue(Either.isRight(decode("2018-06-30")))
    assert.isTrue(Either.isRight(decode("2018-06-30T12:00:00+07:00")))
    assert.isTrue(Either.isLeft(decode("2018-06-30T12:00:00")))
    assert.isTrue(Either.isLeft(decode("yesterday")))
  })
})
