/**
 * Issues a fresh session (access token + a new refresh-token family) for a user whose identity is
 * already established: after signup or login, and by the QR login exchange on behalf of the user
 * who approved on their phone.
 */
import { Clock, Context, Effect, Layer, Schema } from "effect"
import { Ids } from "../Ids.js"
import { base64url, Randomness } from "../Randomness.js"
import { StoreFailure, Unexpected } from "../StoreFailure.js"
import type { User } from "../Users/User.js"
import { AccessTokens } from "./AccessTokens.js"
import { AuthConfig } from "./AuthConfig.js"
import { hashRefreshToken, RefreshFamilyId } from "./RefreshToken.js"
import { RefreshTokenStore } from "./RefreshTokenStore.js"

export class TokenPair extends Schema.Class<TokenPair>("@app/domain/Auth/TokenPair")({
  accessToken: Schema.String,
  refreshToken: Schema.String,
  /** Seconds until the access token expires. */
  expiresIn: Schema.Int
}) {}

export class SessionIssuerError extends Schema.TaggedError<SessionIssuerError>()("SessionIssuerError", {
  reason: StoreFailure
}) {}

/** Entropy of a family's first refresh token (256 bits). */
export const REFRESH_TOKEN_BYTES = 32

export class SessionIssuer extends Context.Service<SessionIssuer, {
  readonly issue: (user: User) => Effect.Effect<TokenPair, SessionIssuerError>
}>()("@app/domain/Auth/SessionIssuer") {
  /** Built on AccessTokens and RefreshTokenStore; ids from Ids, the token from Randomness. */
  static readonly layer = Layer.effect(
    SessionIssuer,
    Effect.gen(function*() {
      const accessTokens = yield* AccessTokens
      const store = yield* RefreshTokenStore
      const config = yield* AuthConfig
      const ids = yield* Ids
      const randomness = yield* Randomness
      const issue = Effect.fn("SessionIssuer.issue")(
        function*(user: User) {
          const now = yield* Clock.currentTimeMillis
          const familyId = RefreshFamilyId.make(yield* ids.next)
          const refreshToken = base64url(yield* randomness.bytes(REFRESH_TOKEN_BYTES))
          const tokenHash = yield* hashRefreshToken(refreshToken)
          yield* store.create({
            familyId,
            userId: user.userId,
            tokenHash,
            at: now,
            expiresAt: now + config.refreshTokenTtlMillis
          }).pipe(
            Effect.catchTag("Conflict", () =>
              Effect.fail(new SessionIssuerError({ reason: new Unexpected({ message: "refresh-token family collision" }) })))
          )
          const access = yield* accessTokens.issue({ userId: user.userId, email: user.email })
          return new TokenPair({ accessToken: access.token, refreshToken, expiresIn: access.expiresIn })
        },
        // Every failure left (store, access tokens, the collision above) carries a StoreFailure reason.
        Effect.mapError((e) => new SessionIssuerError({ reason: e.reason }))
      )
      return SessionIssuer.of({ issue })
    })
  )
}
