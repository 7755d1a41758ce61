/**
 * An HTTP function as API Gateway calls it, over the in-memory stores (the store is not what is
 * under test here): it serves its own routes only, answers malformed events with a 400 problem
 * naming the field, answers CORS preflights for allowed origins only, echoes the correlation id,
 * reads Cognito claims only in AUTH_MODE=cognito, and answers a function that cannot start with
 * a bare 500 problem — never an exception.
 */
import { afterAll, describe, expect, it } from "vitest"
import { functionGroups, makeHttpHandler, type ProxyResult } from "../src/index.js"
import { fakeContext, LogCollector, memoryStores, testContainer, testSecrets } from "./support/LambdaTest.js"
import { httpApiEvent, restEvent } from "./support/ProxyEvents.js"

const ORIGIN = "https://app.example.test"
const environment = { ...testSecrets(), CORS_ORIGINS: `${ORIGIN}, https://admin.example.test` }

const containers = {
  auth: testContainer("auth", environment, { stores: memoryStores }),
  users: testContainer("users", environment, { stores: memoryStores }),
  health: testContainer("health", environment, { stores: memoryStores })
}
const auth = makeHttpHandler(functionGroups.auth, containers.auth)
const users = makeHttpHandler(functionGroups.users, containers.users)
const health = makeHttpHandler(functionGroups.health, containers.health)

afterAll(() => Promise.all(Object.values(containers).map((c) => c.dispose())))

const json = (result: ProxyResult) => JSON.parse(result.body) as Record<string, any>

const expectProblem = (result: ProxyResult, status: number) => {
  expect(result.statusCode, result.body).toBe(status)
  expect(result.headers["content-type"]).toBe("application/problem+json")
  return json(result)
}

describe("routing", () => {
  it("serves only the function's own routes: anything else is the contract's 404", async () => {
    expect(expectProblem(await auth(restEvent({ path: "/api/users/me" }), fakeContext()), 404).code).toBe("RouteNotFound")
    expect(expectProblem(await users(restEvent({ path: "/api/users/me" }), fakeContext()), 401).code).toBe("MissingToken")
    expect(expectProblem(await health(httpApiEvent({ path: "/api/nowhere" }), fakeContext()), 404).code).toBe("RouteNotFound")
  })

  it("answers both payload formats, HEAD without a body", async () => {
    const v1 = await health(restEvent({ path: "/api/health" }), fakeContext())
    const v2 = await health(httpApiEvent({ path: "/api/health", stage: "beta" }), fakeContext())
    for (const result of [v1, v2]) {
      expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: false })
      expect(json(result)).toEqual({ status: "ok" })
    }
    const head = await health(httpApiEvent({ method: "HEAD", path: "/api/health" }), fakeContext())
    expect(head.statusCode).toBe(200)
    expect(head.body).toBe("")
  })

  it("runs a signup from a base64 body through to the store", async () => {
    const email = `${crypto.randomUUID()}@example.test`
    const body = JSON.stringify({ email, password: "Correct-Horse-9", name: "Ünïcödé" })
    const result = await auth(httpApiEvent({ method: "POST", path: "/api/auth/signup", headers: { "content-type": "application/json" }, body, base64: true }), fakeContext())
    expect(result.statusCode, result.body).toBe(201)
    expect(json(result)["user"]).toMatchObject({ email, name: "Ünïcödé" })
  })
})

describe("malformed events", () => {
  it("answer 400 problem+json naming the field, in a shape both formats accept", async () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [undefined, "event"],
      ["GET /", "event"],
      [{ httpMethod: "GET" }, "path"],
      [{ ...httpApiEvent({ method: "POST" }), body: "%%%", isBase64Encoded: true }, "body"],
      [{ ...restEvent(), multiValueHeaders: { accept: 1 } }, "multiValueHeaders.accept"]
    ]
    for (const [event, field] of cases) {
      const result = await auth(event, fakeContext())
      const problem = expectProblem(result, 400)
      expect(problem).toMatchObject({ code: "ValidationError", errors: [{ path: field, message: expect.any(String) }] })
      expect(result.isBase64Encoded).toBe(false)
    }
  })

  it("never throw, even without a context", async () => {
    await expect(health(Symbol("x") as unknown)).resolves.toMatchObject({ statusCode: 400 })
    await expect(health({ httpMethod: "GET", path: "/api/health" })).resolves.toMatchObject({ statusCode: 200 })
  })
})

describe("CORS", () => {
  it("answers a preflight from an allowed origin with 204 and the policy", async () => {
    const result = await users(
      httpApiEvent({ method: "OPTIONS", path: "/api/users/me", headers: { origin: ORIGIN, "access-control-request-method": "PUT" } }),
      fakeContext()
    )
    expect(result.statusCode).toBe(204)
    expect(result.body).toBe("")
    expect(result.headers).toMatchObject({
      "access-control-allow-origin": ORIGIN,
      "access-control-allow-methods": expect.stringContaining("PUT"),
      "access-control-allow-headers": expect.stringContaining("authorization"),
      "access-control-max-age": "600",
      vary: "Origin"
    })
  })

  it("does not answer a preflight from another origin: the contract does, without CORS headers", async () => {
    const result = await users(
      restEvent({ method: "OPTIONS", path: "/api/users/me", headers: { Origin: "https://evil.example.test", "Access-Control-Request-Method": "GET" } }),
      fakeContext()
    )
    expectProblem(result, 405)
    expect(result.headers["access-control-allow-origin"]).toBeUndefined()
    expect(result.headers["vary"]).toBe("Origin")
  })

  it("marks answers to allowed origins only, and always varies on Origin", async () => {
    const allowed = await health(restEvent({ path: "/api/health", headers: { Origin: "https://admin.example.test" } }), fakeContext())
    expect(allowed.headers).toMatchObject({
      "access-control-allow-origin": "https://admin.example.test",
      "access-control-expose-headers": expect.stringContaining("retry-after"),
      vary: "Origin"
    })
    const other = await health(restEvent({ path: "/api/health", headers: { Origin: "https://evil.example.test" } }), fakeContext())
    expect(other.headers["access-control-allow-origin"]).toBeUndefined()
    expect(other.headers["vary"]).toBe("Origin")
  })

  it("is off without CORS_ORIGINS", async () => {
    const container = testContainer("health", testSecrets(), { stores: memoryStores })
    const handler = makeHttpHandler(functionGroups.health, container)
    const result = await handler(restEvent({ path: "/api/health", headers: { Origin: ORIGIN } }), fakeContext())
    expect(result.headers["access-control-allow-origin"]).toBeUndefined()
    expect(result.headers["vary"]).toBeUndefined()
    await container.dispose()
  })
})

describe("correlation ids", () => {
  it("echo the caller's X-Correlation-Id or X-Request-Id, else API Gateway's request id", async () => {
    const own = await health(restEvent({ headers: { "X-Correlation-Id": "corr-1" }, requestId: "gw-a" }), fakeContext())
    expect(own.headers["x-correlation-id"]).toBe("corr-1")
    const requestId = await health(httpApiEvent({ headers: { "x-request-id": "req-2" }, requestId: "gw-b" }), fakeContext())
    expect(requestId.headers["x-correlation-id"]).toBe("req-2")
    const gateway = await health(httpApiEvent({ requestId: "gw-c" }), fakeContext())
    expect(gateway.headers["x-correlation-id"]).toBe("gw-c")
    // An id a client made up with characters that do not belong in one is not taken.
    const unusable = await health(restEvent({ headers: { "x-correlation-id": "a b\nc" }, requestId: "gw-d" }), fakeContext())
    expect(unusable.headers["x-correlation-id"]).toBe("gw-d")
  })
})

describe("identity by AUTH_MODE", () => {
  it("ignores authorizer claims with the built-in JWT auth (the default)", async () => {
    const claims = { sub: crypto.randomUUID(), email: "jwt-mode@example.test" }
    const result = await users(httpApiEvent({ path: "/api/users/me", claims }), fakeContext())
    expect(expectProblem(result, 401).code).toBe("MissingToken")
  })
})

describe("a function that cannot start", () => {
  it("answers a bare 500 problem and logs the variable, not its value", async () => {
    const logs = new LogCollector()
    const container = testContainer("health", { ...testSecrets(), CORS_ORIGINS: "not an origin" }, { stores: memoryStores, logs })
    const handler = makeHttpHandler(functionGroups.health, container)
    const problem = expectProblem(await handler(restEvent(), fakeContext()), 500)
    expect(problem).toEqual({ type: "https://errors.app/internal-server-error", title: "Internal Server Error", status: 500 })
    expect(logs.records()).toContainEqual(expect.objectContaining({ level: "ERROR", variable: "CORS_ORIGINS" }))
  })

  it("names a secret the adapters need but never shows the ones it has", async () => {
    const logs = new LogCollector()
    const secrets = testSecrets()
    const { AUTH_REFRESH_TOKEN_SECRET: _, ...withoutRefresh } = secrets
    // users: its wiring runs Auth, which reads the token keys (health's reads no secret).
    const container = testContainer("users", withoutRefresh, { stores: memoryStores, logs })
    const handler = makeHttpHandler(functionGroups.users, container)
    expectProblem(await handler(httpApiEvent({ path: "/api/users/me" }), fakeContext()), 500)
    expect(logs.text).toContain("AUTH_REFRESH_TOKEN_SECRET")
    for (const value of Object.values(withoutRefresh)) expect(logs.text).not.toContain(value)
  })
})
