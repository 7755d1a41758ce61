/**
 * Issues a fresh session (access token + a new refresh-token family) for a user whose identity is
 * already established: after signup or login, and by the QR login exchange on behalf of the user
 * who approved on their phone.
 */
import { Context, Effect, Schema } from "effect"
import { StoreFailure } from "../StoreFailure.js"
import type { User } from "../Users/User.js"

export class TokenPair extends Schema.Class<TokenPair>("@app/domain/Auth/TokenPair")({
  accessToken: Schema.String,
  refreshToken: Schema.String,
  /** Seconds until the access token expires. */
  expiresIn: Schema.Int
}) {}

export class SessionIssuerError extends Schema.TaggedError<SessionIssuerError>()("SessionIssuerError", {
  reason: StoreFailure
}) {}

export class SessionIssuer extends Context.Service<SessionIssuer, {
  readonly issue: (user: User) => Effect.Effect<TokenPair, SessionIssuerError>
}>()("@app/domain/Auth/SessionIssuer") {}
