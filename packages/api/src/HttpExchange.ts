/**
 * A request and a response as plain data: what both shells translate to and from (Fastify's
 * request/reply, API Gateway v1/v2 events), so the contract never sees a transport.
 */

export interface ApiRequest {
  /** Upper case: "GET", "POST", … */
  readonly method: string
  /** The path without the query string, e.g. "/api/teams/01J…". Percent-encoded as received. */
  readonly path: string
  /** Query parameters; a repeated parameter arrives as an array. */
  readonly query: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  /** The raw body as text; undefined when the request has none. */
  readonly body: string | undefined
  /** The client's address as the shell determined it (X-Forwarded-For behind a trusted proxy). */
  readonly remoteAddress: string
  /**
   * The claims an identity provider in front of the API vouched for (API Gateway's Cognito
   * authorizer), as the shell received them from its platform — never from the request's own
   * headers or body. Absent when nothing vouched. Only Authenticator.externalClaims reads them.
   */
  readonly authorizerClaims?: Readonly<Record<string, unknown>>
}

export interface ApiResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** JSON text, or undefined for 204. */
  readonly body: string | undefined
}

/** A header's first value, whatever shape the shell delivered it in. */
export const headerValue = (request: Pick<ApiRequest, "headers">, name: string): string | undefined => {
  const value = request.headers[name.toLowerCase()]
  if (value === undefined) return undefined
  return typeof value === "string" ? value : value[0]
}

export const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(body)
})

export const emptyResponse = (status: number, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers,
  body: undefined
})
