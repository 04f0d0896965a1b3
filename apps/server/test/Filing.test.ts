/**
 * Filing times over a real server and store (DOMAIN.md "Filing time", decision 0013): the
 * reproductions of issue 20 and each bad filing refused with one line naming the field, nothing
 * written.
 */
import { assert, describe, it } from "@effect/vitest"
import { afterAll, beforeAll } from "vitest"
import * as Harness from "./Harness.js"

let h: Harness.Harness
beforeAll(async () => {
  h = await Harness.start()
})
afterAll(() => h.close())

const { admin, auditor, clerkD1, recC1 } = Harness.tokens
const append = async (token: string, body: unknown) => {
  const r = await h.call("/events", token, { method: "POST", body: JSON.stringify(body) })
  return { status: r.status, body: (await r.json()) as any }
}
const position = async () => ((await (await h.call("/digest", auditor.token)).json()) as any).position as number
const obligation = async (unitId: string, period: string, asOf: string) => {
  const r = await h.call(`/compliance?planId=182&asOf=${asOf}&unit=${unitId}&depth=0`, auditor.token)
  const body = (await r.json()) as any
  return body.obligations.find((o: any) => o.scheduleId === "monthly" && o.period === period)
}
const vietnamDay = (ms: number) => new Date(ms + 7 * 3600_000).toISOString().slice(0, 10)
const at = (ms: number) => new Date(ms).toISOString()

describe("filing times", () => {
  it("a recorder's backdated online filing is refused (422 naming occurredAt): a missing report stays missing", async () => {
    const before = await position()
    const r = await append(recC1.token, { ...Harness.report("C1", "2018-08"), occurredAt: "2018-08-15T09:00:00+07:00" })
    assert.strictEqual(r.status, 422)
    assert.strictEqual(r.body.rule, "OnlineFilingTime")
    assert.strictEqual(r.body.violation.field, "occurredAt")
    assert.match(r.body.message, /^occurredAt: report r-C1-2018-08 was filed online, so it is filed when received/)
    assert.strictEqual(await position(), before)
    assert.strictEqual((await obligation("C1", "2018-08", "2018-12-31")).status, "missing")
  })

  it("a filing time in the future is refused, online (422) and on paper (the domain's rule, 422)", async () => {
    const before = await position()
    const online = await append(recC1.token, {
      ...Harness.report("C1", "2018-09"),
      occurredAt: "2030-01-01T00:00:00+07:00"
    })
    assert.strictEqual(online.status, 422)
    assert.strictEqual(online.body.violation.field, "occurredAt")
    const paper = await append(admin.token, {
      ...Harness.paperReport("C1", "2018-09"),
      occurredAt: "2030-01-01T00:00:00+07:00"
    })
    assert.strictEqual(paper.status, 422)
    assert.strictEqual(paper.body.rule, "FilingTimeAfterRecording")
    assert.match(paper.body.message, /^occurredAt: .*2030-01-01T00:00:00\+07:00.*clock allowance 120 s/)
    assert.strictEqual(await position(), before)
  })

  it("an online filing without a time is filed at receipt, and carries its channel and recording time", async () => {
    const sent = Date.now()
    const r = await append(recC1.token, Harness.report("C1", "2018-10"))
    assert.strictEqual(r.status, 200)
    const o = await obligation("C1", "2018-10", vietnamDay(sent + 86_400_000))
    assert.strictEqual(o.status, "late")
    assert.strictEqual(o.channel, "online")
    assert.strictEqual(o.filedAt, o.recordedAt)
    assert.isAtMost(Math.abs(Date.parse(o.filedAt) - sent), 60_000)
    assert.isNull(o.registerNumber)
    // A stated time within the allowance is taken, and stamped with the receipt all the same.
    const close = await append(recC1.token, { ...Harness.report("C1", "2018-11"), occurredAt: at(Date.now() - 30_000) })
    assert.strictEqual(close.status, 200)
    const stamped = await obligation("C1", "2018-11", vietnamDay(sent + 86_400_000))
    assert.strictEqual(stamped.filedAt, stamped.recordedAt)
  })

  it("paper: a recorder may not (403), a clerk may within the window for its subtree, an admin beyond it", async () => {
    const before = await position()
    const byRecorder = await append(recC1.token, Harness.paperReport("C1", "2018-12"))
    assert.strictEqual(byRecorder.status, 403)
    assert.match(byRecorder.body.message, /recorder and files online/)
    // 2018 is far beyond the clerk's 60 days.
    const old = await append(clerkD1.token, Harness.paperReport("C1", "2018-12"))
    assert.strictEqual(old.status, 403)
    assert.match(old.body.message, /^occurredAt: 2018-12-10T10:00:00\+07:00 is more than 60 days before receipt/)
    const noRegister = await append(clerkD1.token, {
      ...Harness.report("C1", "2018-12"),
      occurredAt: at(Date.now() - 86_400_000),
      data: { ...Harness.report("C1", "2018-12").data, channel: "paper" }
    })
    assert.strictEqual(noRegister.status, 422)
    assert.strictEqual(noRegister.body.rule, "InvalidFiling")
    assert.strictEqual(noRegister.body.violation.field, "data.registerNumber")
    // The clerk of D1 does not receive for D2, nor enter anything but reports.
    const otherSubtree = await append(clerkD1.token, {
      ...Harness.paperReport("D2", "2018-12"),
      occurredAt: at(Date.now() - 86_400_000)
    })
    assert.strictEqual(otherSubtree.status, 403)
    const notAReport = await append(clerkD1.token, {
      type: "UnitMoved",
      occurredAt: "2018-06-01T00:00:00+07:00",
      data: { unitId: "C1", parentId: "D1" }
    })
    assert.strictEqual(notAReport.status, 403)
    assert.strictEqual(await position(), before)
    // Received yesterday: the clerk enters it, and both times are on record.
    const received = at(Date.now() - 86_400_000)
    const ok = await append(clerkD1.token, { ...Harness.paperReport("C1", "2018-12"), occurredAt: received })
    assert.strictEqual(ok.status, 200, JSON.stringify(ok.body))
    const o = await obligation("C1", "2018-12", vietnamDay(Date.now() + 86_400_000))
    assert.strictEqual(o.channel, "paper")
    assert.strictEqual(o.registerNumber, "sđ-C1-2018-12")
    assert.strictEqual(Date.parse(o.filedAt), Date.parse(received))
    assert.isAbove(Date.parse(o.recordedAt), Date.parse(o.filedAt))
    // The admin may enter a paper report beyond the window (the seed's 2018 report is one).
    const seeded = await obligation("D1", "2018-02", "2018-12-31")
    assert.strictEqual(seeded.status, "on-time")
    assert.strictEqual(seeded.channel, "paper")
  })

  it("GET /audit/backdated lists the filings recorded more than the window after their filing time, as the CLI does", async () => {
    const ask = async (query: string) => {
      const r = await h.call(`/audit/backdated${query}`, auditor.token)
      return { status: r.status, body: (await r.json()) as any }
    }
    const wide = await ask("?over=3d")
    assert.strictEqual(wide.status, 200)
    assert.strictEqual(wide.body.overDays, 3)
    // The seed's 2018 report entered on paper by the admin now; the clerk's of yesterday is within 3 days.
    const ids = wide.body.filings.map((f: any) => f.reportId)
    assert.include(ids, "r-d1-2018-02")
    assert.notInclude(ids, "r-C1-2018-12")
    const seeded = wide.body.filings.find((f: any) => f.reportId === "r-d1-2018-02")
    assert.deepInclude(seeded, { unitId: "D1", channel: "paper", registerNumber: "sđ-12/2018", recordedBy: "admin@P" })
    const all = await ask("?unitId=C1")
    assert.deepStrictEqual(
      all.body.filings.map((f: any) => [f.reportId, f.channel, f.recordedBy]),
      [["r-C1-2018-12", "paper", "clerk@D1"]]
    )
    assert.strictEqual((await ask("?over=3x")).status, 400)
  })
})
