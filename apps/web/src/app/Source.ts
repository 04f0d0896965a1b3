/**
 * Where the page's data comes from: the server's HTTP API with a bearer
 * token (`live`), or the data a `kehoach report --html` file carries
 * (`embedded`). The views ask a `Source` and never know which; the API's
 * own error messages reach the user unchanged.
 */
import type * as Coordinates from "./Coordinates.js"

/** Counts of obligations by status (the API's `Counts`). */
export interface Counts {
  readonly onTime: number
  readonly late: number
  readonly missing: number
  readonly pending: number
  readonly reportingRate: number | null
  readonly onTimeRate: number | null
}

/** A column of the heat map. */
export interface Column {
  readonly scheduleId: string
  readonly period: string
  readonly deadline: string
}

/** A cell: counts [onTime, late, missing, pending] of the subtree, and the unit's own status. */
export interface Cell {
  readonly counts: readonly [number, number, number, number]
  readonly own: Status | null
}

/** An obligation's status. */
export type Status = "on-time" | "late" | "missing" | "pending"

/** A row of the heat map (the API's `ComplianceMatrix` row). */
export interface Row {
  readonly unitId: string
  readonly name: string
  readonly level: string
  readonly parentId: string | null
  readonly depth: number
  readonly children: number
  readonly total: Counts
  readonly cells: ReadonlyArray<Cell | null>
}

/** The matrix of a plan in a view. */
export interface Matrix {
  readonly planId: string
  readonly asOf: string
  readonly knownAt: string
  readonly columns: ReadonlyArray<Column>
  readonly rows: ReadonlyArray<Row>
}

/** A plan (the API's `PlanSummary`). */
export interface Plan {
  readonly planId: string
  readonly documentNumber: string
  readonly title: string
  readonly issuerId: string
  readonly effectiveFrom: string
  readonly effectiveUntil: string
}

/** An event behind a figure, with its hash when known. */
export interface Reason {
  readonly position: number
  readonly occurredAt: string
  readonly recordedAt: string
  readonly role: string
  readonly hash?: string
  readonly type?: string
}

/** An obligation row (the API's `ObligationRow`). */
export interface Obligation {
  readonly unitId: string
  readonly scheduleId: string
  readonly period: string
  readonly deadline: string
  readonly status: Status
  readonly filedAt: string | null
  readonly reportId: string | null
}

/** The explanation of an obligation. */
export interface ObligationExplained {
  readonly obligation: Obligation
  readonly rollsUpTo: ReadonlyArray<string>
  readonly events: ReadonlyArray<Reason>
}

/** A coverage row (the API's `CoverageRow`). */
export interface CoverageRow {
  readonly unitId: string
  readonly name: string
  readonly level: string
  readonly residentialAreas: number
  readonly covered: number
  readonly coverage: number | null
  readonly households: number
  readonly committed: number
}

/** Who is signed in. */
export interface Me {
  readonly actor: string
  readonly role: "admin" | "recorder" | "clerk" | "auditor"
  readonly unitId: string | null
}

/** A view: valid time and knowledge time as the API takes them (`undefined`: now). */
export interface View {
  readonly asOf: string | undefined
  readonly knownAt: string | undefined
}

/** An error to show in words: the API's message, or what went wrong on the way. */
export class SourceError extends Error {
  constructor(
    readonly kind: "network" | "unauthorized" | "api",
    message: string,
    readonly status?: number,
    /** The server's error body, as it wrote it (a refused rule names its data: `violation`). */
    readonly body?: unknown
  ) {
    super(message)
  }
}

/** What the views ask. */
export interface Source {
  readonly kind: "live" | "embedded"
  readonly me: () => Promise<Me>
  readonly plans: () => Promise<ReadonlyArray<Plan>>
  readonly matrix: (planId: string, view: View, unit: string | undefined, depth: number | undefined) => Promise<Matrix>
  readonly explain: (
    planId: string,
    unitId: string,
    column: Column,
    view: View
  ) => Promise<ObligationExplained | undefined>
  readonly coverage: (planId: string, unit: string, depth: number, view: View) => Promise<ReadonlyArray<CoverageRow>>
  readonly obligations: (
    planId: string,
    unit: string,
    view: View
  ) => Promise<{ readonly obligations: ReadonlyArray<Obligation>; readonly names: ReadonlyMap<string, string> }>
  readonly file: (event: unknown) => Promise<{ position: number }>
  readonly communes: () => Promise<ReadonlyMap<string, Coordinates.Centre>>
  /** Calls `onEvent` for each event appended from now on; returns a stop function. */
  readonly live: (onEvent: (type: string, data: unknown) => void, onState: (up: boolean) => void) => () => void
}

const params = (values: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== "") search.set(k, String(v))
  const text = search.toString()
  return text === "" ? "" : `?${text}`
}

/** The communes' centres, keyed by GSO code, from the JSON the server serves. */
export const parseCommunes = (json: { rows: ReadonlyArray<readonly [string, number, number, ...Array<string>]> }) =>
  new Map<string, Coordinates.Centre>(
    json.rows.map(([code, lat, lon, , name]) => [code, [lat, lon, name ?? ""] as const])
  )

/** The server's API with a bearer token. */
export const live = (token: string, base = ""): Source => {
  const call = async <A>(path: string, init: RequestInit = {}): Promise<A> => {
    let response: Response
    try {
      response = await fetch(base + path, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) }
      })
    } catch {
      throw new SourceError("network", "network")
    }
    const text = await response.text()
    let body: { message?: string } | undefined
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    if (response.status === 401) throw new SourceError("unauthorized", body?.message ?? "unauthorized", 401)
    if (!response.ok) {
      throw new SourceError("api", body?.message ?? `HTTP ${response.status}`, response.status, body)
    }
    return body as A
  }
  let communes: Promise<ReadonlyMap<string, Coordinates.Centre>> | undefined
  return {
    kind: "live",
    me: () => call<Me>("/me"),
    plans: () => call<ReadonlyArray<Plan>>("/plans"),
    matrix: (planId, view, unit, depth) =>
      call<Matrix>(`/compliance/matrix${params({ planId, asOf: view.asOf, knownAt: view.knownAt, unit, depth })}`),
    explain: async (planId, unitId, column, view) => {
      const explained = await call<ObligationExplained>(
        `/explain${params({
          planId,
          unitId,
          scheduleId: column.scheduleId,
          period: column.period,
          asOf: view.asOf,
          knownAt: view.knownAt
        })}`
      )
      // The hashes of the events behind it, read back from the log by position.
      const events = await Promise.all(
        explained.events.map(async (reason) => {
          const page = await call<{ events: ReadonlyArray<{ position: number; hash: string; type: string }> }>(
            `/events${params({ from: reason.position - 1, limit: 1 })}`
          )
          const event = page.events[0]
          return event === undefined ? reason : { ...reason, hash: event.hash, type: event.type }
        })
      )
      return { ...explained, events }
    },
    coverage: async (planId, unit, depth, view) =>
      (
        await call<{ units: ReadonlyArray<CoverageRow> }>(
          `/coverage${params({ planId, unit, depth, asOf: view.asOf, knownAt: view.knownAt })}`
        )
      ).units,
    obligations: async (planId, unit, view) => {
      const answer = await call<{
        units: ReadonlyArray<{ unitId: string; name: string }>
        obligations: ReadonlyArray<Obligation>
      }>(`/compliance${params({ planId, unit, asOf: view.asOf, knownAt: view.knownAt })}`)
      return { obligations: answer.obligations, names: new Map(answer.units.map((u) => [u.unitId, u.name])) }
    },
    file: (event) =>
      call<{ position: number }>("/events", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(event)
      }),
    communes: () => {
      communes ??= fetch(`${base}/assets/communes-2025-07-01.json`).then(async (r) => {
        if (!r.ok) throw new SourceError("api", `HTTP ${r.status}`, r.status)
        return parseCommunes(await r.json())
      })
      return communes
    },
    live: (onEvent, onState) => {
      // EventSource cannot send a bearer token: read the text/event-stream with fetch.
      let stopped = false
      let controller: AbortController | undefined
      let last: string | undefined
      const run = async (): Promise<void> => {
        while (!stopped) {
          controller = new AbortController()
          try {
            const response = await fetch(`${base}/events/stream${last === undefined ? "" : params({ from: last })}`, {
              headers: { authorization: `Bearer ${token}` },
              signal: controller.signal
            })
            if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`)
            onState(true)
            const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
            let buffer = ""
            for (;;) {
              const { done, value } = await reader.read()
              if (done) break
              buffer += value
              let end: number
              while ((end = buffer.indexOf("\n\n")) >= 0) {
                const message = buffer.slice(0, end)
                buffer = buffer.slice(end + 2)
                let id: string | undefined
                let type = "message"
                let data = ""
                for (const line of message.split("\n")) {
                  if (line.startsWith("id: ")) id = line.slice(4)
                  else if (line.startsWith("event: ")) type = line.slice(7)
                  else if (line.startsWith("data: ")) data += line.slice(6)
                }
                if (id !== undefined) last = id
                if (data !== "") onEvent(type, JSON.parse(data))
              }
            }
          } catch {
            // Retried below.
          }
          if (stopped) return
          onState(false)
          await new Promise((resolve) => setTimeout(resolve, 2000))
        }
      }
      void run()
      return () => {
        stopped = true
        controller?.abort()
      }
    }
  }
}

/** What a `kehoach report --html` file carries. */
export interface Embedded {
  readonly generatedAt: string
  readonly plan: Plan
  readonly matrix: Matrix
  readonly coverage: ReadonlyArray<CoverageRow & { readonly parentId?: string | null }>
  readonly coverageRoot: string
  readonly communes: ReadonlyArray<readonly [string, number, number]>
  /** Explanations by `unitId|scheduleId|period`, or `null` when left out (too many). */
  readonly explanations: Readonly<Record<string, ObligationExplained>> | null
}

/** The data of a report file: one plan in one view, nothing to fetch. */
export const embedded = (data: Embedded): Source => {
  const byParent = new Map<string | null, Array<Row>>()
  for (const row of data.matrix.rows) {
    const list = byParent.get(row.parentId) ?? []
    list.push(row)
    byParent.set(row.parentId, list)
  }
  const readOnly = () => Promise.reject(new SourceError("api", "read-only report"))
  return {
    kind: "embedded",
    me: () => Promise.resolve({ actor: "report", role: "auditor", unitId: null }),
    plans: () => Promise.resolve([data.plan]),
    matrix: (_planId, _view, unit, depth) => {
      const rows = data.matrix.rows
      if (unit === undefined)
        return Promise.resolve({ ...data.matrix, rows: rows.filter((r) => r.depth <= (depth ?? 0)) })
      const self = rows.find((r) => r.unitId === unit)
      const children = depth === 0 ? [] : (byParent.get(unit) ?? [])
      return Promise.resolve({ ...data.matrix, rows: self === undefined ? [] : [self, ...children] })
    },
    explain: (_planId, unitId, column) =>
      Promise.resolve(data.explanations?.[`${unitId}|${column.scheduleId}|${column.period}`]),
    coverage: () => Promise.resolve(data.coverage),
    obligations: readOnly,
    file: readOnly,
    communes: () => Promise.resolve(parseCommunes({ rows: data.communes })),
    live: () => () => undefined
  }
}
