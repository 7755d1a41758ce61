/**
 * The one error of the SQL layer. It keeps what an adapter needs to decide a domain outcome (the
 * Postgres SQLSTATE and the violated constraint, e.g. a unique violation becoming Conflict
 * "EmailTaken") and the StoreFailure every other case maps to. Vendor objects stay inside.
 */
import { type Conflict, Unavailable, TimedOut, Unexpected, type StoreFailure } from "@app/domain"
import { Data } from "effect"

export class SqlError extends Data.TaggedError("SqlError")<{
  /** SQLSTATE (e.g. "23505"), or undefined for a client-side failure. */
  readonly code: string | undefined
  readonly constraint: string | undefined
  readonly reason: StoreFailure
}> {}

/** Connection classes and states worth retrying: the server is down, restarting, or overloaded. */
const unavailableStates = new Set(["57P01", "57P02", "57P03", "57P05", "53300", "53400", "40001", "40P01"])
/** Statement timeout / cancel, lock timeout, idle-in-transaction timeout. */
const timedOutStates = new Set(["57014", "55P03", "25P03"])
const unavailableNodeCodes = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"])

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/** Maps anything pg or PGlite threw to a SqlError. Messages never include query parameters. */
export const fromCause = (cause: unknown): SqlError => {
  const fields = typeof cause === "object" && cause !== null ? (cause as Record<string, unknown>) : {}
  const code = typeof fields["code"] === "string" ? fields["code"] : undefined
  const constraint = typeof fields["constraint"] === "string" ? fields["constraint"] : undefined
  const message = messageOf(cause)
  // No SQLSTATE class starts with "E"; Node's errno codes do (EPIPE has five letters too).
  const sqlState = code !== undefined && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code) ? code : undefined
  let reason: StoreFailure
  // The server's own errors are classified by SQLSTATE alone: their messages quote column and
  // constraint names, so "ended_at" or "timeout_ms" must not make a bug look retryable. The
  // message is only a clue for client-side failures (pg and PGlite give those no SQLSTATE).
  if (sqlState !== undefined ? timedOutStates.has(sqlState) : /timeout/i.test(message)) {
    reason = new TimedOut({ message: `database: ${message}` })
  } else if (
    sqlState !== undefined
      ? sqlState.startsWith("08") || unavailableStates.has(sqlState)
      : (code !== undefined && unavailableNodeCodes.has(code)) ||
        /Connection terminated|not queryable|ended|closed/i.test(message)
  ) {
    reason = new Unavailable({ message: `database: ${message}` })
  } else {
    reason = new Unexpected({ message: `database: ${message}` })
  }
  return new SqlError({ code: sqlState, constraint, reason })
}

export const timedOut = (millis: number): SqlError =>
  new SqlError({
    code: undefined,
    constraint: undefined,
    reason: new TimedOut({ message: `database: no answer within ${millis} ms` })
  })

export const isUniqueViolation = (error: SqlError, constraint?: string): boolean =>
  error.code === "23505" && (constraint === undefined || error.constraint === constraint)

/**
 * The error mapping of a write whose unique violations are domain outcomes: a unique violation
 * becomes the Conflict `conflictOf` names for its constraint (undefined: not one the write
 * expects), and every other SqlError becomes the port's own error through `failure`.
 */
export const conflictOrFailure = <E>(
  failure: (error: SqlError) => E,
  conflictOf: (constraint: string | undefined) => Conflict | undefined
) =>
(error: SqlError): Conflict | E => (isUniqueViolation(error) ? conflictOf(error.constraint) : undefined) ?? failure(error)

/** Serialization failures and deadlocks: the transaction may simply be run again. */
export const isTransactionConflict = (error: SqlError): boolean => error.code === "40001" || error.code === "40P01"
