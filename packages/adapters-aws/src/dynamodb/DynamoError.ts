/**
 * What a DynamoDB call can end in, as the adapters see it, so no SDK type escapes the client:
 * - ConditionFailed: a condition of the request did not hold (ConditionalCheckFailedException, or a
 *   TransactionCanceledException with at least one ConditionalCheckFailed reason). Adapters turn it
 *   into the port's domain outcome (Conflict, NotFound, …) by looking at which item failed.
 * - RequestRejected: the request was refused before it was sent (an empty key string, an item over
 *   400 KB, a malformed cursor, a bare attribute name in an expression, a forbidden command).
 * - StoreFailed: everything else, already classified as the ports' StoreFailure: throttling,
 *   5xx, transaction conflicts that outlived their retries and network errors are Unavailable;
 *   timeouts are TimedOut; the rest (validation, missing table) is Unexpected.
 * `toPortError` does the last step for an adapter: every DynamoError it did not handle becomes the
 * port's tagged error with the StoreFailure reason.
 */
import { Unavailable, TimedOut, Unexpected, type StoreFailure } from "@app/domain"
import { Data, Effect } from "effect"
import { timedOutCodes, unreachableCodes } from "../NetworkErrorCodes.js"

/** One item of a request: its position (0 for a single-item call) and why it was cancelled. */
export interface CancellationReason {
  readonly index: number
  /** "ConditionalCheckFailed", "None", "TransactionConflict", … */
  readonly code: string
  /** The item as stored, when the request asked for ReturnValuesOnConditionCheckFailure ALL_OLD. */
  readonly item: Record<string, unknown> | undefined
}

export class ConditionFailed extends Data.TaggedError("ConditionFailed")<{
  readonly operation: string
  readonly reasons: ReadonlyArray<CancellationReason>
}> {
  /** Whether the condition of the item at `index` (its position in the transaction) failed. */
  failedAt(index: number): boolean {
    return this.reasons.some((r) => r.index === index && r.code === "ConditionalCheckFailed")
  }

  /** The stored item at `index` returned with the failure (ReturnValuesOnConditionCheckFailure). */
  itemAt(index: number): Record<string, unknown> | undefined {
    return this.reasons.find((r) => r.index === index)?.item
  }
}

export class RequestRejected extends Data.TaggedError("RequestRejected")<{
  readonly operation: string
  readonly message: string
}> {}

export class StoreFailed extends Data.TaggedError("StoreFailed")<{
  readonly operation: string
  readonly reason: StoreFailure
}> {}

export type DynamoError = ConditionFailed | RequestRejected | StoreFailed

/** The StoreFailure of any DynamoError; an unhandled ConditionFailed is a bug, so Unexpected. */
export const storeFailure = (error: DynamoError): StoreFailure => {
  switch (error._tag) {
    case "StoreFailed":
      return error.reason
    case "RequestRejected":
      return new Unexpected({ message: `${error.operation} rejected before sending: ${error.message}` })
    case "ConditionFailed":
      return new Unexpected({ message: `${error.operation}: unexpected condition failure` })
  }
}

/**
 * Maps every DynamoError left in the error channel into the port's error, e.g.
 * `Effect.catchTag("ConditionFailed", …)` for the domain outcomes, then
 * `DynamoError.toPortError((reason) => new UserRepositoryError({ reason }))`.
 */
export const toPortError = <P>(make: (reason: StoreFailure) => P) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, DynamoError> | P, R> =>
  Effect.mapError(self, (error) => (isDynamoError(error) ? make(storeFailure(error)) : error)) as Effect.Effect<
    A,
    Exclude<E, DynamoError> | P,
    R
  >

export const isDynamoError = (u: unknown): u is DynamoError =>
  u instanceof ConditionFailed || u instanceof RequestRejected || u instanceof StoreFailed

const UNAVAILABLE_NAMES = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "TransactionInProgressException",
  "TransactionConflictException",
  "ReplicatedWriteConflictException",
  "InternalServerError",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "LimitExceededException"
])
const TIMEOUT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"])

/** Reasons a transaction may be cancelled for that go away when it is simply tried again. */
const TRANSIENT_CANCELLATIONS = new Set(["None", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"])

interface SdkErrorShape {
  readonly name?: unknown
  readonly code?: unknown
  readonly message?: unknown
  readonly $metadata?: { readonly httpStatusCode?: number }
  readonly $retryable?: { readonly throttling?: boolean }
  readonly $fault?: unknown
  readonly Item?: unknown
  readonly CancellationReasons?: ReadonlyArray<{ readonly Code?: string; readonly Item?: unknown }>
}

/** Whether a failure is a transaction that lost a race (or was throttled) and is worth retrying. */
export const isTransientConflict = (error: unknown): boolean => {
  const e = (error ?? {}) as SdkErrorShape
  if (e.name === "TransactionConflictException") return true
  if (e.name !== "TransactionCanceledException" || e.CancellationReasons === undefined) return false
  const codes = e.CancellationReasons.map((r) => r.Code ?? "None")
  return codes.every((code) => TRANSIENT_CANCELLATIONS.has(code)) && codes.some((code) => code !== "None")
}

/**
 * Classifies whatever an SDK call threw. Vendor messages of client errors (4xx) describe the
 * request's structure, never item values, so they are kept; nothing else of the vendor error is.
 */
export const fromSdkError = (operation: string, error: unknown): DynamoError => {
  const e = (error ?? {}) as SdkErrorShape
  const name = typeof e.name === "string" ? e.name : "Error"
  const code = typeof e.code === "string" ? e.code : undefined
  const status = e.$metadata?.httpStatusCode

  if (name === "ConditionalCheckFailedException") {
    return new ConditionFailed({
      operation,
      reasons: [{ index: 0, code: "ConditionalCheckFailed", item: unmarshallItem(e.Item) }]
    })
  }
  if (name === "TransactionCanceledException" && e.CancellationReasons !== undefined) {
    const reasons = e.CancellationReasons.map((r, index) => ({
      index,
      code: r.Code ?? "None",
      item: unmarshallItem(r.Item)
    }))
    if (reasons.some((r) => r.code === "ConditionalCheckFailed")) return new ConditionFailed({ operation, reasons })
    if (isTransientConflict(error)) {
      return new StoreFailed({ operation, reason: new Unavailable({ message: `${operation}: transaction kept conflicting` }) })
    }
    const codes = reasons.map((r) => r.code).join(", ")
    return new StoreFailed({ operation, reason: new Unexpected({ message: `${operation}: transaction cancelled [${codes}]` }) })
  }
  if (name === "ForbiddenCommand") {
    return new RequestRejected({ operation, message: typeof e.message === "string" ? e.message : name })
  }
  if (TIMEOUT_NAMES.has(name) || (code !== undefined && timedOutCodes.has(code))) {
    return new StoreFailed({ operation, reason: new TimedOut({ message: `${operation}: no answer in time (${name})` }) })
  }
  if (
    UNAVAILABLE_NAMES.has(name) || (code !== undefined && unreachableCodes.has(code)) ||
    e.$retryable?.throttling === true || (status !== undefined && status >= 500)
  ) {
    return new StoreFailed({
      operation,
      reason: new Unavailable({ message: `${operation}: DynamoDB unavailable (${code ?? name})` })
    })
  }
  const detail = status !== undefined && status < 500 && typeof e.message === "string" ? `: ${e.message.slice(0, 300)}` : ""
  return new StoreFailed({ operation, reason: new Unexpected({ message: `${operation} failed with ${name}${detail}` }) })
}

/**
 * The wire form of an item (as returned inside exceptions, which the document client does not
 * convert) into plain values, the way the document client converts them (numbers as numbers).
 */
const unmarshallItem = (raw: unknown): Record<string, unknown> | undefined => {
  if (raw === null || typeof raw !== "object") return undefined
  const item: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) item[key] = unmarshallValue(value)
  return item
}

const unmarshallValue = (value: unknown): unknown => {
  const v = value as Record<string, unknown>
  if ("S" in v) return v["S"]
  if ("N" in v) return Number(v["N"])
  if ("BOOL" in v) return v["BOOL"]
  if ("NULL" in v) return null
  if ("B" in v) return v["B"]
  if ("M" in v) return unmarshallItem(v["M"])
  if ("L" in v) return (v["L"] as ReadonlyArray<unknown>).map(unmarshallValue)
  if ("SS" in v) return new Set(v["SS"] as ReadonlyArray<string>)
  if ("NS" in v) return new Set((v["NS"] as ReadonlyArray<string>).map(Number))
  if ("BS" in v) return new Set(v["BS"] as ReadonlyArray<Uint8Array>)
  return undefined
}
