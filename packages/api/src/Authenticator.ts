/**
 * Who is calling. The default reads `Authorization: Bearer <accessToken>` and verifies it with
 * the domain's Auth; a shell behind an identity provider (the Lambda shell behind a Cognito
 * authorizer) uses `externalClaims` instead, and the routes do not change.
 */
import { Actor, Auth, type Conflict, ExternalIdentity, fieldErrors, Unauthenticated, type UserRepositoryError } from "@app/domain"
import { Context, Effect, Layer, Schema } from "effect"
import { headerValue, type ApiRequest } from "./HttpExchange.js"

export class Authenticator extends Context.Service<Authenticator, {
  /** The caller, or Unauthenticated; a failing dependency fails with its own port error. */
  readonly authenticate: (request: ApiRequest) => Effect.Effect<Actor, unknown>
}>()("@app/api/Authenticator") {
  /** Bearer access tokens verified by the domain (signature, algorithm, issuer, audience, expiry). */
  static readonly bearer: Layer.Layer<Authenticator, never, Auth> = Layer.effect(
    Authenticator,
    Effect.gen(function*() {
      const auth = yield* Auth
      return Authenticator.of({
        authenticate: (request) => {
          const token = bearerToken(request)
          return token === undefined
            ? Effect.fail(new Unauthenticated({ code: "MissingToken", message: "an access token is required" }))
            : auth.verify(token)
        }
      })
    })
  )

  /**
   * The identity an authorizer in front of the API already verified (`request.authorizerClaims`,
   * e.g. API Gateway's Cognito authorizer): its claims become the domain's ExternalIdentity, and
   * the first sight of a `sub` creates its user (Auth.provisionExternal). No claims, or claims
   * that do not make an identity, are Unauthenticated; an email that belongs to another account
   * is Conflict "EmailTaken". The Authorization header is not read: the authorizer has done that.
   */
  static readonly externalClaims: Layer.Layer<Authenticator, never, Auth> = Layer.effect(
    Authenticator,
    Effect.gen(function*() {
      const auth = yield* Auth
      return Authenticator.of({
        authenticate: (request) =>
          request.authorizerClaims === undefined
            ? Effect.fail(new Unauthenticated({ code: "MissingClaims", message: "no identity was vouched for by the authorizer" }))
            : actorFromClaims(request.authorizerClaims).pipe(Effect.provideService(Auth, auth))
      })
    })
  )
}

/** The token of an `Authorization: Bearer …` header; undefined when absent or of another scheme. */
export const bearerToken = (request: Pick<ApiRequest, "headers">): string | undefined => {
  const header = headerValue(request, "authorization")
  if (header === undefined) return undefined
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header)
  return match === null ? undefined : match[1]
}

const MAX_NAME_LENGTH = 100

/** A claim as a non-blank string (claims of a REST API authorizer are all strings). */
const stringClaim = (claims: Readonly<Record<string, unknown>>, name: string): string | undefined => {
  const value = claims[name]
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined
}

/** At most MAX_NAME_LENGTH UTF-16 units, never cutting a character in two. */
const clipName = (name: string): string => {
  let clipped = ""
  for (const character of name) {
    if (clipped.length + character.length > MAX_NAME_LENGTH) break
    clipped += character
  }
  return clipped
}

/** `email_verified` arrives as a boolean (JWT authorizer) or as "true"/"false" (REST API authorizer). */
const verifiedClaim = (value: unknown): boolean | undefined =>
  value === true || value === "true" ? true : value === false || value === "false" ? false : undefined

const invalidClaims = (message: string) => new Unauthenticated({ code: "InvalidClaims", message })

const decodeIdentity = Schema.decodeUnknownEffect(ExternalIdentity)

/**
 * The ExternalIdentity that Cognito claims describe: `sub`, `email`, a display name (`name`, else
 * `cognito:username` / `username`, else the email's local part, clipped to 100 characters) and
 * `email_verified`. Missing or malformed claims are Unauthenticated "InvalidClaims" naming the claim
 * (never its value). An access token carries no `email`: the authorizer must be given ID tokens.
 */
export const identityFromClaims = (
  claims: Readonly<Record<string, unknown>>
): Effect.Effect<ExternalIdentity, Unauthenticated> => {
  const sub = stringClaim(claims, "sub")
  if (sub === undefined) return Effect.fail(invalidClaims("the identity has no sub claim"))
  const email = stringClaim(claims, "email")
  if (email === undefined) return Effect.fail(invalidClaims("the identity has no email claim"))
  const name = stringClaim(claims, "name") ??
    stringClaim(claims, "cognito:username") ??
    stringClaim(claims, "username") ??
    email.split("@")[0] ??
    email
  const emailVerified = verifiedClaim(claims["email_verified"])
  return decodeIdentity({
    sub,
    email,
    name: clipName(name),
    ...(emailVerified === undefined ? {} : { emailVerified })
  }).pipe(
    Effect.mapError((error) => {
      const field = fieldErrors(error)[0]?.path
      const claim = field === undefined ? undefined : claimNames[field]
      return invalidClaims(claim === undefined ? "the identity's claims are not valid" : `the ${claim} claim is not valid`)
    })
  )
}

/** ExternalIdentity's fields → the claims they come from. */
const claimNames: Record<string, string> = { sub: "sub", email: "email", name: "name", emailVerified: "email_verified" }

/**
 * The caller that claims describe: their identity provisioned on first sight (the same user every
 * later time), as an Actor. Used by `Authenticator.externalClaims` and by resolvers that receive
 * claims outside an HTTP request (AppSync).
 */
export const actorFromClaims = (
  claims: Readonly<Record<string, unknown>>
): Effect.Effect<Actor, Unauthenticated | Conflict | UserRepositoryError, Auth> =>
  Effect.gen(function*() {
    const identity = yield* identityFromClaims(claims)
    const auth = yield* Auth
    const user = yield* auth.provisionExternal(identity)
    return new Actor({ userId: user.userId, email: user.email })
  })
