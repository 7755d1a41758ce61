/**
 * Storage of refresh-token families by token digest. RefreshRotation is a compare-and-set owned by the
 * store: a token can be rotated once, so of two racing refreshes exactly one rotation is recorded
 * and the other learns "AlreadyRotated". The caller passes the parent as `lookup` returned it, so
 * the store need not read it again for its immutable fields; it re-checks them, and decides what
 * can change, in the same atomic step. Postgres does it in one transaction (the parent row locked
 * where it has the given family, user and expiry, its family row locked with it, then the UPDATE
 * and the child INSERT); DynamoDB in one TransactWriteItems (Update family if unrevoked, Update
 * parent if it has the given fields and no rotatedAt, Put child if its digest is new).
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

/**
 * The parent of a rotation as the caller read it (a `RefreshTokenRecord` from `lookup` fits). The
 * store trusts none of it: these fields name the stored token and are compared with it — tokenHash
 * is its key, and familyId, userId and expiresAt (which never change) must be the stored ones, or
 * the rotation is NotFound. What can change (rotatedAt, childHash, the family's revokedAt) is never
 * taken from the caller: the store reads it as it is at the moment of the write.
 */
export type RefreshParent = Pick<RefreshTokenRecord, "tokenHash" | "familyId" | "userId" | "expiresAt">

/** Whether `stored` is the token `parent` names: same digest, family, user and expiry. */
export const isStoredParent = (stored: RefreshParent, parent: RefreshParent): boolean =>
  stored.tokenHash === parent.tokenHash && stored.familyId === parent.familyId && stored.userId === parent.userId &&
  stored.expiresAt === parent.expiresAt

export interface RefreshRotation {
  readonly parent: RefreshParent
  readonly childHash: TokenHash
  /** When the rotation happens: the parent's rotatedAt and the child's issuedAt. */
  readonly at: number
  readonly expiresAt: number
}

/** What `rotate` stores and answers: the parent's new current child, in its family. */
export const childOf = (rotation: RefreshRotation): RefreshTokenRecord =>
  new RefreshTokenRecord({
    tokenHash: rotation.childHash,
    familyId: rotation.parent.familyId,
    userId: rotation.parent.userId,
    issuedAt: rotation.at,
    expiresAt: rotation.expiresAt,
    rotatedAt: null,
    childHash: null
  })

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
   * order: NotFound when no stored token is the given parent (unknown digest, or another family,
   * user or expiry than stored: a forged or mistaken record); Conflict "FamilyRevoked" when its
   * family is revoked; Conflict "AlreadyRotated" when the parent was rotated before (also when the
   * caller's copy still shows it current); Conflict "TokenExists" when the child digest is already
   * stored.
   */
  readonly rotate: (rotation: RefreshRotation) => Effect.Effect<RefreshTokenRecord, Conflict | NotFound | RefreshTokenStoreError>
  /**
   * Revokes the family at `at` if it is alive; idempotent (a revoked family keeps its first
   * revokedAt, an unknown id is a no-op).
   */
  readonly revokeFamily: (familyId: RefreshFamilyId, at: number) => Effect.Effect<void, RefreshTokenStoreError>
}>()("@app/domain/Auth/RefreshTokenStore") {}
