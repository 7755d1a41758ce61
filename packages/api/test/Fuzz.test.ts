/**
 * fast-check over every route of the contract: hostile path parameters, queries, headers and
 * bodies, with and without a valid access token, against the in-memory product. Whatever arrives,
 * the handler answers 2xx or 4xx (never 5xx, never a hang); every 4xx is problem+json that
 * decodes with the Problem schema; every 400 names its fields; every 2xx is the route's status
 * with a body of the route's response schema. A 5 s bound per request detects hangs (it is not a
 * performance assertion).
 */
import { Schema } from "effect"
import * as fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeRouter, Problem, routes, type AnyEndpoint, type ApiRequest, type ApiResponse } from "../src/index.js"
import { apiRequest, bearer, jsonOf, jsonRequest, signUp, type SignedUpUser } from "./support/ApiRequests.js"
import { fieldsOf, fillPath, fixtureNamed, lazyValues, makeHostileText, nestedJson, oddContentTypes, pathParameters, tampered } from "./support/FuzzArbitraries.js"
import { makeInProcessApi } from "./support/InProcessApi.js"

const HANG_BOUND_MS = 5_000
const RUNS_PER_ROUTE = 20
/**
 * Deep enough to exercise every recursive decoder, shallow enough to stay clear of the known
 * stack overflow of the domain's JSON-object checks (see "deeply nested JSON" below).
 */
const MAX_FUZZ_NESTING = 1_500

const api = makeInProcessApi()
const route = makeRouter(routes as ReadonlyArray<AnyEndpoint>)
const decodeProblem = Schema.decodeUnknownSync(Problem)

/** What the fuzzer may use as a valid value: ids of things that exist, secrets that verify. */
interface Fixtures {
  readonly user: SignedUpUser
  readonly other: SignedUpUser
  readonly teamId: string
  readonly roomId: string
  readonly deviceId: string
  readonly ingestKey: string
  readonly configId: string
  readonly invitationId: string
  readonly challengeId: string
  readonly scanKey: string
  readonly pollSecret: string
}
let fixtures: Fixtures

const created = async (request: ApiRequest): Promise<any> => {
  const answer = await api.handle(request)
  expect(answer.status, `${request.method} ${request.path}: ${answer.body}`).toBeLessThan(300)
  return jsonOf(answer)
}

/**
 * A world for one route's run: fuzzed requests delete teams, revoke tokens and consume
 * challenges, so each route starts from its own users, team, room, device, config, invitation
 * and QR challenge.
 */
const freshFixtures = async (label: string): Promise<Fixtures> => {
  const user = await signUp(api, `fuzz-${label}`)
  const other = await signUp(api, `fuzz-${label}-other`)
  const auth = { headers: bearer(user.accessToken) }
  const team = await created(jsonRequest("POST", "/api/teams", { name: "Fuzz team" }, auth))
  const room = await created(jsonRequest("POST", "/api/chat/rooms", { teamId: team.teamId, name: "fuzz" }, auth))
  const device = await created(jsonRequest("POST", "/api/devices", { teamId: team.teamId, name: "fuzz sensor" }, auth))
  const config = await created(
    jsonRequest("POST", `/api/users/${user.userId}/platforms/google/configs`, { name: "fuzz", settings: { a: 1 } }, auth)
  )
  await created(jsonRequest("PUT", `/api/users/${user.userId}/platforms/google/credentials/acct-1`, { credentials: "s3cret" }, auth))
  const invitation = await created(jsonRequest("POST", `/api/teams/${team.teamId}/invite`, { email: other.email, role: "member" }, auth))
  const qr = await created(apiRequest("POST", "/api/qr/init", { remoteAddress: `fixtures-${label}` }))
  return {
    user,
    other,
    teamId: team.teamId,
    roomId: room.roomId,
    deviceId: device.deviceId,
    ingestKey: device.ingestKey,
    configId: config.configId,
    invitationId: invitation.invitationId,
    challengeId: qr.challengeId,
    scanKey: new URL(qr.qrPayload).searchParams.get("k")!,
    pollSecret: qr.pollSecret
  }
}

beforeAll(async () => {
  fixtures = await freshFixtures("all")
})
afterAll(() => api.dispose())

// ---------------------------------------------------------------------------------------------
// Arbitraries. Fixtures exist only after beforeAll, so valid values are drawn lazily (by name).

const validValues = (name: string): ReadonlyArray<string> => {
  const f = fixtures
  switch (name) {
    case "userId":
      return [f.user.userId, f.other.userId]
    case "accountId":
      return ["acct-1"]
    case "platform":
      return ["google", "meta", "naver", "kakao", "tiktok"]
    case "email":
      return [f.user.email, f.other.email, "new-fuzz@example.test"]
    case "password":
      return [f.user.password]
    case "refreshToken":
      return [f.user.refreshToken]
    case "role":
      return ["admin", "member", "owner"]
    case "status":
      return ["active", "inactive", "paused"]
    case "bucket":
      return ["raw", "1m", "1h"]
    case "from":
    case "to":
    case "ts":
      return ["2026-01-01T00:00:00Z", "0", "1700000000000"]
    case "before":
    case "after":
    case "limit":
      return ["0", "1", "50", "100", "101"]
    default:
      // Ids, keys and secrets of the fixtures, by their own names.
      return fixtureNamed(f, name) ?? ["fuzz"]
  }
}
const valid = lazyValues(validValues)

const hostileText = makeHostileText({ long: { min: 129, max: 20_000 } })

/** As a client would send it (percent-encoded), or raw as no well-behaved client would. */
const encoded = (s: string) => {
  try {
    return encodeURIComponent(s)
  } catch {
    return s // a lone surrogate cannot be encoded: send it raw
  }
}
const segment = (name: string) =>
  fc.oneof({ weight: 8, arbitrary: valid(name) }, { weight: 3, arbitrary: hostileText.map(encoded) }, { weight: 1, arbitrary: hostileText })

const queryValue = (name: string) => fc.oneof(valid(name), hostileText)
type QueryEntry = readonly [string, string | ReadonlyArray<string> | undefined]

/** Random names (known ones often) with random, repeated or absent values. */
const hostileQuery = (names: ReadonlyArray<string>): fc.Arbitrary<ReadonlyArray<QueryEntry>> =>
  fc
    .array(
      fc.tuple(
        names.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, hostileText) : hostileText,
        fc.oneof(queryValue("q"), fc.array(queryValue("q"), { maxLength: 3 }), fc.constant(undefined))
      ),
      { maxLength: 5 }
    )
    // A known name gets a valid value half of the time.
    .chain((entries) => fc.tuple(...entries.map(([name, value]) => fc.oneof(fc.constant(value), valid(name)).map((v): QueryEntry => [name, v]))))

const query = (names: ReadonlyArray<string>) =>
  fc
    .oneof(
      // Every known parameter, mostly valid: reaches the use case.
      { weight: 1, arbitrary: fc.tuple(...names.map((name) => fc.oneof({ weight: 4, arbitrary: valid(name) }, hostileText).map((v): QueryEntry => [name, v]))) },
      { weight: 2, arbitrary: hostileQuery(names) }
    )
    // Object.fromEntries defines own properties, so "__proto__" arrives as a key, as a query parser may deliver it.
    .map((entries) => Object.fromEntries(entries) as ApiRequest["query"])

const base64url = (text: string) => Buffer.from(text).toString("base64url")
/** Three base64url segments of JSON: looks like a JWT, signed by nobody. */
const lookalikeJwt = fc
  .tuple(
    fc.record({ alg: fc.constantFrom("none", "HS256", "HS512", "RS256", "", "None"), typ: fc.constantFrom("JWT", "jwt", undefined) }),
    fc.record({
      sub: fc.oneof(valid("userId"), fc.string()),
      email: fc.oneof(valid("email"), fc.string()),
      iss: fc.constantFrom("https://auth.test", "app", "evil"),
      aud: fc.constantFrom("app-test", "app", ["app-test", "x"]),
      iat: fc.oneof(fc.integer(), fc.double(), fc.constant(1e308)),
      exp: fc.oneof(fc.integer(), fc.constant(9_999_999_999), fc.constant(-1))
    }),
    fc.uint8Array({ maxLength: 48 })
  )
  .map(([header, payload, signature]) =>
    `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${Buffer.from(signature).toString("base64url")}`
  )

const authorization = fc.oneof(
  { weight: 16, arbitrary: valid("x").map(() => `Bearer ${fixtures.user.accessToken}`) },
  { weight: 1, arbitrary: valid("x").map(() => `Bearer ${fixtures.other.accessToken}`) },
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: hostileText },
  { weight: 1, arbitrary: hostileText.map((t) => `Bearer ${t}`) },
  { weight: 2, arbitrary: lookalikeJwt.map((t) => `Bearer ${t}`) },
  { weight: 1, arbitrary: valid("x").chain(() => tampered(fixtures.user.accessToken)).map((t) => `Bearer ${t}`) },
  { weight: 1, arbitrary: fc.constantFrom("Basic dXNlcjpwYXNz", "Bearer", "Bearer  ", "bearer x y") }
)

const contentType = fc.oneof(
  { weight: 16, arbitrary: fc.constant("application/json") },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom(...oddContentTypes) },
  { weight: 1, arbitrary: hostileText }
)

const headers = fc
  .record({
    "content-type": fc.oneof({ weight: 9, arbitrary: contentType }, { weight: 1, arbitrary: fc.array(contentType.map(String), { maxLength: 2 }) }),
    authorization: fc.oneof({ weight: 9, arbitrary: authorization }, { weight: 1, arbitrary: fc.array(authorization.map(String), { maxLength: 2 }) }),
    "x-device-key": fc.oneof(fc.constant(undefined), valid("x").map(() => fixtures.ingestKey), hostileText),
    "user-agent": fc.oneof(fc.constant(undefined), hostileText),
    "x-forwarded-for": fc.oneof(fc.constant(undefined), hostileText)
  })
  .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as ApiRequest["headers"])

/** A JSON value as text, including what JSON.stringify would never write. */
const jsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: hostileText.map((t) => JSON.stringify(t)) },
  { weight: 1, arbitrary: fc.constantFrom("1e400", "-1e400", "123456789012345678901234567890", "-0", "0.1e-400", "null", "true") },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: MAX_FUZZ_NESTING }), fc.constantFrom("array" as const, "object" as const)).map(([d, k]) =>
      nestedJson(d, k)
    )
  }
)

const readingText = fc
  .record(
    {
      ts: fc.oneof(valid("ts"), fc.integer(), fc.double()),
      temperature: fc.oneof(fc.double(), fc.integer({ min: -50, max: 100 }), fc.string()),
      humidity: fc.double(),
      x: fc.double(),
      y: fc.double()
    },
    { requiredKeys: [] }
  )
  .map((r) => JSON.stringify(r))

/** A valid value of a body field, as JSON text. */
const validFieldText = (name: string): fc.Arbitrary<string> => {
  switch (name) {
    case "settings":
      return fc.constantFrom(`{}`, `{"budget":{"daily":10}}`)
    case "profile":
      return fc.constantFrom(`{}`, `{"bio":"fuzzed","competencies":["a"]}`)
    case "credentials":
      return fc.constantFrom(`"s3cret"`, `{"apiKey":"k"}`)
    case "readings":
      return fc.constant(null).map(() => `[{"ts":${JSON.stringify(new Date().toISOString())},"temperature":21.5},{"ts":${Date.now() - 1000},"x":1,"y":2}]`)
    case "version":
      return fc.constantFrom("1", "2")
    case "makeCurrent":
      return fc.constantFrom("true", "false")
    case "userId":
      return valid("x").map(() => JSON.stringify(fixtures.other.userId))
    case "email":
      return fc.oneof(valid(name).map((v) => JSON.stringify(v)), fc.uuid().map((u) => `"fuzz-${u}@example.test"`))
    default:
      return valid(name).map((v) => JSON.stringify(v))
  }
}

/** A field's value as JSON text: a valid one, a plausible one, or anything. */
const fieldText = (name: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: validFieldText(name) },
    { weight: 3, arbitrary: jsonText },
    ...(name === "readings" ? [{ weight: 3, arbitrary: fc.array(readingText, { maxLength: 6 }).map((rs) => `[${rs.join(",")}]`) }] : []),
    ...(name === "settings" || name === "profile" || name === "credentials"
      ? [{ weight: 2, arbitrary: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })).map((o) => JSON.stringify(o)) }]
      : []),
    ...(name === "version" ? [{ weight: 2, arbitrary: fc.oneof(fc.integer(), fc.constant(1)).map(String) }] : [])
  )

/** An object of the route's own fields (some left out), maybe with polluting keys, as JSON text. */
const pollutingMembers = fc.subarray([
  `"__proto__":{"isAdmin":true,"polluted":true}`,
  `"constructor":{"prototype":{"polluted":true}}`,
  `"prototype":{"polluted":true}`,
  `"toString":"not a function"`,
  `"hasOwnProperty":1`
])

const member = (name: string, value: fc.Arbitrary<string>) => value.map((v) => `${JSON.stringify(name)}:${v}`)

/** Members in any order, as an object's JSON text. */
const objectOf = (members: ReadonlyArray<string>) =>
  fc.shuffledSubarray([...members], { minLength: members.length }).map((ms) => `{${ms.join(",")}}`)

const objectText = (fields: ReadonlyArray<string>) =>
  fc
    .tuple(
      fc.oneof({ weight: 2, arbitrary: fc.constant([...fields]) }, fc.subarray([...fields])).chain((present) =>
        fc.tuple(...present.map((name) => member(name, fieldText(name))))
      ),
      pollutingMembers,
      fc.array(fc.tuple(fc.string(), jsonText).map(([k, v]) => `${JSON.stringify(k)}:${v}`), { maxLength: 2 })
    )
    .chain(([own, polluting, extra]) => objectOf([...own, ...polluting, ...extra]))

/** Every field valid but now and then one: the use case runs. */
const nearlyValidObjectText = (fields: ReadonlyArray<string>) =>
  fc
    .tuple(
      fc.tuple(...fields.map((name) => member(name, fc.oneof({ weight: 12, arbitrary: validFieldText(name) }, { weight: 1, arbitrary: jsonText })))),
      pollutingMembers
    )
    .chain(([own, polluting]) => objectOf([...own, ...polluting]))

const body = (fields: ReadonlyArray<string>) =>
  fc.oneof(
    { weight: 12, arbitrary: objectText(fields) },
    { weight: 2, arbitrary: jsonText },
    { weight: 1, arbitrary: fc.constantFrom(undefined, "", " ", "{", "[1,", "{a:1}", "'x'", "undefined", "NaN", "\u0000", "\uFEFF{}") },
    { weight: 1, arbitrary: fc.string({ unit: "binary" }) }
  )

/** A request the route would accept but for the odd field: reaches the use case and its rules. */
const nearlyValidRequestFor = (endpoint: AnyEndpoint): fc.Arbitrary<ApiRequest> => {
  const names = pathParameters(endpoint.path)
  const mostlyValid = (name: string) => fc.oneof({ weight: 12, arbitrary: valid(name) }, { weight: 1, arbitrary: hostileText.map(encoded) })
  return fc
    .record({
      method: fc.constantFrom(endpoint.method, ...endpoint.alsoMethods),
      params: fc.tuple(...names.map(mostlyValid)),
      query: fc.tuple(...fieldsOf(endpoint.query).map((name) => mostlyValid(name).map((v) => [name, v] as const))),
      caller: fc.constantFrom("user" as const, "other" as const),
      body: endpoint.hasBody ? nearlyValidObjectText(fieldsOf(endpoint.body)) : fc.constant(undefined)
    })
    .map(({ method, params, query, caller, body }) =>
      apiRequest(method, fillPath(endpoint.path, params), {
        query: Object.fromEntries(query),
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${fixtures[caller].accessToken}`,
          "x-device-key": fixtures.ingestKey,
          "user-agent": "fuzz"
        },
        body
      })
    )
}

/** Anything at all, shaped only loosely by the route. */
const hostileRequestFor = (endpoint: AnyEndpoint): fc.Arbitrary<ApiRequest> => {
  const names = pathParameters(endpoint.path)
  const methods = [endpoint.method, ...endpoint.alsoMethods]
  return fc
    .record({
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...methods) },
        { weight: 1, arbitrary: fc.constantFrom("HEAD", "OPTIONS", "TRACE", "GET", "POST", "PUT", "PATCH", "DELETE", "get", "FOO") }
      ),
      params: fc.tuple(...names.map((name) => segment(name))),
      query: query(fieldsOf(endpoint.query)),
      headers,
      body: body(fieldsOf(endpoint.body)),
      remoteAddress: fc.constantFrom("10.0.0.1", "10.0.0.2", "::1", "")
    })
    .map(({ method, params, query, headers, body, remoteAddress }) => ({ method, path: fillPath(endpoint.path, params), query, headers, body, remoteAddress }))
}

const requestFor = (endpoint: AnyEndpoint) => fc.oneof(nearlyValidRequestFor(endpoint), hostileRequestFor(endpoint))

// ---------------------------------------------------------------------------------------------
// The property.

const withinBound = async (request: ApiRequest): Promise<ApiResponse> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_BOUND_MS} ms`)), HANG_BOUND_MS)
  })
  try {
    return await Promise.race([api.handle(request), hang])
  } finally {
    clearTimeout(timer)
  }
}

/** Secrets the caller sent or holds: none may come back in any answer. */
const secretsOf = () => [fixtures.user.password, fixtures.ingestKey, fixtures.pollSecret, fixtures.user.refreshToken]
/**
 * Access tokens may come back only from the routes that issue them (a token issued in the same
 * second for the same user is the same text), never in a problem.
 */
const tokensOf = () => [fixtures.user.accessToken, fixtures.other.accessToken]

const checkAnswer = (request: ApiRequest, answer: ApiResponse) => {
  const label = `${request.method} ${request.path.slice(0, 200)} → ${answer.status} ${answer.body?.slice(0, 300)}`
  expect(Number.isInteger(answer.status), label).toBe(true)
  expect((answer.status >= 200 && answer.status < 300) || (answer.status >= 400 && answer.status < 500), label).toBe(true)
  for (const secret of secretsOf()) expect(answer.body ?? "", label).not.toContain(secret)
  if (answer.status >= 400) for (const token of tokensOf()) expect(answer.body ?? "", label).not.toContain(token)
  expect(answer.body ?? "", label).not.toMatch(/\n\s+at /)

  if (answer.status >= 400) {
    expect(answer.headers["content-type"], label).toBe("application/problem+json")
    const problem = decodeProblem(JSON.parse(answer.body ?? "null"))
    expect(problem.status, label).toBe(answer.status)
    if (answer.status === 400) {
      expect(problem.errors?.length ?? 0, label).toBeGreaterThan(0)
      for (const error of problem.errors ?? []) {
        expect(typeof error.path, label).toBe("string")
        expect(error.message.length, label).toBeGreaterThan(0)
      }
    }
    if (answer.status === 405) expect(answer.headers["allow"], label).toMatch(/^[A-Z]+(, [A-Z]+)*$/)
    if (answer.status === 429) expect(Number(answer.headers["retry-after"]), label).toBeGreaterThanOrEqual(1)
    return
  }
  // 2xx: the route that actually answered (a raw "/" in a parameter may have reached another).
  const match = route(request.method.toUpperCase(), request.path)
  expect(match._tag, label).toBe("Found")
  if (match._tag !== "Found") return
  const endpoint = match.endpoint
  expect([endpoint.status, ...endpoint.alternateStatuses], label).toContain(answer.status)
  if (endpoint.response === undefined) {
    expect(answer.body, label).toBeUndefined()
  } else {
    expect(answer.headers["content-type"], label).toMatch(/^application\/json/)
    expect(() => Schema.decodeUnknownSync(endpoint.response!)(JSON.parse(answer.body!)), label).not.toThrow()
  }
}

const property = (arbitrary: fc.Arbitrary<ApiRequest>) =>
  fc.asyncProperty(arbitrary, async (request) => {
    checkAnswer(request, await withinBound(request))
  })

describe("every route, fuzzed", () => {
  it.each((routes as ReadonlyArray<AnyEndpoint>).map((endpoint) => [`${endpoint.method} ${endpoint.path}`, endpoint] as const))(
    "%s answers 2xx or a 4xx problem, in bounded time",
    async (_name, endpoint) => {
      fixtures = await freshFixtures(endpoint.name)
      await fc.assert(property(requestFor(endpoint)), { numRuns: RUNS_PER_ROUTE })
    },
    60_000
  )

  it("answers any path and method with 2xx or a 4xx problem", async () => {
    const anyPath = fc.oneof(
      hostileText.map((t) => `/api/${t}`),
      fc.array(hostileText.map(encoded), { maxLength: 6 }).map((segments) => `/api/${segments.join("/")}`),
      fc.constantFrom(...(routes as ReadonlyArray<AnyEndpoint>).map((r) => r.path)).chain((p) =>
        fc.constantFrom(p, `${p}/`, `${p}//`, `${p}/extra`, p.toUpperCase(), p.replace("/api", ""), `/api${p}`)
      ),
      hostileText
    )
    const anyRequest = fc
      .record({
        method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "", "get", "Ω"),
        path: anyPath,
        headers,
        body: body([])
      })
      .map((r) => apiRequest(r.method, r.path, { headers: r.headers, body: r.body }))
    await fc.assert(property(anyRequest), { numRuns: 150 })
  }, 60_000)

  it("leaves Object.prototype unpolluted", () => {
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
    expect(({} as Record<string, unknown>)["isAdmin"]).toBeUndefined()
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted")
  })
})

describe("deeply nested JSON", () => {
  // Nesting some 5 000-8 000 levels deep (a body of ~50 kB, far under maxBodyBytes) would overflow
  // the stack in the domain's recursive checks of a JSON object (Platforms/Platform.ts jsonDepth,
  // and JSON.stringify in Credential.ts's CredentialSecret transform). The handler refuses bodies
  // nested deeper than MAX_JSON_DEPTH before parsing them.
  const deep = (depth: number) => nestedJson(depth, "object")

  it("a config whose settings nest 20 000 levels deep answers 400", async () => {
    const { user } = fixtures
    const answer = await api.handle(
      apiRequest("POST", `/api/users/${user.userId}/platforms/google/configs`, {
        headers: { "content-type": "application/json", ...bearer(user.accessToken) },
        body: `{"name":"deep","settings":${deep(20_000)}}`
      })
    )
    expect(answer.status).toBe(400)
  })

  it("credentials nesting 20 000 levels deep answer 400", async () => {
    const { user } = fixtures
    const answer = await api.handle(
      apiRequest("PUT", `/api/users/${user.userId}/platforms/google/credentials/acct-deep`, {
        headers: { "content-type": "application/json", ...bearer(user.accessToken) },
        body: `{"credentials":${deep(20_000)}}`
      })
    )
    expect(answer.status).toBe(400)
  })

  it("a body nesting 20 000 levels deep elsewhere answers 400 (the handler itself copes)", async () => {
    const answer = await api.handle(
      apiRequest("POST", "/api/auth/login", { headers: { "content-type": "application/json" }, body: `{"email":${deep(20_000)}}` })
    )
    expect(answer.status).toBe(400)
  })
})
