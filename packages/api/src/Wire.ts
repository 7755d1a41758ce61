/**
 * Field Schemas of the wire format shared by the routes: instants as ISO-8601 UTC strings (epoch
 * millis inside) and integers arriving in query strings.
 */
import { IsoInstant, MessageCursor, Millis } from "@app/domain"
import { Schema, SchemaTransformation } from "effect"

/** Millis inside, ISO-8601 UTC on the wire. */
export const Instant = IsoInstant
export const NullableInstant = Schema.NullOr(IsoInstant)

/** An integer written in a query string ("50"). */
export const IntFromQuery = Schema.String.check(
  Schema.makeFilter((s: string) => /^-?\d{1,15}$/.test(s) || "must be an integer")
).pipe(
  Schema.decodeTo(
    Schema.Int,
    SchemaTransformation.transform({ decode: (s: string) => Number(s), encode: (n: number) => String(n) })
  )
)

/** A message sequence number in a query string. */
export const CursorFromQuery = IntFromQuery.pipe(Schema.decodeTo(MessageCursor))

/** An instant in a query string: ISO-8601 or epoch millis. */
export const InstantFromQuery = Schema.Union([IsoInstant, IntFromQuery.pipe(Schema.decodeTo(Millis))])
