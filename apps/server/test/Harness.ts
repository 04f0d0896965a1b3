/**
 * A real server for the tests: the application on a loopback port picked by
 * the OS, over the real SQLite store in a temp directory, with one token per
 * role; plus a small log every test starts from.
 */
import { Plan182 } from "@kehoach/fixtures"
import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Api } from "@kehoach/api"
import { EventStore, SqlEventStore } from "@kehoach/store"
import { Effect, Layer, ManagedRuntime } from "effect"
import * as fs from "node:fs"
import * as Http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { Server } from "../src/index.js"

const { basis: _basis, tasks: _tasks, ...plan182 } = Plan182.plan

/** One token per role (and recorders at each level). */
export const tokens = {
  admin: { token: "tok-admin-0123456789abcdef", actor: "admin@P", role: "admin" },
  auditor: { token: "tok-auditor-0123456789abcdef", actor: "auditor@P", role: "auditor" },
  recP: { token: "tok-rec-p-0123456789abcdef", actor: "recorder@P", role: "recorder", unitId: "P" },
  recD1: { token: "tok-rec-d1-0123456789abcdef", actor: "recorder@D1", role: "recorder", unitId: "D1" },
  recD2: { token: "tok-rec-d2-0123456789abcdef", actor: "recorder@D2", role: "recorder", unitId: "D2" },
  recC1: { token: "tok-rec-c1-0123456789abcdef", actor: "recorder@C1", role: "recorder", unitId: "C1" },
  /** The clerk (văn thư) of D1: enters reports received on paper from D1 and the units under it. */
  clerkD1: { token: "tok-clerk-d1-0123456789abcdef", actor: "clerk@D1", role: "clerk", unitId: "D1" }
} as const

/** P (province) > D1, D2 (districts) > C1 under D1, C2 under D2 > R1 (residential area, key-area) under C1. */
export const seed = [
  {
    type: "UnitRegistered",
    occurredAt: "2018-01-01T08:00:00+07:00",
    data: { unitId: "P", name: "Tỉnh P", level: "province" }
  },
  {
    type: "UnitRegistered",
    occurredAt: "2018-01-01T08:00:00+07:00",
    data: { unitId: "D1", name: "Huyện 1", level: "district", parentId: "P" }
  },
  {
    type: "UnitRegistered",
    occurredAt: "2018-01-01T08:00:00+07:00",
    data: { unitId: "D2", name: "Huyện 2", level: "district", parentId: "P" }
  },
  {
    type: "UnitRegistered",
    occurredAt: "2018-01-01T08:00:00+07:00",
    data: { unitId: "C1", name: "Xã 1", level: "commune", parentId: "D1" }
  },
  {
    type: "UnitRegistered",
    occurredAt: "2018-01-01T08:00:00+07:00",
    data: { unitId: "C2", name: "Xã 2", level: "commune", parentId: "D2" }
  },
  {
    type: "UnitRegistered",
    occurredAt: "2018-01-01T08:00:00+07:00",
    data: { unitId: "R1", name: "Thôn 1", level: "residential-area", parentId: "C1", tags: ["key-area"] }
  },
  {
    type: "PlanIssued",
    occurredAt: "2018-01-30T08:00:00+07:00",
    // Plan 182 of the fixtures, issued by this harness's province `P` (tasks and basis left out).
    data: { ...plan182, planId: "182", issuerId: "P" }
  },
  { type: "UnitAssigned", occurredAt: "2018-01-30T09:00:00+07:00", data: { planId: "182", unitId: "D1" } },
  { type: "UnitAssigned", occurredAt: "2018-01-30T09:00:00+07:00", data: { planId: "182", unitId: "D2" } },
  { type: "UnitAssigned", occurredAt: "2018-01-30T09:00:00+07:00", data: { planId: "182", unitId: "C1" } },
  {
    type: "ReportFiled",
    occurredAt: "2018-02-15T10:00:00+07:00",
    // Received on paper in 2018 and entered by the admin (beyond any clerk's backdating window today).
    data: {
      reportId: "r-d1-2018-02",
      planId: "182",
      unitId: "D1",
      scheduleId: "monthly",
      period: "2018-02",
      channel: "paper",
      registerNumber: "sđ-12/2018"
    }
  },
  {
    type: "ModelEstablished",
    occurredAt: "2018-03-01T08:00:00+07:00",
    data: {
      modelId: "m1",
      unitId: "R1",
      kind: "self-managed",
      name: "Thôn 1 không ma túy",
      households: 10,
      committed: 8
    }
  }
] as const

/**
 * A report of a unit for a month as the unit files it online: without a filing time, which the
 * server stamps at receipt (DOMAIN.md "Filing time"), so late for a 2018 month.
 */
export const report = (unitId: string, period: string, extra: Record<string, unknown> = {}) => ({
  type: "ReportFiled",
  data: { reportId: `r-${unitId}-${period}`, planId: "182", unitId, scheduleId: "monthly", period, ...extra }
})

/** The same report received on paper on the 10th of its month and entered with its register number. */
export const paperReport = (unitId: string, period: string, extra: Record<string, unknown> = {}) => ({
  type: "ReportFiled",
  occurredAt: `${period}-10T10:00:00+07:00`,
  data: {
    ...report(unitId, period).data,
    channel: "paper",
    registerNumber: `sđ-${unitId}-${period}`,
    ...extra
  }
})

/** A running server and what the tests need of it. */
export interface Harness {
  readonly url: string
  readonly dir: string
  readonly runtime: ManagedRuntime.ManagedRuntime<EventStore.EventStore | HttpServer.HttpServer, unknown>
  /** `fetch` with a bearer token (`undefined`: none). */
  readonly call: (path: string, token?: string, init?: RequestInit) => Promise<Response>
  readonly close: () => Promise<void>
}

/** Starts the server on 127.0.0.1, port 0, over a fresh SQLite file, and appends the seed as the admin. */
export const start = async (
  limits: Partial<Server.Options> = {},
  storeOptions: SqlEventStore.Options = {},
  /** The store the server sees, made from the real one (to observe how the server calls it). */
  wrapStore: (store: EventStore.EventStore["Type"]) => EventStore.EventStore["Type"] = (store) => store
): Promise<Harness> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kehoach-server-"))
  const store = Layer.effect(EventStore.EventStore, Effect.map(EventStore.EventStore, wrapStore)).pipe(
    Layer.provide(SqlEventStore.layer({ filename: path.join(dir, "kehoach.db"), ...storeOptions }))
  )
  const layer = Server.layerApp({ tokens: Object.values(tokens), heartbeatMillis: 200, ...limits }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(Http.createServer, { port: 0, host: "127.0.0.1" })),
    Layer.provideMerge(store)
  )
  const runtime = ManagedRuntime.make(layer)
  const server = await runtime.runPromise(HttpServer.HttpServer)
  const address = server.address as HttpServer.TcpAddress
  const url = `http://127.0.0.1:${address.port}`
  const call = (p: string, token?: string, init: RequestInit = {}) =>
    fetch(url + p, {
      ...init,
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(init.headers as object) }
    })
  const seeded = await call("/events", tokens.admin.token, { method: "POST", body: JSON.stringify({ events: seed }) })
  if (seeded.status !== 200) throw new Error(`seed failed: ${seeded.status} ${await seeded.text()}`)
  return {
    url,
    dir,
    runtime: runtime as Harness["runtime"],
    call,
    close: async () => {
      await runtime.dispose()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** A typed client of the contract for a token. */
export const client = (url: string, token: string) =>
  HttpApiClient.make(Api.Api, {
    baseUrl: url,
    transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
  }).pipe(Effect.provide(FetchHttpClient.layer))

/** The store's tag, for tests that look at the state behind the server. */
export const storeTag = EventStore.EventStore
