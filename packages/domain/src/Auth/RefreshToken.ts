/**
 * Refresh tokens (002): opaque, 30 days, rotated on every use, grouped in families (one family per
 * login) so reuse of a rotated token can revoke every token descended from the same login. Only
 * SHA-256 digests of tokens are stored. A rotated token's child is derived as
 * HMAC(refreshTokenSecret, parent), so within the grace window the server can recompute the
 * current token from a replayed parent without ever having stored it.
 */
import { Effect, Schema } from "effect"
import { hmacSha256Hex, sha256Hex } from "../Digest.js"
import { IdString } from "../Identifier.js"
import { Millis } from "../Millis.js"
import { base64url } from "../Randomness.js"
import { UserId } from "../Users/User.js"

export const RefreshFamilyId = IdString.pipe(Schema.brand("RefreshFamilyId"))
export type RefreshFamilyId = typeof RefreshFamilyId.Type

/** Lower-case hex SHA-256 of a refresh token: the only form a store ever sees. */
export const TokenHash = Schema.String.check(
  Schema.isPattern(/^[0-9a-f]{64}$/, { message: "must be a lower-case hex SHA-256 digest" })
).pipe(Schema.brand("TokenHash"))
export type TokenHash = typeof TokenHash.Type

/** One login's chain of refresh tokens; revoking it ends every token of the chain. */
export class RefreshFamily extends Schema.Class<RefreshFamily>("@app/domain/Auth/RefreshFamily")({
  familyId: RefreshFamilyId,
  userId: UserId,
  createdAt: Millis,
  /** When the family was revoked (logout, or reuse of a rotated token); null while alive. */
  revokedAt: Schema.NullOr(Millis)
}) {}

/** One token of a family, by digest. */
export class RefreshTokenRecord extends Schema.Class<RefreshTokenRecord>("@app/domain/Auth/RefreshTokenRecord")({
  tokenHash: TokenHash,
  familyId: RefreshFamilyId,
  userId: UserId,
  issuedAt: Millis,
  expiresAt: Millis,
  /** When this token was exchanged for its child; null while it is the family's current token. */
  rotatedAt: Schema.NullOr(Millis),
  /** Digest of the child it was exchanged for; null while current. */
  childHash: Schema.NullOr(TokenHash)
}) {}

/** A token together with its family, as one lookup returns them. */
export class RefreshTokenEntry extends Schema.Class<RefreshTokenEntry>("@app/domain/Auth/RefreshTokenEntry")({
  token: RefreshTokenRecord,
  family: RefreshFamily
}) {}

export const hashRefreshToken = (token: string): Effect.Effect<TokenHash> =>
  Effect.map(sha256Hex(token), (hex) => hex as TokenHash)

const hexToBytes = (hex: string): Uint8Array => {
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return bytes
}

/**
 * The token a refresh token rotates into: HMAC-SHA-256 under the server's refresh secret, as
 * base64url (43 characters, like a fresh random token). Deterministic, so two racing or replayed
 * rotations of one parent name the same child; unpredictable without the secret.
 */
export const deriveChildToken = (secret: string, parent: string): Effect.Effect<string> =>
  Effect.map(hmacSha256Hex(secret, `refresh-rotation:v1:${parent}`), (hex) => base64url(hexToBytes(hex)))
