/**
 * CORS for browsers on other origins (CORS_ORIGINS), with the server's policy: the listed origins
 * only, no credentials (the API uses bearer tokens, not cookies), the contract's methods and
 * request headers, Retry-After / Location / the correlation id exposed, preflights cached 10
 * minutes. The functions answer preflights themselves, so the API's own CORS setting stays off
 * and one allow-list decides.
 */
import { emptyResponse, headerValue, type ApiRequest, type ApiResponse } from "@app/api"

const ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE"
const ALLOW_HEADERS = "authorization, content-type, x-device-key, x-request-id, x-correlation-id"
const EXPOSE_HEADERS = "retry-after, location, x-request-id, x-correlation-id"
const MAX_AGE_SECONDS = "600"

/** The request's Origin when it is one of `origins`. */
const allowedOrigin = (request: ApiRequest, origins: ReadonlyArray<string>): string | undefined => {
  const origin = headerValue(request, "origin")
  return origin !== undefined && origins.includes(origin) ? origin : undefined
}

/**
 * The answer to a preflight (OPTIONS with Access-Control-Request-Method) from an allowed origin;
 * undefined for anything else, which the contract answers like any request.
 */
export const preflight = (request: ApiRequest, origins: ReadonlyArray<string>): ApiResponse | undefined => {
  if (request.method !== "OPTIONS" || headerValue(request, "access-control-request-method") === undefined) return undefined
  const origin = allowedOrigin(request, origins)
  if (origin === undefined) return undefined
  return emptyResponse(204, {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": ALLOW_METHODS,
    "access-control-allow-headers": ALLOW_HEADERS,
    "access-control-max-age": MAX_AGE_SECONDS,
    vary: "Origin"
  })
}

/** `response` with the CORS headers `request`'s origin is entitled to (Vary: Origin whenever CORS is on). */
export const withCors = (request: ApiRequest, response: ApiResponse, origins: ReadonlyArray<string>): ApiResponse => {
  if (origins.length === 0) return response
  const origin = allowedOrigin(request, origins)
  return {
    ...response,
    headers: {
      ...response.headers,
      vary: "Origin",
      ...(origin === undefined ? {} : { "access-control-allow-origin": origin, "access-control-expose-headers": EXPOSE_HEADERS })
    }
  }
}
