/**
 * A few lines of DOM building, so the views read as the markup they make
 * (no framework: the page is small and must load fast from the server).
 */

type Child = Node | string | number | null | undefined | false

/** An element with attributes (`on*` functions become listeners) and children. */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, unknown> = {},
  ...children: ReadonlyArray<Child | ReadonlyArray<Child>>
): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value as EventListener)
    } else if (key === "style" && typeof value === "object") {
      Object.assign(el.style, value)
    } else if (key in el && typeof value !== "string") {
      ;(el as unknown as Record<string, unknown>)[key] = value
    } else {
      el.setAttribute(key, value === true ? "" : String(value))
    }
  }
  append(el, children)
  return el
}

const append = (el: Node, children: ReadonlyArray<Child | ReadonlyArray<Child>>): void => {
  for (const child of children) {
    if (Array.isArray(child)) append(el, child)
    else if (child instanceof Node) el.appendChild(child)
    else if (child !== null && child !== undefined && child !== false)
      el.appendChild(document.createTextNode(String(child)))
  }
}

/** Replaces an element's children. */
export const replace = (el: Element, ...children: ReadonlyArray<Child | ReadonlyArray<Child>>): void => {
  el.replaceChildren()
  append(el, children)
}

/** An instant `2018-03-20T00:00:00+07:00` as `20/03/2018 00:00` in Viet Nam's time (the log's own offset is shown as written). */
export const instant = (iso: string): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(iso)
  if (m === null) return iso
  const ms = Date.parse(iso)
  const local = new Date(ms + 7 * 3600_000)
  const p = (n: number) => String(n).padStart(2, "0")
  return `${p(local.getUTCDate())}/${p(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}`
}

/** The calendar date (YYYY-MM-DD) of an instant in Asia/Ho_Chi_Minh. */
export const dateInVietnam = (msOrIso: number | string): string => {
  const ms = typeof msOrIso === "number" ? msOrIso : Date.parse(msOrIso)
  return new Date(ms + 7 * 3600_000).toISOString().slice(0, 10)
}
