/**
 * Coverage of models over residential areas: a table of units with bars
 * (paged, so a thousand rows stay smooth) and a map of communes as points at
 * their centres, coloured by coverage, drawn by Observable Plot as SVG with
 * no tile server. Units without coordinates (every unit of the 2017 lists)
 * are in the table only, and the map says how many.
 */
import * as Plot from "@observablehq/plot"
import * as Coordinates from "./Coordinates.js"
import { h, replace } from "./Dom.js"
import * as I18n from "./I18n.js"
import type { CoverageRow } from "./Source.js"

const PAGE = 50

/** The table of coverage rows with a bar per row, paged. */
export const table = (host: HTMLElement, rows: ReadonlyArray<CoverageRow>) => {
  let page = 0
  const pages = Math.max(1, Math.ceil(rows.length / PAGE))
  const draw = () => {
    const slice = rows.slice(page * PAGE, page * PAGE + PAGE)
    replace(
      host,
      h(
        "table",
        { class: "coverage-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, I18n.t("unit")),
            h("th", { scope: "col" }, I18n.t("level")),
            h("th", { scope: "col", class: "num" }, I18n.t("residentialAreas")),
            h("th", { scope: "col", class: "num" }, I18n.t("covered")),
            h("th", { scope: "col", class: "bar-col" }, I18n.t("coverage")),
            h("th", { scope: "col", class: "num" }, I18n.t("households")),
            h("th", { scope: "col", class: "num" }, I18n.t("committed"))
          )
        ),
        h(
          "tbody",
          {},
          slice.map((row) =>
            h(
              "tr",
              { "data-unit": row.unitId },
              h("th", { scope: "row" }, row.name),
              h("td", {}, row.level),
              h("td", { class: "num" }, I18n.number(row.residentialAreas)),
              h("td", { class: "num" }, I18n.number(row.covered)),
              h(
                "td",
                { class: "bar-col" },
                h(
                  "div",
                  { class: "bar", role: "img", "aria-label": `${I18n.t("coverage")} ${I18n.percent(row.coverage)}` },
                  h("div", { class: "bar-fill", style: { width: `${(row.coverage ?? 0) * 100}%` } })
                ),
                h("span", { class: "bar-text" }, row.coverage === null ? I18n.t("noData") : I18n.percent(row.coverage))
              ),
              h("td", { class: "num" }, I18n.number(row.households)),
              h("td", { class: "num" }, I18n.number(row.committed))
            )
          )
        )
      ),
      pages > 1
        ? h(
            "nav",
            { class: "pager", "aria-label": I18n.t("page") },
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
            h("span", {}, `${I18n.t("page")} ${page + 1} / ${pages} (${I18n.number(rows.length)} ${I18n.t("rows")})`),
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

/** The map of communes that have coordinates, and a note on those that have none. */
export const map = (
  host: HTMLElement,
  rows: ReadonlyArray<CoverageRow>,
  centres: ReadonlyMap<string, Coordinates.Centre>
) => {
  const communes = rows.filter((r) => r.level === "commune")
  const points: Array<CoverageRow & { lat: number; lon: number }> = []
  for (const row of communes) {
    const code = Coordinates.communeCodeOf(row.unitId, row.name, centres)
    const centre = code === undefined ? undefined : centres.get(code)
    if (centre !== undefined) points.push({ ...row, lat: centre[0], lon: centre[1] })
  }
  const without = communes.length - points.length
  if (points.length === 0) {
    replace(host, h("p", { class: "note", role: "note" }, I18n.t("mapNone")))
    return
  }
  const title = (d: CoverageRow) =>
    `${d.name}\n${I18n.t("coverage")}: ${d.coverage === null ? I18n.t("noData") : I18n.percent(d.coverage)} (${d.covered}/${d.residentialAreas})`
  const withData = points.filter((p) => p.coverage !== null)
  const noData = points.filter((p) => p.coverage === null)
  const svg = Plot.plot({
    width: 640,
    height: 560,
    projection: {
      type: "mercator",
      domain: { type: "MultiPoint", coordinates: points.map((p) => [p.lon, p.lat]) },
      inset: 12
    },
    color: {
      type: "linear",
      domain: [0, 1],
      range: ["#c0392b", "#f1c40f", "#1e8449"],
      legend: true,
      label: I18n.t("coverage"),
      tickFormat: "%"
    },
    marks: [
      Plot.graticule({ stroke: "#ddd" }),
      Plot.dot(noData, { x: "lon", y: "lat", r: 3, fill: "#fff", stroke: "#888", symbol: "square", title }),
      Plot.dot(withData, { x: "lon", y: "lat", r: 4, fill: "coverage", stroke: "#333", strokeWidth: 0.5, title })
    ]
  })
  replace(
    host,
    h(
      "figure",
      { class: "map" },
      svg,
      h(
        "figcaption",
        {},
        `${I18n.number(points.length)} ${I18n.t("mapSome", I18n.number(without))} □ = ${I18n.t("noData")}`
      )
    )
  )
}
