/**
 * The rules that read a plan document, on the canonical plan 182 and on the
 * plans in the layouts of published plans kept under docs/examples/plans/ (their sources are in the
 * README there): what each rule finds, what it leaves as not found, and the
 * documents it refuses.
 */
import { assert, describe, it } from "@effect/vitest"
import { Events } from "@kehoach/domain"
import * as Plan182 from "@kehoach/fixtures/Plan182"
import { Either } from "effect"
import fc from "fast-check"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Draft, PlanDocument, ReportingRegime } from "../src/index.js"

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
const examples = path.join(root, "docs", "examples", "plans")
const seed = fs.readFileSync(path.join(examples, "ke-hoach-182-KH-MTTQ-BTT-2018.txt"), "utf8")
const example = (name: string) => fs.readFileSync(path.join(examples, name), "utf8")

const read = (text: string): PlanDocument.PlanDocument => {
  const result = PlanDocument.read(text)
  if (Either.isLeft(result)) throw new Error(`expected a plan, got ${result.left.message}`)
  return result.right
}

const refused = (text: string): string => {
  const result = PlanDocument.read(text)
  if (Either.isRight(result)) throw new Error("expected the document to be refused")
  return `${result.left._tag}: ${result.left.message}`
}

const draft = (doc: PlanDocument.PlanDocument, options: Draft.Options): Draft.Draft => {
  const result = Draft.make(doc, options)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe("plan 182/KH-MTTQ-BTT (the seed)", () => {
  const doc = read(seed)

  it("reads the header: issuer block, number (normalised), place and date, title", () => {
    assert.strictEqual(doc.issuer?.value, "ỦY BAN MTTQ VIỆT NAM / TỈNH TUYÊN QUANG / BAN THƯỜNG TRỰC")
    assert.strictEqual(doc.issuerLevel, "province")
    assert.strictEqual(doc.documentNumber?.value, "182/KH-MTTQ-BTT")
    assert.strictEqual(doc.documentNumber?.sentence, "Số: 182/KH- MTTQ-BTT")
    assert.strictEqual(doc.place?.value, "Tuyên Quang")
    assert.strictEqual(doc.issuedOn?.value, "2018-01-30")
    assert.strictEqual(doc.title?.value, Plan182.plan.title)
  })

  it("drafts the PlanIssued of DOMAIN.md §3: the fixture's payload, tasks in full", () => {
    const d = draft(doc, { issuerId: "08" })
    assert.strictEqual(d.planVersion, 1)
    const plan = d.lines[0]!
    assert.strictEqual(plan.type, "PlanIssued")
    assert.strictEqual(plan.occurredAt, "2018-01-30T00:00:00+07:00")
    const { tasks, ...rest } = plan.data as unknown as Events.PlanIssued
    const { tasks: fixtureTasks, ...expected } = Plan182.plan
    assert.deepStrictEqual(rest, expected)
    assert.deepStrictEqual(
      tasks?.map((t) => t.code),
      fixtureTasks?.map((t) => t.code)
    )
    // The fixture abridges the tasks; the draft keeps each item whole, its second paragraph included.
    assert.isTrue(tasks![2]!.text.endsWith("hạn chế tái phạm tội."))
    // Every line is an event this software reads.
    for (const line of d.lines) assert.isTrue(Either.isRight(Events.decodeLine(JSON.parse(JSON.stringify(line)))))
  })

  it("finds the levels of section III and whether each builds its own plan; the issuer itself is not assigned", () => {
    assert.deepStrictEqual(
      doc.assignments.map((a) => [a.level, a.item, a.ownPlan, a.subPlanDueBy]),
      [
        ["district", "III.2", true, undefined],
        ["commune", "III.3", true, undefined]
      ]
    )
    assert.deepStrictEqual(
      doc.others.map((o) => [o.item, o.issuerItself]),
      [["III.1", true]]
    )
  })

  it("assigns the units given for each level, with the due dates given for their own plans", () => {
    const d = draft(doc, {
      issuerId: "08",
      units: { district: ["070", "071"], commune: ["02200"] },
      subPlanDueBy: { district: "2018-02-15" }
    })
    assert.deepStrictEqual(
      d.lines.slice(1).map((l) => l.data),
      [
        { planId: "182-2018", unitId: "070", subPlanDueBy: "2018-02-15" },
        { planId: "182-2018", unitId: "071", subPlanDueBy: "2018-02-15" },
        { planId: "182-2018", unitId: "02200" }
      ]
    )
    const review = new Map(d.review.map((r) => [r.field, r]))
    assert.strictEqual(review.get("sub-plan due (commune)")?.value, "(not found)")
    assert.strictEqual(review.get("schedule monthly")?.source, "line 46: - Báo cáo tháng: Trước ngày 20 hàng tháng.")
  })

  it("lists what the document leaves out and drafts nothing without it", () => {
    const result = Draft.make(doc, {})
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.strictEqual(
        result.left.message,
        "cannot draft the plan: not found in the document and not given: issuer unit (--issuer)"
      )
    }
  })
})

describe("plans in the layouts of published plans of other issuers and years (docs/examples/plans)", () => {
  const cases: ReadonlyArray<{
    file: string
    number: string
    place: string
    issuedOn: string
    title: string | undefined
    until: string | undefined
    basis: number
    level: Events.Level | undefined
  }> = [
    {
      file: "bac-ninh-155-KH-UBND-2017.txt",
      number: "155/KH-UBND",
      place: "Bắc Ninh",
      issuedOn: "2017-05-26",
      title:
        "TRIỂN KHAI CHƯƠNG TRÌNH HÀNH ĐỘNG QUỐC GIA VỀ ĐĂNG KÝ VÀ THỐNG KÊ HỘ TỊCH GIAI ĐOẠN 2017 - 2024 TRÊN ĐỊA BÀN TỈNH BẮC NINH",
      until: "2024-12-31",
      basis: 1,
      level: "province"
    },
    {
      file: "ha-noi-36-KH-UBND-2018.txt",
      number: "36/KH-UBND",
      place: "Hà Nội",
      issuedOn: "2018-01-31",
      title: "PHÒNG, CHỐNG MA TÚY TRÊN ĐỊA BÀN THÀNH PHỐ HÀ NỘI NĂM 2018",
      until: "2018-12-31",
      basis: 2,
      level: "province"
    },
    {
      file: "ninh-binh-130-KH-UBND-2022.txt",
      number: "130/KH-UBND",
      place: "Ninh Bình",
      issuedOn: "2022-07-13",
      title: undefined,
      until: undefined,
      basis: 1,
      level: undefined
    },
    {
      file: "son-la-36-KH-UBND-2024.txt",
      number: "36/KH-UBND",
      place: "Sơn La",
      issuedOn: "2024-02-02",
      title:
        "THỰC HIỆN ĐỀ ÁN “NÂNG CAO HIỆU QUẢ CÔNG TÁC CAI NGHIỆN MA TÚY, ĐÀO TẠO NGHỀ GẮN VỚI GIẢI QUYẾT VIỆC LÀM, HỖ TRỢ TÁI HÒA NHẬP CỘNG ĐỒNG CHO NGƯỜI SAU CAI NGHIỆN MA TÚY TRÊN ĐỊA BÀN TỈNH SƠN LA ĐẾN NĂM 2025, ĐỊNH HƯỚNG ĐẾN NĂM 2030” NĂM 2024",
      until: "2024-12-31",
      basis: 1,
      level: "province"
    },
    {
      file: "nghe-an-695-KH-UBND-2025.txt",
      number: "695/KH-UBND",
      place: "Nghệ An",
      issuedOn: "2025-08-21",
      title: "TRIỂN KHAI XÂY DỰNG XÃ, PHƯỜNG KHÔNG MA TÚY TRÊN ĐỊA BÀN TỈNH NGHỆ AN GIAI ĐOẠN 2025 - 2030",
      until: "2030-12-31",
      basis: 2,
      level: "province"
    },
    {
      file: "nghe-an-1154-KH-UBND-2025.txt",
      number: "1154/KH-UBND",
      place: "Nghệ An",
      issuedOn: "2025-12-29",
      title:
        "TRIỂN KHAI THỰC HIỆN CHƯƠNG TRÌNH MỤC TIÊU QUỐC GIA PHÒNG, CHỐNG MA TÚY ĐẾN NĂM 2030 TRÊN ĐỊA BÀN TỈNH NGHỆ AN",
      until: "2030-12-31",
      basis: 1,
      level: undefined
    }
  ]
  for (const c of cases) {
    it(c.file, () => {
      const doc = read(example(c.file))
      assert.strictEqual(doc.documentNumber?.value, c.number)
      assert.strictEqual(doc.place?.value, c.place)
      assert.strictEqual(doc.issuedOn?.value, c.issuedOn)
      assert.strictEqual(doc.title?.value, c.title)
      assert.strictEqual(doc.effectiveUntil?.value, c.until)
      assert.strictEqual(doc.basis.length, c.basis)
      assert.strictEqual(doc.issuerLevel, c.level)
      // These are the openings of the documents: no regime, no tasks, no levels are made up for them.
      assert.deepStrictEqual([doc.schedules.length, doc.tasks.length, doc.assignments.length], [0, 0, 0])
    })
  }

  it("the basis stops where the preamble goes on (Sơn La: 'Theo đề nghị …', Hà Nội: 'UBND Thành phố xây dựng Kế hoạch …')", () => {
    const sonLa = read(example("son-la-36-KH-UBND-2024.txt"))
    assert.isTrue(sonLa.basis[0]!.value.startsWith("Quyết định số 1736/QĐ-UBND ngày 08/9/2023"))
    assert.isTrue(sonLa.basis[0]!.value.endsWith("định hướng đến năm 2030”"))
    const haNoi = read(example("ha-noi-36-KH-UBND-2018.txt"))
    assert.isTrue(haNoi.basis[1]!.value.startsWith("Kế hoạch số 175/KH-UBND ngày 24/7/2017"))
    assert.isTrue(haNoi.basis[1]!.value.endsWith("trên địa bàn thành phố Hà Nội đến năm 2020"))
  })

  it("a plan without a title is not drafted until the options give one (Ninh Bình 2022, Decree 30 table layout)", () => {
    const doc = read(example("ninh-binh-130-KH-UBND-2022.txt"))
    const result = Draft.make(doc, { issuerId: "37" })
    assert.isTrue(Either.isLeft(result) && result.left._tag === "MissingFields")
    if (Either.isLeft(result) && result.left._tag === "MissingFields") {
      assert.deepStrictEqual(
        result.left.fields.map((f) => f.option),
        ["--title", "--until"]
      )
    }
    const d = draft(doc, {
      issuerId: "37",
      title: "Giám sát, đánh giá thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021-2025",
      effectiveUntil: "2025-12-31"
    })
    assert.strictEqual((d.lines[0]!.data as { planId: string }).planId, "130-2022")
  })
})

describe("the reporting regime", () => {
  const clause = (text: string) => {
    const result = ReportingRegime.readClause(text, 1)
    if (Either.isLeft(result)) throw new Error(result.left.message)
    return result.right[0] as ReportingRegime.Found | undefined
  }

  it("reads the regime of a letter in the layout of a published one (Bà Rịa – Vũng Tàu 2539/UBND-SNV, 2012): month, quarter, half-year, year", () => {
    const lines = example("ba-ria-vung-tau-2539-UBND-SNV-2012-regime.txt")
      .split("\n")
      .filter((l) => l.includes("Báo cáo"))
    assert.deepStrictEqual(
      lines.map((l) => clause(l.replace(/^\s*•\s*/u, ""))),
      [
        { kind: "monthly", dueBeforeDay: 15 },
        { kind: "quarterly", dueBeforeDay: 5, dueMonthOffset: 0 },
        { kind: "half-yearly", dueBeforeDay: 5, dueMonthOffset: 0 },
        { kind: "yearly", dueBeforeDay: 25, dueMonthOffset: -1 }
      ]
    )
    // The letter is not a plan: it has no KẾ HOẠCH heading and no plan number.
    assert.strictEqual(
      refused(example("ba-ria-vung-tau-2539-UBND-SNV-2012-regime.txt")),
      'NotAPlan: not a plan (kế hoạch): no "KẾ HOẠCH" heading and no document number'
    )
  })

  const table: ReadonlyArray<readonly [string, ReturnType<typeof clause>]> = [
    ["Báo cáo tháng: Trước ngày 20 hàng tháng.", { kind: "monthly", dueBeforeDay: 20 }],
    [
      "Báo cáo năm: Trước ngày 30/11/2018.",
      { kind: "once", cadence: "yearly", period: "2018", dueBefore: "2018-11-30" }
    ],
    ["báo cáo quý gửi trước ngày 20 tháng cuối quý", { kind: "quarterly", dueBeforeDay: 20, dueMonthOffset: 0 }],
    ["Báo cáo quý trước ngày 15 tháng đầu quý sau", { kind: "quarterly", dueBeforeDay: 15, dueMonthOffset: 1 }],
    ["Báo cáo sơ kết 6 tháng trước ngày 15/6 hằng năm", { kind: "half-yearly", dueBeforeDay: 15, dueMonthOffset: 0 }],
    [
      "báo cáo 6 tháng đầu năm trước ngày 10 tháng 7 năm 2026",
      { kind: "once", cadence: "half-yearly", period: "2026-H1", dueBefore: "2026-07-10" }
    ],
    [
      "Báo cáo 6 tháng cuối năm 2025 trước ngày 15/01/2026",
      { kind: "once", cadence: "half-yearly", period: "2025-H2", dueBefore: "2026-01-15" }
    ],
    [
      "Báo cáo quý I trước ngày 10/4/2026",
      { kind: "once", cadence: "quarterly", period: "2026-Q1", dueBefore: "2026-04-10" }
    ],
    ["Báo cáo tổng kết năm trước ngày 15/12 hàng năm", { kind: "yearly", dueBeforeDay: 15, dueMonthOffset: 0 }],
    ["Báo cáo năm gửi chậm nhất ngày 05/01 năm sau", { kind: "yearly", dueBeforeDay: 5, dueMonthOffset: 1 }],
    ["Tổ chức hội nghị trước ngày 20/11/2018", undefined],
    ["Báo cáo kết quả thực hiện về Sở Nội vụ", undefined]
  ]
  for (const [text, expected] of table) it(text, () => assert.deepStrictEqual(clause(text), expected))

  it("reads every deadline of a clause, each with the words before it", () => {
    assert.deepStrictEqual(
      ReportingRegime.readClause(
        "Định kỳ 6 tháng (trước ngày 15/6) và hằng năm (trước ngày 15/12), báo cáo kết quả về UBND tỉnh",
        1
      ),
      Either.right([
        { kind: "half-yearly", dueBeforeDay: 15, dueMonthOffset: 0 },
        { kind: "yearly", dueBeforeDay: 15, dueMonthOffset: 0 }
      ])
    )
  })

  it("the subject of an assignment ends at its colon", () => {
    const text = seed.replace(
      "2. Ban Thường trực Ủy ban Mặt trận Tổ quốc các huyện, thành phố phối hợp",
      "2. Ủy ban nhân dân các huyện, thành phố: Căn cứ Kế hoạch này chỉ đạo các xã, phường, thị trấn; phối hợp"
    )
    assert.deepStrictEqual(
      read(text).assignments.map((a) => [a.level, a.item]),
      [
        ["district", "III.2"],
        ["commune", "III.3"]
      ]
    )
  })

  it("a quarterly, half-yearly or yearly regime drafts PlanIssued version 2", () => {
    const text = seed.replace(
      "- Báo cáo năm: Trước ngày 30/11/2018.",
      "- Báo cáo quý: Trước ngày 15 tháng đầu quý sau."
    )
    const d = draft(read(text), { issuerId: "08" })
    assert.strictEqual(d.planVersion, 2)
    assert.strictEqual(d.lines[0]!.version, 2)
    // The domain reads version 2 (the reporting regimes): the draft is an event it takes.
    assert.isTrue(Either.isRight(Events.decodeLine(JSON.parse(JSON.stringify(d.lines[0])))))
    assert.deepStrictEqual((d.lines[0]!.data as { schedules: unknown }).schedules, [
      { scheduleId: "monthly", kind: "monthly", dueBeforeDay: 20 },
      { scheduleId: "quarterly", kind: "quarterly", dueBeforeDay: 15, dueMonthOffset: 1 }
    ])
  })
})

describe("documents that are refused", () => {
  it("an empty document, or one of blanks", () => {
    assert.strictEqual(refused(""), "EmptyDocument: the document is empty")
    assert.strictEqual(refused(" \n\t\n| |\n"), "EmptyDocument: the document is empty")
  })

  it("a document that is not a plan (a decision)", () => {
    const decision =
      "ỦY BAN NHÂN DÂN\nTỈNH KON TUM\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 06/2024/QĐ-UBND\nKon Tum, ngày 25 tháng 01 năm 2024\nQUYẾT ĐỊNH\nQUY ĐỊNH CHẾ ĐỘ BÁO CÁO ĐỊNH KỲ"
    assert.strictEqual(
      refused(decision),
      'NotAPlan: not a plan (kế hoạch): no "KẾ HOẠCH" heading, and its number 06/2024/QĐ-UBND is not a plan\'s (…/KH-…)'
    )
  })

  it("a date of issue or a deadline that does not exist", () => {
    assert.strictEqual(
      refused(seed.replace("ngày  30 tháng 01 năm 2018", "ngày 30 tháng 02 năm 2018")),
      'InvalidDate: line 14: the date "ngày 30 tháng 02 năm 2018" does not exist'
    )
    assert.strictEqual(
      refused(seed.replace("Trước ngày 30/11/2018", "Trước ngày 31/11/2018")),
      'InvalidDate: line 48: the date "31/11/2018" does not exist'
    )
  })
})

describe("laws", () => {
  it("reading never throws: any text is a plan, a typed refusal, or nothing found", () => {
    fc.assert(
      fc.property(
        fc.string({
          maxLength: 400,
          unit: fc.constantFrom(
            ..."KẾ HOẠCH Số: 1/KH-UB,ngày 30 tháng 02 năm I.1.-\n|báo cáo trước 20/11/2018 hàng quý"
          )
        }),
        (text) => {
          const result = PlanDocument.read(text)
          assert.isTrue(Either.isLeft(result) || Either.isRight(result))
        }
      )
    )
  })

  it("a date of issue is read back exactly when it exists, and refused when it does not", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1990, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const text = `ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\nSố: 1/KH-UBND\nHà Giang, ngày ${day} tháng ${month} năm ${year}\nKẾ HOẠCH\nViệc năm ${year}\n`
          const result = PlanDocument.read(text)
          const exists = new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day
          if (exists) {
            assert.strictEqual(
              Either.isRight(result) ? result.right.issuedOn?.value : undefined,
              `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`
            )
          } else assert.isTrue(Either.isLeft(result) && result.left._tag === "InvalidDate")
        }
      )
    )
  })
})
