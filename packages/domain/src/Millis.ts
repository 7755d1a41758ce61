/**
 * Instants are epoch milliseconds throughout the domain: exact, ordered, trivially stored in every
 * store; the contract renders them as ISO-8601 UTC.
 */
import { Schema } from "effect"

export const Millis = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
export type Millis = typeof Millis.Type

export const SECOND = 1_000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
