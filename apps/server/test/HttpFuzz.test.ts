/**
 * fast-check against the real server on a real socket, for what the Fastify shell adds in front
 * of the contract (whose handler packages/api/test/Fuzz.test.ts fuzzes in process): the request
 * line and path as Node and the router see them, query strings, content-type parsing and the body
 * limit, headers (credentials, forwarding, CORS, upgrades), HEAD and OPTIONS, the SSE route, the
 * WebSocket routes hit as plain HTTP, static files and deep links.
 *
 * Whatever arrives: an answer within HANG_BOUND_MS (a hang detector, not a performance bound),
 * never a 5xx, every 4xx under /api a problem+json document whose `status` is the HTTP status,
 * no body on HEAD; afterwards the server still answers /api/health, holds no stream or socket
 * open and has logged no error. The answers that legitimately are not problem+json are listed in
 * `nodeOwnRefusal` and `staticRefusal`, each with why.
 */
import { type AddressInfo, connect } from "node:net"
import { gzipSync } from "node:zlib"
import { routes, type AnyEndpoint } from "@app/api"
import * as fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fieldsOf, fillPath, fixtureNamed, lazyValues, makeHostileText, nestedJson, oddContentTypes, pathParameters, tampered } from "../../../packages/api/test/support/FuzzArbitraries.js"
import { type Answer, type HttpRequestSpec, sendHttp, sendRaw } from "./support/HttpFuzzClient.js"
import * as ServerTest from "./support/ServerTest.js"

const BODY_LIMIT_BYTES = 65_536
const HANG_BOUND_MS = 10_000
/** Node's default limit on the request line plus headers; past it Node's parser refuses (431). */
const NODE_MAX_HEADER_BYTES = 16 * 1024
const ALLOWED_ORIGIN = "https://allowed.example"
const generous = "100000/60"

let server: ServerTest.TestServer
let port: number
const logs = new ServerTest.LogCollector()

/** Things that exist, so that some fuzzed requests get past validation to the use cases. */
interface Fixtures {
  readonly accessToken: string
  readonly otherAccessToken: string
  readonly refreshToken: string
  readonly password: string
  readonly userId: string
  readonly otherUserId: string
  readonly email: string
  readonly teamId: string
  readonly roomId: string
  readonly deviceId: string
  readonly ingestKey: string
  readonly challengeId: string
}
let fixtures: Fixtures

const created = async (method: "POST" | "PUT", url: string, body: unknown, accessToken?: string): Promise<any> => {
  const res = await server.app.inject({
    method,
    url,
    headers: { "content-type": "application/json", ...(accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` }) },
    payload: JSON.stringify(body)
  })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

beforeAll(async () => {
  server = await ServerTest.start(
    {
      RATE_LIMIT_LOGIN: generous,
      RATE_LIMIT_SIGNUP: generous,
      RATE_LIMIT_QR_INIT: generous,
      RATE_LIMIT_INGEST: generous,
      BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
      CORS_ORIGINS: ALLOWED_ORIGIN,
      LOG_LEVEL: "error"
    },
    { logs }
  )
  await server.app.listen({ host: "127.0.0.1", port: 0 })
  port = (server.app.server.address() as AddressInfo).port
  const user = await ServerTest.signUp(server.app, "http-fuzz")
  const other = await ServerTest.signUp(server.app, "http-fuzz-other")
  const team = await created("POST", "/api/teams", { name: "HTTP fuzz" }, user.accessToken)
  const room = await created("POST", "/api/chat/rooms", { teamId: team.teamId, name: "fuzz" }, user.accessToken)
  const device = await created("POST", "/api/devices", { teamId: team.teamId, name: "fuzz sensor" }, user.accessToken)
  const qr = await created("POST", "/api/qr/init", {})
  fixtures = {
    accessToken: user.accessToken,
    otherAccessToken: other.accessToken,
    refreshToken: user.refreshToken,
    password: user.password,
    userId: user.userId,
    otherUserId: other.userId,
    email: user.email,
    teamId: team.teamId,
    roomId: room.roomId,
    deviceId: device.deviceId,
    ingestKey: device.ingestKey,
    challengeId: qr.challengeId
  }
}, 120_000)

afterAll(async () => {
  await server?.close()
})

// ---------------------------------------------------------------------------------------------
// Text as Node's client will send it

/** A lone surrogate cannot be UTF-8: it goes out as U+FFFD, as a browser would send it. */
const utf8Percent = (ch: string): string => {
  try {
    return encodeURIComponent(ch)
  } catch {
    return "%EF%BF%BD"
  }
}

/**
 * Node's client refuses a path with spaces, controls or characters above U+00FF: those are
 * percent-encoded; everything else (`%`, `/`, `?`, `#`, `..`) is sent raw. With `rawLatin1`,
 * U+0080–U+00FF go out as single raw bytes, which Node's server refuses to parse.
 */
const sendablePath = (text: string, rawLatin1 = false): string => {
  let out = ""
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    out += (code >= 0x21 && code <= 0x7e) || (rawLatin1 && code >= 0x80 && code <= 0xff) ? ch : utf8Percent(ch)
  }
  return out
}

/** Node's client refuses header values with controls (but tab) or characters above U+00FF. */
const sendableHeader = (text: string): string => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?")

// ---------------------------------------------------------------------------------------------
// Arbitraries. Fixtures exist only after beforeAll, so valid values are drawn lazily.

const lazy = <A>(f: () => A) => fc.constant(null).map(f)

const validValues = (name: string): ReadonlyArray<string> => {
  const f = fixtures
  switch (name) {
    case "userId":
      return [f.userId, f.otherUserId, "me"]
    case "platform":
      return ["google", "meta", "naver"]
    case "accountId":
      return ["acct-1"]
    case "email":
      return [f.email, "new-http-fuzz@example.test"]
    case "name":
      return ["fuzzed"]
    case "from":
    case "to":
      return ["2026-01-01T00:00:00Z", "1700000000000"]
    case "limit":
      return ["1", "100", "101"]
    default:
      // Ids, keys and secrets of the fixtures, by their own names.
      return fixtureNamed(f, name) ?? ["fuzz"]
  }
}
const valid = lazyValues(validValues)

const hostileText = makeHostileText({ maxLength: 40, long: { min: 101, max: 3_000 } })

const utf8PercentAll = (text: string): string => {
  let out = ""
  for (const ch of text) out += utf8Percent(ch)
  return out
}

/** A path parameter: a valid value, a hostile one percent-encoded, sent raw, or as raw Latin-1 bytes. */
const segment = (name: string) =>
  fc.oneof(
    { weight: 6, arbitrary: valid(name) },
    { weight: 3, arbitrary: hostileText.map(utf8PercentAll) },
    { weight: 2, arbitrary: hostileText.map((t) => sendablePath(t)) },
    { weight: 1, arbitrary: hostileText.map((t) => sendablePath(t, true)) }
  )

/** What may happen to a path on its way: mostly nothing. */
const pathMutation: fc.Arbitrary<(path: string) => string> = fc.oneof(
  { weight: 12, arbitrary: fc.constant((p: string) => p) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      (p: string) => `${p}/`,
      (p: string) => `${p}//`,
      (p: string) => p.replace(/^\/api\//, "/api//"),
      (p: string) => p.replace(/\/([^/]*)$/, "/./$1"),
      (p: string) => p.replace(/^\/api\//, "/api/x/../"),
      (p: string) => p.replace(/^\/api\//, "/api/%2e%2e/api/"),
      (p: string) => `${p}/..`,
      (p: string) => p.toUpperCase(),
      (p: string) => `${p};jsessionid=1`,
      (p: string) => `${p}#fragment`,
      (p: string) => `/${p}`,
      (p: string) => p.replace(/\//g, "%2F")
    )
  },
  // Long, and now and then past what Node's parser takes for a request line (431).
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 2 * NODE_MAX_HEADER_BYTES }).map((n) => (p: string) => `${p}/${"x".repeat(n)}`) }
)

const queryPart = (text: string) => sendablePath(text).replace(/[&=#]/g, (c) => utf8Percent(c))

const queryEntry = (names: ReadonlyArray<string>): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: names.length > 0 ? fc.constantFrom(...names) : fc.constant("teamId") },
        {
          weight: 2,
          arbitrary: fc.constantFrom("a[b]", "a[]", "a[0][b]", "__proto__", "__proto__[polluted]", "constructor[prototype][polluted]", "toString", "hasOwnProperty", "", "a.b")
        },
        { weight: 1, arbitrary: hostileText.map(queryPart) }
      ),
      fc.oneof(
        { weight: 2, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...validValues(names[0] ?? "teamId"))) },
        { weight: 2, arbitrary: hostileText.map(queryPart) },
        { weight: 1, arbitrary: hostileText.map((t) => sendablePath(t)) },
        { weight: 1, arbitrary: fc.constant(undefined) }
      )
    )
    .map(([key, value]) => (value === undefined ? key : `${key}=${value}`))

/** Repeated keys, nested-looking keys, empty pieces, and now and then a huge one. */
const queryString = (names: ReadonlyArray<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constantFrom("?", "?&", "?&&=&", "?=", "??", "?a=1;b=2", "?a=%", "?%zz=1") },
    { weight: 5, arbitrary: fc.array(queryEntry(names), { minLength: 1, maxLength: 6 }).map((es) => `?${es.join("&")}`) },
    {
      weight: 1,
      arbitrary: fc.tuple(queryEntry(names), fc.integer({ min: 50, max: 3_000 })).map(([e, n]) => `?${Array.from({ length: n }, () => e).join("&")}`)
    }
  )

/** A JSON object of exactly `bytes` bytes. */
const jsonOfBytes = (bytes: number) => Buffer.from(`{"name":"${"x".repeat(Math.max(0, bytes - 11))}"}`)

const jsonBody = (fields: ReadonlyArray<string>): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(...fields.map((name) => fc.oneof({ weight: 3, arbitrary: valid(name) }, fc.jsonValue({ maxDepth: 2 })).map((v) => [name, v] as const)))
        .map((entries) => JSON.stringify(Object.fromEntries(entries)))
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "{", "[1,", "{a:1}", "null", "\uFEFF{}", "1e400", `{"__proto__":{"polluted":1}}`, nestedJson(5_000, "array")) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) }
  )

const body = (fields: ReadonlyArray<string>): fc.Arbitrary<Buffer | undefined> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 8, arbitrary: jsonBody(fields).map((t) => Buffer.from(t)) },
    // Binary, mostly not UTF-8.
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)) },
    // A real gzip body (nothing here inflates it).
    { weight: 1, arbitrary: jsonBody(fields).map((t) => gzipSync(t)) },
    // At, just under and over the body limit; in two-byte characters too.
    { weight: 1, arbitrary: fc.integer({ min: -64, max: 0 }).map((d) => jsonOfBytes(BODY_LIMIT_BYTES + d)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: BODY_LIMIT_BYTES }).map((d) => jsonOfBytes(BODY_LIMIT_BYTES + d)) },
    { weight: 1, arbitrary: fc.integer({ min: -4, max: 4 }).map((d) => Buffer.from(`"${"é".repeat(BODY_LIMIT_BYTES / 2 + d - 1)}"`)) }
  )

const methodOf = (methods: ReadonlyArray<string>) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...methods) },
    { weight: 3, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS") },
    // Methods Node's parser knows but no route has, CONNECT, and ones it does not know at all.
    { weight: 1, arbitrary: fc.constantFrom("TRACE", "QUERY", "PROPFIND", "SEARCH", "PURGE", "LOCK", "MKCOL", "COPY", "MOVE", "REPORT", "CONNECT", "FOO", "BREW") }
  )

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant("application/json") },
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.constantFrom(...oddContentTypes) },
  { weight: 1, arbitrary: hostileText.map(sendableHeader) }
)

const authorization = fc.oneof(
  { weight: 6, arbitrary: lazy(() => `Bearer ${fixtures.accessToken}`) },
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: lazy(() => `Bearer ${fixtures.otherAccessToken}`) },
  { weight: 1, arbitrary: fc.constant(null).chain(() => tampered(fixtures.accessToken)).map((t) => `Bearer ${t}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("Bearer", "Bearer ", "bearer x", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Bearer eyJhbGciOiJub25lIn0.e30.", "Token abc", `Bearer ${"A".repeat(5_000)}`)
  },
  { weight: 1, arbitrary: hostileText.map((t) => `Bearer ${sendableHeader(t)}`) }
)

const optionalHeader = (values: ReadonlyArray<string>, weightAbsent = 4) =>
  fc.oneof(
    { weight: weightAbsent, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...values) },
    { weight: 1, arbitrary: hostileText.map(sendableHeader) }
  )

const upgradeHeaders = fc.record({
  connection: fc.constantFrom("upgrade", "Upgrade", "keep-alive, Upgrade"),
  upgrade: fc.constantFrom("websocket", "WebSocket", "h2c", "garbage"),
  "sec-websocket-key": fc.constantFrom("dGhlIHNhbXBsZSBub25jZQ==", "x", ""),
  "sec-websocket-version": fc.constantFrom("13", "8", "x")
})

type Headers = Record<string, string | Array<string>>

const headers: fc.Arbitrary<Headers> = fc
  .record({
    "content-type": contentType,
    authorization,
    accept: optionalHeader(["application/json", "text/html", "*/*", "text/event-stream", "application/problem+json"]),
    "content-encoding": optionalHeader(["gzip", "deflate", "br", "identity", "gzip, deflate"], 8),
    "x-forwarded-for": optionalHeader([
      "203.0.113.9",
      "198.51.100.7, 203.0.113.10",
      "::1",
      "::ffff:1.2.3.4",
      "unknown",
      "",
      ",,,",
      "1.2.3.4:80",
      "[::1]:443",
      "999.999.999.999",
      Array.from({ length: 200 }, () => "10.0.0.1").join(", ")
    ]),
    origin: optionalHeader([ALLOWED_ORIGIN, "https://evil.example", "null", "http://allowed.example", `${ALLOWED_ORIGIN}/`]),
    "access-control-request-method": optionalHeader(["GET", "POST", "DELETE", "FOO"], 8),
    "access-control-request-headers": optionalHeader(["content-type,authorization", "x-evil", ""], 8),
    "x-request-id": optionalHeader(["req-1", "Root=1-67891233-abcdef012345678912345678"], 8),
    "last-event-id": optionalHeader(["0", "1", "-1", "999999999999"], 8),
    "x-device-key": fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, lazy(() => fixtures.ingestKey), hostileText.map(sendableHeader)),
    cookie: optionalHeader(["session=abc", "a=b; c=d"], 10),
    expect: optionalHeader(["100-continue"], 20),
    // Past Node's header limit: its parser refuses the request (431).
    "x-padding": fc.oneof({ weight: 30, arbitrary: fc.constant(undefined) }, fc.constant("p".repeat(NODE_MAX_HEADER_BYTES + 1)))
  })
  .chain((h) =>
    fc.tuple(
      fc.constant(h),
      fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, upgradeHeaders),
      // The same header twice: Node keeps the first of content-type and authorization.
      fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, fc.constantFrom("content-type", "authorization", "x-forwarded-for"))
    )
  )
  .map(([h, upgrade, doubled]) => {
    const out: Headers = {}
    for (const [name, value] of Object.entries({ ...h, ...upgrade })) if (value !== undefined) out[name] = value
    if (doubled !== undefined && typeof out[doubled] === "string") out[doubled] = [out[doubled], "application/json"]
    return out
  })

interface Target {
  readonly method: string
  readonly path: string
  readonly body: Buffer | undefined
}

const endpointTarget = (endpoint: AnyEndpoint): fc.Arbitrary<Target> => {
  const names = pathParameters(endpoint.path)
  return fc
    .record({
      method: methodOf([endpoint.method, ...endpoint.alsoMethods]),
      params: fc.tuple(...names.map(segment)),
      query: queryString(fieldsOf(endpoint.query)),
      body: body(fieldsOf(endpoint.body))
    })
    .map(({ method, params, query, body }) => ({ method, path: `${fillPath(endpoint.path, params)}${query}`, body }))
}

const realtimeTarget: fc.Arbitrary<Target> = fc.oneof(
  fc
    .record({ method: methodOf(["GET"]), id: segment("challengeId"), query: queryString([]), body: body([]) })
    .map(({ method, id, query, body }) => ({ method, path: `/api/qr/sse/${id}${query}`, body })),
  fc
    .record({
      method: methodOf(["GET"]),
      path: fc.constantFrom("/ws/chat", "/ws/coordinates", "/ws/chat/", "/ws", "/ws/", "/ws/other"),
      query: queryString(["token"]),
      body: body([])
    })
    .map(({ method, path, query, body }) => ({ method, path: `${path}${query}`, body }))
)

const anyApiTarget: fc.Arbitrary<Target> = fc
  .record({
    method: methodOf(["GET", "POST"]),
    segments: fc.array(segment("x"), { maxLength: 5 }),
    query: queryString([]),
    body: body([])
  })
  .map(({ method, segments, query, body }) => ({ method, path: `/api/${segments.join("/")}${query}`, body }))

const target = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...(routes as ReadonlyArray<AnyEndpoint>)).chain(endpointTarget) },
  { weight: 2, arbitrary: realtimeTarget },
  { weight: 1, arbitrary: anyApiTarget }
)

const fuzzRequest: fc.Arbitrary<HttpRequestSpec> = fc
  .record({
    target,
    mutate: pathMutation,
    headers,
    framing: fc.constantFrom("length" as const, "length" as const, "length" as const, "chunked" as const),
    setHost: fc.oneof({ weight: 40, arbitrary: fc.constant(true) }, fc.constant(false))
  })
  .map(({ target, mutate, headers, framing, setHost }) => {
    const queryAt = target.path.indexOf("?")
    const path = queryAt === -1 ? mutate(target.path) : mutate(target.path.slice(0, queryAt)) + target.path.slice(queryAt)
    return { method: target.method, path, headers, body: target.body, framing, setHost }
  })

// ---------------------------------------------------------------------------------------------
// Raw requests: what Node's client refuses to write

/** A request target with raw UTF-8 (or Latin-1) bytes where a client should percent-encode. */
const rawTarget: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...(routes as ReadonlyArray<AnyEndpoint>).map((r) => r.path)).chain((template) =>
      fc
        .tuple(...pathParameters(template).map((name) => fc.oneof(valid(name), fc.string({ unit: "grapheme", maxLength: 6 }))))
        .map((values) => fillPath(template, values))
    )
  },
  { weight: 2, arbitrary: lazy(() => `/api/qr/sse/${fixtures.challengeId}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "*",
      "http://127.0.0.1/api/health",
      "https://evil.example/api/health",
      "api/health",
      "//api/health",
      "/api/health?x=é",
      "/api/health#x",
      "",
      "/api/\u0000",
      "/api/health\t",
      "/",
      "/teams/1",
      "/favicon.svg",
      "/ws/chat",
      "/ws/coordinates",
      "/api/é😀"
    )
  }
)

const rawMethod = fc.oneof(
  { weight: 6, arbitrary: fc.constant("HEAD") },
  { weight: 3, arbitrary: fc.constantFrom("GET", "POST", "PUT", "OPTIONS", "DELETE") },
  { weight: 2, arbitrary: fc.constantFrom("get", "Head", "", "G ET", "FOO", "HEAD\u0000", "ÜBER", "M-SEARCH", "TRACE") }
)

const rawVersion = fc.oneof(
  { weight: 10, arbitrary: fc.constant("HTTP/1.1") },
  fc.constantFrom("HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "http/1.1", "HTTP/1.1 extra", "")
)

/** Header lines, some of them malformed. None of them announces a body (framing below does). */
const rawHeaderLine = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("Accept: */*", "Accept: text/html", "Content-Type: application/json", "X-Forwarded-For: 203.0.113.9", `Origin: ${ALLOWED_ORIGIN}`) },
  { weight: 2, arbitrary: lazy(() => `Authorization: Bearer ${fixtures.accessToken}`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "Host: other.example",
      " X-Folded: continued",
      "X-Obs: a\r\n b",
      "NoColonHere",
      "Bad Header: x",
      "X-Ctl: a\u0001b",
      "X-Utf8: é😀",
      "X-Empty:",
      ": empty-name",
      `X-Long: ${"y".repeat(NODE_MAX_HEADER_BYTES + 100)}`,
      "Connection: keep-alive",
      "Upgrade: websocket",
      "Expect: 100-continue",
      "Content-Type: text/plain; charset=utf-16"
    )
  }
)

/** How a body is framed: well, or in ways Node's parser refuses outright (never one it would wait on). */
const rawFraming = (body: string): fc.Arbitrary<{ readonly lines: ReadonlyArray<string>; readonly bytes: string }> => {
  const length = Buffer.byteLength(body)
  const chunked = length === 0 ? "0\r\n\r\n" : `${length.toString(16)}\r\n${body}\r\n0\r\n\r\n`
  return fc.constantFrom(
    { lines: [], bytes: "" },
    { lines: [`Content-Length: ${length}`], bytes: body },
    { lines: ["Transfer-Encoding: chunked"], bytes: chunked },
    { lines: ["Transfer-Encoding: gzip, chunked"], bytes: chunked },
    { lines: ["Transfer-Encoding: chunked"], bytes: `zz\r\n${body}\r\n0\r\n\r\n` },
    { lines: ["Transfer-Encoding: identity"], bytes: body },
    { lines: [`Content-Length: ${length}`, "Transfer-Encoding: chunked"], bytes: chunked },
    { lines: [`Content-Length: ${length}`, `Content-Length: ${length + 1}`], bytes: body },
    { lines: ["Content-Length: -1"], bytes: body },
    { lines: ["Content-Length: 1e3"], bytes: body },
    { lines: ["Content-Length: abc"], bytes: body }
  )
}

const rawRequest = fc
  .record({
    method: rawMethod,
    target: rawTarget,
    version: rawVersion,
    hasHost: fc.oneof({ weight: 15, arbitrary: fc.constant(true) }, fc.constant(false)),
    lines: fc.array(rawHeaderLine, { maxLength: 4 }),
    body: fc.oneof(fc.constant("{}"), fc.constant(""), jsonBody(["email", "password"])),
    lineEnd: fc.oneof({ weight: 8, arbitrary: fc.constant("\r\n") }, fc.constant("\n"))
  })
  .chain((r) => rawFraming(r.body).map((framing) => ({ ...r, framing })))
  .map(({ method, target, version, hasHost, lines, framing, lineEnd }) => {
    // A HEAD stays well-framed, so that whatever follows its answer's head could only be a body.
    const head = method === "HEAD"
    const all = [
      ...(hasHost ? ["Host: 127.0.0.1"] : []),
      "Connection: close",
      ...lines,
      ...(head ? [] : framing.lines)
    ]
    const text = `${method} ${target} ${version}${lineEnd}${all.map((l) => `${l}${lineEnd}`).join("")}${lineEnd}${head ? "" : framing.bytes}`
    const sent: Sent = {
      method,
      target,
      // Node wants a Host only from HTTP/1.1.
      hasHost: hasHost || version !== "HTTP/1.1",
      upgrade: false,
      expect: undefined
    }
    return { bytes: Buffer.from(text, "utf8"), sent }
  })

// ---------------------------------------------------------------------------------------------
// The web app: what each kind of path must get

type WebExpectation =
  | { readonly _tag: "Index" }
  | { readonly _tag: "File"; readonly type: RegExp; readonly content: string }
  | { readonly _tag: "Problem"; readonly status: number }
  /** A hostile path: anything but a 5xx, a file from outside the web root, or a non-problem refusal. */
  | { readonly _tag: "Refused or app" }

interface WebRequest {
  readonly method: "GET" | "HEAD"
  readonly path: string
  readonly accept: string | undefined
  readonly expectation: WebExpectation
}

const fixtureFiles: ReadonlyArray<readonly [string, RegExp, string]> = [
  ["/", /^text\/html/, "fixture-index"],
  ["/index.html", /^text\/html/, "fixture-index"],
  ["/favicon.svg", /^image\/svg\+xml/, "<svg"],
  ["/assets/app-3f2a1c.js", /javascript/, "fixture asset"]
]

/** A path segment a router would call a deep link: no dot, nothing a file system would refuse. */
const plainSegment = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_~-]{1,40}$/) },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: "grapheme", minLength: 1, maxLength: 10 })
      .filter((t) => !/[./\\\u0000]/.test(t))
      .map(utf8PercentAll)
  }
)
const deepLinkPath = fc
  .tuple(fc.array(plainSegment, { minLength: 1, maxLength: 5 }), fc.boolean())
  .filter(([segments]) => segments[0] !== "api" && segments[0] !== "ws")
  .map(([segments, slash]) => `/${segments.join("/")}${slash ? "/" : ""}`)

const webQuery = fc.oneof({ weight: 3, arbitrary: fc.constant("") }, fc.constantFrom("?c=1&k=2", "?", "?a[b]=1&a=2", "?x=%zz"))

/**
 * Paths @fastify/static refuses with 403 on purpose (it fails closed on every non-canonical form
 * — empty, "." or ".." segments, a backslash, NUL — so that a route guard can never be bypassed
 * by a spelling the file system would normalise), and names longer than a file name can be
 * (the file system's ENAMETOOLONG, which it cannot tell from a spelling trick). A deep link
 * spelled like this gets the 403 problem rather than the app.
 */
const staticRefusal: fc.Arbitrary<string> = fc.oneof(
  deepLinkPath.map((p) => p.replace(/\/$/, "")).chain((p) =>
    fc.constantFrom(`/${p}`, `${p}//x`, `${p}/./x`, `${p}/x/../y`, `${p}/.`, `${p}/%2e%2e/x`, `${p}/a%5Cb`, `${p}/a%00b`)
  ),
  fc.integer({ min: 256, max: 600 }).map((n) => `/${"n".repeat(n)}`)
)

const webRequest: fc.Arbitrary<WebRequest> = fc
  .record({
    method: fc.oneof({ weight: 4, arbitrary: fc.constant("GET" as const) }, fc.constant("HEAD" as const)),
    accept: fc.constantFrom(
      "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
      "text/html",
      "*/*",
      undefined,
      "application/json",
      "image/webp,*/*"
    ),
    target: fc.oneof(
      { weight: 6, arbitrary: fc.tuple(deepLinkPath, webQuery).map(([p, q]) => ({ path: p + q, kind: "deep link" as const })) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(deepLinkPath, fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.constantFrom("js", "css", "png", "svg", "map", "json", "html", "ico", "woff2", "txt"))
          .map(([p, name, ext]) => ({ path: `${p.replace(/\/$/, "")}/${name}.${ext}`, kind: "missing asset" as const }))
      },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...fixtureFiles), webQuery).map(([f, q]) => ({ path: f[0] + q, kind: f })) },
      { weight: 2, arbitrary: staticRefusal.map((p) => ({ path: p, kind: "refused" as const })) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(deepLinkPath, fc.constantFrom("%zz", "%E0%A4%A", "%ED%A0%80", "%"))
          .map(([p, bad]) => ({ path: `${p.replace(/\/$/, "")}/${bad}`, kind: "bad encoding" as const }))
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.constantFrom("", "/assets", "/a/b"),
            fc.constantFrom("/..%2f..%2fpackage.json", "/%2e%2e%2f%2e%2e%2fpackage.json", "/..%5c..%5cpackage.json", "/%2e%2e/%2e%2e/package.json", "/....//....//package.json", "/.%2e/.%2e/src/main.ts", "/%c0%ae%c0%ae/package.json"),
            hostileText.map((t) => sendablePath(t))
          )
          .map(([base, trick, tail]) => ({ path: `${base}${trick}${tail.slice(0, 30)}`, kind: "hostile" as const }))
      }
    )
  })
  .map(({ method, accept, target }): WebRequest => {
    const navigation = accept === undefined || accept.includes("text/html") || accept.includes("*/*")
    const expectation: WebExpectation = target.kind === "deep link"
      ? navigation ? { _tag: "Index" } : { _tag: "Problem", status: 404 }
      : target.kind === "missing asset"
      ? { _tag: "Problem", status: 404 }
      : target.kind === "refused"
      ? { _tag: "Problem", status: 403 }
      : target.kind === "bad encoding"
      ? { _tag: "Problem", status: 400 }
      : target.kind === "hostile"
      ? { _tag: "Refused or app" }
      : { _tag: "File", type: target.kind[1], content: target.kind[2] }
    return { method, path: target.path, accept, expectation }
  })

const checkWebAnswer = (request: WebRequest, answer: Answer) => {
  const label = `${describeAnswer(answer)} ← ${request.method} ${request.path.slice(0, 300)} (accept ${request.accept}, expected ${request.expectation._tag})`
  expect(answer._tag, label).toBe("Response")
  if (answer._tag !== "Response") return
  const head = request.method === "HEAD"
  const text = answer.body.toString("utf8")
  if (head) expect(answer.body.byteLength, label).toBe(0)
  const type = String(answer.headers["content-type"] ?? "")
  const expectation = request.expectation
  switch (expectation._tag) {
    case "Index":
      expect(answer.status, label).toBe(200)
      expect(type, label).toMatch(/^text\/html/)
      expect(answer.headers["cache-control"], label).toBe("no-cache")
      if (!head) expect(text, label).toContain("fixture-index")
      return
    case "File":
      expect(answer.status, label).toBe(200)
      expect(type, label).toMatch(expectation.type)
      if (!head) expect(text, label).toContain(expectation.content)
      return
    case "Problem":
      expect(answer.status, label).toBe(expectation.status)
      expectProblem(label, answer, head)
      return
    case "Refused or app":
      expect([200, 400, 403, 404], label).toContain(answer.status)
      if (answer.status === 200) {
        // Only ever the app itself: nothing from outside the web root.
        expect(type, label).toMatch(/^text\/html/)
        if (!head) expect(text, label).toContain("fixture-index")
      } else {
        expectProblem(label, answer, head)
      }
  }
}

// ---------------------------------------------------------------------------------------------
// What every answer must be

const pathOf = (requestTarget: string) => requestTarget.split("?")[0]!
const isApiPath = (requestTarget: string) => {
  const path = pathOf(requestTarget)
  return path === "/api" || path.startsWith("/api/")
}

/**
 * Refusals Node's HTTP server makes itself, before Fastify (or any handler of ours) sees the
 * request, so they cannot be problem+json:
 * - CONNECT asks for a tunnel; with no 'connect' listener Node closes the connection (documented
 *   behaviour of http.Server), or its parser refuses a CONNECT target that is not host:port.
 * - An HTTP/1.1 request without Host: Node answers a bare 400 itself (http.Server's
 *   requireHostHeader, as RFC 9112 §3.2 requires). Whatever body followed is then read as a next
 *   request on the closing connection, so a client may see its answer cut short.
 * - An Expect other than 100-continue on a request that is not an upgrade: Node answers a bare
 *   417 itself (no 'checkExpectation' listener, RFC 9110 §10.1.1).
 * And one made by the `ws` library, which @fastify/websocket hands every upgrade request on the
 * routes declared after it (the web app's): a HEAD upgrade is refused with a 405 that carries a
 * body, which a client of a HEAD cannot read as one answer. Never on an /api path.
 */
interface Sent {
  readonly method: string
  readonly target: string
  readonly hasHost: boolean
  readonly upgrade: boolean
  readonly expect: string | undefined
}

const nodeOwnRefusal = (request: Sent, answer: Answer): boolean => {
  // (Node's client reports any answer to CONNECT as a tunnel, "Upgraded" here.)
  if (request.method === "CONNECT") return answer._tag === "Closed" || (answer.status >= 400 && answer.status < 500)
  const bare = answer._tag === "Response" && answer.headers["content-type"] === undefined
  if (!request.hasHost) return answer._tag === "Closed" || (bare && answer.status === 400)
  if (request.expect !== undefined && !request.upgrade && !/(?:^|\W)100-continue(?:$|\W)/i.test(request.expect)) {
    return bare && answer.status === 417
  }
  if (request.method === "HEAD" && request.upgrade && !isApiPath(request.target)) return answer._tag === "Closed"
  return false
}

const secretsOf = () => [fixtures.password, fixtures.ingestKey, fixtures.refreshToken]

const describeAnswer = (answer: Answer) =>
  answer._tag === "Response"
    ? `${answer.status} ${String(answer.headers["content-type"])} ${answer.body.subarray(0, 300).toString("utf8")}`
    : answer._tag === "Upgraded"
    ? `${answer.status} (upgraded)`
    : `closed: ${answer.reason}`

/** A 4xx answer is problem+json whose `status` is the HTTP status, with a title (and what failed, for a 400). */
const expectProblem = (label: string, answer: Extract<Answer, { _tag: "Response" }>, head: boolean) => {
  expect(String(answer.headers["content-type"] ?? ""), label).toMatch(/^application\/problem\+json/)
  if (head) return
  const problem = JSON.parse(answer.body.toString("utf8")) as Record<string, unknown>
  expect(problem["status"], label).toBe(answer.status)
  expect(typeof problem["title"], label).toBe("string")
  if (answer.status === 400) {
    const errors = problem["errors"]
    const detail = problem["detail"]
    expect((Array.isArray(errors) && errors.length > 0) || (typeof detail === "string" && detail.length > 0), label).toBe(true)
    if (problem["code"] === "ValidationError") expect(Array.isArray(errors) && errors.length > 0, label).toBe(true)
  }
  for (const token of [fixtures.accessToken, fixtures.otherAccessToken]) expect(answer.body.toString("utf8"), label).not.toContain(token)
}


const checkAnswer = (sent: Sent, answer: Answer) => {
  const label = `${describeAnswer(answer)} ← ${sent.method} ${sent.target.slice(0, 300)}`
  if (nodeOwnRefusal(sent, answer)) return
  expect(answer._tag, label).not.toBe("Closed")
  if (answer._tag === "Closed") return
  if (answer._tag === "Upgraded") {
    // Only a WebSocket handshake switches protocols, and never on an /api path.
    expect(sent.upgrade, label).toBe(true)
    expect(isApiPath(sent.target), label).toBe(false)
    return
  }
  expect(answer.status, label).toBeGreaterThanOrEqual(200)
  expect(answer.status, label).toBeLessThan(500)
  const head = sent.method === "HEAD"
  if (head) expect(answer.body.byteLength, label).toBe(0)
  for (const secret of secretsOf()) expect(answer.body.toString("utf8"), label).not.toContain(secret)
  if (answer.streamed) {
    expect(answer.status, label).toBe(200)
    expect(pathOf(sent.target), label).toMatch(/^\/api\/qr\/sse\//)
  }
  if (answer.status >= 400 && isApiPath(sent.target)) expectProblem(label, answer, head)
}

const sentOf = (request: HttpRequestSpec): Sent => ({
  method: request.method,
  target: request.path,
  hasHost: request.setHost,
  upgrade: request.headers["upgrade"] !== undefined,
  expect: typeof request.headers["expect"] === "string" ? request.headers["expect"] : undefined
})

/**
 * Error lines the fuzzer may cause without a fault of the server: @fastify/websocket logs a
 * client's malformed WebSocket frame (ws's WS_ERR_* codes, e.g. a request body sent after an
 * upgrade) at error level before it drops the socket.
 */
const isClientProtocolError = (record: Record<string, unknown>) => {
  const code = (record["err"] as { code?: unknown } | undefined)?.code
  return typeof code === "string" && code.startsWith("WS_ERR_")
}

const openConnections = () => new Promise<number>((resolve, reject) => server.app.server.getConnections((error, n) => (error ? reject(error) : resolve(n))))

const expectStillHealthy = async () => {
  const health = await sendHttp(port, { method: "GET", path: "/api/health", headers: {}, body: undefined, framing: "length", setHost: true }, HANG_BOUND_MS)
  expect(health._tag === "Response" && health.status, describeAnswer(health)).toBe(200)
  // Every client has gone: no event stream, WebSocket or socket of any kind is left open (one
  // would also hold up close()).
  await expect.poll(() => server.app.realtimeConnections(), { timeout: 5_000 }).toBe(0)
  await expect.poll(openConnections, { timeout: 5_000 }).toBe(0)
  // Query keys like __proto__[polluted] and bodies with "__proto__" members polluted nothing.
  expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
  const errors = logs.records().filter((r) => typeof r["level"] === "number" && r["level"] >= 50 && !isClientProtocolError(r))
  expect(errors, JSON.stringify(errors).slice(0, 2_000)).toEqual([])
}

/** A well-formed raw request (Node's parser may still refuse its method or target). */
const rawExample = (method: string, target: string, ...lines: ReadonlyArray<string>) => ({
  bytes: Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${lines.map((l) => `${l}\r\n`).join("")}\r\n`, "utf8"),
  sent: { method, target, hasHost: true, upgrade: false, expect: undefined } satisfies Sent
})

/** Requests that found a fault once, run first every time. */
const pinnedExamples = (): Array<[HttpRequestSpec]> => {
  const plain = { body: undefined, framing: "length" as const, setHost: true }
  const upgrade = { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13" }
  return [
    // Past Node's header limit: was Fastify's own application/json 431.
    [{ ...plain, method: "GET", path: `/api/devices?${"teamId=x&".repeat(2_000)}`, headers: {} }],
    [{ ...plain, method: "GET", path: "/api/health", headers: { "x-padding": "p".repeat(NODE_MAX_HEADER_BYTES + 1) } }],
    // A path that is not percent-encoded UTF-8: was Fastify's FST_ERR_BAD_URL as application/json.
    [{ ...plain, method: "GET", path: "/api/users/%zz", headers: {} }],
    [{ ...plain, method: "GET", path: "/api/qr/sse/%E0%A4%A", headers: {} }],
    // A method Node's parser does not know: was Fastify's application/json 400.
    [{ ...plain, method: "FOO", path: "/api/health", headers: {} }],
    // An OPTIONS that is no CORS preflight: was @fastify/cors's text/plain 400.
    [{ ...plain, method: "OPTIONS", path: "/api/users/me", headers: {} }],
    // An upgrade request to the event stream: was 101 (then dropped) or ws's text/html 400.
    [{ ...plain, method: "GET", path: `/api/qr/sse/${fixtures.challengeId}`, headers: { ...upgrade, "sec-websocket-key": "x" } }],
    [{ ...plain, method: "GET", path: `/api/qr/sse/${fixtures.challengeId}`, headers: { ...upgrade, "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" } }]
  ]
}

/**
 * Sends `text` on a socket it keeps open and waits for the server to end the connection; fails if
 * the server has not within `boundMs`.
 */
const serverEndsConnection = (text: string, boundMs: number) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    const socket = connect({ host: "127.0.0.1", port, allowHalfOpen: true })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the server kept the connection open after answering: ${Buffer.concat(chunks).toString("latin1").split("\r\n")[0]}`))
    }, boundMs)
    socket.on("data", (chunk: Buffer) => chunks.push(chunk))
    socket.on("end", () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(Buffer.concat(chunks).toString("latin1"))
    })
    socket.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    socket.write(text)
  })

// ---------------------------------------------------------------------------------------------

describe("the server over HTTP, fuzzed", () => {
  it("answers every route, the realtime paths and any /api path, whatever the method, path, query, headers and body", async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const answer = await sendHttp(port, request, HANG_BOUND_MS)
        checkAnswer(sentOf(request), answer)
      }),
      { numRuns: 450, examples: pinnedExamples() }
    )
    await expectStillHealthy()
  }, 120_000)

  it("answers raw requests Node's client would not send: a HEAD answer has no body, a refusal under /api is a problem", async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, async (request) => {
        const answer = await sendRaw(port, request.bytes, { head: request.sent.method === "HEAD" }, HANG_BOUND_MS)
        checkAnswer(request.sent, answer)
      }),
      {
        numRuns: 150,
        examples: [
          // Refused by Node's parser: the answer is a problem, and for a HEAD one without a body.
          [rawExample("get", "/api/health")],
          [rawExample("HEAD", "/api/h\u00e9alth")],
          [rawExample("HEAD", "/api/health", "X-Long: " + "y".repeat(NODE_MAX_HEADER_BYTES))]
        ]
      }
    )
    await expectStillHealthy()
  }, 60_000)

  it("serves the web app: files as they are, deep links as index.html, missing assets as 404", async () => {
    await fc.assert(
      fc.asyncProperty(webRequest, async (request) => {
        const headers = request.accept === undefined ? {} : { accept: request.accept }
        const answer = await sendHttp(
          port,
          { method: request.method, path: request.path, headers, body: undefined, framing: "length", setHost: true },
          HANG_BOUND_MS
        )
        checkWebAnswer(request, answer)
      }),
      { numRuns: 150 }
    )
    await expectStillHealthy()
  }, 60_000)
})

describe("connections the fuzzer found left open", () => {
  // Node's HTTP server lets go of a socket it hands to 'upgrade' listeners; answered over HTTP
  // (refused by a hook before @fastify/websocket's own, or by the router) it stayed open for as
  // long as the client kept it, and held up close() (the fuzz run's server never finished closing).
  it("ends an upgrade request's socket once it is answered over HTTP", async () => {
    const preflight = await serverEndsConnection(
      `OPTIONS /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nOrigin: ${ALLOWED_ORIGIN}\r\nAccess-Control-Request-Method: GET\r\n\r\n`,
      3_000
    )
    expect(preflight).toMatch(/^HTTP\/1\.1 204 /)
    const badPath = await serverEndsConnection("GET /api/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", 3_000)
    expect(badPath).toMatch(/^HTTP\/1\.1 400 [^]*application\/problem\+json/)
    await expect.poll(openConnections, { timeout: 3_000 }).toBe(0)
  })

  // A body sent with the event stream's GET was never read; once it filled the socket's buffers
  // nothing read the socket, so a client that left was not noticed and its stream stayed open.
  it("closes an event stream whose client sent a body and left", async () => {
    const answer = await sendHttp(
      port,
      { method: "GET", path: `/api/qr/sse/${fixtures.challengeId}`, headers: {}, body: Buffer.alloc(1_000_000, "x"), framing: "length", setHost: true },
      HANG_BOUND_MS
    )
    expect(answer._tag === "Response" && answer.streamed, describeAnswer(answer)).toBe(true)
    await expect.poll(() => server.app.realtimeConnections(), { timeout: 3_000 }).toBe(0)
    await expect.poll(openConnections, { timeout: 3_000 }).toBe(0)
  })
})
