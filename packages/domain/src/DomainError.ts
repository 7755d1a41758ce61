/**
 * The outcomes a use case can refuse with, one class per HTTP-visible kind, so the contract maps
 * each to exactly one status (400, 401, 403, 404, 409, 410, 429) without knowing the use case.
 * `code` names the precise rule for clients and tests ("EmailTaken", "VersionConflict", …).
 */
import { Schema } from "effect"

export class FieldError extends Schema.Class<FieldError>("@app/domain/FieldError")({
  path: Schema.String,
  message: Schema.String
}) {}

/** Bad input: each failing field with a message. Maps to 400. */
export class ValidationError extends Schema.TaggedError<ValidationError>()("ValidationError", {
  errors: Schema.Array(FieldError)
}) {
  static single(path: string, message: string): ValidationError {
    return new ValidationError({ errors: [new FieldError({ path, message })] })
  }
}

/** No valid identity, or credentials that do not match. Maps to 401. */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  code: Schema.String,
  message: Schema.String
}) {}

/** Known caller, not allowed. Maps to 403. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  code: Schema.String,
  message: Schema.String
}) {}

/** Missing, or invisible to the caller (a non-member asking for a team resource). Maps to 404. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  resource: Schema.String,
  message: Schema.String
}) {
  static of(resource: string): NotFound {
    return new NotFound({ resource, message: `${resource} not found` })
  }
}

/** The state does not allow it now (stale version, taken email, already used). Maps to 409. */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  code: Schema.String,
  message: Schema.String
}) {}

/** Existed, but has expired. Maps to 410. */
export class Gone extends Schema.TaggedError<Gone>()("Gone", {
  code: Schema.String,
  message: Schema.String
}) {}

/** Too many attempts. Maps to 429 with Retry-After. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  retryAfterSeconds: Schema.Int
}) {}

export type DomainError =
  | ValidationError
  | Unauthenticated
  | Forbidden
  | NotFound
  | Conflict
  | Gone
  | RateLimited
