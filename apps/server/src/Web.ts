/**
 * The dashboard (`@kehoach/web`) served by the server itself: the page at
 * `/` and its built files at `/assets/<name>`, from the package (no CDN: the
 * machines it runs on often have no internet). The files are public, like
 * `/docs`; every figure on the page comes from the token-protected API.
 */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Assets } from "@kehoach/web"
import { Effect } from "effect"

const notBuilt = (name: string) =>
  HttpServerResponse.unsafeJson(
    { _tag: "NotFound", message: `the dashboard is not built (${name} is missing): run pnpm run build` },
    { status: 404 }
  )

const serve = (name: string, cache: string) =>
  Effect.sync(() => {
    const asset = Assets.read(name)
    return asset === undefined
      ? notBuilt(name)
      : HttpServerResponse.uint8Array(asset.body, {
          contentType: asset.contentType,
          headers: { "cache-control": cache, "x-content-type-options": "nosniff" }
        })
  })

/** `GET /`, `GET /index.html` and `GET /assets/:name` on the contract's router. */
export const layer = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function* () {
    const page = serve("index.html", "no-cache")
    yield* router.get("/", page)
    yield* router.get("/index.html", page)
    for (const name of Assets.names) {
      if (name !== "index.html") yield* router.get(`/assets/${name}`, serve(name, "no-cache"))
    }
  })
)
