/**
 * Who is calling. The default reads `Authorization: Bearer <accessToken>` and verifies it with
 * the domain's Auth; a shell behind an identity provider (the Lambda shell behind a Cognito
 * authorizer) provides another implementation, and the routes do not change.
 */
import { Auth, Unauthenticated, type Actor } from "@app/domain"
import { Context, Effect, Layer } from "effect"
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
}

/** The token of an `Authorization: Bearer …` header; undefined when absent or of another scheme. */
export const bearerToken = (request: Pick<ApiRequest, "headers">): string | undefined => {
  const header = headerValue(request, "authorization")
  if (header === undefined) return undefined
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header)
  return match === null ? undefined : match[1]
}
