/**
 * Storage of refresh-token families by token digest. RefreshRotation is a compare-and-set owned by the
 * store: a token can be rotated once, so of two racing refreshes exactly one rotation is recorded
 * and the other learns "AlreadyRotated". Postgres does it with one conditional UPDATE (… WHERE
 * token_hash = $1 AND rotated_at IS NULL) plus the child INSERT and a family check in one
 * transaction; DynamoDB with TransactWriteItems (Update parent with attribute_not_exists(rotatedAt),
 * ConditionCheck family attribute_not_exists(revokedAt), Put child with attribute_not_exists(pk)).
 */
import { type Option, Context, Effect, Schema } from "effect"
import type { Conflict, NotFound } from "../DomainError.js"
import { StoreFailure } from "../StoreFailure.js"
import type { UserId } from "../Users/User.js"
import { RefreshFamily, type RefreshFamilyId, RefreshTokenEntry, RefreshTokenRecord, type TokenHash } from "./RefreshToken.js"

export class RefreshTokenStoreError extends Schema.TaggedError<RefreshTokenStoreError>()("RefreshTokenStoreError", {
  reason: StoreFailure
}) {}

export interface NewRefreshFamily {
  readonly familyId: RefreshFamilyId
  readonly userId: UserId
  /** Digest of the family's first token. */
  readonly tokenHash: TokenHash
  /** Creation time of the family and issue time of its first token. */
  readonly at: number
  readonly expiresAt: number
}

/** What `create` stores: the family and its first token, current and not yet rotated. */
export const firstEntry = (input: NewRefreshFamily): RefreshTokenEntry =>
  new RefreshTokenEntry({
    family: new RefreshFamily({ familyId: input.familyId, userId: input.userId, createdAt: input.at, revokedAt: null }),
    token: new RefreshTokenRecord({
      tokenHash: input.tokenHash,
      familyId: input.familyId,
      userId: input.userId,
      issuedAt: input.at,
      expiresAt: input.expiresAt,
      rotatedAt: null,
      childHash: null
    })
  })

export interface RefreshRotation {
  readonly parentHash: TokenHash
  readonly childHash: TokenHash
  /** When the rotation happens: the parent's rotatedAt and the child's issuedAt. */
  readonly at: number
  readonly expiresAt: number
}

export class RefreshTokenStore extends Context.Service<RefreshTokenStore, {
  /**
   * Atomically stores a new live family and its first (current) token. Conflict "FamilyExists"
   * when the family id is taken, else "TokenExists" when the digest is.
   */
  readonly create: (family: NewRefreshFamily) => Effect.Effect<RefreshTokenEntry, Conflict | RefreshTokenStoreError>
  /** A token by digest with its family as stored now (rotated and revoked ones included). */
  readonly lookup: (tokenHash: TokenHash) => Effect.Effect<Option.Option<RefreshTokenEntry>, RefreshTokenStoreError>
  /**
   * Compare-and-set: if the parent is current and its family alive, marks the parent rotated at
   * `at` with `childHash` and stores the child (same family and user, issued at `at`) as the new
   * current token, all at once, and returns the child. Otherwise nothing changes and, in this
   * order: NotFound when the parent is unknown; Conflict "FamilyRevoked" when its family is
   * revoked; Conflict "AlreadyRotated" when the parent was rotated before; Conflict "TokenExists"
   * when the child digest is already stored.
   */
  readonly rotate: (rotation: RefreshRotation) => Effect.Effect<RefreshTokenRecord, Conflict | NotFound | RefreshTokenStoreError>
  /**
   * Revokes the family at `at` if it is alive; idempotent (a revoked family keeps its first
   * revokedAt, an unknown id is a no-op).
   */
  readonly revokeFamily: (familyId: RefreshFamilyId, at: number) => Effect.Effect<void, RefreshTokenStoreError>
}>()("@app/domain/Auth/RefreshTokenStore") {}
