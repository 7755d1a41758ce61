/**
 * What the app reads from its own access token: who is logged in (`sub`, `email`) and when the
 * token expires (`exp`, seconds). The signature is the server's business; the client only
 * decodes the payload to know when to refresh and whose pages to show.
 */
export interface AccessTokenClaims {
  readonly userId: string
  readonly email: string
  /** `exp` in epoch milliseconds (the server's clock). */
  readonly expiresAt: number
  /** `exp - iat` in milliseconds, when the token has an `iat`: its lifetime, whatever the clocks say. */
  readonly lifetimeMs: number | undefined
}

const decodeBase64Url = (segment: string): string => {
  const base64 = segment.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(segment.length / 4) * 4, "=")
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  return new TextDecoder().decode(bytes)
}

/** The claims, or undefined for anything that is not a JWT with `sub` and a numeric `exp`. */
export const decodeAccessToken = (token: string): AccessTokenClaims | undefined => {
  const payload = token.split(".")[1]
  if (payload === undefined) return undefined
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(payload))
    if (typeof claims !== "object" || claims === null) return undefined
    const { sub, email, exp, iat } = claims as Record<string, unknown>
    if (typeof sub !== "string" || typeof exp !== "number") return undefined
    return {
      userId: sub,
      email: typeof email === "string" ? email : "",
      expiresAt: exp * 1000,
      lifetimeMs: typeof iat === "number" && iat < exp ? (exp - iat) * 1000 : undefined
    }
  } catch {
    return undefined
  }
}
