/**
 * The transport-neutral handler over the in-memory product: routing, body handling, decoding
 * (every failing field at once), bearer authentication against forged tokens, the mapping of
 * every failure to problem+json (never internals), and per-address rate limiting.
 */
import {
  Conflict,
  FieldError,
  Forbidden,
  Gone,
  NotFound,
  RateLimited,
  RateLimiter,
  RateLimiterError,
  TimedOut,
  Unauthenticated,
  Unavailable,
  Unexpected,
  UserRepositoryError,
  Users,
  ValidationError
} from "@app/domain"
import { Effect, Logger, Schema } from "effect"
import { decodeJwt, SignJWT, UnsecuredJWT } from "jose"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  apiHandler,
  defaultApiSettings,
  endpoint,
  failureResponse,
  fromFailure,
  makeApiHandler,
  MAX_JSON_DEPTH,
  Readiness,
  type ApiRequest,
  type ApiResponse
} from "../src/index.js"
import { apiRequest, bearer, jsonOf, jsonRequest, problemOf, signUp, STRONG_PASSWORD, uniqueEmail, type SignedUpUser } from "./support/ApiRequests.js"
import { makeInProcessApi } from "./support/InProcessApi.js"

/** AuthConfig.layerTest of @app/domain: public test values. */
const TEST_ISSUER = "https://auth.test"
const TEST_AUDIENCE = "app-test"
const TEST_ACCESS_SECRET = new TextEncoder().encode("test-access-token-secret-0123456789abcdef")

const api = makeInProcessApi()
let user: SignedUpUser

beforeAll(async () => {
  user = await signUp(api, "handler")
})
afterAll(() => api.dispose())

const paths = (response: ApiResponse) => (problemOf(response).errors ?? []).map((e) => e.path)

describe("routing", () => {
  it("answers an unknown path with 404 RouteNotFound", async () => {
    const answer = await api.handle(apiRequest("GET", "/api/no-such-thing"))
    expect(answer.status).toBe(404)
    expect(problemOf(answer).code).toBe("RouteNotFound")
  })

  it("answers a known path with the wrong method with 405 and Allow", async () => {
    const login = await api.handle(apiRequest("DELETE", "/api/auth/login"))
    expect(login.status).toBe(405)
    problemOf(login)
    expect(login.headers["allow"]).toBe("POST")

    const team = await api.handle(apiRequest("PATCH", "/api/teams/T1"))
    expect(team.status).toBe(405)
    expect(new Set(team.headers["allow"]?.split(", "))).toEqual(new Set(["GET", "PUT", "DELETE"]))
  })

  it("accepts one trailing slash, not an empty segment", async () => {
    expect((await api.handle(apiRequest("GET", "/api/health/"))).status).toBe(200)
    expect(jsonOf(await api.handle(apiRequest("GET", "/api/users/me/", { headers: bearer(user.accessToken) }))).userId).toBe(user.userId)
    expect(problemOf(await api.handle(apiRequest("GET", "/api//health"))).code).toBe("RouteNotFound")
  })

  it("answers HEAD on GET routes as GET, and not on others", async () => {
    expect((await api.handle(apiRequest("HEAD", "/api/health"))).status).toBe(200)
    expect((await api.handle(apiRequest("HEAD", "/api/users/me"))).status).toBe(401)
    expect((await api.handle(apiRequest("HEAD", "/api/users/me", { headers: bearer(user.accessToken) }))).status).toBe(200)
    const head = await api.handle(apiRequest("HEAD", "/api/auth/login"))
    expect(head.status).toBe(405)
    expect(head.headers["allow"]).toBe("POST")
  })

  it("percent-decodes path parameters", async () => {
    const encoded = [...user.userId].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join("")
    const answer = await api.handle(apiRequest("GET", `/api/users/${encoded}`, { headers: bearer(user.accessToken) }))
    expect(answer.status).toBe(200)
    expect(jsonOf(answer).email).toBe(user.email)
  })

  it("answers an invalid percent-encoding with 400 naming the parameter", async () => {
    const answer = await api.handle(apiRequest("GET", "/api/qr/%E0%A4%A/status"))
    expect(answer.status).toBe(400)
    expect(paths(answer)).toEqual(["challengeId"])
  })

  it("prefers literal segments to placeholders", async () => {
    const me = await api.handle(apiRequest("GET", "/api/users/me", { headers: bearer(user.accessToken) }))
    expect(me.status).toBe(200)
    expect(jsonOf(me)).toMatchObject({ userId: user.userId, email: user.email })

    const invitations = await api.handle(apiRequest("GET", "/api/users/me/invitations", { headers: bearer(user.accessToken) }))
    expect(invitations.status).toBe(200)
    expect(jsonOf(invitations)).toEqual([])
  })
})

describe("bodies", () => {
  const login = (body: string | undefined, headers: Record<string, string>, remoteAddress = "body-tests") =>
    api.handle(apiRequest("POST", "/api/auth/login", { body, headers, remoteAddress }))
  const credentials = () => JSON.stringify({ email: user.email, password: STRONG_PASSWORD })

  it("answers a body that is not JSON by content type with 415", async () => {
    const plain = await login(credentials(), { "content-type": "text/plain" })
    expect(plain.status).toBe(415)
    expect(problemOf(plain).code).toBe("UnsupportedMediaType")
    const missing = await login(credentials(), {})
    expect(missing.status).toBe(415)
    problemOf(missing)
  })

  it("accepts application/json with parameters and +json types", async () => {
    expect((await login(credentials(), { "content-type": "application/json; charset=utf-8" })).status).toBe(200)
    expect((await login(credentials(), { "content-type": "application/merge-patch+json" })).status).toBe(200)
  })

  it("answers malformed JSON with 400 at path body", async () => {
    const answer = await login(`{"email": "${user.email}",`, { "content-type": "application/json" })
    expect(answer.status).toBe(400)
    expect(problemOf(answer).errors).toEqual([{ path: "body", message: expect.any(String) }])
  })

  it("refuses JSON nested deeper than MAX_JSON_DEPTH, counting brackets outside strings only", async () => {
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)
    const deep = await login(`{"email":${nested(MAX_JSON_DEPTH + 1)}}`, { "content-type": "application/json" })
    expect(deep.status).toBe(400)
    expect(problemOf(deep).errors).toEqual([{ path: "body", message: expect.stringContaining("nested") }])
    const atLimit = await login(`{"email":${nested(MAX_JSON_DEPTH - 1)}}`, { "content-type": "application/json" })
    expect(paths(atLimit)).toContain("email")
    // Brackets and escaped quotes inside strings are text, not nesting.
    const password = `${"[{".repeat(200)}\\"${STRONG_PASSWORD}`
    const inString = await login(JSON.stringify({ email: user.email, password }), { "content-type": "application/json" })
    expect(inString.status).toBe(401)
  })

  it("answers a missing body with 400 naming each required field", async () => {
    for (const body of [undefined, "", "  "]) {
      const answer = await login(body, { "content-type": "application/json" })
      expect(answer.status).toBe(400)
      expect(paths(answer).sort()).toEqual(["email", "password"])
    }
  })

  it("requires a body even where every field is optional", async () => {
    const update = (body: string | undefined) =>
      api.handle(apiRequest("PUT", `/api/users/${user.userId}`, { body, headers: { "content-type": "application/json", ...bearer(user.accessToken) } }))
    const missing = await update(undefined)
    expect(missing.status).toBe(400)
    expect(paths(missing)).toEqual(["body"])
    expect((await update("null")).status).toBe(400)
    expect((await update("{}")).status).toBe(200)
  })

  it("answers a body over maxBodyBytes with 413, counting bytes not characters", async () => {
    const small = makeInProcessApi({ maxBodyBytes: 64 })
    try {
      const multiByte = JSON.stringify({ email: "€".repeat(20) }) // 32 characters, 72 bytes
      expect(multiByte.length).toBeLessThanOrEqual(64)
      const tooLarge = await small.handle(apiRequest("POST", "/api/auth/login", { body: multiByte, headers: { "content-type": "application/json" } }))
      expect(tooLarge.status).toBe(413)
      expect(problemOf(tooLarge).code).toBe("BodyTooLarge")

      const fits = JSON.stringify({ email: "e".repeat(40) }) // 52 bytes
      const answer = await small.handle(apiRequest("POST", "/api/auth/login", { body: fits, headers: { "content-type": "application/json" } }))
      expect(answer.status).toBe(400)
    } finally {
      await small.dispose()
    }
  })

  it("ignores fields it does not know", async () => {
    const email = uniqueEmail("excess")
    const answer = await api.handle(
      jsonRequest("POST", "/api/auth/signup", { email, password: STRONG_PASSWORD, name: "Excess", emailVerified: true, role: "admin" }, {
        remoteAddress: "excess"
      })
    )
    expect(answer.status).toBe(201)
    expect(jsonOf(answer).user).toMatchObject({ email, emailVerified: false })
  })

  it("lists every failing field at once", async () => {
    const signup = await api.handle(jsonRequest("POST", "/api/auth/signup", { email: "not-an-email", password: 12345, name: "" }))
    expect(signup.status).toBe(400)
    expect(paths(signup).sort()).toEqual(["email", "name", "password"])

    const ingest = await api.handle(jsonRequest("POST", "/api/sensor-data", { deviceId: "", readings: "many" }))
    expect(ingest.status).toBe(400)
    expect(paths(ingest).sort()).toEqual(["deviceId", "readings"])

    // Path, query and body failures together.
    const update = await api.handle(
      jsonRequest("PUT", `/api/users/${user.userId}/platforms/myspace/configs/%20`, { settings: [] }, { headers: bearer(user.accessToken) })
    )
    expect(update.status).toBe(400)
    expect(paths(update).sort()).toEqual(["configId", "platform", "settings", "version"])

    const messages = await api.handle(
      apiRequest("GET", "/api/chat/rooms/R1/messages", { query: { limit: "1000", before: "soon" }, headers: bearer(user.accessToken) })
    )
    expect(messages.status).toBe(400)
    expect(paths(messages).sort()).toEqual(["before", "limit"])
  })

  it("reports a weak password with one error per unmet rule", async () => {
    const answer = await api.handle(jsonRequest("POST", "/api/auth/signup", { email: uniqueEmail("weak"), password: "short", name: "Weak" }, {
      remoteAddress: "weak"
    }))
    expect(answer.status).toBe(400)
    const errors = problemOf(answer).errors ?? []
    expect(errors.length).toBeGreaterThanOrEqual(3)
    expect(errors.every((e) => e.path === "password")).toBe(true)
    expect(answer.body).not.toContain("short")
  })
})

describe("bearer authentication", () => {
  const me = (headers: Record<string, string>) => api.handle(apiRequest("GET", "/api/users/me", { headers }))
  const nowSeconds = () => Math.floor(Date.now() / 1000)

  const signed = (options: { secret?: Uint8Array; alg?: string; iat?: number; exp?: number; audience?: string } = {}) => {
    const iat = options.iat ?? nowSeconds()
    return new SignJWT({ email: user.email })
      .setProtectedHeader({ alg: options.alg ?? "HS256", typ: "JWT" })
      .setSubject(user.userId)
      .setIssuer(TEST_ISSUER)
      .setAudience(options.audience ?? TEST_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(options.exp ?? iat + 3600)
      .sign(options.secret ?? TEST_ACCESS_SECRET)
  }

  const expect401 = async (headers: Record<string, string>, code?: string) => {
    const answer = await me(headers)
    expect(answer.status).toBe(401)
    const problem = problemOf(answer)
    if (code !== undefined) expect(problem.code).toBe(code)
    const token = headers["authorization"]?.split(" ")[1]
    if (token !== undefined && token.length > 8) expect(answer.body).not.toContain(token)
  }

  it("accepts the token it issued and one built the same way (the forgeries below differ in one thing each)", async () => {
    expect(decodeJwt(user.accessToken)).toMatchObject({ sub: user.userId, iss: TEST_ISSUER, aud: TEST_AUDIENCE })
    expect((await me(bearer(user.accessToken))).status).toBe(200)
    expect((await me(bearer(await signed()))).status).toBe(200)
    expect((await me({ authorization: `bearer   ${user.accessToken}` })).status).toBe(200)
  })

  it("refuses a missing header and other schemes", async () => {
    await expect401({}, "MissingToken")
    await expect401({ authorization: "" })
    await expect401({ authorization: "Bearer" })
    await expect401({ authorization: `Basic ${btoa(`${user.email}:${STRONG_PASSWORD}`)}` })
    await expect401({ authorization: `Token ${user.accessToken}` })
  })

  it("refuses garbage and tampered tokens", async () => {
    await expect401(bearer("garbage"), "InvalidToken")
    await expect401(bearer("a.b.c"), "InvalidToken")
    const [header, payload, signature] = user.accessToken.split(".") as [string, string, string]
    const flipped = signature.slice(0, 10) + (signature[10] === "A" ? "B" : "A") + signature.slice(11)
    await expect401(bearer(`${header}.${payload}.${flipped}`), "InvalidToken")
    const otherPayload = Buffer.from(JSON.stringify({ ...decodeJwt(user.accessToken), sub: "01OTHERUSER" })).toString("base64url")
    await expect401(bearer(`${header}.${otherPayload}.${signature}`), "InvalidToken")
  })

  it("refuses alg none, another algorithm, another secret, another audience", async () => {
    const iat = nowSeconds()
    const unsecured = new UnsecuredJWT({ email: user.email })
      .setSubject(user.userId)
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .encode()
    await expect401(bearer(unsecured))
    await expect401(bearer(await signed({ alg: "HS512" })), "InvalidToken")
    await expect401(bearer(await signed({ secret: new TextEncoder().encode("another-secret-of-at-least-32-characters!") })), "InvalidToken")
    await expect401(bearer(await signed({ audience: "someone-else" })), "InvalidToken")
  })

  it("refuses an expired token", async () => {
    const iat = nowSeconds() - 7200
    await expect401(bearer(await signed({ iat, exp: iat + 3600 })), "TokenExpired")
  })
})

describe("problems", () => {
  const secretText = "SELECT password_hash FROM users -- at pg.Client 10.0.0.7:5432"

  it.each([
    [new ValidationError({ errors: [new FieldError({ path: "email", message: "must be an email address" })] }), 400],
    [new Unauthenticated({ code: "InvalidCredentials", message: "invalid email or password" }), 401],
    [new Forbidden({ code: "NotSelf", message: "only the user themself" }), 403],
    [NotFound.of("team"), 404],
    [new Conflict({ code: "VersionConflict", message: "stale version" }), 409],
    [new Gone({ code: "InvitationExpired", message: "expired" }), 410],
    [new RateLimited({ retryAfterSeconds: 7 }), 429]
  ] as const)("maps %s to its status", (error, status) => {
    const { problem } = fromFailure(error)
    expect(problem.status).toBe(status)
    expect(Schema.is(Schema.Struct({ type: Schema.String, title: Schema.String }))(problem)).toBe(true)
    const response = failureResponse(error)
    expect(response.status).toBe(status)
    expect(response.headers["content-type"]).toBe("application/problem+json")
  })

  it("keeps the fields of a ValidationError and the code of a refusal", () => {
    expect(fromFailure(ValidationError.single("readings.3.ts", "must be an instant")).problem.errors).toEqual([
      { path: "readings.3.ts", message: "must be an instant" }
    ])
    expect(fromFailure(new Conflict({ code: "EmailTaken", message: "taken" })).problem).toMatchObject({ code: "EmailTaken", detail: "taken" })
  })

  it("answers RateLimited with Retry-After of at least one second", () => {
    expect(failureResponse(new RateLimited({ retryAfterSeconds: 7 })).headers["retry-after"]).toBe("7")
    expect(failureResponse(new RateLimited({ retryAfterSeconds: 0 })).headers["retry-after"]).toBe("1")
  })

  it("answers a retryable port failure with 503 and an unexpected one with 500, without internals", () => {
    for (const [reason, status] of [[new Unavailable({ message: secretText }), 503], [new TimedOut({ message: secretText }), 503], [
      new Unexpected({ message: secretText }),
      500
    ]] as const) {
      const response = failureResponse(new UserRepositoryError({ reason }))
      expect(response.status).toBe(status)
      expect(response.body).not.toContain("SELECT")
      expect(response.body).not.toContain("10.0.0.7")
    }
  })

  it("answers anything unknown with a bare 500", () => {
    for (const error of [undefined, null, "boom", new Error(secretText), { _tag: "Weird", message: secretText }]) {
      const response = failureResponse(error)
      expect(response.status).toBe(500)
      expect(response.body).not.toContain("SELECT")
      expect(jsonOf(response)).toEqual({ type: expect.any(String), title: "Internal Server Error", status: 500 })
    }
  })

  it("answers a use case's port failure through the handler: 503 retryable, 500 unexpected, nothing of the message", async () => {
    for (const [reason, status] of [[new Unavailable({ message: secretText }), 503], [new Unexpected({ message: secretText }), 500]] as const) {
      const failingUsers = { me: () => Effect.fail(new UserRepositoryError({ reason })) } as never
      const answer = await api.runtime.runPromise(
        apiHandler(apiRequest("GET", "/api/users/me", { headers: bearer(user.accessToken) })).pipe(
          Effect.provideService(Users, failingUsers),
          Effect.provide(Logger.layer([]))
        )
      )
      expect(answer.status).toBe(status)
      problemOf(answer)
      expect(answer.body).not.toContain("SELECT")
      expect(answer.body).not.toContain("10.0.0.7")
    }
  })

  it("answers a defect with a bare 500 (no message, no stack) and logs it", async () => {
    const dying = endpoint({
      name: "test.dies",
      method: "GET",
      path: "/test/dies",
      tag: "test",
      summary: "dies",
      auth: "none",
      response: Schema.Unknown,
      handle: () => Effect.die(new Error(secretText))
    })
    const logged: Array<string> = []
    const capture = Logger.make((options) => logged.push(`${String(options.message)} ${String(options.cause)}`))
    // The endpoint needs no service; the handler's type says `any` for any list of endpoints.
    const handled = makeApiHandler([dying])(apiRequest("GET", "/test/dies")) as Effect.Effect<ApiResponse>
    const answer = await Effect.runPromise(handled.pipe(Effect.provide(Logger.layer([capture]))))
    expect(answer.status).toBe(500)
    expect(jsonOf(answer)).toEqual({ type: expect.any(String), title: "Internal Server Error", status: 500 })
    expect(answer.body).not.toContain("SELECT")
    expect(answer.body).not.toMatch(/\bat\s|stack/)
    expect(logged.join("\n")).toContain("test.dies died")
  })

  it("answers /api/ready with 503 when a probe fails", async () => {
    const failing = Readiness.layer([{ name: "postgres", check: Effect.fail(new Error(secretText)) }])
    const answer = await api.runtime.runPromise(apiHandler(apiRequest("GET", "/api/ready")).pipe(Effect.provide(failing)))
    expect(answer.status).toBe(503)
    problemOf(answer)
    expect(jsonOf(answer)).toMatchObject({ checks: [{ name: "postgres", ok: false }] })
    expect(answer.body).not.toContain("SELECT")
    expect((await api.handle(apiRequest("GET", "/api/ready"))).status).toBe(200)
  })
})

describe("rate limiting", () => {
  const limited = makeInProcessApi({ rateLimits: { ...defaultApiSettings.rateLimits, login: { limit: 2, windowMs: 60_000 } } })
  afterAll(() => limited.dispose())

  it("answers the third login from one address within the window with 429 and Retry-After; another address still passes", async () => {
    const someone = await signUp(limited, "limited")
    const login = (remoteAddress: string): Promise<ApiResponse> =>
      limited.handle(jsonRequest("POST", "/api/auth/login", { email: someone.email, password: someone.password }, { remoteAddress }))
    expect((await login("10.9.9.1")).status).toBe(200)
    expect((await login("10.9.9.1")).status).toBe(200)
    const third = await login("10.9.9.1")
    expect(third.status).toBe(429)
    expect(problemOf(third).code).toBe("RateLimited")
    expect(Number(third.headers["retry-after"])).toBeGreaterThanOrEqual(1)
    expect((await login("10.9.9.2")).status).toBe(200)
  })

  it("lets requests through when the limiter cannot answer", async () => {
    const someone = await signUp(limited, "limiter-down")
    const broken = { consume: () => Effect.fail(new RateLimiterError({ reason: new Unavailable({ message: "redis down" }) })) } as never
    const request: ApiRequest = jsonRequest("POST", "/api/auth/login", { email: someone.email, password: someone.password }, { remoteAddress: "10.9.9.3" })
    for (let i = 0; i < 3; i++) {
      const answer = await limited.runtime.runPromise(
        apiHandler(request).pipe(Effect.provideService(RateLimiter, broken), Effect.provide(Logger.layer([])))
      )
      expect(answer.status).toBe(200)
    }
  })
})
