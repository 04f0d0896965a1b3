/**
 * Filing from the page: what the signed-in recorder's units owe under the
 * plan, and a form per obligation (the period, the filing time, the document
 * number). The form sends `ReportFiled` to `POST /events`, so the rules and
 * the error messages are the API's own, shown as the server wrote them.
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

/**
 * The forms for `obligations`, paged; `onFiled(message)` after a report is
 * recorded (the caller redraws the list with the new statuses and shows it).
 */
export const render = (
  host: HTMLElement,
  source: Source,
  planId: string,
  obligations: ReadonlyArray<Obligation>,
  names: ReadonlyMap<string, string>,
  status: string | undefined,
  onFiled: (message: string) => void
) => {
  const banner =
    status === undefined ? null : h("p", { id: "filing-status", class: "form-message ok", role: "status" }, status)
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
    const time = h("input", {
      type: "datetime-local",
      name: "filedAt",
      required: true,
      value: nowInVietnam(),
      step: "60"
    })
    const ref = h("input", {
      type: "text",
      name: "documentRef",
      required: true,
      placeholder: "12/BC-UBND",
      autocomplete: "off"
    })
    const summary = h("input", { type: "text", name: "summary", autocomplete: "off" })
    const correction = o.reportId !== null
    const submit = h("button", { type: "submit" }, I18n.t("submit"))
    const el = h(
      "form",
      {
        class: "filing-form",
        onsubmit: async (e: Event) => {
          e.preventDefault()
          submit.disabled = true
          message.className = "form-message"
          message.textContent = I18n.t("loading")
          const documentRef = ref.value.trim()
          try {
            const result = await source.file({
              type: "ReportFiled",
              occurredAt: occurredAt(time.value),
              data: {
                reportId: `${o.unitId}/${documentRef}`,
                planId,
                unitId: o.unitId,
                scheduleId: o.scheduleId,
                period: o.period,
                ...(summary.value.trim() === "" ? {} : { summary: summary.value.trim() }),
                ...(correction ? { supersedes: o.reportId } : {})
              }
            })
            onFiled(
              `${I18n.t("filed", result.position)} ${names.get(o.unitId) ?? o.unitId} · ${o.scheduleId} ${o.period}`
            )
          } catch (error) {
            message.className = "form-message error"
            message.textContent =
              error instanceof SourceError && error.kind === "network"
                ? I18n.t("errorNetwork")
                : `${I18n.t("errorServer")}: ${(error as Error).message}`
          } finally {
            submit.disabled = false
          }
        }
      },
      h("label", {}, `${I18n.t("period")} `, h("output", {}, `${o.scheduleId} ${o.period}`)),
      h("label", {}, `${I18n.t("filingTime")} `, time),
      h("label", {}, `${I18n.t("documentRef")} `, ref),
      h("label", {}, `${I18n.t("summary")} `, summary),
      submit,
      message
    )
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
