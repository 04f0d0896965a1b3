/**
 * `kehoach serve`: the HTTP server of `apps/server` on the chosen database,
 * until interrupted.
 */
import { Command, HelpDoc, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as AuditFiles from "./AuditFiles.js"
import * as Cli from "./Cli.js"
import { CannotListen } from "./CliError.js"
import * as Database from "./Database.js"

/** A limit of the server: a whole number >= 1, optional (the server's default). */
const limit = (name: string, pseudo: string, description: string) =>
  Options.integer(name).pipe(
    Options.withPseudoName(pseudo),
    Options.withDescription(description),
    Options.filterMap((n) => (n >= 1 ? Option.some(n) : Option.none()), `--${name}: expected a whole number >= 1`),
    Options.optional
  )

/** `kehoach serve`. */
export const command = Command.make(
  "serve",
  {
    db: Cli.db,
    port: Options.integer("port").pipe(
      Options.withPseudoName("PORT"),
      Options.withDescription("The TCP port (0 picks a free one)"),
      Options.withDefault(8080)
    ),
    host: Options.text("host").pipe(
      Options.withPseudoName("HOST"),
      Options.withDescription("The address to listen on"),
      Options.withDefault("127.0.0.1")
    ),
    tokens: Options.text("tokens").pipe(
      Options.withPseudoName("FILE"),
      Options.withDescription("The tokens file (JSON) that grants access (default: $KEHOACH_TOKENS_FILE)"),
      Options.optional
    ),
    sign: Options.file("sign").pipe(
      Options.withPseudoName("KEY"),
      Options.withDescription("Sign GET /tree/head with this Ed25519 private key (from `kehoach keygen`)"),
      Options.optional
    ),
    maxBodyBytes: limit("max-body-bytes", "BYTES", "Largest body of POST /events; larger is a 413 (default 1048576)"),
    maxImportBytes: limit(
      "max-import-bytes",
      "BYTES",
      "Largest body of POST /import; larger is a 413 (default 1073741824)"
    ),
    maxTails: limit(
      "max-tails",
      "N",
      "Most live tails (GET /events/stream) open at once; one more is a 503 (default 100)"
    ),
    backdatingDays: limit(
      "backdating-days",
      "DAYS",
      "How far back a clerk may date a report received on paper; further back, an admin only (default 60)"
    )
  },
  ({ backdatingDays, db, host, maxBodyBytes, maxImportBytes, maxTails, port, sign, tokens }) =>
    Effect.flatMap(Cli.root, (top) =>
      Effect.gen(function* () {
        const path = Database.resolve(db, top.db)
        const signingKey = Option.isSome(sign) ? yield* AuditFiles.readPrivateKey(sign.value) : undefined
        const { Server } = yield* Effect.promise(() => import("./ServeServer.js"))
        yield* Server.serve({
          port,
          host,
          tokensFile: Option.getOrUndefined(tokens) ?? process.env["KEHOACH_TOKENS_FILE"],
          signingKey,
          maxBodyBytes: Option.getOrUndefined(maxBodyBytes),
          maxImportBytes: Option.getOrUndefined(maxImportBytes),
          maxTails: Option.getOrUndefined(maxTails),
          backdatingDays: Option.getOrUndefined(backdatingDays)
        }).pipe(
          Effect.provide(Database.layer(path)),
          Effect.catchTag("ServeError", (error) => {
            const cause = error.cause as { readonly code?: string; readonly message?: string } | undefined
            const reason =
              cause?.code === "EADDRINUSE"
                ? "the port is already in use (give another --port)"
                : cause?.code === "EADDRNOTAVAIL"
                  ? "the address is not one of this machine's (give another --host)"
                  : (cause?.message ?? String(error.cause))
            return Effect.fail(new CannotListen({ address: `${host}:${port}`, reason }))
          })
        )
      })
    )
).pipe(
  Command.withDescription(
    HelpDoc.blocks([
      HelpDoc.p(
        "Serves the same operations as JSON over HTTP on the chosen database (the contract is at /openapi.json), until interrupted with Ctrl-C."
      ),
      HelpDoc.p("Example:"),
      HelpDoc.p("  $ kehoach serve --port 8080 --tokens tokens.json")
    ])
  )
)
