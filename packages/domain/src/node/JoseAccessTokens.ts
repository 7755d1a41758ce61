/**
 * AccessTokens on jose: HS256 JWTs signed with the configured secret, carrying sub (userId), email,
 * iat, exp (1 hour), iss and aud. Verification accepts HS256 only (so `alg: none` and every other
 * algorithm are refused), checks the signature, issuer, audience, typ and that the token is
 * neither expired nor issued in the future; a token must be canonical base64url, so no changed
 * character verifies. "Now" is Effect's Clock, so TestClock controls expiry.
 */
import { Clock, Effect, Layer, Redacted, Schema } from "effect"
import { errors, jwtVerify, SignJWT } from "jose"
import { Actor } from "../Actor.js"
import { type AccessTokenSubject, AccessTokens, AccessTokensError, IssuedAccessToken } from "../Auth/AccessTokens.js"
import { AuthConfig } from "../Auth/AuthConfig.js"
import { Unauthenticated } from "../DomainError.js"
import { Unexpected } from "../StoreFailure.js"

export const ALGORITHM = "HS256"

const invalid = () => new Unauthenticated({ code: "InvalidToken", message: "the access token is not valid" })
const expired = () => new Unauthenticated({ code: "TokenExpired", message: "the access token has expired" })

const decodeActor = Schema.decodeUnknownEffect(Actor)

/**
 * Three segments of canonical unpadded base64url. Decoders ignore the unused low bits of a
 * segment's last character, so without this check a few one-character changes of the signature
 * would still verify: a token must be exactly the text that was signed.
 */
const isCanonical = (token: string): boolean => {
  const segments = token.split(".")
  return segments.length === 3 && segments.every((segment) =>
    /^[A-Za-z0-9_-]+$/.test(segment) && Buffer.from(segment, "base64url").toString("base64url") === segment
  )
}

export const make: Effect.Effect<AccessTokens["Service"], never, AuthConfig> = Effect.gen(function*() {
  const config = yield* AuthConfig
  const key = new TextEncoder().encode(Redacted.value(config.accessTokenSecret))
  const ttl = config.accessTokenTtlSeconds

  const issue = Effect.fn("AccessTokens.issue")(function*(subject: AccessTokenSubject) {
    const iat = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const token = yield* Effect.tryPromise({
      try: () =>
        new SignJWT({ email: subject.email })
          .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
          .setSubject(subject.userId)
          .setIssuer(config.issuer)
          .setAudience(config.audience)
          .setIssuedAt(iat)
          .setExpirationTime(iat + ttl)
          .sign(key),
      catch: () => new AccessTokensError({ reason: new Unexpected({ message: "could not sign the access token" }) })
    })
    return new IssuedAccessToken({ token, expiresIn: ttl })
  })

  const verify = Effect.fn("AccessTokens.verify")(function*(token: string) {
    if (!isCanonical(token)) return yield* invalid()
    const now = yield* Clock.currentTimeMillis
    const { payload } = yield* Effect.tryPromise({
      try: () =>
        jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: config.issuer,
          audience: config.audience,
          typ: "JWT",
          maxTokenAge: ttl,
          requiredClaims: ["sub", "email", "iat", "exp"],
          clockTolerance: 0,
          currentDate: new Date(now)
        }),
      // jose's messages are never passed on: they may quote claims of the token.
      catch: (error) => (error instanceof errors.JWTExpired && error.claim === "exp" ? expired() : invalid())
    })
    return yield* decodeActor({ userId: payload.sub, email: payload.email }).pipe(Effect.mapError(invalid))
  })

  return AccessTokens.of({ issue, verify })
})

/** Needs AuthConfig (issuer, audience, TTL, secret). */
export const layer: Layer.Layer<AccessTokens, never, AuthConfig> = Layer.effect(AccessTokens, make)
