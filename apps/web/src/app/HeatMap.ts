/**
 * The compliance heat map: rows are units, a tree expanded level by level
 * from the root (the plan's issuer, or a recorder's unit); columns are the
 * periods of each schedule, grouped by schedule, built from the matrix's
 * (scheduleId, period) pairs so any kind of schedule just works.
 *
 * A cell says its status in a symbol and in words (its label), not in colour
 * alone. Only the rows in sight are in the DOM, so a tree of thousands of
 * rows scrolls smoothly; arrow keys move between cells, Enter opens one.
 */
import { h, replace } from "./Dom.js"
import * as I18n from "./I18n.js"
import type { Cell, Column, Row, Status } from "./Source.js"

const ROW_HEIGHT = 30
const OVERSCAN = 8

/** A symbol per status, so the map reads without colour. */
export const symbol: Record<Status, string> = { "on-time": "✓", late: "!", missing: "✗", pending: "○" }

/** The status class of a cell: its own status for a leaf, else the worst among the units below. */
export const cellStatus = (cell: Cell, leaf: boolean): Status => {
  if (leaf && cell.own !== null) return cell.own
  const [, late, missing] = cell.counts
  const due = cell.counts[0] + late + missing
  return due === 0 ? "pending" : missing > 0 ? "missing" : late > 0 ? "late" : "on-time"
}

/** What a cell shows: a leaf's symbol, or the on-time share of the units below. */
const cellText = (cell: Cell, leaf: boolean): string => {
  if (leaf && cell.own !== null) return symbol[cell.own]
  const [onTime, late, missing] = cell.counts
  const due = onTime + late + missing
  return due === 0 ? symbol.pending : `${Math.round((onTime / due) * 100)}`
}

const cellLabel = (row: Row, column: Column, cell: Cell, leaf: boolean): string => {
  const [onTime, late, missing, pending] = cell.counts
  const what =
    leaf && cell.own !== null
      ? I18n.status(cell.own)
      : `${I18n.t("onTime")} ${onTime}, ${I18n.t("late")} ${late}, ${I18n.t("missing")} ${missing}, ${I18n.t("pending")} ${pending}`
  return `${row.name}, ${column.scheduleId} ${column.period}: ${what}`
}

/** The columns in display order: grouped by schedule (in order of first deadline), by deadline within. */
export const displayOrder = (columns: ReadonlyArray<Column>): Array<number> => {
  const firstOf = new Map<string, number>()
  columns.forEach((c, i) => {
    if (!firstOf.has(c.scheduleId)) firstOf.set(c.scheduleId, i)
  })
  return columns
    .map((_, i) => i)
    .sort((a, b) => firstOf.get(columns[a]!.scheduleId)! - firstOf.get(columns[b]!.scheduleId)! || a - b)
}

/** What the heat map needs from the page. */
export interface Handlers {
  /** The children rows of a unit (from the API or the report's data). */
  readonly children: (unitId: string) => Promise<ReadonlyArray<Row>>
  /** A cell was opened. */
  readonly open: (row: Row, column: Column, cell: Cell, from: HTMLElement) => void
  /** An error while expanding. */
  readonly error: (error: unknown) => void
}

/** A heat map in `host`; `show` (re)draws it with new rows and columns, keeping what was expanded. */
export const make = (host: HTMLElement, handlers: Handlers) => {
  let columns: ReadonlyArray<Column> = []
  let order: Array<number> = []
  const expanded = new Set<string>()
  const childrenOf = new Map<string, ReadonlyArray<Row>>()
  let roots: ReadonlyArray<Row> = []
  let visible: Array<Row> = []
  // Rows carry their depth in the plan's whole tree; the map indents from its own root.
  let baseDepth = 0

  const scroller = h("div", { class: "grid-scroll", tabindex: "-1" })
  const table = h("table", { class: "heatmap", role: "grid", "aria-rowcount": "0" })
  const thead = h("thead")
  const tbody = h("tbody")
  table.append(thead, tbody)
  scroller.append(table)
  replace(host, scroller)

  const flatten = () => {
    visible = []
    const walk = (rows: ReadonlyArray<Row>) => {
      for (const row of rows) {
        visible.push(row)
        if (expanded.has(row.unitId)) walk(childrenOf.get(row.unitId) ?? [])
      }
    }
    walk(roots)
    table.setAttribute("aria-rowcount", String(visible.length + 2))
  }

  const header = () => {
    const groups: Array<{ scheduleId: string; span: number }> = []
    for (const i of order) {
      const id = columns[i]!.scheduleId
      const last = groups[groups.length - 1]
      if (last !== undefined && last.scheduleId === id) last.span++
      else groups.push({ scheduleId: id, span: 1 })
    }
    replace(
      thead,
      h(
        "tr",
        {},
        h("th", { class: "unit-col", rowspan: "2", scope: "col" }, I18n.t("unit")),
        h(
          "th",
          { class: "total-col", rowspan: "2", scope: "col", title: I18n.t("reportingRate") },
          I18n.t("reportingRate")
        ),
        h("th", { class: "total-col", rowspan: "2", scope: "col", title: I18n.t("onTimeRate") }, I18n.t("onTimeRate")),
        h(
          "th",
          { class: "count-col", rowspan: "2", scope: "col" },
          `${symbol["on-time"]} ${symbol.late} ${symbol.missing} ${symbol.pending}`
        ),
        groups.map((g) => h("th", { colspan: String(g.span), scope: "colgroup", class: "schedule" }, g.scheduleId))
      ),
      h(
        "tr",
        {},
        order.map((i) => {
          const c = columns[i]!
          return h(
            "th",
            { scope: "col", class: "period", title: `${I18n.t("deadline")}: ${c.deadline}` },
            shortPeriod(c.period)
          )
        })
      )
    )
  }

  // Rows are written as one HTML string per redraw and their buttons answered by one listener
  // on the body: a scroll redraws a screenful of rows in a few milliseconds.
  const rowHtml = (row: Row, r: number): string => {
    const isLeaf = row.children === 0
    const open = expanded.has(row.unitId)
    const toggle = isLeaf
      ? `<span class="toggle-space"></span>`
      : `<button class="toggle" data-r="${r}" data-c="-1" aria-expanded="${open}" aria-label="${escape(
          `${open ? I18n.t("collapse") : I18n.t("expand")}: ${row.name}`
        )}">${open ? "▾" : "▸"}</button>`
    const t = row.total
    let html =
      `<tr aria-rowindex="${r + 3}" data-unit="${escape(row.unitId)}" style="height:${ROW_HEIGHT}px">` +
      `<th scope="row" class="unit-col" style="padding-left:${0.4 + (row.depth - baseDepth) * 1.1}em">${toggle}` +
      `<span class="unit-name" title="${escape(`${row.unitId} · ${row.level}`)}">${escape(row.name)}</span></th>` +
      `<td class="total-col">${I18n.percent(t.reportingRate)}</td><td class="total-col">${I18n.percent(t.onTimeRate)}</td>` +
      `<td class="count-col">${t.onTime} ${t.late} ${t.missing} ${t.pending}</td>`
    order.forEach((i, c) => {
      const cell = row.cells[i] ?? null
      if (cell === null) {
        html += `<td class="cell none" aria-label="${escape(I18n.t("nothingOwed"))}"></td>`
        return
      }
      const label = escape(cellLabel(row, columns[i]!, cell, isLeaf))
      const selected = selection === `${row.unitId}|${i}` ? " selected" : ""
      html += `<td class="cell ${cellStatus(cell, isLeaf)}${selected}"><button data-r="${r}" data-c="${c}" aria-label="${label}" title="${label}">${cellText(
        cell,
        isLeaf
      )}</button></td>`
    })
    return `${html}</tr>`
  }

  let selection: string | undefined
  tbody.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest("button")
    if (button === null || button.dataset["r"] === undefined) return
    const r = Number(button.dataset["r"])
    const c = Number(button.dataset["c"])
    const row = visible[r]
    if (row === undefined) return
    if (c < 0) {
      void toggleRow(row, r)
      return
    }
    const i = order[c]!
    const cell = row.cells[i]
    if (cell === null || cell === undefined) return
    for (const el of tbody.querySelectorAll("td.selected")) el.classList.remove("selected")
    button.parentElement?.classList.add("selected")
    selection = `${row.unitId}|${i}`
    handlers.open(row, columns[i]!, cell, button)
  })

  let drawn = ""
  const render = (force = false) => {
    const top = scroller.scrollTop
    const height = scroller.clientHeight || 600
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN)
    const last = Math.min(visible.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN)
    const key = `${first}:${last}:${visible.length}`
    if (!force && key === drawn) return
    drawn = key
    const focused =
      document.activeElement instanceof HTMLElement && tbody.contains(document.activeElement)
        ? [document.activeElement.dataset["r"], document.activeElement.dataset["c"]]
        : undefined
    let html = `<tr class="spacer" aria-hidden="true" style="height:${first * ROW_HEIGHT}px"></tr>`
    for (let r = first; r < last; r++) html += rowHtml(visible[r]!, r)
    html += `<tr class="spacer" aria-hidden="true" style="height:${(visible.length - last) * ROW_HEIGHT}px"></tr>`
    tbody.innerHTML = html
    if (focused !== undefined) {
      tbody.querySelector<HTMLElement>(`[data-r="${focused[0]}"][data-c="${focused[1]}"]`)?.focus()
    }
  }
  scroller.addEventListener("scroll", () => requestAnimationFrame(() => render()))

  const focusAt = (r: number, c: number) => {
    if (r < 0 || r >= visible.length) return
    const rowTop = r * ROW_HEIGHT
    const headerHeight = thead.getBoundingClientRect().height
    if (rowTop < scroller.scrollTop) scroller.scrollTop = rowTop
    else if (rowTop + ROW_HEIGHT > scroller.scrollTop + scroller.clientHeight - headerHeight) {
      scroller.scrollTop = rowTop + ROW_HEIGHT - scroller.clientHeight + headerHeight
    }
    render()
    const candidates = tbody.querySelectorAll<HTMLElement>(`[data-r="${r}"]`)
    let best: HTMLElement | undefined
    for (const el of candidates) {
      if (Number(el.dataset["c"]) <= c) best = el
    }
    ;(best ?? candidates[0])?.focus()
  }

  tbody.addEventListener("keydown", (event) => {
    const target = event.target as HTMLElement
    if (target.dataset["r"] === undefined) return
    const r = Number(target.dataset["r"])
    const c = Number(target.dataset["c"])
    const moves: Record<string, [number, number]> = {
      ArrowUp: [r - 1, c],
      ArrowDown: [r + 1, c],
      ArrowLeft: [r, Math.max(-1, c - 1)],
      ArrowRight: [r, Math.min(order.length - 1, c + 1)],
      Home: [r, -1],
      End: [r, order.length - 1]
    }
    const move = moves[event.key]
    if (move === undefined) return
    event.preventDefault()
    focusAt(move[0], move[1])
  })

  const toggleRow = async (row: Row, r: number) => {
    if (expanded.has(row.unitId)) {
      expanded.delete(row.unitId)
    } else {
      if (!childrenOf.has(row.unitId)) {
        try {
          childrenOf.set(row.unitId, await handlers.children(row.unitId))
        } catch (error) {
          handlers.error(error)
          return
        }
      }
      expanded.add(row.unitId)
    }
    flatten()
    render(true)
    focusAt(r, -1)
  }

  return {
    /**
     * Draws new data: the root rows with their children already known.
     * Expanded units stay expanded; their children are fetched again.
     */
    show: async (
      nextColumns: ReadonlyArray<Column>,
      rootRows: ReadonlyArray<Row>,
      known: ReadonlyMap<string, ReadonlyArray<Row>>
    ) => {
      columns = nextColumns
      order = displayOrder(columns)
      roots = rootRows
      baseDepth = Math.min(...rootRows.map((r) => r.depth))
      childrenOf.clear()
      for (const [k, v] of known) childrenOf.set(k, v)
      for (const unitId of [...expanded]) {
        if (childrenOf.has(unitId)) continue
        try {
          childrenOf.set(unitId, await handlers.children(unitId))
        } catch {
          expanded.delete(unitId)
        }
      }
      header()
      flatten()
      render(true)
    },
    /** Expands a unit (its children were given to `show`). */
    expand: (unitId: string) => {
      expanded.add(unitId)
    },
    /** The rows on screen now (for tests and the report). */
    rows: () => visible
  }
}

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const shortPeriod = (period: string): string => {
  const monthly = /^(\d{4})-(\d{2})$/.exec(period)
  return monthly === null ? period : `${monthly[2]}/${monthly[1]!.slice(2)}`
}
