/**
 * The kehoach HTTP server: the contract (`@kehoach/api`) served with
 * `@effect/platform-node` on a given host and port, over the event store the
 * caller provides (the CLI's `kehoach serve` runs it on the same database as
 * its other commands).
 *
 * Shutdown is graceful: when the layer's scope closes (SIGTERM or SIGINT
 * under `NodeRuntime.runMain`), the server stops accepting connections, live
 * event streams end, in-flight requests finish, and only then is the store
 * released, so nothing is half written.
 */
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiSwagger,
  HttpMiddleware,
  HttpRouter,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import type { HttpApiError, HttpApp, HttpServerError, HttpServerRequest } from "@effect/platform"
import { Api, ApiError } from "@kehoach/api"
import { NodeHttpServer } from "@effect/platform-node"
import { EventStore } from "@kehoach/store"
import { Cause, Deferred, Effect, Layer, Option } from "effect"
import * as Http from "node:http"
import * as HttpLive from "./Http.js"
import * as ProofsHttp from "./ProofsHttp.js"
import * as Tokens from "./Tokens.js"
import * as Web from "./Web.js"

/** How to run the server. */
export interface Options {
  /** TCP port; 0 picks a free one. */
  readonly port: number
  /** Address to listen on, e.g. `127.0.0.1`. */
  readonly host: string
  /** The tokens file (JSON); required unless `tokens` is given. */
  readonly tokensFile?: string | undefined
  /** Tokens given in code, instead of a file. */
  readonly tokens?: ReadonlyArray<Tokens.Token> | undefined
  /** Largest body of `POST /events`, in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number | undefined
  /** Largest body of `POST /import`, in bytes (default 1 GiB). */
  readonly maxImportBytes?: number | undefined
  /** Keep-alive interval of `GET /events/stream`, in milliseconds (default 15 000). */
  readonly heartbeatMillis?: number | undefined
  /** Most live tails open at once (default 100); one more is a 503. */
  readonly maxTails?: number | undefined
  /** How far back a clerk may date a report received on paper, in days (default 60). */
  readonly backdatingDays?: number | undefined
  /** How long a request body may stop arriving before it is cut with 408, in milliseconds (default 30 000). */
  readonly bodyIdleMillis?: number | undefined
  /** How long a client may take to send its request headers, in milliseconds (default 30 000). */
  readonly headersTimeoutMillis?: number | undefined
  /** How long an idle keep-alive connection is kept, in milliseconds (default 5 000). */
  readonly keepAliveTimeoutMillis?: number | undefined
  /** Log the address once listening (default true). */
  readonly logAddress?: boolean | undefined
  /** The Ed25519 private key (PKCS #8 PEM) that signs `GET /tree/head`; without it the head is unsigned. */
  readonly signingKey?: string | undefined
  /**
   * Open a tracing span per request (`@effect/platform`'s default), for an embedder that provides a `Tracer`
   * (default false: the server exports no traces, and the span's URL parsing and attributes cost every request).
   */
  readonly traceRequests?: boolean | undefined
}

const json500 = HttpServerResponse.unsafeJson(
  { _tag: "InternalError", message: "internal server error" },
  { status: 500 }
)

/** The first issue of a parameter's decode error, as the contract's `InvalidQuery`. */
const invalidQuery = (error: HttpApiError.HttpApiDecodeError): ApiError.InvalidQuery => {
  const issue = error.issues[0]
  const field = issue === undefined ? "" : issue.path.map(String).join(".")
  const reason = (issue?.message ?? "cannot be read").split("\n")[0]!
  return new ApiError.InvalidQuery({ field, reason, message: `query parameter ${field}: ${reason}` })
}

/** Each path of the contract as a pattern, with the methods it answers (for 405 and `Allow`). */
const routes: ReadonlyArray<{ readonly pattern: RegExp; readonly methods: Array<string> }> = (() => {
  const byPath = new Map<string, Array<string>>()
  HttpApi.reflect(Api.Api, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => {
      const methods = byPath.get(endpoint.path) ?? []
      methods.push(endpoint.method)
      byPath.set(endpoint.path, methods)
    }
  })
  return [...byPath].map(([path, methods]) => ({
    pattern: new RegExp("^" + path.replace(/:[^/]+/g, "[^/]+") + "/?$"),
    methods
  }))
})()

/** The methods a path answers; none when no route has it. */
const methodsOf = (pathname: string): Array<string> =>
  routes.filter((r) => r.pattern.test(pathname)).flatMap((r) => r.methods)

/**
 * The middleware around every route, inside the contract's error encoding:
 * an unknown route is a JSON 404, an unreadable request a JSON 400, and any
 * defect is logged on the server and answered with a generic JSON 500, so no
 * stack trace ever reaches a client. The contract's own errors pass through
 * to be encoded with their statuses.
 */
export const errorBoundary = (app: HttpApp.Default): HttpApp.Default =>
  Effect.catchAllCause(app, (cause) => {
    if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) {
      const error = failure.value as { readonly _tag?: string }
      if (error._tag === "RouteNotFound") {
        const request = (error as unknown as { readonly request: HttpServerRequest.HttpServerRequest }).request
        const allowed = methodsOf(new URL(request.url, "http://x").pathname)
        if (allowed.length > 0) {
          const message = `${request.method} is not allowed here; allowed: ${allowed.join(", ")}`
          return Effect.succeed(
            HttpServerResponse.unsafeJson(
              { _tag: "MethodNotAllowed", message },
              {
                status: 405,
                headers: { allow: allowed.join(", ") }
              }
            )
          )
        }
        return Effect.succeed(
          HttpServerResponse.unsafeJson({ _tag: "NotFound", message: "no such endpoint" }, { status: 404 })
        )
      }
      // The framework's decode error of a query or path parameter: one line naming the parameter, as InvalidQuery.
      if (error._tag === "HttpApiDecodeError") {
        // Failed (not answered) here, so that the contract's error encoding writes it like every InvalidQuery.
        return Effect.fail(invalidQuery(error as unknown as HttpApiError.HttpApiDecodeError)) as Effect.Effect<never>
      }
      if (error._tag === "RequestError") {
        const message = "the request could not be read"
        return Effect.succeed(
          HttpServerResponse.unsafeJson({ _tag: "InvalidBody", field: "", reason: message, message }, { status: 400 })
        )
      }
      return Effect.failCause(cause)
    }
    return Effect.as(Effect.logError("request failed", cause), json500)
  })

/**
 * Once shutdown has begun, every response carries `Connection: close`, so a
 * keep-alive connection whose request was in flight closes when it is
 * answered, instead of holding the shutdown open until its idle timeout.
 */
export const closeAfterShutdown = Effect.map(
  HttpLive.Closing,
  (closing) =>
    (app: HttpApp.Default): HttpApp.Default =>
      Effect.flatMap(app, (response) =>
        Effect.map(Deferred.isDone(closing), (done) =>
          done ? HttpServerResponse.setHeader(response, "connection", "close") : response
        )
      )
)

const limitsOf = (options: Omit<Options, "port" | "host">): HttpLive.Limits => ({
  maxBodyBytes: options.maxBodyBytes ?? HttpLive.defaultLimits.maxBodyBytes,
  maxImportBytes: options.maxImportBytes ?? HttpLive.defaultLimits.maxImportBytes,
  heartbeatMillis: options.heartbeatMillis ?? HttpLive.defaultLimits.heartbeatMillis,
  maxTails: options.maxTails ?? HttpLive.defaultLimits.maxTails,
  backdatingDays: options.backdatingDays ?? HttpLive.defaultLimits.backdatingDays,
  bodyIdleMillis: options.bodyIdleMillis ?? HttpLive.defaultLimits.bodyIdleMillis
})

/** The tokens of the options: a file, or a list; neither is a start-up error. */
export const layerTokens = (
  options: Pick<Options, "tokens" | "tokensFile">
): Layer.Layer<Tokens.Tokens, Tokens.TokensFileError> =>
  options.tokens !== undefined
    ? Tokens.layer(options.tokens)
    : options.tokensFile !== undefined
      ? Tokens.layerFile(options.tokensFile)
      : Layer.fail(
          new Tokens.TokensFileError({
            path: "(none)",
            reason: "no tokens file: pass --tokens FILE or set KEHOACH_TOKENS_FILE"
          })
        )

// Completes `Closing` before the HTTP server closes: it depends on the server, so its finalizer runs first.
const closeStreamsFirst = Layer.scopedDiscard(
  Effect.gen(function* () {
    yield* HttpServer.HttpServer
    const closing = yield* HttpLive.Closing
    yield* Effect.addFinalizer(() => Deferred.succeed(closing, undefined))
  })
)

/**
 * The application on any `HttpServer` (a real port, or
 * `NodeHttpServer.layerTest` in tests): the contract's routes, `/openapi.json`
 * and the Swagger UI at `/docs`.
 */
export const layerApp = (
  options: Omit<Options, "port" | "host">
): Layer.Layer<
  never,
  Tokens.TokensFileError,
  HttpServer.HttpServer | HttpRouter.HttpRouter.DefaultServices | EventStore.EventStore
> =>
  Layer.mergeAll(
    HttpMiddleware.withTracerDisabledWhen(HttpApiBuilder.serve(), () => options.traceRequests !== true).pipe(
      Layer.provide(HttpApiBuilder.middleware(errorBoundary)),
      Layer.provide(HttpApiBuilder.middleware(closeAfterShutdown)),
      Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
      Layer.provide(Web.layer),
      Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
      Layer.provide(HttpLive.ApiLive),
      // A path parameter may be as long as the domain's Id: 200 characters, each up to 12 once percent-encoded
      // (the router's default is 100, and a longer parameter fell through to a 405).
      Layer.provide(HttpRouter.setRouterConfig({ maxParamLength: 200 * 12 }))
    ),
    closeStreamsFirst
  ).pipe(
    Layer.provide(layerTokens(options)),
    Layer.provide(Layer.succeed(HttpLive.Config, limitsOf(options))),
    Layer.provide(Layer.succeed(ProofsHttp.SigningKey, options.signingKey)),
    Layer.provide(HttpLive.layerClosing)
  )

/**
 * The server listening on `options.host:options.port`, over the
 * `EventStore` the caller provides. Fails at start-up with a
 * `TokensFileError` (bad or missing tokens file) or a `ServeError` (the
 * port is taken).
 */
export const layer = (
  options: Options
): Layer.Layer<never, Tokens.TokensFileError | HttpServerError.ServeError, EventStore.EventStore> => {
  const app = layerApp(options)
  // The state is restored from the newest snapshot (and caught up) before the port opens: a server that
  // listens answers at once, instead of its first request paying for the restore.
  const restored = Layer.effectDiscard(Effect.flatMap(EventStore.EventStore, (store) => store.state))
  return (options.logAddress === false ? app : HttpServer.withLogAddress(app)).pipe(
    // No overall request timeout: a national import streams for minutes (headers still time out).
    // Slow or idle clients: the headers must arrive within `headersTimeoutMillis`, an idle keep-alive connection
    // closes after `keepAliveTimeoutMillis`, and a body that stops arriving is cut by `Body` (408).
    Layer.provide(
      NodeHttpServer.layer(
        () =>
          Http.createServer({
            requestTimeout: 0,
            headersTimeout: options.headersTimeoutMillis ?? 30_000,
            keepAliveTimeout: options.keepAliveTimeoutMillis ?? 5_000
          }),
        { port: options.port, host: options.host }
      )
    ),
    Layer.provide(restored)
  )
}

/**
 * Runs the server until interrupted (SIGTERM or SIGINT under
 * `NodeRuntime.runMain`), then shuts it down gracefully.
 */
export const serve = (options: Options) => Layer.launch(layer(options))
