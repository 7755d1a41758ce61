/**
 * Random events into the HTTP functions (over the in-memory stores): anything at all, events that
 * are almost right (fields of the wrong type, junk paths and bodies, base64 that is not), and
 * well-formed events of both formats for every route with random headers, queries and bodies.
 * Whatever comes in, the answer is a 2xx or 4xx proxy result with string headers and body — a
 * problem+json for every 4xx — and the handler never throws or rejects.
 */
import * as fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import { type FunctionGroup, functionGroupNames, functionGroups, type HttpHandler, makeHttpHandler } from "../src/index.js"
import { fakeContext, generousRateLimits, memoryStores, testContainer, testSecrets } from "./support/LambdaTest.js"
import { httpApiEvent, restEvent } from "./support/ProxyEvents.js"

const environment = { ...testSecrets(), ...generousRateLimits, CORS_ORIGINS: "https://app.example.test" }
const containers = functionGroupNames.map((name) => testContainer(name, environment, { stores: memoryStores }))
const handlers = Object.fromEntries(
  functionGroupNames.map((name, i) => [name, makeHttpHandler(functionGroups[name], containers[i]!)])
) as Record<FunctionGroup, HttpHandler>
afterAll(() => Promise.all(containers.map((c) => c.dispose())))

const routes = functionGroupNames.flatMap((name) => functionGroups[name].map((e) => ({ name, method: e.method, path: e.path })))

const segment = fc.oneof(
  fc.constantFrom("me", "01J0000000000000000000000", "bad%20id", "%E0%A4%A", "..", "x".repeat(200), ""),
  fc.string({ maxLength: 12 }).map(encodeURIComponent)
)

/** A route's path with each {param} replaced by something random (and the function serving it), or a random path. */
const path = fc.oneof(
  fc.tuple(fc.constantFrom(...routes), fc.array(segment, { minLength: 4, maxLength: 4 })).map(([route, values]) => {
    let i = 0
    return { path: route.path.replace(/\{[A-Za-z0-9_]+\}/g, () => values[i++] ?? "x"), serves: route.name as FunctionGroup | undefined }
  }),
  fc.array(segment, { maxLength: 5 }).map((parts) => ({ path: `/${parts.join("/")}`, serves: undefined }))
)

const method = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "get", "TRACE")

const headerName = fc.constantFrom(
  "content-type",
  "Content-Type",
  "authorization",
  "origin",
  "access-control-request-method",
  "x-device-key",
  "x-correlation-id",
  "cookie",
  "x-other"
)
const headerValue = fc.oneof(
  fc.constantFrom("application/json", "text/plain", "Bearer x.y.z", "Bearer ", "https://app.example.test", "GET"),
  fc.string({ maxLength: 40 })
)

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 80 }),
  fc.record({
    email: fc.oneof(fc.emailAddress(), fc.string()),
    password: fc.string({ maxLength: 20 }),
    name: fc.string({ maxLength: 20 }),
    refreshToken: fc.string({ maxLength: 20 })
  }).map((v) => JSON.stringify(v))
)

/** A well-formed event, and the function API Gateway would route it to (when its path is a route's). */
const wellFormed = fc.record({
  format: fc.constantFrom("rest", "httpApi"),
  method,
  path,
  query: fc.dictionary(fc.constantFrom("teamId", "limit", "before", "after", "deviceId", "from", "to", "bucket", "x"), fc.oneof(fc.string({ maxLength: 10 }), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }))),
  headers: fc.dictionary(headerName, fc.oneof(headerValue, fc.array(headerValue, { minLength: 1, maxLength: 2 }))),
  body,
  base64: fc.boolean(),
  stage: fc.constantFrom("$default", "prod", "api")
}).map(({ format, path: { path, serves }, body: text, ...init }) => {
  const withBody = { ...init, path, ...(text === undefined ? {} : { body: text }) }
  return { event: format === "rest" ? restEvent(withBody) : httpApiEvent(withBody), serves }
})

/** A well-formed event with one field replaced by something of any type. */
const damaged = fc.tuple(
  wellFormed,
  fc.constantFrom(
    "httpMethod",
    "path",
    "rawPath",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "rawQueryString",
    "cookies",
    "body",
    "isBase64Encoded",
    "requestContext",
    "version"
  ),
  fc.anything({ maxDepth: 2 })
).map(([{ event, serves }, field, value]) => ({ event: { ...event, [field]: value } as unknown, serves }))

const anyEvent = fc.oneof(
  fc.anything({ maxDepth: 3 }).map((event) => ({ event, serves: undefined })),
  wellFormed,
  damaged,
  wellFormed,
  damaged
)

describe("random events", () => {
  it("always get a 2xx or 4xx proxy result, never a 5xx, a throw or a rejection", async () => {
    const seen = new Set<number>()
    await fc.assert(
      // Mostly to the function that serves the path, as API Gateway routes; sometimes to any other.
      fc.asyncProperty(anyEvent, fc.constantFrom(...functionGroupNames), fc.boolean(), async ({ event, serves }, other, routed) => {
        const result = await handlers[routed && serves !== undefined ? serves : other](event, fakeContext())
        seen.add(result.statusCode)
        expect(result.statusCode >= 200 && result.statusCode < 500, `${result.statusCode} ${result.body}`).toBe(true)
        expect(result.statusCode < 300 || result.statusCode >= 400).toBe(true)
        expect(typeof result.body).toBe("string")
        for (const value of Object.values(result.headers)) expect(typeof value).toBe("string")
        if (result.statusCode >= 400) {
          expect(result.headers["content-type"]).toBe("application/problem+json")
          // HEAD answers carry no body, so only a body that is there is checked.
          if (result.body !== "") expect(JSON.parse(result.body)).toMatchObject({ status: result.statusCode })
        }
      }),
      {
        numRuns: 400,
        // Besides the random ones: a served route, a malformed event and an unknown path.
        examples: [
          [{ event: restEvent({ path: "/api/health" }), serves: "health" }, "auth", true],
          [{ event: { httpMethod: 1 }, serves: undefined }, "users", false],
          [{ event: httpApiEvent({ path: "/api/unknown" }), serves: undefined }, "health", false]
        ]
      }
    )
    // The run reached a use case (2xx), the malformed-event refusal (400) and the router (404).
    expect([...seen].some((status) => status >= 200 && status < 300)).toBe(true)
    expect([...seen]).toEqual(expect.arrayContaining([400, 404]))
  }, 120_000)
})
