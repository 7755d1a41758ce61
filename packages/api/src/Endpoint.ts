/**
 * One route of API.md as data: method, path, who may call it, the Schemas of its path, query and
 * body, its success status and response Schema, and the use case it runs. The handler, the OpenAPI
 * document and the typed client are all read off these definitions, so they cannot disagree.
 */
import type { Actor } from "@app/domain"
import type { RateLimitPolicy } from "@app/domain"
import type { Effect } from "effect"
import { Schema } from "effect"
import type { ApiRequest } from "./HttpExchange.js"

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

/** "none": public; "bearer": a valid access token (or the identity a shell vouches for). */
export type AuthKind = "none" | "bearer"

/** A Schema that decodes and encodes without services. */
export type Codec = Schema.Codec<any, any, never, never>

export const NoInput = Schema.Struct({})
export type NoInput = typeof NoInput

/** What a handler may answer instead of a bare value: another success status for this call. */
export interface WithStatus<A> {
  readonly _tag: "WithStatus"
  readonly status: number
  readonly value: A
}
export const withStatus = <A>(status: number, value: A): WithStatus<A> => ({ _tag: "WithStatus", status, value })

/** A rate limit on a route: which bucket a request counts against, under which policy. */
export interface RouteRateLimit<P, Q, B> {
  /** Names the policy in `RateLimits` (configurable per deployment). */
  readonly policy: RateLimitName
  /** The bucket: usually the client address, or the device for ingest. */
  readonly key: (input: { readonly request: ApiRequest; readonly params: P; readonly query: Q; readonly body: B }) => string
}

export type RateLimitName = "login" | "signup" | "qrInit" | "ingest"
export type RateLimitPolicies = Readonly<Record<RateLimitName, RateLimitPolicy>>

export interface HandlerInput<A extends AuthKind, P, Q, B> {
  readonly actor: A extends "bearer" ? Actor : undefined
  readonly params: P
  readonly query: Q
  readonly body: B
  readonly request: ApiRequest
}

export interface Endpoint<
  Name extends string = string,
  A extends AuthKind = AuthKind,
  P extends Codec = Codec,
  Q extends Codec = Codec,
  B extends Codec = Codec,
  O extends Codec | undefined = Codec | undefined,
  E = unknown,
  R = any
> {
  readonly name: Name
  readonly method: Method
  /** Further methods answered the same way (API.md: "POST (GET accepted)"). */
  readonly alsoMethods: ReadonlyArray<Method>
  /** With `{param}` placeholders, e.g. "/api/teams/{teamId}". */
  readonly path: string
  readonly summary: string
  readonly tag: string
  readonly auth: A
  readonly params: P
  readonly query: Q
  /** NoInput: the route takes no body (any body sent is ignored). */
  readonly body: B
  readonly hasBody: boolean
  readonly status: number
  /** undefined: the answer has no body (204). */
  readonly response: O
  /** Other answers the route documents besides problems (e.g. 200 for a repeated send). */
  readonly alternateStatuses: ReadonlyArray<number>
  /** Problem statuses the route can answer, for the OpenAPI document. */
  readonly errors: ReadonlyArray<number>
  readonly rateLimit: RouteRateLimit<P["Type"], Q["Type"], B["Type"]> | undefined
  readonly handle: (
    input: HandlerInput<A, P["Type"], Q["Type"], B["Type"]>
  ) => Effect.Effect<
    O extends Codec ? O["Type"] | WithStatus<O["Type"]> : void,
    E,
    R
  >
}

export type AnyEndpoint = Endpoint<string, AuthKind, any, any, any, any, unknown, any>

/** The services an endpoint's handler needs. */
export type EndpointServices<X> = X extends Endpoint<any, any, any, any, any, any, any, infer R> ? R : never

export const endpoint = <
  const Name extends string,
  A extends AuthKind,
  E,
  R,
  P extends Codec = NoInput,
  Q extends Codec = NoInput,
  B extends Codec = NoInput,
  O extends Codec | undefined = undefined
>(definition: {
  readonly name: Name
  readonly method: Method
  readonly alsoMethods?: ReadonlyArray<Method>
  readonly path: string
  readonly summary: string
  readonly tag: string
  readonly auth: A
  readonly params?: P
  readonly query?: Q
  readonly body?: B
  readonly status?: number
  readonly response?: O
  readonly alternateStatuses?: ReadonlyArray<number>
  readonly errors?: ReadonlyArray<number>
  readonly rateLimit?: RouteRateLimit<P["Type"], Q["Type"], B["Type"]>
  readonly handle: Endpoint<Name, A, P, Q, B, O, E, R>["handle"]
}): Endpoint<Name, A, P, Q, B, O, E, R> => ({
  name: definition.name,
  method: definition.method,
  alsoMethods: definition.alsoMethods ?? [],
  path: definition.path,
  summary: definition.summary,
  tag: definition.tag,
  auth: definition.auth,
  params: (definition.params ?? NoInput) as P,
  query: (definition.query ?? NoInput) as Q,
  body: (definition.body ?? NoInput) as B,
  hasBody: definition.body !== undefined,
  status: definition.status ?? (definition.response === undefined ? 204 : 200),
  response: definition.response as O,
  alternateStatuses: definition.alternateStatuses ?? [],
  errors: definition.errors ?? [],
  rateLimit: definition.rateLimit,
  handle: definition.handle
})

/** The names of a path's `{placeholders}`, in order. */
export const pathParameters = (path: string): ReadonlyArray<string> =>
  [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!)
