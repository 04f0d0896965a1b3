/**
 * The data of the dashboard's tests: the plan-182 demo (Tuyên Quang, 2018,
 * 2017 units without coordinates) and, after it, a small 2025 plan over the
 * 124 communes of Tuyên Quang after the reorganisation of 1 July 2025 (ids
 * `2025-<GSO code>`, which the map joins to the communes' centres), with two
 * residential areas each, some models and three months of reports.
 */
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"

/** The 2025 plan's id. */
export const planId2025 = "tq-2025"

/** The 2025 province's id. */
export const province2025 = "2025-08"

const communes = (): Array<{ code: string; name: string }> => {
  const file = fileURLToPath(new URL("../data/communes-2025-07-01.json", import.meta.url))
  const data = JSON.parse(Fs.readFileSync(file, "utf8")) as { rows: Array<[string, number, number, string, string]> }
  return data.rows
    .filter((r) => r[3] === "08")
    .map((r) => ({ code: r[0], name: r[4] }))
    .sort((a, b) => a.code.localeCompare(b.code))
}

// A deterministic 0..99 per key (FNV-1a), so the scenario is the same on every run.
const roll = (key: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0
  return h % 100
}

/** The 2025 events, as `POST /events` takes them (one batch). */
export const events2025 = (): Array<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = []
  const at = (date: string) => `${date}T08:00:00+07:00`
  out.push({
    type: "UnitRegistered",
    occurredAt: at("2025-07-01"),
    data: { unitId: province2025, name: "Tỉnh Tuyên Quang (2025)", level: "province" }
  })
  const list = communes()
  for (const c of list) {
    const unitId = `2025-${c.code}`
    out.push({
      type: "UnitRegistered",
      occurredAt: at("2025-07-01"),
      data: { unitId, name: c.name, level: "commune", parentId: province2025 }
    })
    for (const n of [1, 2]) {
      out.push({
        type: "UnitRegistered",
        occurredAt: at("2025-07-01"),
        data: { unitId: `${unitId}-0${n}`, name: `Thôn ${n} (${c.name})`, level: "residential-area", parentId: unitId }
      })
    }
  }
  out.push({
    type: "PlanIssued",
    occurredAt: at("2025-07-05"),
    data: {
      planId: planId2025,
      documentNumber: "25/KH-MTTQ-BTT",
      title: "Toàn dân phòng, chống ma túy 6 tháng cuối năm 2025",
      issuerId: province2025,
      effectiveFrom: "2025-07-05",
      effectiveUntil: "2025-12-31",
      schedules: [{ scheduleId: "monthly", kind: "monthly", dueBeforeDay: 20 }]
    }
  })
  for (const c of list)
    out.push({
      type: "UnitAssigned",
      occurredAt: at("2025-07-06"),
      data: { planId: planId2025, unitId: `2025-${c.code}` }
    })
  for (const c of list) {
    const unitId = `2025-${c.code}`
    for (const n of [1, 2]) {
      if (roll(`model ${c.code} ${n}`) < 60) {
        out.push({
          type: "ModelEstablished",
          occurredAt: at("2025-08-01"),
          data: {
            modelId: `m-${c.code}-${n}`,
            unitId: `${unitId}-0${n}`,
            kind: "self-managed",
            name: `Tổ tự quản ${n}`,
            households: 100,
            committed: 90
          }
        })
      }
    }
    for (const month of ["07", "08", "09"]) {
      const r = roll(`report ${c.code} ${month}`)
      if (r >= 85) continue
      const day = r < 70 ? "15" : "25"
      out.push({
        type: "ReportFiled",
        occurredAt: at(`2025-${month}-${day}`),
        data: {
          reportId: `${unitId}/${month}`,
          planId: planId2025,
          unitId,
          scheduleId: "monthly",
          period: `2025-${month}`,
          channel: "paper",
          registerNumber: `${month}/${c.code}`
        }
      })
    }
  }
  return out
}
