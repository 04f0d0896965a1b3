/**
 * The kehoach dashboard: sign in with a token (kept in `sessionStorage`, for
 * this tab only), pick a plan, an as-of date (a slider over the plan's
 * deadlines) and a known-at date; then the compliance heat map with the
 * explanation of any cell, coverage as a table and a map, and, for a
 * recorder, the reports its units owe, filed from the page. The heat map
 * follows the log's live tail. The same code runs a `kehoach report --html`
 * file from the data embedded in it.
 *
 * Every failure is shown in words (the API's own message when it has one),
 * never as a blank page.
 */
import * as CoverageView from "./CoverageView.js"
import { dateInVietnam, h, instant, replace } from "./Dom.js"
import * as FilingView from "./FilingView.js"
import * as HeatMap from "./HeatMap.js"
import * as I18n from "./I18n.js"
import type { Cell, Column, Embedded, Me, Plan, Row, Source, View } from "./Source.js"
import * as Sources from "./Source.js"

type Tab = "heatmap" | "coverage" | "filing"

interface Session {
  readonly source: Source
  readonly me: Me
  readonly plans: ReadonlyArray<Plan>
  planId: string
  asOf: string | undefined
  knownAt: string | undefined
  tab: Tab
  stops: ReadonlyArray<string>
  coverageDepth: number
  stopLive: (() => void) | undefined
  embedded: Embedded | undefined
}

const app = document.getElementById("app")!
const TOKEN_KEY = "kehoach.token"

// ---------------------------------------------------------------------------
// Errors in words

const describe = (error: unknown): string => {
  if (error instanceof Sources.SourceError) {
    if (error.kind === "network") return I18n.t("errorNetwork")
    if (error.kind === "unauthorized") return `${I18n.t("errorToken")} (${error.message})`
    return `${I18n.t("errorServer")}: ${error.message}`
  }
  return `${I18n.t("errorPage")}: ${error instanceof Error ? error.message : String(error)}`
}

const showError = (error: unknown) => {
  const banner = document.getElementById("error")
  const text = describe(error)
  if (banner === null) {
    replace(app, h("p", { id: "error", role: "alert", class: "error" }, text))
    return
  }
  banner.hidden = false
  replace(
    banner,
    h("span", {}, text),
    h("button", { class: "dismiss", onclick: () => (banner.hidden = true) }, I18n.t("close"))
  )
}

window.addEventListener("error", (e) => showError(e.error ?? e.message))
window.addEventListener("unhandledrejection", (e) => showError(e.reason))

// ---------------------------------------------------------------------------
// Sign-in

const signIn = (message?: string) => {
  const input = h("input", {
    id: "token",
    type: "password",
    name: "token",
    required: true,
    autocomplete: "off",
    "aria-describedby": "token-help"
  })
  replace(
    app,
    h(
      "main",
      { class: "signin", id: "main" },
      h("h1", {}, I18n.t("title")),
      h(
        "form",
        {
          onsubmit: async (e: Event) => {
            e.preventDefault()
            const token = input.value.trim()
            sessionStorage.setItem(TOKEN_KEY, token)
            await startLive(token)
          }
        },
        h("label", { for: "token" }, I18n.t("token")),
        input,
        h("p", { id: "token-help", class: "help" }, I18n.t("tokenHelp")),
        h("button", { type: "submit" }, I18n.t("signIn")),
        message === undefined ? null : h("p", { role: "alert", class: "error", id: "signin-error" }, message)
      ),
      languageButton(() => signIn(message))
    )
  )
  input.focus()
}

const languageButton = (redraw: () => void) =>
  h(
    "button",
    {
      class: "lang",
      lang: I18n.lang() === "vi" ? "en" : "vi",
      onclick: () => {
        I18n.setLang(I18n.lang() === "vi" ? "en" : "vi")
        document.documentElement.lang = I18n.lang()
        redraw()
      }
    },
    I18n.t("language")
  )

const startLive = async (token: string) => {
  const source = Sources.live(token)
  replace(app, h("p", { class: "loading" }, I18n.t("loading")))
  try {
    const [me, plans] = await Promise.all([source.me(), source.plans()])
    await begin(source, me, plans, undefined)
  } catch (error) {
    if (error instanceof Sources.SourceError && error.kind === "unauthorized") {
      sessionStorage.removeItem(TOKEN_KEY)
      signIn(I18n.t("errorToken"))
    } else {
      signIn(describe(error))
    }
  }
}

// ---------------------------------------------------------------------------
// The signed-in page

const readHash = () => new URLSearchParams(location.hash.slice(1))

const writeHash = (s: Session) => {
  if (s.embedded !== undefined) return
  const p = new URLSearchParams()
  p.set("plan", s.planId)
  if (s.asOf !== undefined) p.set("asOf", s.asOf)
  if (s.knownAt !== undefined) p.set("knownAt", s.knownAt)
  p.set("tab", s.tab)
  history.replaceState(null, "", `#${p.toString()}`)
}

const begin = async (source: Source, me: Me, plans: ReadonlyArray<Plan>, embedded: Embedded | undefined) => {
  if (plans.length === 0) {
    replace(app, h("p", { class: "note", role: "alert" }, I18n.t("noPlans")))
    return
  }
  const hash = readHash()
  const wanted = hash.get("plan")
  const tab = hash.get("tab")
  const session: Session = {
    source,
    me,
    plans,
    planId: plans.find((p) => p.planId === wanted)?.planId ?? plans[0]!.planId,
    asOf: embedded?.matrix.asOf ?? hash.get("asOf") ?? undefined,
    knownAt: embedded?.matrix.knownAt ?? hash.get("knownAt") ?? undefined,
    tab: tab === "coverage" || tab === "filing" ? tab : "heatmap",
    stops: [],
    coverageDepth: 2,
    stopLive: undefined,
    embedded
  }
  await draw(session)
  if (source.kind === "live") {
    let timer: ReturnType<typeof setTimeout> | undefined
    session.stopLive = source.live(
      (_type, event) => {
        const data = (event as { data?: { planId?: string } }).data
        if (data?.planId !== undefined && data.planId !== session.planId) return
        clearTimeout(timer)
        timer = setTimeout(() => void refresh(session, true), 250)
      },
      (up) => {
        const el = document.getElementById("live")
        if (el === null) return
        el.className = up ? "live up" : "live down"
        el.textContent = up ? `● ${I18n.t("live")}` : `○ ${I18n.t("liveOff")}`
      }
    )
  }
}

const plan = (s: Session): Plan => s.plans.find((p) => p.planId === s.planId)!

const view = (s: Session): View => ({ asOf: s.asOf, knownAt: s.knownAt })

const rootOf = (s: Session): string =>
  (s.me.role === "recorder" || s.me.role === "clerk") && s.me.unitId !== null ? s.me.unitId : plan(s).issuerId

/** The as-of stops of a plan: the date of each deadline, then the plan's last day. */
const stopsOf = (columns: ReadonlyArray<Column>, p: Plan): Array<string> =>
  [...new Set([...columns.map((c) => dateInVietnam(c.deadline)), p.effectiveUntil])].sort()

const draw = async (s: Session) => {
  const p = plan(s)
  writeHash(s)
  document.title = `${I18n.t("title")} · ${p.documentNumber}`
  const isReport = s.embedded !== undefined
  const canFile = !isReport && s.me.role !== "auditor"

  // The slider's stops come from the plan's columns as of its last day.
  if (s.stops.length === 0) {
    const whole = await s.source.matrix(s.planId, { asOf: p.effectiveUntil, knownAt: s.knownAt }, rootOf(s), 0)
    s.stops = stopsOf(whole.columns, p)
    if (s.asOf === undefined) {
      const today = dateInVietnam(Date.now())
      s.asOf = s.stops.filter((d) => d <= today).pop() ?? s.stops[0] ?? today
      writeHash(s)
    }
  }

  const planSelect = h(
    "select",
    {
      id: "plan",
      disabled: isReport,
      onchange: (e: Event) => {
        s.planId = (e.target as HTMLSelectElement).value
        s.stops = []
        s.asOf = undefined
        void draw(s).catch(showError)
      }
    },
    s.plans.map((q) =>
      h("option", { value: q.planId, selected: q.planId === s.planId }, `${q.documentNumber} — ${q.title}`)
    )
  )
  const stopIndex = Math.max(
    0,
    s.stops.findIndex((d) => d >= (s.asOf ?? "").slice(0, 10))
  )
  const slider = h("input", {
    id: "as-of-slider",
    type: "range",
    min: "0",
    max: String(Math.max(0, s.stops.length - 1)),
    step: "1",
    value: String(stopIndex),
    "aria-label": I18n.t("asOf"),
    "aria-valuetext": s.asOf ?? "",
    disabled: isReport,
    oninput: (e: Event) => {
      const stop = s.stops[Number((e.target as HTMLInputElement).value)]
      if (stop !== undefined) asOfInput.value = stop
    },
    onchange: (e: Event) => {
      const stop = s.stops[Number((e.target as HTMLInputElement).value)]
      if (stop === undefined) return
      s.asOf = stop
      void refresh(s, false)
    }
  })
  const asOfInput = h("input", {
    id: "as-of",
    type: "date",
    value: (s.asOf ?? "").slice(0, 10),
    disabled: isReport,
    onchange: (e: Event) => {
      const value = (e.target as HTMLInputElement).value
      if (value === "") return
      s.asOf = value
      slider.value = String(
        Math.max(
          0,
          s.stops.findIndex((d) => d >= value)
        )
      )
      void refresh(s, false)
    }
  })
  const knownAtInput = h("input", {
    id: "known-at",
    type: "date",
    value: (s.knownAt ?? "").slice(0, 10),
    disabled: isReport,
    "aria-describedby": "known-at-help",
    onchange: (e: Event) => {
      const value = (e.target as HTMLInputElement).value
      s.knownAt = value === "" ? undefined : value
      void refresh(s, false)
    }
  })

  const tabButton = (tab: Tab, label: string) =>
    h(
      "button",
      {
        role: "tab",
        id: `tab-${tab}`,
        "aria-selected": s.tab === tab ? "true" : "false",
        "aria-controls": "panel",
        tabindex: s.tab === tab ? "0" : "-1",
        onclick: () => {
          s.tab = tab
          writeHash(s)
          for (const b of document.querySelectorAll<HTMLElement>("[role=tab]")) {
            b.setAttribute("aria-selected", b.id === `tab-${tab}` ? "true" : "false")
            b.tabIndex = b.id === `tab-${tab}` ? 0 : -1
          }
          void refresh(s, false)
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return
          const tabs = [...document.querySelectorAll<HTMLElement>("[role=tab]")]
          const i = tabs.indexOf(e.currentTarget as HTMLElement)
          const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length]!
          next.focus()
          next.click()
        }
      },
      label
    )

  replace(
    app,
    h(
      "a",
      {
        href: "#main",
        class: "skip",
        onclick: (e: Event) => {
          e.preventDefault()
          document.getElementById("panel")?.focus()
        }
      },
      I18n.t("skip")
    ),
    h(
      "header",
      { class: "top" },
      h("h1", {}, I18n.t("title")),
      h(
        "div",
        { class: "who" },
        isReport
          ? h("span", {}, `${I18n.t("report")} ${instant(s.embedded!.generatedAt)}`)
          : h(
              "span",
              { id: "who" },
              `${I18n.t("signedInAs")} ${s.me.actor} (${I18n.t(`role_${s.me.role}`)}${s.me.unitId === null ? "" : `, ${s.me.unitId}`})`
            ),
        isReport ? null : h("span", { id: "live", class: "live", "aria-live": "polite" }),
        languageButton(() => void draw(s).catch(showError)),
        isReport
          ? null
          : h(
              "button",
              {
                id: "sign-out",
                onclick: () => {
                  s.stopLive?.()
                  sessionStorage.removeItem(TOKEN_KEY)
                  history.replaceState(null, "", location.pathname)
                  signIn()
                }
              },
              I18n.t("signOut")
            )
      )
    ),
    h(
      "section",
      { class: "controls", "aria-label": I18n.t("plan") },
      h("label", { for: "plan" }, I18n.t("plan")),
      planSelect,
      h(
        "div",
        { class: "plan-meta" },
        `${I18n.t("issuer")}: ${p.issuerId} · ${I18n.t("effective")}: ${p.effectiveFrom} – ${p.effectiveUntil}`
      ),
      h("label", { for: "as-of" }, I18n.t("asOf")),
      h("div", { class: "as-of" }, slider, asOfInput),
      h("label", { for: "known-at" }, I18n.t("knownAt")),
      h("div", {}, knownAtInput, h("span", { id: "known-at-help", class: "help" }, ` (${I18n.t("knownAtNow")})`))
    ),
    h("div", { id: "error", role: "alert", class: "error", hidden: true }),
    h(
      "nav",
      { role: "tablist", class: "tabs" },
      tabButton("heatmap", I18n.t("tabHeatmap")),
      tabButton("coverage", I18n.t("tabCoverage")),
      canFile ? tabButton("filing", I18n.t("tabFiling")) : null
    ),
    h(
      "div",
      { class: "body" },
      h("main", { id: "panel", role: "tabpanel", tabindex: "-1", "aria-labelledby": `tab-${s.tab}` }),
      h("aside", {
        id: "explain",
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": "explain-title",
        hidden: true
      })
    )
  )
  if (s.tab === "filing" && !canFile) s.tab = "heatmap"
  await refresh(s, false)
}

// ---------------------------------------------------------------------------
// The tabs

let heat: ReturnType<typeof HeatMap.make> | undefined
let heatHost: HTMLElement | undefined

// Each refresh has a number; an answer that comes back after a later refresh began is dropped,
// so moving the slider quickly never leaves an older view on screen.
let generation = 0

const refresh = async (s: Session, fromLive: boolean) => {
  writeHash(s)
  const panel = document.getElementById("panel")
  if (panel === null) return
  try {
    if (s.tab === "heatmap") await showHeatMap(s, panel, fromLive)
    else if (s.tab === "coverage") {
      if (fromLive) return
      await showCoverage(s, panel)
    } else if (!fromLive) await showFiling(s, panel)
  } catch (error) {
    showError(error)
  }
}

const legend = () =>
  h(
    "div",
    { class: "legend", "aria-label": I18n.t("legend") },
    (["on-time", "late", "missing", "pending"] as const).map((status) =>
      h(
        "span",
        { class: `key ${status}` },
        h("span", { class: "swatch", "aria-hidden": "true" }, HeatMap.symbol[status]),
        I18n.status(status)
      )
    ),
    h(
      "span",
      { class: "key mixed" },
      h("span", { class: "swatch", "aria-hidden": "true" }, "75"),
      I18n.t("legendMixed")
    )
  )

const showHeatMap = async (s: Session, panel: HTMLElement, fromLive: boolean) => {
  const root = rootOf(s)
  const mine = ++generation
  const m = await s.source.matrix(s.planId, view(s), root, 1)
  if (mine !== generation) return
  if (heat === undefined || heatHost === undefined || !panel.contains(heatHost) || !fromLive) {
    heatHost = h("div", { class: "heatmap-host" })
    replace(panel, legend(), h("p", { class: "view-line", id: "view-line" }), heatHost)
    heat = HeatMap.make(heatHost, {
      children: async (unitId) => (await s.source.matrix(s.planId, view(s), unitId, 1)).rows.slice(1),
      open: (row, column, cell, from) => void explain(s, row, column, cell, from).catch(showError),
      error: showError
    })
    heat.expand(root)
  }
  const line = document.getElementById("view-line")
  const viewLine = `${I18n.t("asOf")}: ${instant(m.asOf)} · ${I18n.t("knownAt")}: ${instant(m.knownAt)}`
  if (m.rows.length === 0) {
    if (line !== null) line.textContent = viewLine
    replace(heatHost, h("p", { class: "note", role: "note" }, I18n.t("filingNone")))
    heat = undefined
    return
  }
  await heat.show(m.columns, [m.rows[0]!], new Map([[root, m.rows.slice(1)]]))
  // Said only once the rows are drawn: the line names the view the rows show.
  if (line !== null && mine === generation) line.textContent = viewLine
}

const explain = async (s: Session, row: Row, column: Column, cell: Cell, from: HTMLElement) => {
  const aside = document.getElementById("explain")!
  const close = () => {
    aside.hidden = true
    from.focus()
  }
  aside.hidden = false
  replace(aside, h("p", {}, I18n.t("loading")))
  const [onTime, late, missing, pending] = cell.counts
  const explained = cell.own === null ? undefined : await s.source.explain(s.planId, row.unitId, column, view(s))
  const o = explained?.obligation
  replace(
    aside,
    h(
      "div",
      { class: "explain-head" },
      h("h2", { id: "explain-title" }, `${I18n.t("explanation")}: ${row.name}`),
      h("button", { class: "close", onclick: close, "aria-label": I18n.t("close") }, "×")
    ),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, I18n.t("unit")),
      h("dd", {}, `${row.name} (${row.unitId}, ${row.level})`),
      h("dt", {}, I18n.t("schedule")),
      h("dd", {}, column.scheduleId),
      h("dt", {}, I18n.t("period")),
      h("dd", { id: "explain-period" }, column.period),
      h("dt", {}, I18n.t("deadline")),
      h("dd", { id: "explain-deadline" }, `${instant(column.deadline)} (${column.deadline})`),
      o === undefined
        ? null
        : [
            h("dt", {}, I18n.t("status")),
            h(
              "dd",
              { id: "explain-status", class: `badge ${o.status}` },
              `${HeatMap.symbol[o.status]} ${I18n.status(o.status)}`
            ),
            h("dt", {}, I18n.t("filedAt")),
            h("dd", { id: "explain-filed" }, o.filedAt === null ? "—" : `${instant(o.filedAt)} (${o.filedAt})`),
            h("dt", {}, I18n.t("reportId")),
            h("dd", {}, o.reportId ?? "—"),
            h("dt", {}, I18n.t("rollsUpTo")),
            h("dd", {}, explained!.rollsUpTo.join(" → ") || "—")
          ]
    ),
    row.children > 0 || cell.own === null
      ? h(
          "div",
          { class: "subtree" },
          h("h3", {}, I18n.t("subtreeCounts")),
          h(
            "ul",
            { id: "explain-counts" },
            h("li", {}, `${HeatMap.symbol["on-time"]} ${I18n.t("onTime")}: ${onTime}`),
            h("li", {}, `${HeatMap.symbol.late} ${I18n.t("late")}: ${late}`),
            h("li", {}, `${HeatMap.symbol.missing} ${I18n.t("missing")}: ${missing}`),
            h("li", {}, `${HeatMap.symbol.pending} ${I18n.t("pending")}: ${pending}`)
          ),
          row.children > 0 ? h("p", { class: "help" }, I18n.t("expandHint")) : null
        )
      : null,
    cell.own !== null && explained === undefined
      ? h(
          "p",
          { class: "note" },
          `${I18n.t("reportNoExplain")} `,
          h(
            "code",
            {},
            `kehoach explain --plan ${s.planId} --unit ${row.unitId} --schedule ${column.scheduleId} --period ${column.period} --as-of ${s.asOf ?? ""}`
          )
        )
      : null,
    explained === undefined
      ? null
      : [
          h("h3", {}, I18n.t("events")),
          h(
            "table",
            { class: "events", id: "explain-events" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "col" }, I18n.t("position")),
                h("th", { scope: "col" }, I18n.t("role")),
                h("th", { scope: "col" }, I18n.t("occurredAt")),
                h("th", { scope: "col" }, I18n.t("recordedAt")),
                h("th", { scope: "col" }, I18n.t("hash"))
              )
            ),
            h(
              "tbody",
              {},
              explained.events.map((e) =>
                h(
                  "tr",
                  { "data-position": String(e.position) },
                  h("td", { class: "num" }, String(e.position)),
                  h("td", {}, e.type === undefined ? e.role : `${e.role} (${e.type})`),
                  h("td", {}, instant(e.occurredAt)),
                  h("td", {}, instant(e.recordedAt)),
                  h("td", { class: "hash" }, h("code", { title: e.hash ?? "" }, e.hash === undefined ? "—" : e.hash))
                )
              )
            )
          )
        ]
  )
  aside.onkeydown = (e) => {
    if (e.key === "Escape") close()
  }
  ;(aside.querySelector("button.close") as HTMLElement | null)?.focus()
}

const showCoverage = async (s: Session, panel: HTMLElement) => {
  const root = rootOf(s)
  const tableHost = h("div", { class: "coverage-table-host" })
  const mapHost = h("div", { class: "map-host" }, I18n.t("loading"))
  const depthSelect = h(
    "select",
    {
      id: "coverage-depth",
      disabled: s.embedded !== undefined,
      onchange: (e: Event) => {
        s.coverageDepth = Number((e.target as HTMLSelectElement).value)
        void refresh(s, false)
      }
    },
    [1, 2, 3, 4].map((d) => h("option", { value: String(d), selected: d === s.coverageDepth }, String(d)))
  )
  replace(
    panel,
    h(
      "div",
      { class: "coverage-controls" },
      h("label", { for: "coverage-depth" }, `${I18n.t("level")} ≤ `),
      depthSelect
    ),
    h(
      "div",
      { class: "coverage" },
      h("section", { "aria-label": I18n.t("coverage") }, tableHost),
      h("section", { "aria-label": I18n.t("map") }, h("h2", {}, I18n.t("map")), mapHost)
    )
  )
  const [rows, centres] = await Promise.all([
    s.source.coverage(s.planId, root, s.coverageDepth, view(s)),
    s.source.communes()
  ])
  const shown = s.embedded === undefined ? rows : rows
  CoverageView.table(tableHost, shown)
  CoverageView.map(mapHost, shown, centres)
}

/**
 * After a filing: the message, and when the filing falls after the view (its date, or the knowledge
 * time), a plain statement of it with a button that moves the view to the filing's date.
 */
const filedStatus = (s: Session, filed: FilingView.Filed): HTMLElement | string => {
  const day = dateInVietnam(filed.filedAt)
  const before = (limit: string | undefined) => limit !== undefined && limit.slice(0, 10) < day
  if (!before(s.asOf) && !before(s.knownAt)) return filed.message
  return h(
    "div",
    { id: "filing-status", class: "form-message ok", role: "status", tabindex: "-1" },
    `${filed.message} ${I18n.t("filedAfterView", instant(filed.filedAt))} `,
    h(
      "button",
      {
        type: "button",
        id: "jump-to-filing",
        onclick: () => {
          s.asOf = day
          s.knownAt = undefined
          void draw(s).catch(showError)
        }
      },
      I18n.t("jumpToFiling")
    )
  )
}

const showFiling = async (s: Session, panel: HTMLElement, status?: HTMLElement | string) => {
  if (s.me.role === "auditor") {
    replace(panel, h("p", { class: "note" }, I18n.t("filingReadOnly")))
    return
  }
  const { names, obligations } = await s.source.obligations(s.planId, rootOf(s), view(s))
  FilingView.render(
    panel,
    s.source,
    s.planId,
    obligations,
    names,
    status,
    (filed) => {
      void showFiling(s, panel, filedStatus(s, filed))
        .then(() => document.getElementById("filing-status")?.focus())
        .catch(showError)
    },
    s.me.role === "clerk"
  )
}

// ---------------------------------------------------------------------------
// Start

const start = async () => {
  document.documentElement.lang = I18n.lang()
  const data = document.getElementById("kehoach-data")
  if (data !== null) {
    const embedded = JSON.parse(data.textContent ?? "{}") as Embedded
    const source = Sources.embedded(embedded)
    await begin(source, await source.me(), await source.plans(), embedded)
    return
  }
  const token = sessionStorage.getItem(TOKEN_KEY)
  if (token === null || token === "") signIn()
  else await startLive(token)
}

start().catch(showError)
