/**
 * The OpenAPI 3.1 document, generated from the endpoints' own Schemas (their wire, i.e. encoded,
 * side), so it cannot drift from what the handler accepts and answers.
 */
import { Schema } from "effect"
import type { AnyEndpoint } from "./Endpoint.js"
import { Problem } from "./Problem.js"

type Json = Record<string, unknown>

const statusText: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  400: "Bad input: each failing field in `errors`",
  401: "Unauthenticated",
  403: "Forbidden",
  404: "Not found (also a team resource of which the caller is not a member)",
  409: "Conflict",
  410: "Gone (expired)",
  413: "Body too large",
  415: "Unsupported content type",
  429: "Rate limited (see Retry-After)",
  500: "Internal error (never carries internals)",
  503: "A dependency is down; retry"
}

/** JSON Schema of `schema`, its definitions hoisted into `components` and references rewritten. */
const jsonSchema = (schema: Schema.Top, components: Json): Json => {
  const document = Schema.toJsonSchemaDocument(schema as never)
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite)
    if (typeof value !== "object" || value === null) return value
    const out: Json = {}
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === "$ref" && typeof v === "string" ? v.replace(/^#\/(\$defs|definitions)\//, "#/components/schemas/") : rewrite(v)
    }
    return out
  }
  for (const [name, definition] of Object.entries(document.definitions ?? {})) components[name] = rewrite(definition)
  return rewrite(document.schema) as Json
}

const parameters = (schema: Schema.Top, location: "path" | "query", components: Json): Array<Json> => {
  const objectSchema = jsonSchema(schema, components)
  const properties = (objectSchema["properties"] ?? {}) as Record<string, Json>
  const required = new Set((objectSchema["required"] ?? []) as ReadonlyArray<string>)
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || required.has(name),
    schema: property
  }))
}

const problemResponse = { description: "", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } }

const operation = (endpoint: AnyEndpoint, components: Json): Json => {
  const responses: Json = {}
  const success = endpoint.response === undefined
    ? { description: statusText[endpoint.status] ?? "" }
    : {
      description: statusText[endpoint.status] ?? "",
      content: { "application/json": { schema: jsonSchema(endpoint.response, components) } }
    }
  responses[String(endpoint.status)] = success
  for (const status of endpoint.alternateStatuses) responses[String(status)] = { ...success, description: statusText[status] ?? "" }
  const errors = new Set([...endpoint.errors, ...(endpoint.hasBody ? [400, 413, 415] : []), ...(endpoint.auth === "bearer" ? [401] : []), 500, 503])
  for (const status of [...errors].sort()) {
    if (responses[String(status)] === undefined) responses[String(status)] = { ...problemResponse, description: statusText[status] ?? "" }
  }
  const ingestKey = endpoint.name === "sensors.ingest"
  return {
    operationId: endpoint.name,
    summary: endpoint.summary,
    tags: [endpoint.tag],
    ...(endpoint.auth === "bearer" ? { security: [{ bearer: [] }] } : ingestKey ? { security: [{ deviceKey: [] }] } : {}),
    parameters: [
      ...parameters(endpoint.params, "path", components),
      ...parameters(endpoint.query, "query", components)
    ],
    ...(endpoint.hasBody
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(endpoint.body, components) } } } }
      : {}),
    responses
  }
}

export const openApiDocument = (endpoints: ReadonlyArray<AnyEndpoint>): Json => {
  const components: Json = {}
  components["Problem"] = jsonSchema(Problem, components)
  const paths: Record<string, Json> = {}
  for (const endpoint of endpoints) {
    const item = (paths[endpoint.path] ??= {})
    const op = operation(endpoint, components)
    for (const method of [endpoint.method, ...endpoint.alsoMethods]) {
      item[method.toLowerCase()] = method === endpoint.method ? op : { ...op, operationId: `${endpoint.name}.${method.toLowerCase()}` }
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: "Product API", version: "1.0.0", description: "The HTTP contract served by both shells (apps/server, apps/lambda)." },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: "/" }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        deviceKey: { type: "apiKey", in: "header", name: "X-Device-Key" }
      }
    }
  }
}
