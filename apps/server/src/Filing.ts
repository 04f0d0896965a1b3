/**
 * Filing times the server can vouch for (DOMAIN.md "Filing time", decision 0013). A report sent
 * online is filed when the server receives it: the store stamps its filing time with its
 * recording time, and a time the client stated that differs from receipt by more than the clock
 * allowance is refused, naming the field. A report received on paper is entered by a clerk of a
 * unit that receives for the filer, or an admin, with the date it was received and its incoming
 * register number (số đến); a clerk may backdate it only within the deployment's backdating
 * window, an admin beyond it.
 */
import type { Security } from "@kehoach/api"
import type { Events } from "@kehoach/domain"
import { Decide, Errors, Time } from "@kehoach/domain"

/** The default backdating window of a paper filing entered by a clerk, in days. */
export const defaultBackdatingDays = 60

/**
 * Why a filing cannot be taken as sent: the domain's rule it breaks (a 422 `Rejected` naming the
 * field), or a 403 for a role that may not make it.
 */
export type Refusal =
  | { readonly _tag: "Invalid"; readonly violation: Errors.OnlineFilingTime | Errors.InvalidFiling }
  | { readonly _tag: "Forbidden"; readonly message: string }

/**
 * The event as the server takes it from this actor at receipt time `now` (ms): a report without a
 * channel is `online` (`paper` for a clerk, whose act is entering received documents), and its
 * stated times are checked against the channel's rule. Other events pass as they are.
 */
export const receive = (
  line: Events.EventLine,
  actor: Security.Actor,
  now: number,
  backdatingDays: number,
  field = ""
): Events.EventLine | Refusal => {
  if (line.type !== "ReportFiled") return line
  const at = (name: string) => (field === "" ? name : `${field}.${name}`)
  const channel = line.data.channel ?? (actor.role === "clerk" ? "paper" : "online")
  const stated = Time.parseInstant(line.occurredAt)!
  if (channel === "online") {
    if (actor.role === "clerk") {
      return {
        _tag: "Forbidden",
        message: `${actor.actor} is a clerk and enters reports received on paper (channel "paper"): a unit files online itself`
      }
    }
    if (Math.abs(stated - now) > Decide.clockAllowanceMs) {
      return {
        _tag: "Invalid",
        violation: new Errors.OnlineFilingTime({
          reportId: line.data.reportId,
          field: at("occurredAt"),
          occurredAt: line.occurredAt,
          recordedAt: Time.formatInstant(now)
        })
      }
    }
  } else {
    if (actor.role === "recorder") {
      return {
        _tag: "Forbidden",
        message: `${actor.actor} is a recorder and files online: a report received on paper is entered by a clerk of a receiving unit (role "clerk") or an admin`
      }
    }
    if (line.data.registerNumber === undefined) {
      return {
        _tag: "Invalid",
        violation: new Errors.InvalidFiling({
          reportId: line.data.reportId,
          field: at("data.registerNumber"),
          reason: "was received on paper and needs its incoming register number (số đến)"
        })
      }
    }
    const windowMs = backdatingDays * 86_400_000
    if (actor.role === "clerk" && now - stated > windowMs) {
      return {
        _tag: "Forbidden",
        message: `${at("occurredAt")}: ${line.occurredAt} is more than ${backdatingDays} days before receipt (${Time.formatInstant(now)}), beyond the backdating window of a clerk: only an admin may enter it`
      }
    }
  }
  return channel === line.data.channel ? line : ({ ...line, data: { ...line.data, channel } } as Events.EventLine)
}
