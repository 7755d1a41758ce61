/**
 * The OpenAPI document against API.md itself: the route tables of /work/shared/API.md are parsed
 * at test time (support/ApiDocRoutes.ts), so a route added to (or dropped from) either side fails
 * here. Also checks the
 * document's own integrity: references resolve, path parameters are declared, operationIds are
 * unique, and authenticated routes declare bearer security.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { openApiDocument, pathParameters, routes } from "../src/index.js"
import { apiDocRoutes, isDeviceKey, isPublic, SERVED_BY_REALTIME } from "./support/ApiDocRoutes.js"
import { apiRequest, jsonOf } from "./support/ApiRequests.js"
import { makeInProcessApi } from "./support/InProcessApi.js"

// The SSE status stream is each shell's realtime transport, not an operation of the handler's document.
const contractOperations = apiDocRoutes()
const servedOperations = contractOperations.filter((op) => !SERVED_BY_REALTIME.has(op.key))

type Json = Record<string, any>
const api = makeInProcessApi()
let document: Json

beforeAll(async () => {
  const answer = await api.handle(apiRequest("GET", "/api/openapi.json"))
  expect(answer.status).toBe(200)
  document = jsonOf(answer)
})
afterAll(() => api.dispose())

const operations = (): Array<{ key: string; path: string; method: string; operation: Json }> =>
  Object.entries(document["paths"] as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, operation: operation as Json }))
  )

describe("API.md", () => {
  it("parses into the tables it has (a guard against a silently broken parser)", () => {
    expect(contractOperations.length).toBeGreaterThanOrEqual(45)
    expect(new Set(contractOperations.map((op) => op.section))).toEqual(
      new Set(["Health", "Auth", "Users", "Teams", "Platforms and campaigns (all: auth, and `{userId}` must be the caller, else 403)", "Chat", "QR login", "Sensors"])
    )
    expect(contractOperations.map((op) => op.key)).toContain("GET /api/qr/init")
    expect(contractOperations.map((op) => op.key)).toContain("GET /api/qr/sse/{challengeId}")
  })
})

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1.0 and what openApiDocument(routes) builds", () => {
    expect(document["openapi"]).toBe("3.1.0")
    expect(document["info"]).toMatchObject({ title: expect.any(String), version: expect.any(String) })
    expect(document).toEqual(JSON.parse(JSON.stringify(openApiDocument([...routes]))))
  })

  it("has exactly the operations of API.md's tables (the SSE stream is the realtime transport's)", () => {
    expect(operations().map((op) => op.key).sort()).toEqual(servedOperations.map((op) => op.key).sort())
  })

  it.each(servedOperations.map((op) => [op.key, op] as const))("%s answers API.md's stated success status", (_key, op) => {
    const stated = /^(\d{3})\b/.exec(op.answer)?.[1]
    const operation = document["paths"][op.path][op.method.toLowerCase()] as Json
    const successes = Object.keys(operation["responses"]).filter((s) => s.startsWith("2"))
    const endpoint = routes.find((r) => r.path === op.path && (r.method === op.method || r.alsoMethods.includes(op.method as never)))!
    if (stated !== undefined) {
      expect(endpoint.status).toBe(Number(stated))
      expect(successes).toContain(stated)
    } else {
      // API.md states no status: a body answer is 200.
      expect(endpoint.status).toBe(200)
    }
  })

  it.each(servedOperations.map((op) => [op.key, op] as const))("%s declares the security API.md asks for", (_key, op) => {
    const operation = document["paths"][op.path][op.method.toLowerCase()] as Json
    expect(op.auth, "API.md says who may call it").toBeDefined()
    if (isPublic(op)) {
      expect(operation["security"]).toBeUndefined()
    } else if (isDeviceKey(op)) {
      expect(operation["security"]).toEqual([{ deviceKey: [] }])
    } else {
      expect(operation["security"]).toEqual([{ bearer: [] }])
      expect(Object.keys(operation["responses"])).toContain("401")
    }
  })

  it("defines the security schemes it uses", () => {
    expect(document["components"]["securitySchemes"]).toMatchObject({
      bearer: { type: "http", scheme: "bearer" },
      deviceKey: { type: "apiKey", in: "header", name: "X-Device-Key" }
    })
  })

  it("resolves every $ref inside the document", () => {
    const refs: Array<string> = []
    const walk = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(walk)
      else if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) {
          if (k === "$ref" && typeof v === "string") refs.push(v)
          else walk(v)
        }
      }
    }
    walk(document)
    expect(refs.length).toBeGreaterThan(0)
    for (const ref of new Set(refs)) {
      expect(ref.startsWith("#/components/"), ref).toBe(true)
      const target = ref
        .slice(2)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document)
      expect(target, ref).toBeTypeOf("object")
    }
  })

  it("declares every path parameter, required, once", () => {
    for (const { key, path, operation } of operations()) {
      const declared = (operation["parameters"] as Array<Json>).filter((p) => p["in"] === "path")
      expect(declared.map((p) => p["name"]).sort(), key).toEqual([...pathParameters(path)].sort())
      expect(declared.every((p) => p["required"] === true), key).toBe(true)
    }
  })

  it("has unique operationIds", () => {
    const ids = operations().map((op) => op.operation["operationId"] as string)
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it("documents problems as problem+json and bodies as required JSON", () => {
    for (const { key, operation } of operations()) {
      const endpoint = routes.find((r) => r.name === operation["operationId"] || operation["operationId"].startsWith(`${r.name}.`))!
      for (const [status, response] of Object.entries(operation["responses"] as Record<string, Json>)) {
        // An alternate status answers the route's own body (GET /api/ready: 503 with the report).
        if (Number(status) >= 400 && !endpoint.alternateStatuses.includes(Number(status))) {
          expect(response["content"]?.["application/problem+json"]?.["schema"], `${key} ${status}`).toEqual({ $ref: "#/components/schemas/Problem" })
        }
      }
      if (endpoint.hasBody) {
        expect(operation["requestBody"], key).toMatchObject({ required: true, content: { "application/json": { schema: expect.any(Object) } } })
        expect(Object.keys(operation["responses"]), key).toEqual(expect.arrayContaining(["400", "413", "415"]))
      } else {
        expect(operation["requestBody"], key).toBeUndefined()
      }
    }
  })
})
