/**
 * The app on the embedded store (PGlite in a temporary DATA_DIR), through Fastify's inject and
 * once over a real socket: the contract behind /api, Fastify's own refusals as problem+json, the
 * web app and its deep links, security headers, CORS, request ids, client addresses behind a
 * proxy, rate-limit settings, and logs that never hold a credential.
 */
import { request as httpRequest } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as ServerTest from "./support/ServerTest.js"

let server: ServerTest.TestServer
const logs = new ServerTest.LogCollector()

beforeAll(async () => {
  server = await ServerTest.start(
    {
      LOG_LEVEL: "trace",
      CORS_ORIGINS: "https://allowed.example",
      RATE_LIMIT_LOGIN: "3/60",
      PUBLIC_URL: "https://app.example.com"
    },
    { logs }
  )
}, 120_000)
afterAll(async () => {
  await server?.close()
})

const json = { "content-type": "application/json" }
const isProblem = (res: { headers: Record<string, unknown> }) =>
  expect(String(res.headers["content-type"])).toMatch(/^application\/problem\+json/)

describe("the contract at /api", () => {
  it("health, readiness (the database answers) and the OpenAPI document", async () => {
    const health = await server.app.inject({ method: "GET", url: "/api/health" })
    expect(health.statusCode).toBe(200)
    expect(health.json()).toEqual({ status: "ok" })

    const ready = await server.app.inject({ method: "GET", url: "/api/ready" })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toMatchObject({ status: "ready", checks: [{ name: "database", ok: true }] })

    const openapi = await server.app.inject({ method: "GET", url: "/api/openapi.json" })
    expect(openapi.statusCode).toBe(200)
    const document = openapi.json() as { openapi: string; paths: Record<string, unknown> }
    expect(document.openapi).toMatch(/^3\.1/)
    expect(Object.keys(document.paths)).toContain("/api/auth/signup")
  })

  it("signs up and answers /users/me for the new user's token", async () => {
    const user = await ServerTest.signUp(server.app, "me")
    const me = await server.app.inject({ method: "GET", url: "/api/users/me", headers: { authorization: `Bearer ${user.accessToken}` } })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({ userId: user.userId, email: user.email, name: "me" })

    const anonymous = await server.app.inject({ method: "GET", url: "/api/users/me" })
    expect(anonymous.statusCode).toBe(401)
    isProblem(anonymous)
  })

  it("passes the query string and HEAD through", async () => {
    const user = await ServerTest.signUp(server.app, "query")
    const auth = { authorization: `Bearer ${user.accessToken}` }
    const missing = await server.app.inject({ method: "GET", url: "/api/devices", headers: auth })
    expect(missing.statusCode).toBe(400)
    expect(missing.json()).toMatchObject({ errors: [{ path: "teamId" }] })
    // A well-formed team id of a team the caller is not in: the query reached the use case.
    const team = await server.app.inject({ method: "POST", url: "/api/teams", headers: { ...auth, ...json }, payload: JSON.stringify({ name: "t" }) })
    expect(team.statusCode).toBe(201)
    const teamId = (team.json() as { teamId: string }).teamId
    const mine = await server.app.inject({ method: "GET", url: `/api/devices?teamId=${teamId}`, headers: auth })
    expect(mine.statusCode).toBe(200)
    expect(mine.json()).toEqual([])

    const head = await server.app.inject({ method: "HEAD", url: "/api/health" })
    expect(head.statusCode).toBe(200)
    expect(head.body).toBe("")
  })

  it("answers an unknown API path with a 404 problem, also for /api itself and non-GET methods", async () => {
    for (const [method, url] of [["GET", "/api/nope"], ["GET", "/api"], ["POST", "/api/nope/deeper"], ["DELETE", "/api/health"]] as const) {
      const res = await server.app.inject({ method, url, headers: { accept: "text/html" } })
      expect([404, 405]).toContain(res.statusCode)
      isProblem(res)
      expect(res.json()).toMatchObject({ status: res.statusCode })
    }
    const nope = await server.app.inject({ method: "GET", url: "/api/nope", headers: { accept: "text/html" } })
    expect(nope.statusCode).toBe(404)
  })

  it("refuses a 2 MB body with 413, before the contract reads it", async () => {
    const res = await server.app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: json,
      payload: JSON.stringify({ email: "a@example.com", password: "x".repeat(2 * 1024 * 1024) })
    })
    expect(res.statusCode).toBe(413)
    isProblem(res)
    expect(res.json()).toMatchObject({ status: 413, code: "BodyTooLarge" })
  })

  it("refuses a body that is not JSON with 415, and broken JSON with 400 naming the body", async () => {
    for (const headers of [{ "content-type": "text/plain" }, { "content-type": "application/x-www-form-urlencoded" }, {}]) {
      const res = await server.app.inject({ method: "POST", url: "/api/auth/login", headers, payload: "email=a" })
      expect(res.statusCode).toBe(415)
      isProblem(res)
    }
    const broken = await server.app.inject({ method: "POST", url: "/api/auth/login", headers: json, payload: "{\"email\":" })
    expect(broken.statusCode).toBe(400)
    isProblem(broken)
    expect(broken.json()).toMatchObject({ errors: [{ path: "body" }] })
  })

  it("answers a Content-Length that does not match the body with a 4xx problem", async () => {
    const res = await server.app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { ...json, "content-length": "1000" },
      payload: "{}"
    })
    expect(res.statusCode).toBeGreaterThanOrEqual(400)
    expect(res.statusCode).toBeLessThan(500)
    isProblem(res)
  })
})

describe("the client address behind the load balancer (TRUST_PROXY=1 by default)", () => {
  /** The address QR login reports to the phone is the one the shell gave the contract. */
  const requesterIpOf = async (forwardedFor: string) => {
    const init = await server.app.inject({
      method: "POST",
      url: "/api/qr/init",
      headers: { "x-forwarded-for": forwardedFor, "user-agent": "desktop-browser/1.0" }
    })
    expect(init.statusCode).toBe(201)
    const { challengeId, qrPayload } = init.json() as { challengeId: string; qrPayload: string }
    const scanKey = new URL(qrPayload).searchParams.get("k")
    const phone = await ServerTest.signUp(server.app, "phone")
    const scan = await server.app.inject({
      method: "POST",
      url: "/api/qr/scan",
      headers: { ...json, authorization: `Bearer ${phone.accessToken}` },
      payload: JSON.stringify({ challengeId, scanKey })
    })
    expect(scan.statusCode).toBe(200)
    const requester = (scan.json() as { requester: { ip: string; userAgent: string } }).requester
    expect(requester.userAgent).toBe("desktop-browser/1.0")
    return { ip: requester.ip, qrPayload }
  }

  it("takes the address the proxy added, not what the client wrote before it", async () => {
    expect((await requesterIpOf("203.0.113.9")).ip).toBe("203.0.113.9")
    expect((await requesterIpOf("198.51.100.7, 203.0.113.10")).ip).toBe("203.0.113.10")
  })

  it("puts PUBLIC_URL in the QR payload", async () => {
    expect((await requesterIpOf("203.0.113.11")).qrPayload).toMatch(/^https:\/\/app\.example\.com\//)
  })

  it("rate-limits login per client address with the RATE_LIMIT_LOGIN policy (3 per 60 s)", async () => {
    const attempt = (ip: string) =>
      server.app.inject({
        method: "POST",
        url: "/api/auth/login",
        headers: { ...json, "x-forwarded-for": ip },
        payload: JSON.stringify({ email: "nobody@example.com", password: "Wrong-password-1" })
      })
    for (let i = 0; i < 3; i++) expect((await attempt("192.0.2.50")).statusCode).toBe(401)
    const limited = await attempt("192.0.2.50")
    expect(limited.statusCode).toBe(429)
    isProblem(limited)
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0)
    expect((await attempt("192.0.2.51")).statusCode).toBe(401)
  })
})

describe("the web app", () => {
  it("serves index.html at / and for deep links, never cached", async () => {
    for (const url of ["/", "/teams/123", "/qr/approve?c=1&k=2"]) {
      const res = await server.app.inject({ method: "GET", url, headers: { accept: "text/html,application/xhtml+xml" } })
      expect(res.statusCode).toBe(200)
      expect(res.headers["content-type"]).toMatch(/^text\/html/)
      expect(res.body).toContain("fixture-index")
      expect(res.headers["cache-control"]).toBe("no-cache")
    }
  })

  it("serves real files with their types; hashed assets are cached for good", async () => {
    const asset = await server.app.inject({ method: "GET", url: "/assets/app-3f2a1c.js" })
    expect(asset.statusCode).toBe(200)
    expect(asset.headers["content-type"]).toMatch(/javascript/)
    expect(asset.body).toContain("fixture asset")
    expect(asset.headers["cache-control"]).toContain("immutable")

    const icon = await server.app.inject({ method: "GET", url: "/favicon.svg" })
    expect(icon.statusCode).toBe(200)
    expect(icon.headers["content-type"]).toMatch(/^image\/svg\+xml/)
  })

  it("answers a missing file, a non-HTML request and a non-GET with 404, not the app", async () => {
    const missing = await server.app.inject({ method: "GET", url: "/assets/missing-123.js", headers: { accept: "*/*" } })
    expect(missing.statusCode).toBe(404)
    const asJson = await server.app.inject({ method: "GET", url: "/teams/123", headers: { accept: "application/json" } })
    expect(asJson.statusCode).toBe(404)
    isProblem(asJson)
    const post = await server.app.inject({ method: "POST", url: "/teams/123", headers: { accept: "text/html" } })
    expect(post.statusCode).toBe(404)
    const traversal = await server.app.inject({ method: "GET", url: "/../package.json" })
    expect(traversal.statusCode).toBe(404)
  })
})

describe("headers", () => {
  it("sets the security headers on pages and API answers", async () => {
    for (const url of ["/", "/api/health"]) {
      const res = await server.app.inject({ method: "GET", url })
      expect(res.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains")
      expect(res.headers["x-content-type-options"]).toBe("nosniff")
      expect(res.headers["x-frame-options"]).toBe("DENY")
      expect(res.headers["referrer-policy"]).toBe("no-referrer")
      const csp = String(res.headers["content-security-policy"])
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("connect-src 'self' wss://app.example.com")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("object-src 'none'")
      expect(csp).toContain("upgrade-insecure-requests")
    }
  })

  it("allows the configured origin and gives any other origin no CORS headers", async () => {
    const allowed = await server.app.inject({ method: "GET", url: "/api/health", headers: { origin: "https://allowed.example" } })
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://allowed.example")
    const refused = await server.app.inject({ method: "GET", url: "/api/health", headers: { origin: "https://evil.example" } })
    expect(refused.statusCode).toBe(200)
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined()

    const preflight = (origin: string) =>
      server.app.inject({
        method: "OPTIONS",
        url: "/api/auth/login",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" }
      })
    const ok = await preflight("https://allowed.example")
    expect(ok.statusCode).toBe(204)
    expect(ok.headers["access-control-allow-origin"]).toBe("https://allowed.example")
    expect(String(ok.headers["access-control-allow-methods"])).toContain("POST")
    expect(String(ok.headers["access-control-allow-headers"])).toContain("authorization")
    const no = await preflight("https://evil.example")
    expect(no.headers["access-control-allow-origin"]).toBeUndefined()
  })

  it("echoes a usable X-Request-Id (or the ALB's trace id) and replaces anything else", async () => {
    const given = await server.app.inject({ method: "GET", url: "/api/health", headers: { "x-request-id": "req-abc.123" } })
    expect(given.headers["x-request-id"]).toBe("req-abc.123")
    const trace = "Root=1-67891233-abcdef012345678912345678"
    const fromAlb = await server.app.inject({ method: "GET", url: "/api/health", headers: { "x-amzn-trace-id": trace } })
    expect(fromAlb.headers["x-request-id"]).toBe(trace)
    const hostile = await server.app.inject({ method: "GET", url: "/api/health", headers: { "x-request-id": "x\" injected {" } })
    expect(hostile.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/)
    expect(logs.records().some((r) => r["reqId"] === "req-abc.123")).toBe(true)
  })
})

describe("logs", () => {
  it("are JSON lines with the request id, and never hold a password, token or device key", async () => {
    const user = await ServerTest.signUp(server.app, "logged")
    const login = await server.app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { ...json, cookie: "session=cookie-secret-value", "x-forwarded-for": "192.0.2.77" },
      payload: JSON.stringify({ email: user.email, password: user.password })
    })
    expect(login.statusCode).toBe(200)
    const tokens = login.json() as { accessToken: string; refreshToken: string }
    await server.app.inject({ method: "GET", url: "/api/users/me", headers: { authorization: `Bearer ${tokens.accessToken}` } })
    await server.app.inject({
      method: "POST",
      url: "/api/sensor-data",
      headers: { ...json, "x-device-key": "device-key-secret-value" },
      payload: JSON.stringify({ deviceId: "01HZZZZZZZZZZZZZZZZZZZZZZZ", readings: [] })
    })
    const text = logs.text
    expect(text).toContain("\"reqId\"")
    for (const secret of [user.password, tokens.accessToken, tokens.refreshToken, user.accessToken, "cookie-secret-value", "device-key-secret-value"]) {
      expect(text).not.toContain(secret)
    }
    // Every line parses: one JSON object per line.
    expect(logs.records().length).toBeGreaterThan(10)
  })
})

describe("over a real socket", () => {
  it("listens on an ephemeral port and keeps connections alive past the ALB's idle timeout", async () => {
    await server.app.listen({ port: 0, host: "127.0.0.1" })
    const { port } = server.app.server.address() as AddressInfo
    const res = await fetch(`http://127.0.0.1:${port}/api/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: "ok" })

    const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/api/health", headers: { connection: "keep-alive" } }, (response) => {
        response.resume()
        const header = response.headers["keep-alive"]
        resolve(typeof header === "string" ? header : undefined)
      })
      req.on("error", reject)
      req.end()
    })
    expect(keepAlive).toBe("timeout=65")
    expect(server.app.server.headersTimeout).toBeGreaterThan(server.app.server.keepAliveTimeout)
  })

  it("routes the QR event stream to the realtime plugin, past the /api/* contract route", async () => {
    const { port } = server.app.server.address() as AddressInfo
    const init = await fetch(`http://127.0.0.1:${port}/api/qr/init`, { method: "POST" })
    const { challengeId } = (await init.json()) as { challengeId: string }
    const controller = new AbortController()
    const stream = await fetch(`http://127.0.0.1:${port}/api/qr/sse/${challengeId}`, { signal: controller.signal })
    expect(stream.status).toBe(200)
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/)
    const reader = stream.body!.getReader()
    let text = ""
    while (!text.includes("event: status")) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    expect(text).toContain("pending")
  })
})
