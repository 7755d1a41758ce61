/**
 * What a failed KMS call means to the SecretCipher port. Kept apart from the cipher so the whole
 * decision table is in one place and tested exception by exception:
 * - IntegrityFailure: KMS refused the ciphertext itself (InvalidCiphertextException: the data key
 *   blob was altered or the encryption context differs; IncorrectKeyException: the blob was made
 *   under another key than the one the secret names). The stored secret is bad; retrying cannot help.
 * - TimedOut: KMS or its key store did not answer in time (DependencyTimeoutException, the SDK's
 *   TimeoutError, ETIMEDOUT).
 * - Unavailable: worth retrying — throttling, KMS internal errors, a key store that is briefly
 *   unreachable (KeyUnavailableException), any 5xx, connection refused/reset/DNS failures.
 * - Unexpected: everything an operator has to fix, where a retry gives the same answer: access
 *   denied, key not found, key disabled (DisabledException), key pending deletion or import or its
 *   custom key store disconnected (KMSInvalidStateException — its transient states, Creating and
 *   Updating, only occur right after key creation or a multi-Region update), wrong key usage,
 *   invalid or expired credentials, malformed requests.
 * Messages name the operation and the error's name or code only: never the vendor's message text,
 * which can quote the request (encryption context, key ARN) and is not ours to forward.
 */
import { IntegrityFailure, SecretCipherError, TimedOut, Unavailable, Unexpected } from "@app/domain"
import { timedOutCodes, unreachableCodes } from "../NetworkErrorCodes.js"

export type KmsOperation = "GenerateDataKey" | "Decrypt"

/** The one IntegrityFailure message of the adapter, whichever layer (KMS or GCM) refused. */
export const integrityFailure = (): SecretCipherError =>
  new SecretCipherError({
    reason: new IntegrityFailure({
      message: "the secret failed authentication: its ciphertext, data key or encryption context was altered"
    })
  })

export const unexpected = (message: string): SecretCipherError =>
  new SecretCipherError({ reason: new Unexpected({ message }) })

const integrityNames = new Set(["InvalidCiphertextException", "IncorrectKeyException"])

const timedOutNames = new Set([
  "DependencyTimeoutException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException"
])

const unavailableNames = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "KMSInternalException",
  "KeyUnavailableException",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException"
])

/** Only identifier-like names and codes are quoted back; anything else could be arbitrary text. */
const identifier = (value: unknown): string | undefined =>
  typeof value === "string" && /^[A-Za-z][A-Za-z0-9_.:-]{0,79}$/.test(value) ? value : undefined

const field = (error: unknown, key: string): unknown =>
  typeof error === "object" && error !== null ? (error as Record<string, unknown>)[key] : undefined

const statusOf = (error: unknown): number | undefined => {
  const status = field(field(error, "$metadata"), "httpStatusCode")
  return typeof status === "number" ? status : undefined
}

/** Maps whatever a KMS call rejected with (a KMS service exception, an SDK or a socket error). */
export const fromKmsError = (operation: KmsOperation, error: unknown): SecretCipherError => {
  const name = identifier(field(error, "name"))
  const code = identifier(field(error, "code"))
  const what = `KMS ${operation} failed: ${[name, code].filter((s) => s !== undefined).join(" ") || "unknown error"}`
  if (name !== undefined && integrityNames.has(name)) return integrityFailure()
  if ((name !== undefined && timedOutNames.has(name)) || (code !== undefined && timedOutCodes.has(code))) {
    return new SecretCipherError({ reason: new TimedOut({ message: what }) })
  }
  const status = statusOf(error)
  if (
    (name !== undefined && unavailableNames.has(name)) ||
    (code !== undefined && unreachableCodes.has(code)) ||
    (status !== undefined && status >= 500) ||
    status === 429 ||
    field(error, "$retryable") !== undefined
  ) {
    return new SecretCipherError({ reason: new Unavailable({ message: what }) })
  }
  return unexpected(what)
}

/** The adapter's own deadline passed (the call is aborted; the SDK's retries are inside it). */
export const deadlinePassed = (operation: KmsOperation, millis: number): SecretCipherError =>
  new SecretCipherError({ reason: new TimedOut({ message: `KMS ${operation} did not answer within ${millis} ms` }) })
