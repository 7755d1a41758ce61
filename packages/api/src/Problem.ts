/**
 * Every refusal as application/problem+json (RFC 9457): one mapping from the domain's outcome
 * classes and the ports' store failures to a status, shared by both shells. A 500 never carries
 * internals; a store that is down is a 503 the client may retry.
 */
import { Schema } from "effect"
import { jsonResponse, type ApiResponse } from "./HttpExchange.js"

export const ProblemField = Schema.Struct({ path: Schema.String, message: Schema.String })
export type ProblemField = typeof ProblemField.Type

export const Problem = Schema.Struct({
  type: Schema.String,
  title: Schema.String,
  status: Schema.Int,
  detail: Schema.optionalKey(Schema.String),
  /** The precise rule refused ("EmailTaken", "VersionConflict", …) where there is one. */
  code: Schema.optionalKey(Schema.String),
  errors: Schema.optionalKey(Schema.Array(ProblemField))
})
export type Problem = typeof Problem.Type

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable"
}

const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, "-")

export const problem = (
  status: number,
  fields: { readonly detail?: string; readonly code?: string; readonly errors?: ReadonlyArray<ProblemField> } = {}
): Problem => {
  const title = titles[status] ?? "Error"
  return {
    type: `https://errors.app/${fields.code === undefined ? slug(title) : fields.code}`,
    title,
    status,
    ...(fields.detail === undefined ? {} : { detail: fields.detail }),
    ...(fields.code === undefined ? {} : { code: fields.code }),
    ...(fields.errors === undefined ? {} : { errors: fields.errors })
  }
}

export const badRequest = (errors: ReadonlyArray<ProblemField>, detail = "the request is not valid"): Problem =>
  problem(400, { detail, code: "ValidationError", errors })

export const problemResponse = (p: Problem, headers: Record<string, string> = {}): ApiResponse => {
  const response = jsonResponse(p.status, p, headers)
  return { ...response, headers: { ...response.headers, "content-type": "application/problem+json" } }
}

interface Tagged {
  readonly _tag: string
  readonly [key: string]: unknown
}

const isTagged = (u: unknown): u is Tagged =>
  typeof u === "object" && u !== null && typeof (u as { _tag?: unknown })._tag === "string"

/** A store failure's reason, for any port error (`{ _tag: "XError", reason: { _tag } }`). */
const storeReason = (error: Tagged): string | undefined => {
  const reason = error["reason"]
  return isTagged(reason) ? reason._tag : undefined
}

/**
 * The problem for any failure of a use case: the domain's outcomes by class, a port's retryable
 * failure as 503, and anything else as a bare 500. `retryAfterSeconds` rides along for 429.
 */
export const fromFailure = (error: unknown): { readonly problem: Problem; readonly retryAfterSeconds?: number } => {
  if (!isTagged(error)) return { problem: problem(500) }
  const message = typeof error["message"] === "string" ? error["message"] : undefined
  const code = typeof error["code"] === "string" ? error["code"] : undefined
  const withMessage = { ...(message === undefined ? {} : { detail: message }), ...(code === undefined ? {} : { code }) }
  switch (error._tag) {
    case "ValidationError": {
      const errors = Array.isArray(error["errors"]) ? (error["errors"] as ReadonlyArray<ProblemField>) : []
      return { problem: badRequest(errors.map((e) => ({ path: e.path, message: e.message }))) }
    }
    case "Unauthenticated":
      return { problem: problem(401, withMessage) }
    case "Forbidden":
      return { problem: problem(403, withMessage) }
    case "NotFound":
      return { problem: problem(404, { ...withMessage, code: "NotFound" }) }
    case "Conflict":
      return { problem: problem(409, withMessage) }
    case "Gone":
      return { problem: problem(410, withMessage) }
    case "RateLimited": {
      const retryAfterSeconds = typeof error["retryAfterSeconds"] === "number" ? error["retryAfterSeconds"] : 1
      return { problem: problem(429, { detail: "too many attempts, retry later", code: "RateLimited" }), retryAfterSeconds }
    }
  }
  const reason = storeReason(error)
  if (reason === "Unavailable" || reason === "TimedOut") {
    return { problem: problem(503, { detail: "a dependency is not answering, retry later", code: reason }) }
  }
  return { problem: problem(500) }
}

export const failureResponse = (error: unknown): ApiResponse => {
  const { problem: p, retryAfterSeconds } = fromFailure(error)
  return problemResponse(p, retryAfterSeconds === undefined ? {} : { "retry-after": String(Math.max(1, retryAfterSeconds)) })
}
