/**
 * The app on STORE=postgres (the real Postgres and Redis, each reached through a switch the test
 * can turn off): readiness asks both stores for real, a store that goes down makes /api/ready
 * and the requests that need it answer 503 while /api/health stays 200, and both recover. Works
 * in a schema and a Redis key prefix of its own.
 */
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as PostgresSchema from "./support/PostgresSchema.js"
import * as ServerTest from "./support/ServerTest.js"
import * as TcpSwitch from "./support/TcpSwitch.js"

const { databaseUrl, redisUrl } = PostgresSchema

const via = (url: string, port: number) => {
  const parsed = new URL(url)
  parsed.hostname = "127.0.0.1"
  parsed.port = String(port)
  return parsed.toString()
}

const endpointOf = (url: string, defaultPort: number) => {
  const parsed = new URL(url)
  return { host: parsed.hostname || "127.0.0.1", port: parsed.port === "" ? defaultPort : Number(parsed.port) }
}

let schema: PostgresSchema.PostgresSchema
let server: ServerTest.TestServer
const logs = new ServerTest.LogCollector()
let postgres: TcpSwitch.TcpSwitch
let redis: TcpSwitch.TcpSwitch

beforeAll(async () => {
  schema = await PostgresSchema.create("server")
  postgres = await TcpSwitch.start(endpointOf(databaseUrl, 5432))
  redis = await TcpSwitch.start(endpointOf(redisUrl, 6379))
  server = await ServerTest.start({
    ...schema.env,
    DATABASE_URL: via(databaseUrl, postgres.port),
    DATABASE_CONNECT_TIMEOUT_MS: "1000",
    DATABASE_TIMEOUT_MS: "2000",
    REDIS_URL: via(redisUrl, redis.port),
    REDIS_COMMAND_TIMEOUT_MS: "500",
    REDIS_RECONNECT_MAX_DELAY_MS: "200",
    LOG_LEVEL: "warn"
  }, { logs })
}, 120_000)

afterAll(async () => {
  await server?.close()
  await postgres?.close()
  await redis?.close()
  await schema?.drop()
})

const ready = () => server.app.inject({ method: "GET", url: "/api/ready" })

/** Polls /api/ready until it answers `status` (reconnecting takes a moment), or gives up. */
const eventually = async (status: number) => {
  const deadline = Date.now() + 20_000
  for (;;) {
    const res = await ready()
    if (res.statusCode === status || Date.now() > deadline) return res
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * Cuts `store`'s switch, waits for /api/ready to say so (503, that store's check failing, the
 * other's passing), runs `during`, then restores the switch and waits for readiness to return.
 */
const whileDown = async (store: "postgres" | "redis", during: () => Promise<void>) => {
  const line = store === "postgres" ? postgres : redis
  line.cut()
  try {
    const down = await eventually(503)
    expect(down.statusCode).toBe(503)
    expect(down.json()).toMatchObject({
      status: 503,
      code: "NotReady",
      checks: expect.arrayContaining([{ name: "postgres", ok: store !== "postgres" }, { name: "redis", ok: store !== "redis" }])
    })
    await during()
  } finally {
    line.restore()
  }
  expect((await eventually(200)).statusCode).toBe(200)
}

describe("on Postgres and Redis", () => {
  it("is ready when both stores answer, and serves a signup → me flow", async () => {
    const res = await ready()
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      status: "ready",
      checks: expect.arrayContaining([{ name: "postgres", ok: true }, { name: "redis", ok: true }])
    })
    const user = await ServerTest.signUp(server.app, "pg")
    const me = await server.app.inject({ method: "GET", url: "/api/users/me", headers: { authorization: `Bearer ${user.accessToken}` } })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({ userId: user.userId, email: user.email })
  })

  it("gives no CORS headers to another origin when CORS_ORIGINS is not set", async () => {
    const res = await server.app.inject({ method: "GET", url: "/api/health", headers: { origin: "https://elsewhere.example" } })
    expect(res.statusCode).toBe(200)
    expect(res.headers["access-control-allow-origin"]).toBeUndefined()
  })

  it("answers 503 from /api/ready and from requests that need Postgres while it is down, then recovers", async () => {
    await whileDown("postgres", async () => {
      const signup = await server.app.inject({
        method: "POST",
        url: "/api/auth/signup",
        headers: { "content-type": "application/json", "x-request-id": "signup-while-down" },
        payload: JSON.stringify({ email: `down-${randomBytes(4).toString("hex")}@example.com`, password: "Correct-horse-1", name: "d" })
      })
      expect(signup.statusCode).toBe(503)
      expect(String(signup.headers["content-type"])).toMatch(/^application\/problem\+json/)
      expect(signup.body).not.toMatch(/ECONN|127\.0\.0\.1|select|insert/i)
      // The contract's own log line (written through Effect) carries the request id.
      expect(logs.records().some((r) => r["reqId"] === "signup-while-down" && r["level"] === 50)).toBe(true)
      expect((await server.app.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200)
    })
  })

  it("answers 503 from /api/ready while Redis is down, then recovers", async () => {
    await whileDown("redis", async () => {
      // QR challenges live in Redis.
      const qr = await server.app.inject({ method: "POST", url: "/api/qr/init" })
      expect(qr.statusCode).toBe(503)
    })
  })
})
