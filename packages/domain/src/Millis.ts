/**
 * Instants are epoch milliseconds throughout the domain: exact, ordered, trivially stored in every
 * store; the contract renders them as ISO-8601 UTC.
 */
import { Schema, SchemaTransformation } from "effect"

export const Millis = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
export type Millis = typeof Millis.Type

export const SECOND = 1_000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

const isoInstantPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/

/** Calendar-exact: Date.parse would roll 31 February over into March. */
const isRealInstant = (s: string): boolean => {
  const m = isoInstantPattern.exec(s)
  if (m === null) return false
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m.slice(1).map((d) => Number(d ?? 0))
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate()
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth && hour! <= 23 && minute! <= 59 &&
    second! <= 59 && offsetHours! <= 23 && offsetMinutes! <= 59 && Number.isFinite(Date.parse(s))
}

/** An ISO-8601 instant with a zone ("2026-11-21T06:00:00Z"), decoded to epoch millis. */
export const IsoInstant = Schema.String.check(
  Schema.makeFilter((s: string) =>
    isoInstantPattern.test(s)
      ? isRealInstant(s) || "must be a real date and time"
      : "must be an ISO-8601 instant with a time zone, like 2026-11-21T06:00:00Z"
  )
).pipe(
  Schema.decodeTo(
    Millis,
    SchemaTransformation.transform({
      decode: (s: string) => Date.parse(s),
      encode: (millis: number) => new Date(millis).toISOString()
    })
  )
)

/** An instant as clients send it: epoch millis or an ISO-8601 string; always millis once decoded. */
export const InstantInput = Schema.Union([Millis, IsoInstant])
