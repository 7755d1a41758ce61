/**
 * The codes Node's sockets and resolver put on an error when a service is not reached or does not
 * answer. DynamoError and KmsFailure both classify them, so one network failure reads the same
 * whichever AWS service it cut off.
 */

/** No answer in time: TimedOut. */
export const timedOutCodes: ReadonlySet<string> = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT"])

/** Refused, reset, unresolvable or unroutable: Unavailable, worth retrying. */
export const unreachableCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN"
])
