/**
 * Authenticator.externalClaims: the caller an authorizer in front of the API vouched for (Cognito
 * claims as API Gateway hands them over), decoded to the domain's ExternalIdentity and provisioned
 * on first sight, through the contract's handler over the in-memory product.
 */
import { Unauthenticated } from "@app/domain"
import { InProcess } from "@app/domain/node"
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { apiHandler, Authenticator, identityFromClaims, Readiness, type ApiRequest } from "../src/index.js"
import { apiRequest, bearer, jsonOf, jsonRequest, problemOf, STRONG_PASSWORD, uniqueEmail } from "./support/ApiRequests.js"

const runtime = ManagedRuntime.make(
  Layer.mergeAll(Authenticator.externalClaims, Readiness.layerNone).pipe(Layer.provideMerge(InProcess.layerTest))
)
afterAll(() => runtime.dispose())

const handle = (request: ApiRequest) => runtime.runPromise(apiHandler(request))

const me = (claims: Record<string, unknown> | undefined, headers: Record<string, string> = {}) =>
  handle(apiRequest("GET", "/api/users/me", { headers, ...(claims === undefined ? {} : { authorizerClaims: claims }) }))

const identity = (claims: Record<string, unknown>) => Effect.runPromiseExit(identityFromClaims(claims))

const failureOf = async (claims: Record<string, unknown>): Promise<Unauthenticated> => {
  const exit = await identity(claims)
  if (Exit.isSuccess(exit)) throw new Error(`expected a refusal, got ${JSON.stringify(exit.value)}`)
  const error = exit.cause.reasons[0]
  if (error?._tag !== "Fail" || !(error.error instanceof Unauthenticated)) throw new Error("expected Unauthenticated")
  return error.error
}

const sub = () => crypto.randomUUID()

describe("identityFromClaims", () => {
  it("reads REST API (v1) claims, where every value is a string", async () => {
    const id = sub()
    const exit = await identity({
      sub: id,
      email: " Ana@Example.TEST ",
      email_verified: "true",
      "cognito:username": "ana-user",
      token_use: "id",
      auth_time: "1700000000"
    })
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ sub: id, email: "ana@example.test", name: "ana-user", emailVerified: true })
  })

  it("reads HTTP API (v2) JWT claims, with booleans and a name", async () => {
    const id = sub()
    const exit = await identity({ sub: id, email: "bo@example.test", email_verified: false, name: "  Bo Builder  ", username: "bo" })
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ sub: id, email: "bo@example.test", name: "Bo Builder", emailVerified: false })
  })

  it("falls back to the email's local part for a name, clipped to 100 characters, and leaves an unknown email_verified out", async () => {
    const id = sub()
    const local = "x".repeat(150)
    const exit = await identity({ sub: id, email: `${local}@example.test`, email_verified: "maybe", name: "   " })
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ sub: id, email: `${local}@example.test`, name: "x".repeat(100) })
  })

  it("never cuts a character in two when clipping a name", async () => {
    const exit = await identity({ sub: sub(), email: "emoji@example.test", name: "a" + "😀".repeat(60) })
    const name = Exit.isSuccess(exit) ? exit.value.name : ""
    expect(name.length).toBeLessThanOrEqual(100)
    expect(name).toBe("a" + "😀".repeat(49))
  })

  it("refuses claims without sub or email, or with a malformed one, naming the claim and never its value", async () => {
    expect(await failureOf({ email: "a@example.test" })).toMatchObject({ code: "InvalidClaims", message: expect.stringContaining("sub") })
    expect(await failureOf({ sub: sub() })).toMatchObject({ code: "InvalidClaims", message: expect.stringContaining("email") })
    expect(await failureOf({ sub: sub(), email: 42 })).toMatchObject({ message: expect.stringContaining("email") })
    const badEmail = await failureOf({ sub: sub(), email: "secret-looking-value" })
    expect(badEmail.message).toBe("the email claim is not valid")
    const badSub = await failureOf({ sub: "has spaces/and slashes", email: "c@example.test" })
    expect(badSub.message).toBe("the sub claim is not valid")
  })
})

describe("Authenticator.externalClaims through the handler", () => {
  it("creates the user on first sight of a sub and answers the same user every later time", async () => {
    const id = sub()
    const email = uniqueEmail("cognito")
    const first = await me({ sub: id, email, email_verified: "true", "cognito:username": "first-sight" })
    expect(first.status, first.body).toBe(200)
    expect(jsonOf(first)).toMatchObject({ userId: id, email, name: "first-sight", emailVerified: true })

    // Later claims with another name do not rename the user: the account is the record.
    const second = await me({ sub: id, email, email_verified: "true", name: "renamed in cognito" })
    expect(second.status).toBe(200)
    expect(jsonOf(second)).toEqual(jsonOf(first))
  })

  it("answers 401 without claims, whatever Authorization says", async () => {
    const signup = await handle(jsonRequest("POST", "/api/auth/signup", { email: uniqueEmail("bearer"), password: STRONG_PASSWORD, name: "b" }))
    expect(signup.status).toBe(201)
    const token = jsonOf(signup).accessToken as string
    const answer = await me(undefined, bearer(token))
    expect(answer.status).toBe(401)
    expect(problemOf(answer).code).toBe("MissingClaims")
  })

  it("answers 401 InvalidClaims for claims that make no identity", async () => {
    const answer = await me({ sub: sub(), token_use: "access", scope: "openid" })
    expect(answer.status).toBe(401)
    expect(problemOf(answer)).toMatchObject({ code: "InvalidClaims", detail: "the identity has no email claim" })
  })

  it("answers 409 EmailTaken when the email belongs to another account", async () => {
    const email = uniqueEmail("taken")
    const signup = await handle(jsonRequest("POST", "/api/auth/signup", { email, password: STRONG_PASSWORD, name: "owner" }))
    expect(signup.status).toBe(201)
    const answer = await me({ sub: sub(), email })
    expect(answer.status).toBe(409)
    expect(problemOf(answer).code).toBe("EmailTaken")
  })

  it("serves routes with an identity from claims like any other caller", async () => {
    const claims = { sub: sub(), email: uniqueEmail("teams"), name: "Team Maker" }
    const created = await handle(jsonRequest("POST", "/api/teams", { name: "claims team" }, { authorizerClaims: claims }))
    expect(created.status, created.body).toBe(201)
    const mine = await handle(apiRequest("GET", `/api/users/${claims.sub}/teams`, { authorizerClaims: claims }))
    expect(mine.status, mine.body).toBe(200)
    expect(jsonOf(mine).map((t: { teamId: string }) => t.teamId)).toContain(jsonOf(created).teamId)
  })
})
