/**
 * The event translation on its own: REST (1.0) and HTTP API (2.0) events to the contract's
 * ApiRequest — path and stage, repeated query parameters and headers, cookies, base64 bodies,
 * source address, authorizer claims — the ApiResponse back to a proxy result, and malformed events
 * refused with the field they got wrong.
 */
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { fromProxyEvent, type MalformedEvent, type ProxyRequest, toProxyResult } from "../src/index.js"
import { httpApiEvent, restEvent } from "./support/ProxyEvents.js"

const translated = (event: unknown): ProxyRequest => {
  const result = fromProxyEvent(event)
  if (Result.isFailure(result)) throw new Error(`refused: ${JSON.stringify(result.failure)}`)
  return result.success
}

const refused = (event: unknown): MalformedEvent => {
  const result = fromProxyEvent(event)
  if (Result.isSuccess(result)) throw new Error(`accepted: ${JSON.stringify(result.success.request)}`)
  return result.failure
}

describe("REST API (payload 1.0) events", () => {
  it("carry method, stage-less path, repeated query parameters and headers, and the source address", () => {
    const { version, request, gatewayRequestId } = translated(
      restEvent({
        method: "post",
        path: "/api/chat/rooms/R1/messages",
        query: { tag: ["a", "b"], limit: "5" },
        headers: { "Content-Type": "application/json", "X-Multi": ["one", "two"] },
        body: "{\"body\":\"hi\"}",
        sourceIp: "198.51.100.7",
        requestId: "gw-1"
      })
    )
    expect(version).toBe("1.0")
    expect(gatewayRequestId).toBe("gw-1")
    expect(request).toEqual({
      method: "POST",
      path: "/api/chat/rooms/R1/messages",
      query: { tag: ["a", "b"], limit: "5" },
      headers: { "content-type": "application/json", "x-multi": ["one", "two"] },
      body: "{\"body\":\"hi\"}",
      remoteAddress: "198.51.100.7"
    })
  })

  it("use the single-value maps when the multi-value ones are missing", () => {
    const event = { ...restEvent({ query: { a: "1" }, headers: { Accept: "x" } }), multiValueHeaders: null, multiValueQueryStringParameters: null }
    expect(translated(event).request).toMatchObject({ query: { a: "1" }, headers: { accept: "x" } })
  })

  it("take the stage off a path that carries it, and only then", () => {
    const carried = { ...restEvent({ stage: "prod" }), path: "/prod/api/health" }
    expect(translated(carried).request.path).toBe("/api/health")
    // A stage named like the path's first segment: requestContext.path shows `path` is stage-less.
    const lookalike = restEvent({ stage: "api", path: "/api/health" })
    expect(translated(lookalike).request.path).toBe("/api/health")
  })

  it("decode a base64 body as UTF-8", () => {
    const text = JSON.stringify({ name: "Ünïcödé ✓ 😀" })
    expect(translated(restEvent({ method: "POST", body: text, base64: true })).request.body).toBe(text)
  })

  it("hand over the Cognito authorizer's claims", () => {
    const claims = { sub: "s-1", email: "a@example.test", email_verified: "true" }
    expect(translated(restEvent({ claims })).claims).toEqual(claims)
    expect(translated(restEvent()).claims).toBeUndefined()
  })

  it("without body, headers or requestContext are still requests", () => {
    const { request, gatewayRequestId } = translated({ httpMethod: "GET", path: "/api/health" })
    expect(request).toEqual({ method: "GET", path: "/api/health", query: {}, headers: {}, body: undefined, remoteAddress: "unknown" })
    expect(gatewayRequestId).toBeUndefined()
  })
})

describe("HTTP API (payload 2.0) events", () => {
  it("carry the path without the stage, the raw query string with repeats as arrays, and cookies as one header", () => {
    const { version, request } = translated(
      httpApiEvent({
        method: "GET",
        stage: "live",
        path: "/api/users/a%20b%25",
        query: { tag: ["x y", "z&w"], one: "1" },
        headers: { Authorization: "Bearer t", Cookie: "a=1; b=2", "X-Dup": ["p", "q"] },
        sourceIp: "192.0.2.9"
      })
    )
    expect(version).toBe("2.0")
    expect(request).toEqual({
      method: "GET",
      // An HTTP API passes "/live/api/users/a b%": encoded again for the contract.
      path: "/api/users/a%20b%25",
      query: { tag: ["x y", "z&w"], one: "1" },
      headers: { authorization: "Bearer t", cookie: "a=1; b=2", "x-dup": "p,q" },
      body: undefined,
      remoteAddress: "192.0.2.9"
    })
  })

  it("keep the path as is on the $default stage", () => {
    expect(translated(httpApiEvent({ path: "/live/api/health" })).request.path).toBe("/live/api/health")
  })

  it("fold cookies into a cookie header that is already there", () => {
    const event = { ...httpApiEvent(), headers: { cookie: "first=0" }, cookies: ["a=1", "b=2"] }
    expect(translated(event).request.headers["cookie"]).toBe("first=0; a=1; b=2")
  })

  it("decode a base64 body and hand over the JWT authorizer's claims", () => {
    const claims = { sub: "s-2", email: "b@example.test", email_verified: true }
    const { request, claims: seen } = translated(httpApiEvent({ method: "PUT", body: "{\"a\":1}", base64: true, claims }))
    expect(request.body).toBe("{\"a\":1}")
    expect(seen).toEqual(claims)
  })

  it("are recognised without `version` when requestContext.http is there", () => {
    const { version: _, ...event } = httpApiEvent({ path: "/api/ready" })
    expect(translated(event)).toMatchObject({ version: "2.0", request: { path: "/api/ready" } })
  })
})

describe("malformed events", () => {
  it.each([
    ["not an object", "event", null],
    ["an array", "event", [1, 2]],
    ["a string", "event", "GET /api/health"],
    ["neither format", "httpMethod", { path: "/api/health" }],
    ["no method (1.0)", "httpMethod", { ...restEvent(), httpMethod: undefined }],
    ["a method that is not one", "httpMethod", { ...restEvent(), httpMethod: "GET /x" }],
    ["no path (1.0)", "path", { httpMethod: "GET" }],
    ["a relative path", "path", { httpMethod: "GET", path: "api/health" }],
    ["a numeric path", "path", { httpMethod: "GET", path: 42 }],
    ["no method (2.0)", "requestContext.http.method", { version: "2.0", rawPath: "/api/health", requestContext: { http: {} } }],
    ["no rawPath", "rawPath", { ...httpApiEvent(), rawPath: undefined }],
    ["headers that are a list", "headers", { ...restEvent(), headers: ["a"] }],
    ["a header that is a number", "headers.x-n", { ...httpApiEvent(), headers: { "x-n": 5 } }],
    ["multi-value headers that are not lists", "multiValueHeaders.accept", { ...restEvent(), multiValueHeaders: { accept: "x" } }],
    ["a query value that is not a string", "multiValueQueryStringParameters.a.0", { ...restEvent(), multiValueQueryStringParameters: { a: [1] } }],
    ["a raw query that is not a string", "rawQueryString", { ...httpApiEvent(), rawQueryString: { a: 1 } }],
    ["cookies that are not a list", "cookies", { ...httpApiEvent(), cookies: "a=1" }],
    ["a cookie that is not a string", "cookies.1", { ...httpApiEvent(), cookies: ["a=1", 2] }],
    ["a body that is not text", "body", { ...restEvent({ method: "POST" }), body: { a: 1 } }],
    ["isBase64Encoded that is not a boolean", "isBase64Encoded", { ...restEvent({ method: "POST", body: "{}" }), isBase64Encoded: "yes" }],
    ["a base64 body that is not base64", "body", { ...httpApiEvent({ method: "POST" }), body: "not base64!", isBase64Encoded: true }],
    ["a base64 body that is not UTF-8", "body", { ...httpApiEvent({ method: "POST" }), body: Buffer.from([0xff, 0xfe, 0x00]).toString("base64"), isBase64Encoded: true }],
    ["a requestContext that is not an object", "requestContext", { ...restEvent(), requestContext: "ctx" }],
    ["a source address that is not text", "requestContext.identity.sourceIp", { ...restEvent(), requestContext: { identity: { sourceIp: 1 } } }],
    ["claims that are not an object", "requestContext.authorizer.jwt.claims", { ...httpApiEvent(), requestContext: { http: { method: "GET" }, authorizer: { jwt: { claims: "x" } } } }]
  ])("refuse %s, naming %s", (_label, field, event) => {
    const malformed = refused(event)
    expect(malformed.field).toBe(field)
    expect(malformed.message).toEqual(expect.any(String))
  })

  it("refuse a __proto__ header of the wrong type like any other, and keep a good one an own field", () => {
    expect(refused({ ...restEvent(), headers: JSON.parse("{\"__proto__\": 5}") }).field).toBe("headers.__proto__")
    const { request } = translated({ ...restEvent(), headers: JSON.parse("{\"__proto__\": \"x\"}"), multiValueHeaders: null })
    expect(Object.getPrototypeOf(request.headers)).toBe(Object.prototype)
    expect(Object.hasOwn(request.headers, "__proto__")).toBe(true)
  })
})

describe("proxy results", () => {
  const response = { status: 201, headers: { "content-type": "application/json; charset=utf-8" }, body: "{\"ok\":true}" }

  it("are the same shape for both formats, with an empty body for 204 and for HEAD", () => {
    expect(toProxyResult("1.0", response)).toEqual({ statusCode: 201, headers: response.headers, body: "{\"ok\":true}", isBase64Encoded: false })
    expect(toProxyResult("2.0", response)).toEqual({ statusCode: 201, headers: response.headers, body: "{\"ok\":true}", isBase64Encoded: false })
    expect(toProxyResult("2.0", { status: 204, headers: {}, body: undefined }).body).toBe("")
    expect(toProxyResult("1.0", response, "HEAD").body).toBe("")
  })

  it("move Set-Cookie to `cookies` for HTTP API, and leave it a header for REST API", () => {
    const withCookie = { ...response, headers: { ...response.headers, "set-cookie": "s=1; HttpOnly" } }
    const v2 = toProxyResult("2.0", withCookie)
    expect(v2.cookies).toEqual(["s=1; HttpOnly"])
    expect(v2.headers["set-cookie"]).toBeUndefined()
    expect(toProxyResult("1.0", withCookie).headers["set-cookie"]).toBe("s=1; HttpOnly")
  })
})
