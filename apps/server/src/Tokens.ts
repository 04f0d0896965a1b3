/**
 * The tokens file: who may call the server, as what. A JSON array of
 * `{ "token", "actor", "role": "admin" | "recorder" | "auditor", "unitId" }`,
 * validated at start-up so that a bad file stops the server with one line
 * naming what is wrong, before it listens: its schema, its mode (owner only)
 * and the length of its tokens.
 */
import { Security } from "@kehoach/api"
import { Context, Effect, Either, Layer, ParseResult, Schema } from "effect"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"

/** One entry of the tokens file. */
export const Token = Schema.Struct({
  token: Schema.String.pipe(
    Schema.filter((s) => s.length > 0 && s.trim() === s && !/\s/.test(s), {
      message: () => "expected a non-empty token without spaces"
    })
  ),
  actor: Schema.String.pipe(Schema.minLength(1, { message: () => "expected a non-empty actor" })),
  role: Security.Role,
  unitId: Schema.optional(Schema.String.pipe(Schema.minLength(1)))
})
export type Token = typeof Token.Type

/** The whole file. */
export const TokensFile = Schema.Array(Token)

/** The tokens file cannot be used; the server does not start. */
export class TokensFileError extends Schema.TaggedError<TokensFileError>()("TokensFileError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `tokens file ${this.path}: ${this.reason}`
  }
}

/** The known tokens. */
export class Tokens extends Context.Tag("@kehoach/server/Tokens")<
  Tokens,
  {
    /** The actor of a bearer token, or `undefined` for an unknown one. */
    readonly lookup: (token: string) => Security.Actor | undefined
  }
>() {}

const decode = Schema.decodeUnknownEither(TokensFile, { errors: "first", onExcessProperty: "error" })

/**
 * Checks parsed JSON as a tokens file: the schema, a `unitId` for every
 * recorder, and no token listed twice. Returns the reason when it is wrong.
 */
export const validate = (json: unknown): Either.Either<ReadonlyArray<Token>, string> => {
  const decoded = decode(json)
  if (Either.isLeft(decoded)) {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
    const path = issue?.path.map(String).join(".") ?? ""
    const message = issue?.message === "is unexpected, expected: never" ? "is not a field of a token" : issue?.message
    return Either.left(path === "" ? `expected a JSON array of tokens (${message})` : `entry ${path}: ${message}`)
  }
  const seen = new Set<string>()
  for (const [i, entry] of decoded.right.entries()) {
    if (entry.role === "recorder" && entry.unitId === undefined) {
      return Either.left(`entry ${i}: a recorder needs a unitId (the root of the subtree it may write to)`)
    }
    if (entry.role === "clerk" && entry.unitId === undefined) {
      return Either.left(`entry ${i}: a clerk needs a unitId (the root of the subtree it receives reports for)`)
    }
    if (seen.has(entry.token)) return Either.left(`entry ${i}: the same token is listed twice`)
    seen.add(entry.token)
  }
  return Either.right(decoded.right)
}

const digest = (token: string): Buffer => Crypto.createHash("sha256").update(token, "utf8").digest()

/**
 * The service for a list of tokens. A presented token is compared with every
 * known one in constant time over their SHA-256 digests (equal lengths, no
 * early exit), so the time of a refusal says nothing about how close a guess was.
 */
export const make = (tokens: ReadonlyArray<Token>): Context.Tag.Service<Tokens> => {
  const known = tokens.map((t) => ({
    digest: digest(t.token),
    actor: { actor: t.actor, role: t.role, unitId: t.unitId } satisfies Security.Actor
  }))
  return {
    lookup: (token) => {
      const presented = digest(token)
      let found: Security.Actor | undefined
      for (const entry of known) {
        if (Crypto.timingSafeEqual(entry.digest, presented)) found = entry.actor
      }
      return found
    }
  }
}

/** The shortest token a tokens file may hold: shorter ones can be guessed. */
export const minTokenLength = 16

/**
 * What a tokens file must be besides its schema: not readable or writable by
 * others than its owner (POSIX), and no token shorter than `minTokenLength`.
 */
export const checkFile = (mode: number, tokens: ReadonlyArray<Token>): string | undefined => {
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    return `is readable or writable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`
  }
  const short = tokens.findIndex((t) => t.token.length < minTokenLength)
  if (short >= 0) return `entry ${short}: the token is shorter than ${minTokenLength} characters`
  return undefined
}

/** Reads and validates a tokens file. */
export const readFile = (path: string): Effect.Effect<ReadonlyArray<Token>, TokensFileError> =>
  Effect.gen(function* () {
    const text = yield* Effect.try({
      try: () => Fs.readFileSync(path, "utf8"),
      catch: (e) =>
        new TokensFileError({ path, reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` })
    })
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (e) => new TokensFileError({ path, reason: `not valid JSON (${(e as Error).message})` })
    })
    const tokens = yield* Either.mapLeft(validate(json), (reason) => new TokensFileError({ path, reason }))
    const refused = checkFile(Fs.statSync(path).mode, tokens)
    if (refused !== undefined) return yield* new TokensFileError({ path, reason: refused })
    return tokens
  })

/** The tokens of a file, read once at start-up. */
export const layerFile = (path: string): Layer.Layer<Tokens, TokensFileError> =>
  Layer.effect(Tokens, Effect.map(readFile(path), make))

/** Tokens given in code (tests, embedding). */
export const layer = (tokens: ReadonlyArray<Token>): Layer.Layer<Tokens, TokensFileError> =>
  Layer.effect(
    Tokens,
    Either.match(validate(tokens), {
      onLeft: (reason) => Effect.fail(new TokensFileError({ path: "(given)", reason })),
      onRight: (valid) => Effect.succeed(make(valid))
    })
  )
