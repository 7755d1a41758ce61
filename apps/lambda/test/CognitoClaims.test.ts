/**
 * AUTH_MODE=cognito on DynamoDB Local: the caller comes from the Cognito authorizer's claims —
 * REST API events carry them at requestContext.authorizer.claims (every value a string), HTTP API
 * events at requestContext.authorizer.jwt.claims — and the first sight of a `sub` creates its
 * user, once, even when two first requests race.
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { functionGroups, type HttpHandler, makeHttpHandler, type ProxyResult } from "../src/index.js"
import * as DynamoDbLocal from "../../../packages/adapters-aws/test/support/DynamoDbLocal.js"
import { createTables, dynamoEnvironment, fakeContext, generousRateLimits, testContainer } from "./support/LambdaTest.js"
import { httpApiEvent, restEvent } from "./support/ProxyEvents.js"

let dynamo: DynamoDbLocal.DynamoDbLocal | undefined
let users: HttpHandler
let teams: HttpHandler
let auth: HttpHandler
const disposers: Array<() => Promise<void>> = []

beforeAll(async () => {
  dynamo = await DynamoDbLocal.start()
  const environment = { ...dynamoEnvironment(dynamo.endpoint), ...generousRateLimits, AUTH_MODE: "cognito" }
  await createTables(environment)
  const handler = (name: "users" | "teams" | "auth") => {
    const container = testContainer(name, environment)
    disposers.push(() => container.dispose())
    return makeHttpHandler(functionGroups[name], container)
  }
  users = handler("users")
  teams = handler("teams")
  auth = handler("auth")
}, 60_000)

afterAll(async () => {
  await Promise.all(disposers.map((dispose) => dispose()))
  await dynamo?.stop()
})

const json = (result: ProxyResult) => JSON.parse(result.body) as Record<string, any>

/** Claims as a REST API Cognito authorizer passes them: all strings. */
const restClaims = (sub: string, email: string) => ({
  sub,
  email,
  email_verified: "true",
  "cognito:username": `user-${sub.slice(0, 8)}`,
  token_use: "id",
  aud: "client-1",
  iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool",
  auth_time: "1700000000",
  exp: "Tue Nov 14 23:13:20 UTC 2023"
})

/** Claims as an HTTP API JWT authorizer passes them. */
const jwtClaims = (sub: string, email: string) => ({
  sub,
  email,
  email_verified: false,
  name: "Jay Walker",
  token_use: "id",
  aud: "client-1",
  iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool",
  auth_time: 1_700_000_000,
  exp: 1_700_003_600
})

const email = () => `${randomUUID()}@example.test`

describe("Cognito identity", () => {
  it("REST API claims: the first sight creates the user, the second finds the same one", async () => {
    const sub = randomUUID()
    const address = email()
    const first = await users(restEvent({ path: "/api/users/me", claims: restClaims(sub, address) }), fakeContext())
    expect(first.statusCode, first.body).toBe(200)
    expect(json(first)).toMatchObject({ userId: sub, email: address, name: `user-${sub.slice(0, 8)}`, emailVerified: true })
    const second = await users(restEvent({ path: "/api/users/me", claims: restClaims(sub, address) }), fakeContext())
    expect(json(second)).toEqual(json(first))
    // The same person through the HTTP API is the same user.
    const viaHttpApi = await users(httpApiEvent({ path: "/api/users/me", claims: jwtClaims(sub, address) }), fakeContext())
    expect(json(viaHttpApi)).toEqual(json(first))
  })

  it("HTTP API JWT claims: the first sight creates the user with its name and email_verified", async () => {
    const sub = randomUUID()
    const address = email()
    const result = await users(httpApiEvent({ path: "/api/users/me", stage: "live", claims: jwtClaims(sub, address) }), fakeContext())
    expect(result.statusCode, result.body).toBe(200)
    expect(json(result)).toMatchObject({ userId: sub, email: address, name: "Jay Walker", emailVerified: false })
  })

  it("two first requests of one sub at once make one user", async () => {
    const sub = randomUUID()
    const address = email()
    const answers = await Promise.all(
      [0, 1, 2, 3].map(() => users(httpApiEvent({ path: "/api/users/me", claims: jwtClaims(sub, address) }), fakeContext()))
    )
    for (const answer of answers) expect(answer.statusCode, answer.body).toBe(200)
    expect(new Set(answers.map((a) => json(a)["createdAt"])).size).toBe(1)
  })

  it("without claims is 401 in both formats, whatever Authorization says", async () => {
    for (const event of [
      restEvent({ path: "/api/users/me", headers: { Authorization: "Bearer something" } }),
      httpApiEvent({ path: "/api/users/me" })
    ]) {
      const result = await users(event, fakeContext())
      expect(result.statusCode).toBe(401)
      expect(json(result)).toMatchObject({ code: "MissingClaims" })
    }
  })

  it("claims without an email (an access token's) are 401 naming the claim", async () => {
    const result = await users(httpApiEvent({ path: "/api/users/me", claims: { sub: randomUUID(), token_use: "access", scope: "openid" } }), fakeContext())
    expect(result.statusCode).toBe(401)
    expect(json(result)).toMatchObject({ code: "InvalidClaims", detail: "the identity has no email claim" })
  })

  it("an email that belongs to another account is 409 EmailTaken", async () => {
    const address = email()
    const signup = await auth(
      httpApiEvent({
        method: "POST",
        path: "/api/auth/signup",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: address, password: "Correct-Horse-9", name: "first" })
      }),
      fakeContext()
    )
    expect(signup.statusCode, signup.body).toBe(201)
    const result = await users(restEvent({ path: "/api/users/me", claims: restClaims(randomUUID(), address) }), fakeContext())
    expect(result.statusCode).toBe(409)
    expect(json(result)).toMatchObject({ code: "EmailTaken" })
  })

  it("a Cognito caller uses the other functions like any caller", async () => {
    const sub = randomUUID()
    const claims = jwtClaims(sub, email())
    const created = await teams(
      httpApiEvent({ method: "POST", path: "/api/teams", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "cognito team" }), claims }),
      fakeContext()
    )
    expect(created.statusCode, created.body).toBe(201)
    const mine = await teams(httpApiEvent({ path: `/api/users/${sub}/teams`, claims }), fakeContext())
    expect(mine.statusCode, mine.body).toBe(200)
    expect(JSON.parse(mine.body)).toContainEqual(expect.objectContaining({ teamId: json(created)["teamId"], role: "owner" }))
  })
})
