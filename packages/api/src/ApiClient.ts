/**
 * The typed client of the contract, on `fetch`: one call per route name, inputs and answers typed
 * from the same Schemas the handler uses (their wire side). Used by the web app and the tests.
 */
import type { AnyEndpoint, Codec, Endpoint } from "./Endpoint.js"
import type { Problem } from "./Problem.js"
import { routes, type Routes } from "./Routes.js"

export type RouteName = Routes[number]["name"]
export type RouteNamed<N extends RouteName> = Extract<Routes[number], { readonly name: N }>

type Part<K extends string, S> = S extends Codec
  ? [keyof S["Encoded"]] extends [never] ? { readonly [P in K]?: undefined } : { readonly [P in K]: S["Encoded"] }
  : never

type OptionalPart<K extends string, S> = S extends Codec
  ? [keyof S["Encoded"]] extends [never] ? { readonly [P in K]?: undefined }
  : {} extends S["Encoded"] ? { readonly [P in K]?: S["Encoded"] } : { readonly [P in K]: S["Encoded"] }
  : never

export type RequestOf<E> = E extends Endpoint<any, any, infer P, infer Q, infer B, any, any, any>
  ? Part<"params", P> & OptionalPart<"query", Q> & Part<"body", B> & {
    readonly headers?: Readonly<Record<string, string>>
    /** Overrides the client's access token for this call. */
    readonly accessToken?: string
  }
  : never

export type ResponseOf<E> = E extends Endpoint<any, any, any, any, any, infer O, any, any>
  ? O extends Codec ? O["Encoded"] : void
  : never

/** A non-2xx answer: the status and the problem+json body. */
export class ApiProblem extends Error {
  constructor(readonly status: number, readonly problem: Problem, readonly headers: Headers) {
    super(`${status} ${problem.title}${problem.detail === undefined ? "" : `: ${problem.detail}`}`)
    this.name = "ApiProblem"
  }
}

export interface RawAnswer<A> {
  readonly status: number
  readonly headers: Headers
  readonly body: A
}

export interface ApiClientOptions {
  /** Origin (and base path) of the API, e.g. "http://localhost:3000"; "" for same origin. */
  readonly baseUrl: string
  readonly fetch?: typeof globalThis.fetch
  /** The bearer token for routes that need one. */
  readonly accessToken?: () => string | undefined | Promise<string | undefined>
}

const byName = new Map<string, AnyEndpoint>(routes.map((r) => [r.name, r as AnyEndpoint]))

const buildPath = (template: string, params: Readonly<Record<string, unknown>> | undefined) =>
  template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = params?.[name]
    if (value === undefined) throw new TypeError(`missing path parameter ${name}`)
    return encodeURIComponent(String(value))
  })

const buildQuery = (query: Readonly<Record<string, unknown>> | undefined) => {
  if (query === undefined) return ""
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.append(name, String(value))
  const text = search.toString()
  return text === "" ? "" : `?${text}`
}

export const makeApiClient = (options: ApiClientOptions) => {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const base = options.baseUrl.replace(/\/+$/, "")

  /** Any answer, 2xx or not, with its status: for callers that care about 200 vs 201, or test refusals. */
  const request = async <N extends RouteName>(
    name: N,
    ...[input]: {} extends RequestOf<RouteNamed<N>> ? [input?: RequestOf<RouteNamed<N>>] : [input: RequestOf<RouteNamed<N>>]
  ): Promise<RawAnswer<ResponseOf<RouteNamed<N>> | Problem>> => {
    const endpoint = byName.get(name)
    if (endpoint === undefined) throw new TypeError(`unknown route ${name}`)
    const given = (input ?? {}) as {
      params?: Record<string, unknown>
      query?: Record<string, unknown>
      body?: unknown
      headers?: Record<string, string>
      accessToken?: string
    }
    const headers: Record<string, string> = { accept: "application/json", ...given.headers }
    const token = given.accessToken ?? (endpoint.auth === "bearer" ? await options.accessToken?.() : undefined)
    if (token !== undefined && headers["authorization"] === undefined) headers["authorization"] = `Bearer ${token}`
    let body: string | undefined
    if (endpoint.hasBody) {
      headers["content-type"] ??= "application/json"
      body = JSON.stringify(given.body ?? {})
    }
    const response = await doFetch(`${base}${buildPath(endpoint.path, given.params)}${buildQuery(given.query)}`, {
      method: endpoint.method,
      headers,
      ...(body === undefined ? {} : { body })
    })
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) }
  }

  /** The answer's body; a non-2xx answer rejects with ApiProblem. */
  const call = async <N extends RouteName>(
    name: N,
    ...args: {} extends RequestOf<RouteNamed<N>> ? [input?: RequestOf<RouteNamed<N>>] : [input: RequestOf<RouteNamed<N>>]
  ): Promise<ResponseOf<RouteNamed<N>>> => {
    const answer = await request(name, ...args)
    if (answer.status >= 200 && answer.status < 300) return answer.body as ResponseOf<RouteNamed<N>>
    throw new ApiProblem(answer.status, answer.body as Problem, answer.headers)
  }

  return { call, request }
}

export type ApiClient = ReturnType<typeof makeApiClient>
