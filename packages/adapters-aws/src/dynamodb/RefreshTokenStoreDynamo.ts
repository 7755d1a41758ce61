/**
 * RefreshTokenStore on two tables: refresh-families (PK familyId) and refresh-tokens (PK
 * tokenHash). Only digests are stored. A rotation is one TransactWriteItems whose conditions are
 * the compare-and-set: the family must exist unrevoked, the parent must exist unrotated, the
 * child digest must be new. The caller passes the parent as it read it; its key and the family's
 * come from that copy, so the parent's condition also requires the stored familyId, userId and
 * expiresAt to be the given ones (a forged copy is NotFound and writes nothing), and nothing that
 * can change is taken from it. Of any number of racing rotations of one parent exactly one commits;
 * the others find the parent rotated ("AlreadyRotated") and leave no child behind. A revocation
 * writes the family item a rotation is conditioned on, so the two serialise and a revoked family
 * never gains a current token.
 *
 * "Not yet" is an absent attribute: a live family has no revokedAt, a current token no rotatedAt
 * or childHash. Both tables expire items by TTL (`ttl`, epoch seconds): an item is kept RETENTION
 * past the later of its expiry and the time it is written (Effect's Clock) — DynamoDB's TTL
 * compares with the wall clock, so an item stored with an expiry already past (a backfill, a test
 * at fixed instants) would otherwise vanish seconds after the port stored it. A family is kept as
 * long as its newest token: each rotation moves the family's ttl forward in the same transaction.
 *
 * Round trips: create 1 TransactWriteItems; lookup 2 GetItem (token, then its family; 1 when the
 * token is unknown); rotate 1 TransactWriteItems (2 GetItem instead when the child digest is the
 * parent's own); revokeFamily 1 UpdateItem.
 */
import {
  Conflict,
  childOf,
  firstEntry,
  type NewRefreshFamily,
  NotFound,
  RefreshFamily,
  type RefreshFamilyId,
  RefreshTokenEntry,
  type RefreshParent,
  RefreshTokenRecord,
  type RefreshRotation,
  RefreshTokenStore,
  RefreshTokenStoreError,
  type TokenHash,
  Unexpected
} from "@app/domain"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { DynamoClient, type Item } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

/** How long a token or family is kept after it expires (or is written, if later). */
export const RETENTION = 24 * 3_600_000

/** The `ttl` of an item expiring at `expiresAt` and written at `now`: epoch seconds, rounded up. */
export const ttlOf = (expiresAt: number, now: number): number => Math.ceil((Math.max(expiresAt, now) + RETENTION) / 1000)

const familyKey = (familyId: RefreshFamilyId) => ({ familyId })
const tokenKey = (tokenHash: TokenHash) => ({ tokenHash })

const portError = DynamoError.toPortError((reason) => new RefreshTokenStoreError({ reason }))

const malformed = (what: string) =>
  new RefreshTokenStoreError({ reason: new Unexpected({ message: `a stored refresh ${what} item does not decode` }) })

const decodeToken = Schema.decodeUnknownEffect(RefreshTokenRecord)
const decodeFamily = Schema.decodeUnknownEffect(RefreshFamily)

export const tokenFromItem = (item: Item): Effect.Effect<RefreshTokenRecord, RefreshTokenStoreError> =>
  decodeToken({
    tokenHash: item["tokenHash"],
    familyId: item["familyId"],
    userId: item["userId"],
    issuedAt: item["issuedAt"],
    expiresAt: item["expiresAt"],
    rotatedAt: item["rotatedAt"] ?? null,
    childHash: item["childHash"] ?? null
  }).pipe(Effect.mapError(() => malformed("token")))

export const familyFromItem = (item: Item): Effect.Effect<RefreshFamily, RefreshTokenStoreError> =>
  decodeFamily({
    familyId: item["familyId"],
    userId: item["userId"],
    createdAt: item["createdAt"],
    revokedAt: item["revokedAt"] ?? null
  }).pipe(Effect.mapError(() => malformed("family")))

/** A current (unrotated) token's item. */
const currentTokenItem = (token: RefreshTokenRecord, now: number): Item => ({
  tokenHash: token.tokenHash,
  familyId: token.familyId,
  userId: token.userId,
  issuedAt: token.issuedAt,
  expiresAt: token.expiresAt,
  ttl: ttlOf(token.expiresAt, now)
})

const familyExists = new Conflict({ code: "FamilyExists", message: "refresh-token family already exists" })
const tokenExists = new Conflict({ code: "TokenExists", message: "refresh token already exists" })
const familyRevoked = new Conflict({ code: "FamilyRevoked", message: "refresh-token family is revoked" })
const alreadyRotated = new Conflict({ code: "AlreadyRotated", message: "refresh token was already rotated" })

// Positions of the rotation transaction's actions, in the order the port ranks its failures.
const FAMILY = 0
const PARENT = 1
const CHILD = 2

/** Whether the token item read by `parent`'s digest is that parent: the same family, user and expiry. */
const itemIsParent = (item: Item | undefined, parent: RefreshParent): boolean =>
  item !== undefined && item["familyId"] === parent.familyId && item["userId"] === parent.userId &&
  item["expiresAt"] === parent.expiresAt

/** Why a rotation's transaction was cancelled, in the port's order (every condition is evaluated). */
const rotationRefused = (
  failed: DynamoError.ConditionFailed,
  parent: RefreshParent
): NotFound | Conflict | DynamoError.ConditionFailed => {
  // The parent's condition failed on an item that is not the given parent (or on none): NotFound
  // first, whatever the family (named by the caller's copy) says.
  if (failed.failedAt(PARENT) && !itemIsParent(failed.itemAt(PARENT), parent)) return NotFound.of("refresh token")
  if (failed.failedAt(FAMILY)) return failed.itemAt(FAMILY) === undefined ? NotFound.of("refresh token") : familyRevoked
  if (failed.failedAt(PARENT)) return alreadyRotated
  return failed.failedAt(CHILD) ? tokenExists : failed
}

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient

  const create = Effect.fn("RefreshTokenStoreDynamo.create")(function*(input: NewRefreshFamily) {
    const entry = firstEntry(input)
    const { family, token } = entry
    const now = yield* Clock.currentTimeMillis
    yield* dynamo.transactWrite([
      {
        kind: "put",
        table: "refreshFamilies",
        item: { familyId: family.familyId, userId: family.userId, createdAt: family.createdAt, ttl: ttlOf(input.expiresAt, now) },
        condition: "attribute_not_exists(#familyId)"
      },
      { kind: "put", table: "refreshTokens", item: currentTokenItem(token, now), condition: "attribute_not_exists(#tokenHash)" }
    ]).pipe(
      // Both conditions are evaluated and reported, so a taken family wins over a taken digest.
      Effect.catchTag("ConditionFailed", (failed) => Effect.fail(failed.failedAt(0) ? familyExists : tokenExists)),
      portError
    )
    return entry
  })

  const tokenItem = (tokenHash: TokenHash) => dynamo.get("refreshTokens", tokenKey(tokenHash)).pipe(portError)
  const familyItem = (familyId: RefreshFamilyId) => dynamo.get("refreshFamilies", familyKey(familyId)).pipe(portError)

  const lookup = Effect.fn("RefreshTokenStoreDynamo.lookup")(function*(tokenHash: TokenHash) {
    const found = yield* tokenItem(tokenHash)
    if (Option.isNone(found)) return Option.none()
    const token = yield* tokenFromItem(found.value)
    const family = yield* familyItem(token.familyId)
    if (Option.isNone(family)) return Option.none()
    return Option.some(new RefreshTokenEntry({ token, family: yield* familyFromItem(family.value) }))
  })

  /** A rotation into the parent's own digest cannot be one transaction (two actions on one item): answer from reads. */
  const refuseSelfRotation = Effect.fn("RefreshTokenStoreDynamo.refuseSelfRotation")(function*(given: RefreshParent) {
    const found = yield* tokenItem(given.tokenHash)
    if (Option.isNone(found) || !itemIsParent(found.value, given)) return yield* Effect.fail(NotFound.of("refresh token"))
    const parent = yield* tokenFromItem(found.value)
    const family = yield* familyItem(parent.familyId)
    if (Option.isNone(family)) return yield* Effect.fail(NotFound.of("refresh token"))
    if ((yield* familyFromItem(family.value)).revokedAt !== null) return yield* Effect.fail(familyRevoked)
    return yield* Effect.fail(parent.rotatedAt !== null ? alreadyRotated : tokenExists)
  })

  const rotate = Effect.fn("RefreshTokenStoreDynamo.rotate")(function*(rotation: RefreshRotation) {
    // The caller's copy names the keys; the parent's condition checks that copy against the item.
    const { parent } = rotation
    if (rotation.childHash === parent.tokenHash) return yield* refuseSelfRotation(parent)
    const child = childOf(rotation)
    const now = yield* Clock.currentTimeMillis
    yield* dynamo.transactWrite([
      {
        kind: "update",
        table: "refreshFamilies",
        key: familyKey(parent.familyId),
        update: "SET #ttl = :ttl",
        condition: "attribute_exists(#familyId) AND attribute_not_exists(#revokedAt)",
        values: { ":ttl": ttlOf(Math.max(parent.expiresAt, rotation.expiresAt), now) },
        returnItemOnConditionFailure: true
      },
      {
        kind: "update",
        table: "refreshTokens",
        key: tokenKey(parent.tokenHash),
        update: "SET #rotatedAt = :at, #childHash = :child",
        condition: "#familyId = :familyId AND #userId = :userId AND #expiresAt = :expiresAt AND attribute_not_exists(#rotatedAt)",
        values: {
          ":at": rotation.at,
          ":child": rotation.childHash,
          ":familyId": parent.familyId,
          ":userId": parent.userId,
          ":expiresAt": parent.expiresAt
        },
        returnItemOnConditionFailure: true
      },
      { kind: "put", table: "refreshTokens", item: currentTokenItem(child, now), condition: "attribute_not_exists(#tokenHash)" }
    ]).pipe(
      Effect.catchTag("ConditionFailed", (failed) => Effect.fail(rotationRefused(failed, parent))),
      portError
    )
    return child
  })

  const revokeFamily = Effect.fn("RefreshTokenStoreDynamo.revokeFamily")(function*(familyId: RefreshFamilyId, at: number) {
    yield* dynamo.update("refreshFamilies", familyKey(familyId), {
      update: "SET #revokedAt = :at",
      condition: "attribute_exists(#familyId) AND attribute_not_exists(#revokedAt)",
      values: { ":at": at },
      returnValues: "NONE"
    }).pipe(
      // Unknown or already revoked: nothing to do, and the first revokedAt stays.
      Effect.catchTag("ConditionFailed", () => Effect.void),
      portError
    )
  })

  return RefreshTokenStore.of({ create, lookup, rotate, revokeFamily })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<RefreshTokenStore, never, DynamoClient> = Layer.effect(RefreshTokenStore, make)
