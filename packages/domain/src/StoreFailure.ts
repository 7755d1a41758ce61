/**
 * Why a store, cache, bus or remote service could not answer. Every port has one tagged error
 * whose `reason` is one of these; adapters map vendor errors (pg, ioredis, DynamoDB, KMS) into
 * them, so nothing above the adapter ever sees a vendor type. The shells answer a retryable
 * reason with 503 and `Unexpected` with a 500 that carries no internals.
 */
import { Schema } from "effect"

/** Connection refused or lost, pool exhausted, throttled: worth retrying. */
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", {
  message: Schema.String
}) {}

/** No answer within the configured timeout: worth retrying. */
export class TimedOut extends Schema.TaggedError<TimedOut>()("TimedOut", {
  message: Schema.String
}) {}

/** Anything else: a bug or a malformed request. Not retryable. */
export class Unexpected extends Schema.TaggedError<Unexpected>()("Unexpected", {
  message: Schema.String
}) {}

export const StoreFailure = Schema.Union([Unavailable, TimedOut, Unexpected])
export type StoreFailure = typeof StoreFailure.Type

export const isRetryable = (reason: StoreFailure): boolean => reason._tag !== "Unexpected"
