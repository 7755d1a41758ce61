/**
 * API Gateway proxy events in, the contract's ApiRequest out, and the ApiResponse back as the
 * proxy result — for both payload formats, told apart by the event's shape:
 *
 *   REST API (payload 1.0)         HTTP API (payload 2.0, `version: "2.0"`)
 *   httpMethod                     requestContext.http.method
 *   path (stage-less, encoded)     rawPath (decoded, with "/<stage>" unless the stage is $default)
 *   multiValueQueryStringParameters  rawQueryString (parsed here: repeats become arrays)
 *   multiValueHeaders + headers    headers (repeats already comma-joined) + cookies[]
 *   requestContext.identity.sourceIp  requestContext.http.sourceIp
 *   requestContext.authorizer.claims  requestContext.authorizer.jwt.claims
 *
 * Header names are lower-cased; a header given several times is an array; v2 `cookies` are folded
 * back into one `cookie` header; a base64 body (isBase64Encoded) is decoded as UTF-8. The contract
 * takes the path percent-encoded: a REST API passes it so; an HTTP API passes it decoded, so each
 * segment is encoded again (an encoded "/" inside a segment is lost there already: it arrives as a
 * separator). An event that is not one of these — not an
 * object, no method or path, a field of the wrong type, a body that is not base64 or not UTF-8 —
 * is a MalformedEvent naming the field, never an exception.
 */
import type { ApiRequest, ApiResponse } from "@app/api"
import { Result } from "effect"

export type PayloadVersion = "1.0" | "2.0"

export interface ProxyRequest {
  readonly version: PayloadVersion
  readonly request: ApiRequest
  /** API Gateway's id of the request (requestContext.requestId), when it gave one. */
  readonly gatewayRequestId: string | undefined
  /** What the authorizer vouched for (Cognito claims), when there is an authorizer in front. */
  readonly claims: Readonly<Record<string, unknown>> | undefined
}

/** Which field of the event is wrong, and how. */
export interface MalformedEvent {
  readonly field: string
  readonly message: string
}

/** The proxy result; its shape suits both payload formats (`cookies` is read by 2.0 only). */
export interface ProxyResult {
  readonly statusCode: number
  readonly headers: Record<string, string>
  readonly body: string
  readonly isBase64Encoded: false
  readonly cookies?: Array<string>
}

class Refusal {
  constructor(readonly malformed: MalformedEvent) {}
}

/** Field names carry names from the event (a header's, a parameter's): kept short. */
const MAX_FIELD_LENGTH = 200

const refuse = (field: string, message: string): never => {
  throw new Refusal({ field: field.length > MAX_FIELD_LENGTH ? `${field.slice(0, MAX_FIELD_LENGTH)}…` : field, message })
}

type Json = Readonly<Record<string, unknown>>

const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

/** An object, or {} when absent (API Gateway sends null for an empty map). */
const optionalRecord = (value: unknown, field: string): Json => {
  if (value === undefined || value === null) return {}
  return isRecord(value) ? value : refuse(field, "must be an object")
}

const optionalString = (value: unknown, field: string): string | undefined => {
  if (value === undefined || value === null) return undefined
  return typeof value === "string" ? value : refuse(field, "must be a string")
}

const requiredString = (value: unknown, field: string): string =>
  typeof value === "string" ? value : refuse(field, value === undefined || value === null ? "is required" : "must be a string")

const METHOD = /^[A-Za-z]{1,20}$/

const methodOf = (value: unknown, field: string): string => {
  const method = requiredString(value, field)
  return METHOD.test(method) ? method.toUpperCase() : refuse(field, "must be an HTTP method")
}

const pathOf = (value: unknown, field: string): string => {
  const path = requiredString(value, field)
  return path.startsWith("/") ? path : refuse(field, "must start with /")
}

/** Several values of one name: a string for one, an array for more. */
type Values = string | ReadonlyArray<string>

const add = (into: Map<string, Array<string>>, name: string, values: ReadonlyArray<string>) => {
  const list = into.get(name)
  if (list === undefined) into.set(name, [...values])
  else list.push(...values)
}

/** Built with fromEntries, so a name like "__proto__" is an own property like any other. */
const collapse = (map: ReadonlyMap<string, ReadonlyArray<string>>): Record<string, Values> =>
  Object.fromEntries(
    [...map].filter(([, values]) => values.length > 0).map(([name, values]) => [name, values.length === 1 ? values[0]! : values])
  )

/** `{name: "v"}` (single) and `{name: ["v", …]}` (multi) maps, merged; multi wins for a name it has. */
const mergeMaps = (
  single: unknown,
  multi: unknown,
  singleField: string,
  multiField: string,
  lowerCase: boolean
): Record<string, Values> => {
  const merged = new Map<string, Array<string>>()
  const key = (name: string) => (lowerCase ? name.toLowerCase() : name)
  for (const [name, values] of Object.entries(optionalRecord(multi, multiField))) {
    if (values === null || values === undefined) continue
    if (!Array.isArray(values)) refuse(`${multiField}.${name}`, "must be an array of strings")
    const list = values as ReadonlyArray<unknown>
    list.forEach((v, i) => {
      if (typeof v !== "string") refuse(`${multiField}.${name}.${i}`, "must be a string")
    })
    add(merged, key(name), list as ReadonlyArray<string>)
  }
  const fromMulti = new Set(merged.keys())
  for (const [name, value] of Object.entries(optionalRecord(single, singleField))) {
    const text = optionalString(value, `${singleField}.${name}`)
    if (text === undefined || fromMulti.has(key(name))) continue
    add(merged, key(name), [text])
  }
  return collapse(merged)
}

/** Repeated parameters as arrays, names and values percent-decoded (`+` is a space). */
const parseQueryString = (raw: string): Record<string, Values> => {
  const merged = new Map<string, Array<string>>()
  for (const [name, value] of new URLSearchParams(raw)) add(merged, name, [value])
  return collapse(merged)
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const utf8 = new TextDecoder("utf-8", { fatal: true })

const bodyOf = (value: unknown, encoded: unknown): string | undefined => {
  const body = optionalString(value, "body")
  if (encoded !== undefined && encoded !== null && typeof encoded !== "boolean") refuse("isBase64Encoded", "must be a boolean")
  if (body === undefined || encoded !== true) return body
  if (!BASE64.test(body)) return refuse("body", "is marked isBase64Encoded but is not base64")
  try {
    return utf8.decode(Buffer.from(body, "base64"))
  } catch {
    return refuse("body", "is not UTF-8 text")
  }
}

/** `/<stage>` taken off the front of `path` when it is there. */
const withoutStage = (path: string, stage: string | undefined): string => {
  if (stage === undefined || stage === "" || stage === "$default") return path
  const prefix = `/${stage}`
  if (path === prefix) return "/"
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path
}

/** A decoded path made a percent-encoded one again, segment by segment. */
const encodedPath = (decoded: string): string => decoded.split("/").map(encodeURIComponent).join("/")

const claimsAt = (value: unknown, field: string): Json | undefined => {
  if (value === undefined || value === null) return undefined
  return isRecord(value) ? value : refuse(field, "must be an object")
}

const restEvent = (event: Json): ProxyRequest => {
  const method = methodOf(event["httpMethod"], "httpMethod")
  const rawPath = pathOf(event["path"], "path")
  const context = optionalRecord(event["requestContext"], "requestContext")
  const identity = optionalRecord(context["identity"], "requestContext.identity")
  const authorizer = optionalRecord(context["authorizer"], "requestContext.authorizer")
  const stage = optionalString(context["stage"], "requestContext.stage")
  // `path` is stage-less on the execute-api endpoint (requestContext.path has the stage); a path
  // that does carry it (some custom domain mappings) loses it here.
  const contextPath = optionalString(context["path"], "requestContext.path")
  const path = stage !== undefined && contextPath === `/${stage}${rawPath}` ? rawPath : withoutStage(rawPath, stage)
  return {
    version: "1.0",
    request: {
      method,
      path,
      query: mergeMaps(
        event["queryStringParameters"],
        event["multiValueQueryStringParameters"],
        "queryStringParameters",
        "multiValueQueryStringParameters",
        false
      ),
      headers: mergeMaps(event["headers"], event["multiValueHeaders"], "headers", "multiValueHeaders", true),
      body: bodyOf(event["body"], event["isBase64Encoded"]),
      remoteAddress: optionalString(identity["sourceIp"], "requestContext.identity.sourceIp") ?? "unknown"
    },
    gatewayRequestId: optionalString(context["requestId"], "requestContext.requestId"),
    claims: claimsAt(authorizer["claims"], "requestContext.authorizer.claims")
  }
}

const httpApiEvent = (event: Json): ProxyRequest => {
  const context = optionalRecord(event["requestContext"], "requestContext")
  const http = optionalRecord(context["http"], "requestContext.http")
  const method = methodOf(http["method"], "requestContext.http.method")
  const stage = optionalString(context["stage"], "requestContext.stage")
  const path = encodedPath(withoutStage(pathOf(event["rawPath"], "rawPath"), stage))
  const rawQuery = optionalString(event["rawQueryString"], "rawQueryString")
  const headers = mergeMaps(event["headers"], undefined, "headers", "multiValueHeaders", true)
  const cookies = event["cookies"]
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies)) refuse("cookies", "must be an array of strings")
    const list = cookies as ReadonlyArray<unknown>
    list.forEach((c, i) => {
      if (typeof c !== "string") refuse(`cookies.${i}`, "must be a string")
    })
    const existing = headers["cookie"]
    const all = [...(existing === undefined ? [] : typeof existing === "string" ? [existing] : existing), ...(list as ReadonlyArray<string>)]
    if (all.length > 0) headers["cookie"] = all.join("; ")
  }
  const authorizer = optionalRecord(context["authorizer"], "requestContext.authorizer")
  const jwt = optionalRecord(authorizer["jwt"], "requestContext.authorizer.jwt")
  return {
    version: "2.0",
    request: {
      method,
      path,
      query: rawQuery !== undefined
        ? parseQueryString(rawQuery)
        : mergeMaps(event["queryStringParameters"], undefined, "queryStringParameters", "", false),
      headers,
      body: bodyOf(event["body"], event["isBase64Encoded"]),
      remoteAddress: optionalString(http["sourceIp"], "requestContext.http.sourceIp") ?? "unknown"
    },
    gatewayRequestId: optionalString(context["requestId"], "requestContext.requestId"),
    claims: claimsAt(jwt["claims"], "requestContext.authorizer.jwt.claims")
  }
}

/** The request an API Gateway proxy event describes, or which of its fields is wrong. */
export const fromProxyEvent = (event: unknown): Result.Result<ProxyRequest, MalformedEvent> => {
  try {
    if (!isRecord(event)) return Result.fail({ field: "event", message: "must be an API Gateway proxy event object" })
    if (event["version"] === "2.0") return Result.succeed(httpApiEvent(event))
    if ("httpMethod" in event) return Result.succeed(restEvent(event))
    if (isRecord(event["requestContext"]) && "http" in event["requestContext"]) return Result.succeed(httpApiEvent(event))
    return Result.fail({ field: "httpMethod", message: "is required (or requestContext.http.method with version 2.0)" })
  } catch (error) {
    if (error instanceof Refusal) return Result.fail(error.malformed)
    return Result.fail({ field: "event", message: "is not a valid API Gateway proxy event" })
  }
}

/** The proxy result of `response`; a HEAD answer has no body. v2 answers carry Set-Cookie in `cookies`. */
export const toProxyResult = (version: PayloadVersion, response: ApiResponse, method = "GET"): ProxyResult => {
  const headers: Record<string, string> = { ...response.headers }
  const body = method === "HEAD" ? "" : response.body ?? ""
  if (version === "2.0") {
    const setCookie = headers["set-cookie"]
    if (setCookie !== undefined) {
      delete headers["set-cookie"]
      return { statusCode: response.status, headers, body, isBase64Encoded: false, cookies: [setCookie] }
    }
  }
  return { statusCode: response.status, headers, body, isBase64Encoded: false }
}
