/**
 * Headless Debian Chromium (`/usr/bin/chromium`) driven by `playwright-core`
 * for the dashboard's tests, with a fresh profile in a temp directory and no
 * network of its own. Playwright refuses `--user-data-dir` in `launch` and
 * makes the fresh profile itself (in `os.tmpdir()`, removed on close). Where Chromium is missing the browser tests are skipped
 * by a name that says so, unless `KEHOACH_REQUIRE_BROWSER=1` (CI), where
 * they fail.
 */
import * as fs from "node:fs"
import type { Browser } from "playwright-core"
import { chromium } from "playwright-core"

/** Where Debian installs Chromium (`apt-get install chromium`), or `$KEHOACH_CHROMIUM`. */
export const executablePath = process.env["KEHOACH_CHROMIUM"] ?? "/usr/bin/chromium"

/** Whether Chromium is installed here. */
export const available = fs.existsSync(executablePath)

/** Whether a missing Chromium must fail the suite (`.ci/run` sets it). */
export const required = process.env["KEHOACH_REQUIRE_BROWSER"] === "1"

/** The suffix of a browser test's name: says when it is skipped for want of Chromium. */
export const suffix = available ? "" : ` [skipped: Chromium is missing at ${executablePath}]`

/** Launches Chromium headless with a fresh profile (Playwright's own temp one). */
export const launch = async (): Promise<{ browser: Browser; close: () => Promise<void> }> => {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run"
    ]
  })
  return {
    browser,
    close: () => browser.close()
  }
}
