/**
 * The page's words in Vietnamese (the default: the users are Vietnamese
 * officials) and English, behind one `t(key)`; the choice is kept in
 * `localStorage` (it is not a secret, unlike the token).
 */

const vi = {
  title: "Theo dõi thực hiện kế hoạch",
  language: "English",
  signIn: "Đăng nhập",
  signOut: "Đăng xuất",
  token: "Mã truy cập (token)",
  tokenHelp: "Mã do quản trị viên cấp. Chỉ được giữ trong thẻ trình duyệt này.",
  signedInAs: "Đang đăng nhập:",
  role_admin: "quản trị",
  role_recorder: "cập nhật số liệu",
  role_clerk: "văn thư",
  role_auditor: "kiểm tra",
  plan: "Kế hoạch",
  asOf: "Tính đến ngày",
  knownAt: "Theo số liệu đã ghi đến",
  knownAtNow: "để trống: hiện tại",
  tabHeatmap: "Tình hình báo cáo",
  tabCoverage: "Độ bao phủ mô hình",
  tabFiling: "Nộp báo cáo",
  unit: "Đơn vị",
  totals: "Tổng",
  onTime: "Đúng hạn",
  late: "Trễ hạn",
  missing: "Chưa nộp (quá hạn)",
  pending: "Chưa đến hạn",
  reportingRate: "Tỷ lệ đã nộp",
  onTimeRate: "Tỷ lệ đúng hạn",
  legend: "Chú giải",
  legendMixed: "Ô của đơn vị cấp trên: tỷ lệ đúng hạn của các đơn vị bên dưới; màu theo tình trạng xấu nhất",
  expand: "Mở các đơn vị trực thuộc",
  collapse: "Thu gọn",
  loading: "Đang tải…",
  nothingOwed: "Không có nghĩa vụ báo cáo",
  explanation: "Giải trình",
  close: "Đóng",
  obligation: "Nghĩa vụ",
  schedule: "Chế độ báo cáo",
  period: "Kỳ",
  deadline: "Hạn (trước thời điểm)",
  status: "Tình trạng",
  filedAt: "Nộp lúc",
  reportId: "Số báo cáo",
  rollsUpTo: "Tính vào tổng của",
  events: "Các sự kiện trong sổ",
  position: "Vị trí",
  role: "Vai trò",
  occurredAt: "Xảy ra lúc",
  recordedAt: "Ghi sổ lúc",
  hash: "Mã băm",
  subtreeCounts: "Số nghĩa vụ của đơn vị và các đơn vị trực thuộc",
  expandHint: "Mở đơn vị để xem từng nghĩa vụ.",
  coverage: "Độ bao phủ",
  residentialAreas: "Khu dân cư",
  covered: "Có mô hình",
  households: "Hộ",
  committed: "Hộ cam kết",
  level: "Cấp",
  map: "Bản đồ xã, phường (tâm xã)",
  mapNone:
    "Các đơn vị này chưa có toạ độ: bản đồ chỉ vẽ các xã, phường sau ngày 01/07/2025 (có toạ độ tâm xã). Bảng bên dưới vẫn đầy đủ.",
  mapSome: "xã, phường có toạ độ; {n} đơn vị không có toạ độ chỉ có trong bảng.",
  noData: "chưa có số liệu",
  page: "Trang",
  previous: "Trước",
  next: "Sau",
  rows: "dòng",
  file: "Nộp báo cáo",
  correct: "Nộp bản sửa",
  filingTime: "Thời điểm nộp",
  receivedAt: "Ngày đến (ngày nhận văn bản)",
  registerNumber: "Số đến",
  filedOnReceipt: "Báo cáo được nộp trực tuyến: thời điểm nộp là lúc máy chủ nhận được.",
  alreadyFiled: "Kỳ này đã có báo cáo {n} trong sổ.",
  fileCorrection: "Nộp bản sửa thay thế {n}",
  filedAfterView: "Báo cáo được nộp lúc {n}, sau ngày đang xem: bảng chưa tính đến nó.",
  jumpToFiling: "Xem đến ngày nộp",
  documentRef: "Số, ký hiệu văn bản",
  summary: "Tóm tắt (không bắt buộc)",
  submit: "Gửi",
  filed: "Đã ghi vào sổ ở vị trí {n}.",
  filingIntro:
    "Các nghĩa vụ báo cáo của đơn vị bạn theo kế hoạch này. Báo cáo được kiểm tra theo cùng quy tắc như API.",
  filingNone: "Đơn vị của bạn không có nghĩa vụ báo cáo nào theo kế hoạch này.",
  filingReadOnly: "Tài khoản kiểm tra chỉ được xem, không được nộp báo cáo.",
  subPlanNote: "đơn vị thực hiện bằng cách ban hành kế hoạch của mình (không nộp báo cáo ở đây)",
  live: "Cập nhật trực tiếp",
  liveOff: "Mất kết nối cập nhật trực tiếp, đang thử lại…",
  errorNetwork: "Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.",
  errorToken: "Mã truy cập không đúng hoặc đã hết hiệu lực.",
  errorServer: "Máy chủ báo lỗi",
  errorPage: "Trang gặp lỗi",
  noPlans: "Chưa có kế hoạch nào trong sổ.",
  report: "Báo cáo tĩnh, lập lúc",
  reportNoExplain: "Báo cáo này không kèm chi tiết sự kiện (quá nhiều nghĩa vụ). Xem bằng lệnh:",
  issuer: "Đơn vị ban hành",
  effective: "Hiệu lực",
  skip: "Bỏ qua, đến nội dung chính"
}

type Words = typeof vi

const en: Words = {
  title: "Plan compliance",
  language: "Tiếng Việt",
  signIn: "Sign in",
  signOut: "Sign out",
  token: "Access token",
  tokenHelp: "Given by your administrator. Kept in this browser tab only.",
  signedInAs: "Signed in as",
  role_admin: "admin",
  role_recorder: "recorder",
  role_clerk: "clerk",
  role_auditor: "auditor",
  plan: "Plan",
  asOf: "As of",
  knownAt: "As known at",
  knownAtNow: "empty: now",
  tabHeatmap: "Reporting",
  tabCoverage: "Model coverage",
  tabFiling: "File a report",
  unit: "Unit",
  totals: "Totals",
  onTime: "On time",
  late: "Late",
  missing: "Missing (overdue)",
  pending: "Not yet due",
  reportingRate: "Reporting rate",
  onTimeRate: "On-time rate",
  legend: "Legend",
  legendMixed: "A cell of a unit above: the on-time rate of the units below; coloured by the worst status",
  expand: "Show the units below",
  collapse: "Collapse",
  loading: "Loading…",
  nothingOwed: "Nothing owed",
  explanation: "Explanation",
  close: "Close",
  obligation: "Obligation",
  schedule: "Schedule",
  period: "Period",
  deadline: "Deadline (before)",
  status: "Status",
  filedAt: "Filed at",
  reportId: "Report",
  rollsUpTo: "Counts in the totals of",
  events: "The events in the log",
  position: "Position",
  role: "Role",
  occurredAt: "Occurred at",
  recordedAt: "Recorded at",
  hash: "Hash",
  subtreeCounts: "Obligations of the unit and the units below it",
  expandHint: "Expand the unit to see each obligation.",
  coverage: "Coverage",
  residentialAreas: "Residential areas",
  covered: "With a model",
  households: "Households",
  committed: "Committed",
  level: "Level",
  map: "Map of communes (at their centres)",
  mapNone:
    "These units have no coordinates: the map draws only the communes after 1 July 2025 (which have their centres). The table below is complete.",
  mapSome: "communes with coordinates; {n} units without coordinates are in the table only.",
  noData: "no data",
  page: "Page",
  previous: "Previous",
  next: "Next",
  rows: "rows",
  file: "File a report",
  correct: "File a correction",
  filingTime: "Filing time",
  receivedAt: "Received on",
  registerNumber: "Incoming register number",
  filedOnReceipt: "Filed online: the filing time is when the server receives it.",
  alreadyFiled: "This period already has report {n} on record.",
  fileCorrection: "File a correction superseding {n}",
  filedAfterView: "The report was filed at {n}, after the date in view: the table does not count it yet.",
  jumpToFiling: "View up to the filing date",
  documentRef: "Document number",
  summary: "Summary (optional)",
  submit: "Submit",
  filed: "Recorded in the log at position {n}.",
  filingIntro: "What your units owe under this plan. Reports are checked under the same rules as the API.",
  filingNone: "Your unit owes no report under this plan.",
  filingReadOnly: "An auditor reads only and cannot file reports.",
  subPlanNote: "met by the unit issuing its own plan (no report to file here)",
  live: "Live",
  liveOff: "Live updates lost, retrying…",
  errorNetwork: "Cannot reach the server. Check the network and try again.",
  errorToken: "The access token is wrong or no longer valid.",
  errorServer: "The server answered with an error",
  errorPage: "The page failed",
  noPlans: "No plan in the log yet.",
  report: "Static report, made at",
  reportNoExplain: "This report does not carry the events (too many obligations). See them with:",
  issuer: "Issued by",
  effective: "In force",
  skip: "Skip to the main content"
}

/** A word of the page. */
export type Key = keyof Words

/** The languages of the page. */
export type Lang = "vi" | "en"

let current: Lang = "vi"
try {
  if (globalThis.localStorage?.getItem("kehoach.lang") === "en") current = "en"
} catch {
  // Storage may be denied (a file:// page in some browsers): Vietnamese, then.
}

/** The language in use. */
export const lang = (): Lang => current

/** Switches the language (and remembers it). */
export const setLang = (next: Lang): void => {
  current = next
  try {
    globalThis.localStorage?.setItem("kehoach.lang", next)
  } catch {
    // Not remembered; the switch still works for this page.
  }
}

/** The word for `key` in the current language, with `{n}` replaced. */
export const t = (key: Key, n?: number | string): string => {
  const text = (current === "vi" ? vi : en)[key]
  return n === undefined ? text : text.replace("{n}", String(n))
}

/** A status's word. */
export const status = (s: string): string =>
  t(s === "on-time" ? "onTime" : s === "late" ? "late" : s === "missing" ? "missing" : "pending")

/** A number in the page's language. */
export const number = (n: number): string => n.toLocaleString(current === "vi" ? "vi-VN" : "en-GB")

/** A rate as a percentage, or a dash. */
export const percent = (r: number | null | undefined): string =>
  r === null || r === undefined
    ? "—"
    : `${(r * 100).toLocaleString(current === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 1 })}%`
