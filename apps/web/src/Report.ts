/**
 * One self-contained HTML file with the dashboard's views of one plan: the
 * page's script, its style sheet and the data inlined, so it opens from an
 * e-mail or a disk with no server and no network, and prints.
 */
import * as Assets from "./Assets.js"

/** What the file carries (the page's `Embedded` data); built by the caller from the domain's projections. */
export interface Data {
  readonly generatedAt: string
  readonly plan: {
    readonly planId: string
    readonly documentNumber: string
    readonly title: string
    readonly issuerId: string
    readonly effectiveFrom: string
    readonly effectiveUntil: string
  }
  readonly matrix: unknown
  readonly coverage: unknown
  readonly coverageRoot: string
  readonly communes: ReadonlyArray<readonly [string, number, number, string, string]>
  readonly explanations: Readonly<Record<string, unknown>> | null
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

// Inside <script>, only "</script" (and "<!--") can end or confuse the element; "<\/" means the same in JS and JSON strings.
const inScript = (s: string): string => s.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--")

/** The centres of the 2025 communes, as the page reads them. */
export const communes = (): ReadonlyArray<readonly [string, number, number, string, string]> =>
  (
    JSON.parse(Assets.text("communes-2025-07-01.json")) as {
      rows: ReadonlyArray<readonly [string, number, number, string, string]>
    }
  ).rows

/** The HTML file. */
export const html = (data: Data): string => {
  const json = JSON.stringify(data).replace(/</g, "\\u003c")
  return [
    "<!doctype html>",
    '<html lang="vi">',
    "<head>",
    '<meta charset="utf-8">',
    '<link rel="icon" href="data:,">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`${data.plan.documentNumber} — ${data.plan.title}`)}</title>`,
    `<style>${Assets.text("app.css").replace(/<\/style/gi, "<\\/style")}</style>`,
    "</head>",
    "<body>",
    '<div id="app"><p class="loading">Đang tải… / Loading…</p></div>',
    `<script type="application/json" id="kehoach-data">${json}</script>`,
    `<script type="module">${inScript(Assets.text("app.js"))}</script>`,
    "</body>",
    "</html>",
    ""
  ].join("\n")
}
