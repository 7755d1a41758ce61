/**
 * The typed client over the in-process handler's `fetch`: `call` (body or ApiProblem) against
 * `request` (any answer with its status), path and query encoding, the access-token provider and
 * its per-call override. The `@ts-expect-error` lines are checked by `tsc --noEmit`: the client's
 * types must refuse unknown routes and incomplete inputs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ApiProblem, makeApiClient, type ApiClient } from "../src/index.js"
import { STRONG_PASSWORD, uniqueEmail } from "./support/ApiRequests.js"
import { makeInProcessApi } from "./support/InProcessApi.js"

const api = makeInProcessApi()
afterAll(() => api.dispose())

/** Every URL the client asked for, to see what it put on the wire. */
const requested: Array<string> = []
const recordingFetch: typeof globalThis.fetch = (input, init) => {
  requested.push(input instanceof Request ? input.url : String(input))
  return api.fetch(input, init)
}
const lastPath = () => {
  const url = new URL(requested.at(-1)!)
  return `${url.pathname}${url.search}`
}

let currentToken: string | undefined
let providerCalls = 0
const client: ApiClient = makeApiClient({
  baseUrl: "http://api.test/",
  fetch: recordingFetch,
  accessToken: () => {
    providerCalls++
    return currentToken
  }
})

const signUp = async (name: string) => {
  const email = uniqueEmail(`client-${name}`)
  const session = await client.call("auth.signup", { body: { email, password: STRONG_PASSWORD, name }, headers: { "x-test-ip": `client-${name}` } })
  return { email, ...session }
}

let alice: Awaited<ReturnType<typeof signUp>>
let bob: Awaited<ReturnType<typeof signUp>>

beforeAll(async () => {
  alice = await signUp("alice")
  bob = await signUp("bob")
  currentToken = alice.accessToken
})

describe("call and request", () => {
  it("call answers the body typed from the route's schema", async () => {
    const me = await client.call("users.me")
    expect(me.userId).toBe(alice.user.userId)
    expect(me.email).toBe(alice.email)
    expect(alice.expiresIn).toBe(3600)
  })

  it("request answers any status with its body; call rejects a non-2xx with ApiProblem", async () => {
    const body = { email: alice.email, password: STRONG_PASSWORD, name: "Again" }
    const created = await client.request("teams.create", { body: { name: "Status team" } })
    expect(created.status).toBe(201)

    const taken = await client.request("auth.signup", { body, headers: { "x-test-ip": "client-taken" } })
    expect(taken.status).toBe(409)
    expect(taken.body).toMatchObject({ status: 409, code: "EmailTaken" })

    const rejection = await client.call("auth.signup", { body, headers: { "x-test-ip": "client-taken" } }).catch((e: unknown) => e)
    expect(rejection).toBeInstanceOf(ApiProblem)
    const problem = rejection as ApiProblem
    expect(problem.status).toBe(409)
    expect(problem.problem).toMatchObject({ status: 409, code: "EmailTaken", title: "Conflict" })
    expect(problem.headers.get("content-type")).toBe("application/problem+json")
    expect(problem.message).toContain("409")
  })

  it("answers a 204 route with undefined", async () => {
    const session = await client.call("auth.login", { body: { email: bob.email, password: STRONG_PASSWORD }, headers: { "x-test-ip": "client-logout" } })
    await expect(client.call("auth.logout", { body: { refreshToken: session.refreshToken } })).resolves.toBeUndefined()
    await expect(client.call("auth.refresh", { body: { refreshToken: session.refreshToken } })).rejects.toMatchObject({ status: 401 })
  })
})

describe("the wire", () => {
  it("percent-encodes path parameters, so a hostile value stays one segment", async () => {
    const answer = await client.request("users.get", { params: { userId: "a/b c?d#é" } })
    expect(lastPath()).toBe("/api/users/a%2Fb%20c%3Fd%23%C3%A9")
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ errors: [{ path: "userId" }] })

    const self = await client.call("users.get", { params: { userId: alice.user.userId } })
    expect(self).toMatchObject({ userId: alice.user.userId, email: alice.email })
  })

  it("writes the query, leaving out absent values", async () => {
    const team = await client.call("teams.create", { body: { name: "Query team" } })
    const room = await client.call("chat.createRoom", { body: { teamId: team.teamId, name: "general" } })
    for (const n of [1, 2, 3]) await client.call("chat.sendMessage", { params: { roomId: room.roomId }, body: { body: `m${n}`, clientMessageId: `c${n}` } })

    const page = await client.call("chat.listMessages", { params: { roomId: room.roomId }, query: { after: "1", limit: "1" } })
    expect(lastPath()).toBe(`/api/chat/rooms/${room.roomId}/messages?after=1&limit=1`)
    expect(page.messages.map((m) => m.body)).toEqual(["m2"])

    await client.call("chat.listRooms", { query: {} })
    expect(lastPath()).toBe("/api/chat/rooms")
  })

  it("sends a repeated query parameter as an array, of which the handler takes the first", async () => {
    const first = await client.call("teams.create", { body: { name: "First" } })
    const second = await client.call("teams.create", { body: { name: "Second" } })
    const inFirst = await client.call("chat.createRoom", { body: { teamId: first.teamId, name: "one" } })
    await client.call("chat.createRoom", { body: { teamId: second.teamId, name: "two" } })

    const answer = await api.fetch(`http://api.test/api/chat/rooms?teamId=${first.teamId}&teamId=${second.teamId}`, {
      headers: { authorization: `Bearer ${alice.accessToken}` }
    })
    expect(answer.status).toBe(200)
    expect(((await answer.json()) as Array<{ roomId: string }>).map((r) => r.roomId)).toEqual([inFirst.roomId])
  })
})

describe("access tokens", () => {
  it("asks the provider only for authenticated routes", async () => {
    const before = providerCalls
    await client.call("health")
    expect(providerCalls).toBe(before)
    await client.call("users.me")
    expect(providerCalls).toBe(before + 1)
  })

  it("lets one call override the provider's token", async () => {
    expect((await client.call("users.me", { accessToken: bob.accessToken })).userId).toBe(bob.user.userId)
    expect((await client.call("users.me")).userId).toBe(alice.user.userId)
  })

  it("lets an explicit Authorization header win over both", async () => {
    await expect(client.call("users.me", { accessToken: bob.accessToken, headers: { authorization: "Bearer not-a-token" } })).rejects.toMatchObject({
      status: 401
    })
  })

  it("sends no token when the provider has none", async () => {
    currentToken = undefined
    try {
      const rejection = await client.call("users.me").catch((e: unknown) => e)
      expect(rejection).toBeInstanceOf(ApiProblem)
      expect((rejection as ApiProblem).problem.code).toBe("MissingToken")
    } finally {
      currentToken = alice.accessToken
    }
  })
})

describe("types", () => {
  it("refuses an unknown route name, also at run time", async () => {
    // @ts-expect-error: no route has this name
    await expect(client.call("users.delete")).rejects.toThrow(TypeError)
  })

  it("refuses a body without a required field (the handler would answer 400 naming it)", async () => {
    const email = uniqueEmail("client-incomplete")
    // @ts-expect-error: `name` is required by auth.signup
    const answer = await client.request("auth.signup", { body: { email, password: STRONG_PASSWORD } })
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ errors: [{ path: "name" }] })
  })

  it("refuses a route's input without its path parameters", async () => {
    // @ts-expect-error: users.get needs params.userId
    await expect(client.call("users.get")).rejects.toThrow(/missing path parameter userId/)
    // @ts-expect-error: teams.get takes teamId, not userId
    await expect(client.call("teams.get", { params: { userId: alice.user.userId } })).rejects.toThrow(TypeError)
  })

  it("types the answer of each route", async () => {
    const health = await client.call("health")
    // @ts-expect-error: health answers { status }, nothing else
    expect(health.userId).toBeUndefined()
    expect(health.status).toBe("ok")
  })
})
