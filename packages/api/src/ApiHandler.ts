/**
 * The transport-neutral handler both shells call: request in, response out. It finds the route,
 * checks the body's size and type, authenticates, decodes path, query and body (every failing
 * field in one 400), applies the route's rate limit, runs the use case and encodes its answer.
 * Every failure becomes problem+json here; nothing escapes as a defect or a rejection.
 */
import { RateLimiter, RateLimited, toValidationError, type Actor } from "@app/domain"
import { Cause, Effect, Schema } from "effect"
import { ApiSettings } from "./ApiSettings.js"
import { Authenticator } from "./Authenticator.js"
import type { AnyEndpoint, Codec, WithStatus } from "./Endpoint.js"
import { NoInput, pathParameters } from "./Endpoint.js"
import { emptyResponse, headerValue, jsonResponse, type ApiRequest, type ApiResponse } from "./HttpExchange.js"
import { badRequest, failureResponse, problem, problemResponse, type ProblemField } from "./Problem.js"

interface CompiledRoute {
  readonly endpoint: AnyEndpoint
  readonly methods: ReadonlyArray<string>
  readonly pattern: RegExp
  readonly names: ReadonlyArray<string>
}

export type Match =
  | { readonly _tag: "Found"; readonly endpoint: AnyEndpoint; readonly rawParams: Readonly<Record<string, string>> }
  | { readonly _tag: "MethodNotAllowed"; readonly allow: ReadonlyArray<string> }
  | { readonly _tag: "NotFound" }

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const compile = (endpoint: AnyEndpoint): CompiledRoute => {
  const names = pathParameters(endpoint.path)
  const source = endpoint.path
    .split(/\{[A-Za-z0-9_]+\}/)
    .map(escapeRegExp)
    .join("([^/]+)")
  return {
    endpoint,
    methods: [endpoint.method, ...endpoint.alsoMethods],
    pattern: new RegExp(`^${source}/?$`),
    names
  }
}

/** A router over the endpoints; literal segments win over placeholders ("/users/me" before "/users/{id}"). */
export const makeRouter = (endpoints: ReadonlyArray<AnyEndpoint>) => {
  const literalCount = (path: string) => path.split("/").filter((s) => s !== "" && !s.startsWith("{")).length
  const routes = [...endpoints]
    .sort((a, b) => literalCount(b.path) - literalCount(a.path))
    .map(compile)
  return (method: string, path: string): Match => {
    const allow = new Set<string>()
    for (const route of routes) {
      const m = route.pattern.exec(path)
      if (m === null) continue
      if (!route.methods.includes(method) && !(method === "HEAD" && route.methods.includes("GET"))) {
        route.methods.forEach((x) => allow.add(x))
        continue
      }
      const rawParams: Record<string, string> = {}
      route.names.forEach((name, i) => (rawParams[name] = m[i + 1]!))
      return { _tag: "Found", endpoint: route.endpoint, rawParams }
    }
    return allow.size > 0 ? { _tag: "MethodNotAllowed", allow: [...allow] } : { _tag: "NotFound" }
  }
}

/** Refusals decided before any use case runs. */
class EarlyAnswer {
  readonly _tag = "EarlyAnswer"
  constructor(readonly response: ApiResponse) {}
}

const early = (status: number, detail: string, extra: { code?: string; errors?: ReadonlyArray<ProblemField> } = {}) =>
  Effect.fail(new EarlyAnswer(problemResponse(problem(status, { detail, ...extra }))))

const invalid = (errors: ReadonlyArray<ProblemField>) => Effect.fail(new EarlyAnswer(problemResponse(badRequest(errors))))

const decodeWith = <S extends Codec>(schema: S, input: unknown) =>
  Schema.decodeUnknownEffect(schema)(input, { errors: "all", onExcessProperty: "ignore" }).pipe(
    Effect.mapError((error) => toValidationError(error))
  )

const decodeParams = (rawParams: Readonly<Record<string, string>>) =>
  Effect.suspend(() => {
    const decoded: Record<string, string> = {}
    for (const [name, raw] of Object.entries(rawParams)) {
      try {
        decoded[name] = decodeURIComponent(raw)
      } catch {
        return invalid([{ path: name, message: "is not a valid percent-encoded path segment" }])
      }
    }
    return Effect.succeed(decoded)
  })

/**
 * NoInput (`Schema.Struct({})`) decodes every value but null and undefined to that same value, so
 * a part it describes needs no decoding.
 */
const passesUnchanged = (schema: Codec, input: unknown) => schema === NoInput && input !== null && input !== undefined

/** Single-valued query parameters: the first of a repeated one. */
const flattenQuery = (query: ApiRequest["query"]): Record<string, string> => {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue
    const first = typeof value === "string" ? value : value[0]
    if (first !== undefined) flat[name] = first
  }
  return flat
}

const isJsonContentType = (value: string | undefined) =>
  value !== undefined && /^application\/([a-z0-9.+-]*\+)?json\s*(;.*)?$/i.test(value.trim())

const textEncoder = new TextEncoder()

/** Deeper JSON is refused before parsing: recursive checks further down would overflow the stack. */
export const MAX_JSON_DEPTH = 64

/** The deepest nesting of arrays/objects in JSON text, counted without recursion. */
const jsonDepth = (text: string): number => {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* backslash */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91 /* { [ */) deepest = Math.max(deepest, ++depth)
    else if (c === 125 || c === 93 /* } ] */) depth--
  }
  return deepest
}

/** The body as JSON: 413 when too large, 415 when not JSON, 400 when it does not parse. */
const readBody = (endpoint: AnyEndpoint, request: ApiRequest, maxBodyBytes: number) =>
  Effect.suspend((): Effect.Effect<unknown, EarlyAnswer> => {
    const body = request.body
    if (body !== undefined && textEncoder.encode(body).byteLength > maxBodyBytes) {
      return early(413, `the body is larger than ${maxBodyBytes} bytes`, { code: "BodyTooLarge" })
    }
    if (!endpoint.hasBody) return Effect.succeed({})
    if (body === undefined || body.trim() === "") return Effect.succeed(undefined)
    if (!isJsonContentType(headerValue(request, "content-type"))) {
      return early(415, "the body must be application/json", { code: "UnsupportedMediaType" })
    }
    if (jsonDepth(body) > MAX_JSON_DEPTH) {
      return invalid([{ path: "body", message: `is nested more than ${MAX_JSON_DEPTH} levels deep` }])
    }
    try {
      return Effect.succeed(JSON.parse(body) as unknown)
    } catch {
      return invalid([{ path: "body", message: "is not valid JSON" }])
    }
  })

const isWithStatus = (value: unknown): value is WithStatus<unknown> =>
  typeof value === "object" && value !== null && (value as { _tag?: unknown })._tag === "WithStatus"

const respond = (endpoint: AnyEndpoint, result: unknown) =>
  Effect.gen(function*() {
    const status = isWithStatus(result) ? result.status : endpoint.status
    const value = isWithStatus(result) ? result.value : result
    if (endpoint.response === undefined) return emptyResponse(status)
    const encoded = yield* Schema.encodeUnknownEffect(endpoint.response)(value)
    const response = jsonResponse(status, encoded)
    // An answer a handler chose to give as an error status is a problem like every other error.
    return status >= 400 ? { ...response, headers: { ...response.headers, "content-type": "application/problem+json" } } : response
  })

const rateLimit = (endpoint: AnyEndpoint, key: string) =>
  Effect.gen(function*() {
    const limiter = yield* RateLimiter
    const settings = yield* ApiSettings
    const rule = endpoint.rateLimit!
    const decision = yield* limiter.consume(`${rule.policy}:${key}`, settings.rateLimits[rule.policy]).pipe(
      // A limiter that cannot answer must not take the product down with it: the request proceeds.
      Effect.catch((error) =>
        Effect.logWarning("rate limiter unavailable; request allowed", { policy: rule.policy, error: String(error) }).pipe(
          Effect.as({ allowed: true, remaining: 0, retryAfterMs: 0 })
        )
      )
    )
    if (!decision.allowed) {
      return yield* Effect.fail(new RateLimited({ retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)) }))
    }
  })

/** Runs one matched endpoint. */
const run = (endpoint: AnyEndpoint, rawParams: Readonly<Record<string, string>>, request: ApiRequest) =>
  Effect.gen(function*() {
    const settings = yield* ApiSettings
    const rawBody = yield* readBody(endpoint, request, settings.maxBodyBytes)
    let actor: Actor | undefined
    if (endpoint.auth === "bearer") {
      const authenticator = yield* Authenticator
      actor = yield* authenticator.authenticate(request)
    }
    const decodedParams = yield* decodeParams(rawParams)
    const rawQuery = flattenQuery(request.query)
    // A missing body is decoded as `{}` so the 400 names each required field it lacks.
    const bodyInput = rawBody === undefined ? {} : rawBody
    let params: unknown = decodedParams
    let query: unknown = rawQuery
    let body: unknown = bodyInput
    const errors: Array<ProblemField> = []
    if (!(passesUnchanged(endpoint.params, decodedParams) && passesUnchanged(endpoint.query, rawQuery) && passesUnchanged(endpoint.body, bodyInput))) {
      const decoded = yield* Effect.all([
        decodeWith(endpoint.params, decodedParams).pipe(Effect.result),
        decodeWith(endpoint.query, rawQuery).pipe(Effect.result),
        decodeWith(endpoint.body, bodyInput).pipe(Effect.result)
      ])
      for (const result of decoded) if (result._tag === "Failure") errors.push(...result.failure.errors)
      params = decoded[0]._tag === "Success" ? decoded[0].success : {}
      query = decoded[1]._tag === "Success" ? decoded[1].success : {}
      body = decoded[2]._tag === "Success" ? decoded[2].success : {}
      if (rawBody === undefined && decoded[2]._tag === "Success") errors.push({ path: "body", message: "is required" })
    }
    if (errors.length > 0) return yield* invalid(errors.map((e) => ({ path: e.path === "" ? "body" : e.path, message: e.message })))
    const input = { actor, params, query, body, request }
    if (endpoint.rateLimit !== undefined) yield* rateLimit(endpoint, endpoint.rateLimit.key(input))
    const result = yield* endpoint.handle(input as never)
    return yield* respond(endpoint, result)
  })

/**
 * The handler over a set of endpoints. The Effect never fails: every outcome is a response.
 * `R` is what the endpoints' use cases need plus Authenticator and RateLimiter.
 */
export const makeApiHandler = <const Endpoints extends ReadonlyArray<AnyEndpoint>>(endpoints: Endpoints) => {
  const route = makeRouter(endpoints)
  return (request: ApiRequest): Effect.Effect<ApiResponse, never, any> => {
    const match = route(request.method.toUpperCase(), request.path)
    if (match._tag === "NotFound") {
      return Effect.succeed(problemResponse(problem(404, { detail: `no route for ${request.path}`, code: "RouteNotFound" })))
    }
    if (match._tag === "MethodNotAllowed") {
      return Effect.succeed(
        problemResponse(problem(405, { detail: `allowed: ${match.allow.join(", ")}` }), { allow: match.allow.join(", ") })
      )
    }
    const { endpoint } = match
    return run(endpoint, match.rawParams, request).pipe(
      Effect.catchCause((cause) => {
        const failure = Cause.findErrorOption(cause)
        if (failure._tag === "Some") {
          const error = failure.value
          if (error instanceof EarlyAnswer) return Effect.succeed(error.response)
          const response = failureResponse(error)
          return response.status >= 500
            ? Effect.logError(`${endpoint.name} failed`, { status: response.status, error: describe(error) }).pipe(Effect.as(response))
            : Effect.succeed(response)
        }
        return Effect.logError(`${endpoint.name} died`, Cause.pretty(cause)).pipe(
          Effect.as(failureResponse(undefined))
        )
      }),
      Effect.withLogSpan(endpoint.name)
    )
  }
}

/** A port error's tag and reason, never its payload (which may hold request data). */
const describe = (error: unknown): string => {
  if (typeof error !== "object" || error === null) return String(error)
  const tag = (error as { _tag?: unknown })._tag
  const reason = (error as { reason?: { _tag?: unknown; message?: unknown } }).reason
  return [tag, reason?._tag, typeof reason?.message === "string" ? reason.message : undefined]
    .filter((x) => x !== undefined)
    .join(": ")
}
