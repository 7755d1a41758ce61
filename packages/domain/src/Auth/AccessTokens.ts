/**
 * Short-lived signed access tokens (JWT, 1 hour) as a port: issue one for a user, verify one into
 * the Actor of a request. The real implementation uses jose (src/node/JoseAccessTokens.ts); a
 * Cognito authorizer replaces `verify` in the Lambda shell.
 */
import { Context, Effect, Schema } from "effect"
import type { Actor } from "../Actor.js"
import type { Unauthenticated } from "../DomainError.js"
import { StoreFailure } from "../StoreFailure.js"
import type { Email, UserId } from "../Users/User.js"

export class AccessTokensError extends Schema.TaggedError<AccessTokensError>()("AccessTokensError", {
  reason: StoreFailure
}) {}

export class IssuedAccessToken extends Schema.Class<IssuedAccessToken>("@app/domain/Auth/IssuedAccessToken")({
  token: Schema.String,
  /** Seconds until the token expires. */
  expiresIn: Schema.Int
}) {}

export interface AccessTokenSubject {
  readonly userId: UserId
  readonly email: Email
}

export class AccessTokens extends Context.Service<AccessTokens, {
  readonly issue: (subject: AccessTokenSubject) => Effect.Effect<IssuedAccessToken, AccessTokensError>
  /**
   * The caller a token speaks for. Unauthenticated "TokenExpired" past `exp`, "InvalidToken" for
   * anything else that is not a token this service issued (bad signature, other algorithm, wrong
   * issuer or audience, missing claims, malformed).
   */
  readonly verify: (token: string) => Effect.Effect<Actor, Unauthenticated | AccessTokensError>
}>()("@app/domain/Auth/AccessTokens") {}
