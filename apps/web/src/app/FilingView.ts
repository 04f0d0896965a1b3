/**
 * Filing from the page: what the signed-in user's units owe under the plan,
 * and a form per obligation. A recorder (or an admin) files online, now: the
 * form has no time field, since the server stamps the filing when it receives
 * it (DOMAIN.md "Filing time"). A clerk (văn thư) enters a report received on
 * paper: the date it was received and its incoming register number (số đến).
 * The form sends `ReportFiled` to `POST /events`, so the rules and the error
 * messages are the API's own; a period already filed is offered as a
 * correction that supersedes the report on record.
 */
import { h, instant, replace } from "./Dom.js"
import * as I18n from "./I18n.js"
import type { Obligation, Source } from "./Source.js"
import { SourceError } from "./Source.js"

const PAGE = 25

/** The filing time as the log takes it: a `datetime-local` value read in Viet Nam's time. */
export const occurredAt = (local: string): string => `${local.length === 16 ? `${local}:00` : local}+07:00`

const nowInVietnam = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 16)

/** The schedule id of the domain's sub-plan obligations: met by issuing a plan, not by a report. */
export const subPlan = "sub-plan"

/** What the caller learns of a filing the log recorded. */
export interface Filed {
  readonly message: string
  /** The filing time, as the log holds it (the receipt time of an online filing). */
  readonly filedAt: string
}

/** The refused rule's data in a server error: a period already filed names the report on record. */
const existingReport = (error: unknown): string | undefined => {
  if (!(error instanceof SourceError)) return undefined
  const body = error.body as { rule?: string; violation?: { existingReportId?: string } } | undefined
  return body?.rule === "DuplicateReport" ? body.violation?.existingReportId : undefined
}

/**
 * The forms for `obligations`, paged; `onFiled(filed)` after a report is
 * recorded (the caller redraws the list with the new statuses and shows it).
 * `paper`: the signed-in user is a clerk, whose forms enter paper filings.
 */
export const render = (
  host: HTMLElement,
  source: Source,
  planId: string,
  obligations: ReadonlyArray<Obligation>,
  names: ReadonlyMap<string, string>,
  status: HTMLElement | string | undefined,
  onFiled: (filed: Filed) => void,
  paper = false
) => {
  const banner =
    status === undefined
      ? null
      : typeof status === "string"
        ? h("p", { id: "filing-status", class: "form-message ok", role: "status", tabindex: "-1" }, status)
        : status
  if (obligations.length === 0) {
    replace(host, banner, h("p", { class: "note" }, I18n.t("filingNone")))
    return
  }
  // What still needs doing first: missing, then pending, then the ones filed (to correct).
  const rank = { missing: 0, pending: 1, late: 2, "on-time": 3 } as const
  const sorted = [...obligations].sort(
    (a, b) => rank[a.status] - rank[b.status] || a.deadline.localeCompare(b.deadline)
  )
  let page = 0
  const pages = Math.ceil(sorted.length / PAGE)
  const form = (o: Obligation) => {
    const message = h("p", { class: "form-message", role: "status", "aria-live": "polite" })
    // A clerk states the date the document was received; an online filing is filed at receipt.
    const received = h("input", {
      type: "datetime-local",
      name: "receivedAt",
      required: true,
      value: nowInVietnam(),
      step: "60"
    })
    const register = h("input", {
      type: "text",
      name: "registerNumber",
      required: true,
      placeholder: "125/SĐ",
      autocomplete: "off"
    })
    const ref = h("input", {
      type: "text",
      name: "documentRef",
      required: true,
      placeholder: "12/BC-UBND",
      autocomplete: "off"
    })
    const summary = h("input", { type: "text", name: "summary", autocomplete: "off" })
    const submit = h("button", { type: "submit" }, I18n.t("submit"))
    const send = async (supersedes: string | null) => {
      submit.disabled = true
      message.className = "form-message"
      message.textContent = I18n.t("loading")
      const documentRef = ref.value.trim()
      const stated = paper ? { occurredAt: occurredAt(received.value) } : {}
      try {
        const result = await source.file({
          type: "ReportFiled",
          ...stated,
          data: {
            reportId: `${o.unitId}/${documentRef}`,
            planId,
            unitId: o.unitId,
            scheduleId: o.scheduleId,
            period: o.period,
            channel: paper ? "paper" : "online",
            ...(paper ? { registerNumber: register.value.trim() } : {}),
            ...(summary.value.trim() === "" ? {} : { summary: summary.value.trim() }),
            ...(supersedes === null ? {} : { supersedes })
          }
        })
        onFiled({
          message: `${I18n.t("filed", result.position)} ${names.get(o.unitId) ?? o.unitId} · ${o.scheduleId} ${o.period}`,
          filedAt: paper ? occurredAt(received.value) : new Date().toISOString()
        })
      } catch (error) {
        message.className = "form-message error"
        const existing = existingReport(error)
        if (existing !== undefined) {
          // The period is filed already (perhaps after the view's date): offer the correction path.
          replace(
            message,
            `${I18n.t("alreadyFiled", existing)} `,
            h(
              "button",
              {
                type: "button",
                class: "supersede",
                onclick: () => {
                  void send(existing)
                }
              },
              I18n.t("fileCorrection", existing)
            )
          )
        } else {
          message.textContent =
            error instanceof SourceError && error.kind === "network"
              ? I18n.t("errorNetwork")
              : `${I18n.t("errorServer")}: ${(error as Error).message}`
        }
      } finally {
        submit.disabled = false
      }
    }
    const el = h(
      "form",
      {
        class: "filing-form",
        onsubmit: (e: Event) => {
          e.preventDefault()
          void send(o.reportId)
        }
      },
      h("label", {}, `${I18n.t("period")} `, h("output", {}, `${o.scheduleId} ${o.period}`)),
      paper
        ? [
            h("label", {}, `${I18n.t("receivedAt")} `, received),
            h("label", {}, `${I18n.t("registerNumber")} `, register)
          ]
        : h("p", { class: "note" }, I18n.t("filedOnReceipt")),
      h("label", {}, `${I18n.t("documentRef")} `, ref),
      h("label", {}, `${I18n.t("summary")} `, summary),
      submit,
      message
    )
    const correction = o.reportId !== null
    const head = [
      h("span", { class: `badge ${o.status}` }, I18n.status(o.status)),
      ` ${names.get(o.unitId) ?? o.unitId} (${o.unitId}) · ${o.scheduleId} ${o.period} · ${I18n.t("deadline")} ${instant(o.deadline)}`
    ]
    // A sub-plan is met by the unit issuing its own plan: there is no report to file for it.
    if (o.scheduleId === subPlan) {
      return h("div", { class: `obligation ${o.status}` }, head, ` — ${I18n.t("subPlanNote")}`)
    }
    return h(
      "details",
      { class: `obligation ${o.status}`, "data-obligation": `${o.unitId}|${o.scheduleId}|${o.period}` },
      h(
        "summary",
        {},
        head,
        correction ? ` · ${I18n.t("reportId")} ${o.reportId} — ${I18n.t("correct")}` : ` — ${I18n.t("file")}`
      ),
      el
    )
  }
  const draw = () => {
    replace(
      host,
      banner,
      h("p", {}, I18n.t("filingIntro")),
      sorted.slice(page * PAGE, page * PAGE + PAGE).map(form),
      pages > 1
        ? h(
            "nav",
            { class: "pager" },
            h(
              "button",
              {
                disabled: page === 0,
                onclick: () => {
                  page--
                  draw()
                }
              },
              I18n.t("previous")
            ),
            h("span", {}, `${I18n.t("page")} ${page + 1} / ${pages}`),
            h(
              "button",
              {
                disabled: page >= pages - 1,
                onclick: () => {
                  page++
                  draw()
                }
              },
              I18n.t("next")
            )
          )
        : null
    )
  }
  draw()
}
