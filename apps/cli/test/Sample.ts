/**
 * A small log for the CLI tests, written as NDJSON lines: a province with two
 * districts, three communes and residential areas (names with Vietnamese
 * diacritics, one written decomposed), plan `p-1` with a monthly and an
 * annual report, reports on time, late and missing, and self-managed models.
 */
import { Plan182 } from "@kehoach/fixtures"

const at = (date: string, time = "09:00:00") => `${date}T${time}+07:00`

/**
 * A line of the log. Reports were received on paper and entered from the register (số đến): the
 * log is a record of 2018 imported now, so none of them is an online filing stamped at receipt.
 */
const line = (type: string, occurredAt: string, data: Record<string, unknown>): string =>
  JSON.stringify({
    type,
    occurredAt,
    data: type === "ReportFiled" ? { ...data, channel: "paper", registerNumber: `sđ-${String(data.reportId)}` } : data
  })

/** The units: id, name, level, parent. */
export const units: ReadonlyArray<readonly [string, string, string, string | undefined]> = [
  ["tq", "Tỉnh Tuyên Quang", "province", undefined],
  ["na-hang", "Huyện Na Hang", "district", "tq"],
  // Written decomposed (NFD), as some exports do: the table must still line up.
  ["son-duong", "Huyện Sơn Dương".normalize("NFD"), "district", "tq"],
  ["thuong-lam", "Xã Thượng Lâm", "commune", "na-hang"],
  ["khau-tinh", "Xã Khâu Tinh", "commune", "na-hang"],
  ["hop-thanh", "Xã Hợp Thành", "commune", "son-duong"],
  ["ban-bung", "Thôn Bản Bung", "residential-area", "thuong-lam"],
  ["na-khan", "Thôn Nà Khán", "residential-area", "thuong-lam"],
  ["khuoi-phuong", "Thôn Khuổi Phường", "residential-area", "khau-tinh"],
  ["dong-ban", "Thôn Đồng Bản", "residential-area", "hop-thanh"]
]

/** The lines of the sample log, in order. */
export const lines = (): Array<string> => {
  const out: Array<string> = []
  for (const [unitId, name, level, parentId] of units) {
    out.push(
      line("UnitRegistered", at("2017-10-15"), {
        unitId,
        name,
        level,
        ...(parentId === undefined ? {} : { parentId }),
        ...(unitId === "khau-tinh" ? { tags: ["program-135"] } : {})
      })
    )
  }
  // Plan 182 of the fixtures, issued by the sample's province `tq` (tasks and basis left out).
  const { basis: _basis, tasks: _tasks, ...plan182 } = Plan182.plan
  out.push(line("PlanIssued", at("2018-01-30"), { ...plan182, planId: "p-1", issuerId: "tq" }))
  for (const unitId of ["na-hang", "son-duong", "thuong-lam", "khau-tinh", "hop-thanh"]) {
    out.push(line("UnitAssigned", at("2018-01-30", "10:00:00"), { planId: "p-1", unitId }))
  }
  // February and March: Na Hang on time, Sơn Dương late in March, Thượng Lâm on time, the others missing.
  out.push(
    line("ReportFiled", at("2018-02-15"), {
      reportId: "r-nh-02",
      planId: "p-1",
      unitId: "na-hang",
      scheduleId: "monthly",
      period: "2018-02"
    })
  )
  out.push(
    line("ReportFiled", at("2018-02-16"), {
      reportId: "r-sd-02",
      planId: "p-1",
      unitId: "son-duong",
      scheduleId: "monthly",
      period: "2018-02"
    })
  )
  out.push(
    line("ReportFiled", at("2018-02-17"), {
      reportId: "r-tl-02",
      planId: "p-1",
      unitId: "thuong-lam",
      scheduleId: "monthly",
      period: "2018-02"
    })
  )
  out.push(
    line("ReportFiled", at("2018-03-18"), {
      reportId: "r-nh-03",
      planId: "p-1",
      unitId: "na-hang",
      scheduleId: "monthly",
      period: "2018-03"
    })
  )
  out.push(
    line("ReportFiled", at("2018-03-25"), {
      reportId: "r-sd-03",
      planId: "p-1",
      unitId: "son-duong",
      scheduleId: "monthly",
      period: "2018-03"
    })
  )
  out.push(
    line("ModelEstablished", at("2018-03-01"), {
      modelId: "m-1",
      unitId: "ban-bung",
      kind: "self-managed",
      name: "Tổ tự quản Bản Bung",
      households: 40,
      committed: 38
    })
  )
  out.push(
    line("ModelEstablished", at("2018-03-02"), {
      modelId: "m-2",
      unitId: "khuoi-phuong",
      kind: "self-managed",
      name: "Tổ tự quản Khuổi Phường",
      households: 25,
      committed: 25
    })
  )
  out.push(
    line("ModelEstablished", at("2018-03-03"), {
      modelId: "m-3",
      unitId: "dong-ban",
      kind: "club",
      name: "CLB Đồng Bản",
      households: 10,
      committed: 4
    })
  )
  return out
}

/** The sample log as file text. */
export const text = (): string => lines().join("\n") + "\n"
