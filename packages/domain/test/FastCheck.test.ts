import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { Events } from "../src/index.js"

// The schemas alone: a Versions object other than the built-in one skips the hand-written validator.
const schemaOnly: Events.Versions = { ...Events.versions }

const valid: ReadonlyArray<Record<string, unknown>> = [
  {
    position: 1,
    id: "018d5f3e-0000-7000-8000-000000000001",
    type: "UnitRegistered",
    version: 1,
    occurredAt: "2018-01-01T00:00:00+07:00",
    recordedAt: "2018-01-02T09:15:00.5Z",
    recordedBy: "import",
    data: { unitId: "070", name: "Thành phố Tuyên Quang", level: "district", parentId: "08", tags: ["key-area"] },
    prevHash: "0".repeat(64),
    hash: "a".repeat(64)
  },
  { type: "UnitMoved", occurredAt: "2018-04-25T08:00:00+07:00", data: { unitId: "02200", parentId: "071" } },
  { type: "UnitClosed", occurredAt: "2018-06-10T00:00:00+07:00", data: { unitId: "02200", successorId: "02209" } },
  {
    type: "PlanIssued",
    occurredAt: "2018-01-30T08:00:00+07:00",
    data: {
      planId: "182-2018",
      documentNumber: "182/KH-MTTQ-BTT",
      title: "Vận động toàn dân",
      issuerId: "08",
      parentPlanId: "132-2018",
      basis: ["132/KH-CAT-PV11"],
      tasks: [{ code: "II.1", text: "Tuyên truyền" }],
      effectiveFrom: "2018-01-30",
      effectiveUntil: "2018-12-31",
      schedules: [
        { scheduleId: "monthly", kind: "monthly", dueBeforeDay: 20 },
        { scheduleId: "annual", kind: "once", period: "2018", dueBefore: "2018-11-30" },
        { scheduleId: "quarterly", kind: "quarterly", dueBeforeDay: 20, dueMonthOffset: 1 },
        { scheduleId: "review", kind: "half-yearly", dueBeforeDay: 15, dueMonthOffset: 0 }
      ]
    }
  },
  {
    type: "UnitAssigned",
    occurredAt: "2018-01-30T09:00:00+07:00",
    data: { planId: "182-2018", unitId: "070", tasks: ["II.1"], schedules: ["monthly"], subPlanDueBy: "2018-02-28" }
  },
  {
    type: "ReportFiled",
    version: 1,
    occurredAt: "2018-03-19T23:59:59+07:00",
    data: {
      reportId: "r1",
      planId: "182-2018",
      unitId: "070",
      scheduleId: "monthly",
      period: "2018-03",
      metrics: { sessions: 12 },
      summary: "",
      supersedes: "r0"
    }
  },
  {
    type: "ModelEstablished",
    occurredAt: "2018-05-01T08:00:00+07:00",
    data: {
      modelId: "m1",
      unitId: "02200-01",
      kind: "self-managed",
      name: "Tổ tự quản",
      planId: "182-2018",
      households: 120,
      committed: 110
    }
  },
  { type: "ModelDissolved", occurredAt: "2018-09-01T08:00:00+07:00", data: { modelId: "m1" } }
]

/** Replaces, deletes or adds a value somewhere inside a JSON value, along a random path. */
const mutate = (value: unknown, path: ReadonlyArray<number>, replacement: unknown, mode: number): unknown => {
  if (typeof value !== "object" || value === null) return replacement
  const keys = Object.keys(value)
  if (keys.length === 0) return replacement
  const key = keys[path[0]! % keys.length]!
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as never) : { ...value }
  if (path.length > 1) {
    copy[key] = mutate((value as Record<string, unknown>)[key], path.slice(1), replacement, mode)
  } else if (mode === 0) {
    copy[key] = replacement
  } else if (mode === 1 && !Array.isArray(value)) {
    delete copy[key]
  } else {
    copy[`${key}x`] = replacement
  }
  return copy
}

const interesting = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    "",
    " 08",
    "2018-02-30",
    "2018-03-19T23:59:59",
    "2018-03-19",
    -1,
    0,
    1.5,
    32,
    null,
    "tinh",
    "a".repeat(201),
    "monthly",
    "once",
    "quarterly",
    "yearly",
    -12,
    13
  )
)

describe("the hand-written validator agrees with the schemas", () => {
  it("accepts every valid line the schemas accept", () => {
    for (const line of valid) {
      assert.isTrue(Either.isRight(Events.decodeLine(line)), JSON.stringify(line))
      assert.isTrue(Either.isRight(Events.decodeLine(line, schemaOnly)), JSON.stringify(line))
    }
  })

  it("reads a line without version as the current version, on both paths", () => {
    // valid[3] is a PlanIssued with quarterly and half-yearly schedules (version 2 only) and no version.
    const plan = valid[3]!
    assert.strictEqual(plan.type, "PlanIssued")
    assert.isUndefined(plan.version)
    const fast = Either.getOrThrow(Events.decodeLine(plan))
    assert.strictEqual(fast, plan, "the hand-written validator took it as it is")
    assert.deepStrictEqual(Either.getOrThrow(Events.decodeLine(plan, schemaOnly)), fast)
    // Written as version 1, the same payload is refused by both: version 1 knows monthly and once only.
    const v1 = { ...plan, version: 1 }
    assert.isTrue(Either.isLeft(Events.decodeLine(v1)))
    assert.strictEqual(
      Either.getOrThrow(Either.flip(Events.decodeLine(v1))).message,
      Either.getOrThrow(Either.flip(Events.decodeLine(v1, schemaOnly))).message
    )
  })

  it("never accepts a mutated line that the schemas refuse", () => {
    fc.assert(
      fc.property(
        fc.nat(valid.length - 1),
        fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }),
        interesting,
        fc.nat(2),
        (which, path, replacement, mode) => {
          const line = mutate(valid[which], path, replacement, mode)
          const fast = Events.decodeLine(line)
          const slow = Events.decodeLine(line, schemaOnly)
          assert.strictEqual(Either.isRight(fast), Either.isRight(slow), JSON.stringify(line))
          if (Either.isLeft(fast) && Either.isLeft(slow)) assert.strictEqual(fast.left.message, slow.left.message)
        }
      ),
      { numRuns: 3000 }
    )
  })
})
