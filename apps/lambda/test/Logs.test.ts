/**
 * What a function writes to its log and when it builds its runtime: JSON lines carrying the AWS
 * request id and the correlation id — the shell's request line and Effect's own lines from inside
 * the contract alike — no password, token, Authorization or cookie in any of them, LOG_LEVEL
 * obeyed; and one runtime per container, built on the first invocation, rebuilt only after a build
 * that failed.
 */
import { randomUUID } from "node:crypto"
import { Effect, Layer } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { functionGroups, functionLayer, FunctionWiring, type LambdaStorePorts, makeContainer, makeHttpHandler, type ProxyResult } from "../src/index.js"
import { fakeContext, LogCollector, memoryStores, sharedMemoryStores, testContainer, testSecrets } from "./support/LambdaTest.js"
import { httpApiEvent, restEvent } from "./support/ProxyEvents.js"

const disposers: Array<() => Promise<void>> = []
afterAll(() => Promise.all(disposers.map((dispose) => dispose())))

const functionWith = (
  name: "auth" | "users" | "health",
  environment: Record<string, string>,
  stores: Layer.Layer<LambdaStorePorts> | "dynamodb" = memoryStores
) => {
  const logs = new LogCollector()
  const container = testContainer(name, environment, { logs, ...(stores === "dynamodb" ? {} : { stores }) })
  disposers.push(() => container.dispose())
  return { handler: makeHttpHandler(functionGroups[name], container), logs, container }
}

const json = (result: ProxyResult) => JSON.parse(result.body) as Record<string, any>

describe("log lines", () => {
  it("are one JSON object per line with level, message, timestamp, function, the AWS request id and the correlation id", async () => {
    const { handler, logs } = functionWith("health", testSecrets())
    const context = fakeContext()
    await handler(restEvent({ path: "/api/health", headers: { "X-Correlation-Id": "corr-42" } }), context)
    await handler(httpApiEvent({ path: "/api/ready", requestId: "gw-77" }), fakeContext())
    for (const line of logs.lines) expect(line.endsWith("\n") && line.indexOf("\n") === line.length - 1).toBe(true)
    const records = logs.records()
    expect(records[0]).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      level: "INFO",
      function: "health",
      message: "request",
      awsRequestId: context.awsRequestId,
      correlationId: "corr-42",
      method: "GET",
      path: "/api/health",
      status: 200,
      durationMs: expect.any(Number)
    })
    expect(records[1]).toMatchObject({ correlationId: "gw-77", path: "/api/ready", status: 200 })
  })

  it("from inside Effect (the contract's Effect.logError) carry the same ids as the request's line", async () => {
    // DynamoDB on a port nothing listens on: the login's store read fails, and the contract logs it.
    const environment = {
      ...testSecrets(),
      AWS_REGION: "us-east-1",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
      DYNAMODB_MAX_ATTEMPTS: "1",
      DYNAMODB_CONNECT_TIMEOUT_MS: "500"
    }
    process.env["AWS_ACCESS_KEY_ID"] ??= "lambdatests"
    process.env["AWS_SECRET_ACCESS_KEY"] ??= "lambdatests"
    const { handler, logs } = functionWith("auth", environment, "dynamodb")
    const context = fakeContext()
    const result = await handler(
      httpApiEvent({
        method: "POST",
        path: "/api/auth/login",
        headers: { "content-type": "application/json", "x-request-id": "req-9" },
        body: JSON.stringify({ email: "down@example.test", password: "Correct-Horse-9" })
      }),
      context
    )
    expect(result.statusCode).toBe(503)
    const records = logs.records().filter((r) => r["awsRequestId"] === context.awsRequestId)
    const fromEffect = records.find((r) => r["message"] === "auth.login failed")
    expect(fromEffect).toMatchObject({ level: "ERROR", function: "auth", correlationId: "req-9", details: { status: 503 } })
    expect(records.find((r) => r["message"] === "request")).toMatchObject({ level: "ERROR", correlationId: "req-9", status: 503 })
    expect(logs.text).not.toContain("Correct-Horse-9")
  })

  it("never hold a password, a token, an Authorization header or a cookie", async () => {
    const environment = testSecrets()
    const stores = await sharedMemoryStores()
    const auth = functionWith("auth", environment, stores)
    const users = functionWith("users", environment, stores)
    const email = `${randomUUID()}@example.test`
    const password = "Very-Secret-Password-7"
    const post = (path: string, body: unknown) =>
      auth.handler(
        httpApiEvent({ method: "POST", path, headers: { "content-type": "application/json", cookie: "session=COOKIE-VALUE-1" }, body: JSON.stringify(body) }),
        fakeContext()
      )
    const signup = json(await post("/api/auth/signup", { email, password, name: "quiet" }))
    const login = json(await post("/api/auth/login", { email, password }))
    const refreshed = json(await post("/api/auth/refresh", { refreshToken: login["refreshToken"] }))
    await post("/api/auth/logout", { refreshToken: refreshed["refreshToken"] })
    await post("/api/auth/login", { email, password: "Wrong-Password-8" })
    const me = await users.handler(
      restEvent({ path: "/api/users/me", headers: { Authorization: `Bearer ${login["accessToken"]}`, Cookie: "session=COOKIE-VALUE-2" } }),
      fakeContext()
    )
    expect(me.statusCode).toBe(200)
    const text = auth.logs.text + users.logs.text
    expect(auth.logs.records().length).toBeGreaterThanOrEqual(5)
    for (const secret of [
      password,
      "Wrong-Password-8",
      signup["accessToken"],
      signup["refreshToken"],
      login["accessToken"],
      login["refreshToken"],
      refreshed["refreshToken"],
      "COOKIE-VALUE",
      "Bearer",
      ...Object.values(environment)
    ]) {
      expect(text).not.toContain(secret)
    }
  })

  it("obey LOG_LEVEL", async () => {
    const quiet = functionWith("health", { ...testSecrets(), LOG_LEVEL: "warn" })
    await quiet.handler(restEvent({ path: "/api/health" }), fakeContext())
    await quiet.handler({ httpMethod: 7 }, fakeContext())
    expect(quiet.logs.records().map((r) => r["message"])).toEqual(["malformed event"])
    const silent = functionWith("health", { ...testSecrets(), LOG_LEVEL: "silent" })
    await silent.handler({ httpMethod: 7 }, fakeContext())
    expect(silent.logs.lines).toEqual([])
  })
})

describe("one runtime per container", () => {
  /** A container whose function layer counts how often it is made and built, and can be made to fail. */
  const countingContainer = (failFirstBuild: boolean) => {
    const counts = { made: 0, built: 0 }
    const container = makeContainer({
      functionName: "health",
      environment: testSecrets(),
      logSink: new LogCollector(),
      layer: (config) => {
        counts.made++
        const build = Layer.effectDiscard(
          Effect.suspend(() => {
            counts.built++
            return failFirstBuild && counts.built === 1 ? Effect.fail("the first build fails") : Effect.void
          })
        )
        return Layer.merge(functionLayer(config, FunctionWiring.health, { stores: memoryStores }), build)
      }
    })
    disposers.push(() => container.dispose())
    return { counts, handler: makeHttpHandler(functionGroups.health, container) }
  }

  it("is built on the first invocation and reused by every later one, concurrent ones included", async () => {
    const { counts, handler } = countingContainer(false)
    expect(counts).toEqual({ made: 0, built: 0 })
    const first = await Promise.all([handler(restEvent(), fakeContext()), handler(httpApiEvent(), fakeContext())])
    const second = await handler(restEvent(), fakeContext())
    for (const result of [...first, second]) expect(result.statusCode).toBe(200)
    expect(counts).toEqual({ made: 1, built: 1 })
  })

  it("is built again after a build that failed, instead of failing forever", async () => {
    const { counts, handler } = countingContainer(true)
    expect((await handler(restEvent(), fakeContext())).statusCode).toBe(500)
    expect((await handler(restEvent(), fakeContext())).statusCode).toBe(200)
    expect((await handler(restEvent(), fakeContext())).statusCode).toBe(200)
    expect(counts).toEqual({ made: 2, built: 2 })
  })
})
