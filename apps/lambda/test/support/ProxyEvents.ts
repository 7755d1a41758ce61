/**
 * Synthetic API Gateway proxy events, shaped as API Gateway sends them: REST API (payload 1.0)
 * and HTTP API (payload 2.0), built field by field for the translation tests, or from a fetch
 * Request for the scenario suite; and a proxy result turned back into a fetch Response.
 */
import { randomUUID } from "node:crypto"
import type { ProxyResult } from "../../src/index.js"

export interface EventInit {
  readonly method?: string
  /** The path without the stage, percent-encoded as a client sends it, e.g. "/api/health". */
  readonly path?: string
  /** Repeated names as arrays. */
  readonly query?: Readonly<Record<string, string | ReadonlyArray<string>>>
  /** Names as the client wrote them; repeated ones as arrays. */
  readonly headers?: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly body?: string
  readonly base64?: boolean
  readonly sourceIp?: string
  /** "$default" for an HTTP API without a named stage. */
  readonly stage?: string
  readonly claims?: Readonly<Record<string, unknown>>
  readonly requestId?: string
}

const list = (value: string | ReadonlyArray<string>): Array<string> => (typeof value === "string" ? [value] : [...value])

const encodeBody = (init: EventInit) =>
  init.body === undefined ? null : init.base64 === true ? Buffer.from(init.body, "utf8").toString("base64") : init.body

/** A REST API (payload 1.0) proxy event, as API Gateway sends it to a Lambda proxy integration. */
export const restEvent = (init: EventInit = {}): Record<string, unknown> => {
  const method = init.method ?? "GET"
  const path = init.path ?? "/api/health"
  const stage = init.stage ?? "prod"
  const query = Object.entries(init.query ?? {})
  const headers = Object.entries(init.headers ?? {})
  return {
    resource: "/{proxy+}",
    path,
    httpMethod: method,
    headers: headers.length === 0 ? null : Object.fromEntries(headers.map(([k, v]) => [k, list(v).at(-1)!])),
    multiValueHeaders: headers.length === 0 ? null : Object.fromEntries(headers.map(([k, v]) => [k, list(v)])),
    queryStringParameters: query.length === 0 ? null : Object.fromEntries(query.map(([k, v]) => [k, list(v).at(-1)!])),
    multiValueQueryStringParameters: query.length === 0 ? null : Object.fromEntries(query.map(([k, v]) => [k, list(v)])),
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: "123456789012",
      apiId: "restapi01",
      resourceId: "abc123",
      resourcePath: "/{proxy+}",
      httpMethod: method,
      stage,
      path: `/${stage}${path}`,
      requestId: init.requestId ?? randomUUID(),
      requestTimeEpoch: 1_700_000_000_000,
      protocol: "HTTP/1.1",
      identity: { sourceIp: init.sourceIp ?? "203.0.113.10", userAgent: "test" },
      ...(init.claims === undefined ? {} : { authorizer: { claims: init.claims } })
    },
    body: encodeBody(init),
    isBase64Encoded: init.base64 === true
  }
}

/** Each percent-encoded sequence decoded, where it decodes (what an HTTP API does to the path). */
const decodedPath = (path: string) =>
  path.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      return run
    }
  })

/**
 * An HTTP API (payload 2.0) proxy event: the path decoded, as an HTTP API passes it (with the
 * stage unless $default), the raw query, cookies apart.
 */
export const httpApiEvent = (init: EventInit = {}): Record<string, unknown> => {
  const method = init.method ?? "GET"
  const path = decodedPath(init.path ?? "/api/health")
  const stage = init.stage ?? "$default"
  const rawPath = stage === "$default" ? path : `/${stage}${path}`
  const search = new URLSearchParams()
  for (const [name, values] of Object.entries(init.query ?? {})) for (const value of list(values)) search.append(name, value)
  const headers: Record<string, string> = {}
  let cookies: Array<string> | undefined
  for (const [name, values] of Object.entries(init.headers ?? {})) {
    if (name.toLowerCase() === "cookie") cookies = list(values).flatMap((v) => v.split(/;\s*/))
    else headers[name.toLowerCase()] = list(values).join(",")
  }
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString: search.toString(),
    ...(cookies === undefined ? {} : { cookies }),
    headers,
    requestContext: {
      accountId: "123456789012",
      apiId: "httpapi01",
      domainName: "httpapi01.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "httpapi01",
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: init.sourceIp ?? "203.0.113.20", userAgent: "test" },
      requestId: init.requestId ?? randomUUID(),
      routeKey: "$default",
      stage,
      time: "14/Nov/2023:22:13:20 +0000",
      timeEpoch: 1_700_000_000_000,
      ...(init.claims === undefined ? {} : { authorizer: { jwt: { claims: init.claims, scopes: null } } })
    },
    ...(init.body === undefined ? {} : { body: encodeBody(init) }),
    isBase64Encoded: init.base64 === true
  }
}

export type PayloadFormat = "rest" | "httpApi"

export interface FromRequestOptions {
  readonly format: PayloadFormat
  readonly stage?: string
  /** Base64-encode every body (as API Gateway does for binary media types). */
  readonly base64Bodies?: boolean
}

/** The event API Gateway would send for a fetch Request. */
export const eventFromRequest = async (request: Request, options: FromRequestOptions): Promise<Record<string, unknown>> => {
  const url = new URL(request.url)
  const query: Record<string, Array<string>> = {}
  url.searchParams.forEach((value, name) => (query[name] ??= []).push(value))
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => (headers[name] = value))
  const text = request.method === "GET" || request.method === "HEAD" ? "" : await request.text()
  const init: EventInit = {
    method: request.method,
    path: url.pathname,
    query,
    headers,
    ...(text === "" ? {} : { body: text }),
    ...(options.base64Bodies === true ? { base64: true } : {}),
    ...(options.stage === undefined ? {} : { stage: options.stage }),
    sourceIp: "127.0.0.1"
  }
  return options.format === "rest" ? restEvent(init) : httpApiEvent(init)
}

/** The fetch Response a client would get for a proxy result. */
export const responseFromResult = (result: ProxyResult): Response => {
  const headers = new Headers(result.headers)
  for (const cookie of result.cookies ?? []) headers.append("set-cookie", cookie)
  const body = result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body
  const empty = result.statusCode === 204 || result.statusCode === 304 || body === ""
  return new Response(empty ? null : body, { status: result.statusCode, headers })
}
