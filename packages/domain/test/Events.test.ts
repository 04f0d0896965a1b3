import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { Events, Time } from "../src/index.js"

const reason = (input: unknown, versions?: Events.Versions) => {
  const result = Events.decodeLine(input, versions)
  if (Either.isRight(result)) throw new Error("expected a decoding error")
  return result.left.message
}

const line = {
  type: "ReportFiled",
  occurredAt: "2018-03-19T23:30:00+07:00",
  data: { reportId: "bc-070-2018-03", planId: "182-2018", unitId: "070", scheduleId: "monthly", period: "2018-03" }
}

describe("Events: decoding unknown JSON", () => {
  it("decodes an NDJSON line into a typed event", () => {
    const decoded = Either.getOrThrow(Events.decodeLine(line))
    assert.strictEqual(decoded.type, "ReportFiled")
    if (decoded.type === "ReportFiled") assert.strictEqual(decoded.data.period, "2018-03")
  })

  it("decodes every line of the hash-chain vector, envelope included", async () => {
    const { readFileSync } = await import("node:fs")
    const text = readFileSync(new URL("../../fixtures/data/chain.ndjson", import.meta.url), "utf8")
    const lines = text
      .trim()
      .split("\n")
      .map((l) => Either.getOrThrow(Events.parseLine(l)))
    assert.deepStrictEqual(
      lines.map((l) => [l.position, l.type]),
      [
        [1, "UnitRegistered"],
        [2, "UnitRegistered"],
        [3, "ReportFiled"]
      ]
    )
  })

  it("names the field and what was expected", () => {
    assert.strictEqual(
      reason({ ...line, type: "UnitRegistered", data: { unitId: "08", name: "Tỉnh Tuyên Quang", level: "tinh" } }),
      `invalid event: data.level: expected one of "province", "district", "commune", "residential-area", got "tinh"`
    )
    const { reportId: _, ...withoutId } = line.data
    assert.strictEqual(reason({ ...line, data: withoutId }), "invalid event: data.reportId: is required but missing")
    assert.match(
      reason({ ...line, occurredAt: "2018-03-19 23:30" }),
      /^invalid event: occurredAt: expected an ISO 8601 instant with offset/
    )
    assert.match(reason({ ...line, occurredAt: "2018-03-19T23:30:00" }), /^invalid event: occurredAt:/)
    assert.match(
      reason({ ...line, type: "ReportSent" }),
      /^invalid event: type: expected one of UnitRegistered, UnitMoved, .*, got "ReportSent"$/
    )
    assert.strictEqual(
      reason({ ...line, data: { ...line.data, metrics: { sessions: -1 } } }),
      "invalid event: data.metrics.sessions: expected a whole number >= 0, got -1"
    )
    assert.strictEqual(reason([]), "invalid event: expected a JSON object")
  })

  it("refuses fields it does not know, so a misspelt field is never silently dropped", () => {
    assert.strictEqual(
      reason({ ...line, data: { ...line.data, suppersedes: "x" } }),
      "invalid event: data.suppersedes: is not a field of this event"
    )
    assert.strictEqual(reason({ ...line, extra: 1 }), "invalid event: extra: is not a field of this event")
  })

  it("reports JSON syntax errors as invalid events", () => {
    const result = Events.parseLine('{"type": ')
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) assert.match(result.left.message, /^invalid event: not valid JSON/)
  })

  it("refuses a version newer than it knows", () => {
    assert.strictEqual(
      reason({ ...line, version: 3 }),
      "invalid event: version: version 3 of ReportFiled is newer than this software knows (2)"
    )
  })

  it("upcasts an old payload version before validating it", () => {
    // A hypothetical version 2 of ReportFiled renamed `note` (v1) to `summary`.
    const versions: Events.Versions = {
      current: { ...Events.currentVersion, ReportFiled: 2 },
      upcasters: {
        ReportFiled: {
          1: (data) => {
            const { note, ...rest } = data as Record<string, unknown>
            return note === undefined ? rest : { ...rest, summary: note }
          }
        }
      }
    }
    const v1 = { ...line, version: 1, data: { ...line.data, note: "Tháng hành động" } }
    const decoded = Either.getOrThrow(Events.decodeLine(v1, versions))
    assert.strictEqual(decoded.type === "ReportFiled" && decoded.data.summary, "Tháng hành động")
    // Without the upcaster the old field is refused, and a missing step is named.
    assert.match(reason(v1), /data\.note: is not a field/)
    assert.strictEqual(
      reason(v1, { current: versions.current, upcasters: {} }),
      "invalid event: version: no upcaster from version 1 of ReportFiled to version 2"
    )
  })

  it("knows which unit and plan an event concerns", () => {
    const decoded = Either.getOrThrow(Events.decodeLine(line))
    assert.strictEqual(Events.unitOf(decoded), "070")
    assert.strictEqual(Events.planOf(decoded), "182-2018")
  })
})

describe("Time: instants and local dates in Asia/Ho_Chi_Minh", () => {
  it("parses instants with offsets, to the millisecond", () => {
    assert.strictEqual(Time.parseInstant("2018-03-19T17:00:00Z"), Time.parseInstant("2018-03-20T00:00:00+07:00"))
    assert.strictEqual(Time.parseInstant("2018-03-20T00:00:00+07:00"), Date.UTC(2018, 2, 19, 17))
    assert.strictEqual(Time.parseInstant("2018-03-19T23:59:59.5+07:00"), Date.UTC(2018, 2, 19, 16, 59, 59, 500))
    assert.strictEqual(Time.parseInstant("2018-03-19T10:00:00-05:30"), Date.UTC(2018, 2, 19, 15, 30))
  })

  it("refuses what is not an instant with an offset", () => {
    for (const bad of [
      "2018-03-19T23:59:59",
      "2018-02-30T00:00:00Z",
      "2018-03-19T24:00:00Z",
      "2018-03-19",
      "x",
      "2018-03-19T23:59:59.1234Z"
    ]) {
      assert.strictEqual(Time.parseInstant(bad), undefined, bad)
    }
  })

  it("formats instants in local time", () => {
    assert.strictEqual(Time.formatInstant(Date.UTC(2018, 2, 19, 17)), "2018-03-20T00:00:00+07:00")
    assert.strictEqual(Time.formatInstant(Date.UTC(2018, 2, 19, 17, 0, 0, 5)), "2018-03-20T00:00:00.005+07:00")
  })

  it("reads a query date as the end of that local day", () => {
    assert.strictEqual(Time.parseQueryTime("2018-06-25"), Time.parseInstant("2018-06-25T23:59:59.999+07:00"))
    assert.strictEqual(Time.parseQueryTime("2018-06-25T10:00:00Z"), Date.UTC(2018, 5, 25, 10))
    assert.strictEqual(Time.parseQueryTime("25/06/2018"), undefined)
  })

  it("puts a monthly deadline at the start of the due day, or the end of a month without that day", () => {
    assert.strictEqual(Time.formatInstant(Time.monthlyDeadline(2018, 3, 20)), "2018-03-20T00:00:00+07:00")
    assert.strictEqual(Time.formatInstant(Time.monthlyDeadline(2018, 4, 31)), "2018-05-01T00:00:00+07:00")
    assert.strictEqual(Time.formatInstant(Time.monthlyDeadline(2018, 2, 29)), "2018-03-01T00:00:00+07:00")
    assert.strictEqual(Time.formatInstant(Time.monthlyDeadline(2020, 2, 29)), "2020-02-29T00:00:00+07:00")
  })
})

describe("Time: formatting agrees with the platform's calendar", () => {
  it("formats any instant from 1900 to 2200 as Date does, shifted to +07:00", async () => {
    const fc = (await import("fast-check")).default
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), (ms) => {
        const shifted = new Date(ms + 7 * 3_600_000).toISOString() // 2018-03-20T00:00:00.000Z
        const expected = shifted.endsWith(".000Z") ? `${shifted.slice(0, 19)}+07:00` : `${shifted.slice(0, 23)}+07:00`
        assert.strictEqual(Time.formatInstant(ms), expected)
        assert.strictEqual(Time.parseInstant(Time.formatInstant(ms)), ms)
      }),
      { numRuns: 2000 }
    )
  })
})
