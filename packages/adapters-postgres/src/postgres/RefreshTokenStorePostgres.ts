/**
 * RefreshTokenStore on Postgres. A rotation is one transaction that first locks the parent token
 * row (and its family row, shared) and only then decides. The row is found by digest only while it
 * has the family, user and expiry the caller passed (so a forged or mistaken parent finds nothing:
 * NotFound), and its state is read there, never taken from the caller: of any number of racing
 * rotations of one token, the first to get the lock rotates it and every other one, reading the row
 * as committed, gets "AlreadyRotated"; a revocation and a rotation of the same family wait for each
 * other, so a revoked family never gains a current token. The partial unique index
 * `refresh_tokens_one_current` backs this up: a family never has two unrotated tokens.
 * Only digests reach the database.
 */
import {
  Conflict,
  childOf,
  firstEntry,
  NotFound,
  RefreshFamily,
  type RefreshFamilyId,
  RefreshTokenEntry,
  RefreshTokenRecord,
  RefreshTokenStore,
  RefreshTokenStoreError,
  type TokenHash,
  type UserId
} from "@app/domain"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "./SqlClient.js"
import { conflictOrFailure, isUniqueViolation, type SqlError } from "./SqlError.js"

interface EntryRow {
  readonly [column: string]: unknown
  readonly token_hash: string
  readonly family_id: string
  readonly user_id: string
  readonly issued_at: number
  readonly expires_at: number
  readonly rotated_at: number | null
  readonly child_hash: string | null
  readonly family_user_id: string
  readonly family_created_at: number
  readonly family_revoked_at: number | null
}

interface ParentRow {
  readonly [column: string]: unknown
  readonly rotated_at: number | null
  readonly revoked_at: number | null
}

const tokenOf = (row: EntryRow) =>
  new RefreshTokenRecord({
    tokenHash: row.token_hash as TokenHash,
    familyId: row.family_id as RefreshFamilyId,
    userId: row.user_id as UserId,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    rotatedAt: row.rotated_at,
    childHash: row.child_hash as TokenHash | null
  })

const entryOf = (row: EntryRow) =>
  new RefreshTokenEntry({
    token: tokenOf(row),
    family: new RefreshFamily({
      familyId: row.family_id as RefreshFamilyId,
      userId: row.family_user_id as UserId,
      createdAt: row.family_created_at,
      revokedAt: row.family_revoked_at
    })
  })

const failure = (error: SqlError) => new RefreshTokenStoreError({ reason: error.reason })

const familyExists = () => new Conflict({ code: "FamilyExists", message: "refresh-token family already exists" })
const tokenExists = () => new Conflict({ code: "TokenExists", message: "refresh token already exists" })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient

  return RefreshTokenStore.of({
    create: Effect.fn("RefreshTokenStorePostgres.create")(function*(input) {
      // One statement: the family and its first token are stored together or not at all. The
      // family row is inserted first, so when both keys are taken the answer is FamilyExists.
      yield* sql.query(
        `WITH family AS (
           INSERT INTO refresh_families (family_id, user_id, created_at, revoked_at)
           VALUES ($1, $2, $4, NULL)
           RETURNING family_id, user_id, created_at
         )
         INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at, expires_at)
         SELECT $3, family_id, user_id, created_at, $5 FROM family`,
        [input.familyId, input.userId, input.tokenHash, input.at, input.expiresAt]
      ).pipe(
        Effect.mapError(conflictOrFailure(failure, (constraint) =>
          constraint === "refresh_families_pkey" ? familyExists() : tokenExists()
        ))
      )
      return firstEntry(input)
    }),

    lookup: (tokenHash) =>
      sql.query<EntryRow>(
        `SELECT t.token_hash, t.family_id, t.user_id, t.issued_at, t.expires_at, t.rotated_at, t.child_hash,
                f.user_id AS family_user_id, f.created_at AS family_created_at, f.revoked_at AS family_revoked_at
           FROM refresh_tokens t
           JOIN refresh_families f ON f.family_id = t.family_id
          WHERE t.token_hash = $1`,
        [tokenHash]
      ).pipe(
        Effect.map((rows) => Option.map(Option.fromUndefinedOr(rows[0]), entryOf)),
        Effect.mapError(failure)
      ),

    rotate: Effect.fn("RefreshTokenStorePostgres.rotate")(function*(rotation) {
      const { parent: given } = rotation
      return yield* sql.transaction((tx) =>
        Effect.gen(function*() {
          // In READ COMMITTED a locked row is read as last committed, so a rotation that waited
          // for another one sees the parent already rotated, and one that waited for a
          // revocation sees the family revoked.
          const parent = (yield* tx.query<ParentRow>(
            `SELECT t.rotated_at, f.revoked_at
               FROM refresh_tokens t
               JOIN refresh_families f ON f.family_id = t.family_id
              WHERE t.token_hash = $1 AND t.family_id = $2 AND t.user_id = $3 AND t.expires_at = $4
                FOR UPDATE OF t
                FOR SHARE OF f`,
            [given.tokenHash, given.familyId, given.userId, given.expiresAt]
          ))[0]
          if (parent === undefined) return yield* Effect.fail(NotFound.of("refresh token"))
          if (parent.revoked_at !== null) {
            return yield* Effect.fail(new Conflict({ code: "FamilyRevoked", message: "refresh-token family is revoked" }))
          }
          if (parent.rotated_at !== null) {
            return yield* Effect.fail(new Conflict({ code: "AlreadyRotated", message: "refresh token was already rotated" }))
          }
          yield* tx.query(
            "UPDATE refresh_tokens SET rotated_at = $2, child_hash = $3 WHERE token_hash = $1",
            [given.tokenHash, rotation.at, rotation.childHash]
          )
          // A taken child digest fails the insert, and the transaction takes the parent's update back.
          yield* tx.query(
            `INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)`,
            [rotation.childHash, given.familyId, given.userId, rotation.at, rotation.expiresAt]
          ).pipe(
            Effect.catchIf((error) => isUniqueViolation(error, "refresh_tokens_pkey"), () => Effect.fail(tokenExists()))
          )
          return childOf(rotation)
        })
      ).pipe(Effect.catchTag("SqlError", (error) => Effect.fail(failure(error))))
    }),

    revokeFamily: (familyId, at) =>
      sql.query(
        "UPDATE refresh_families SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
        [familyId, at]
      ).pipe(Effect.asVoid, Effect.mapError(failure), Effect.withSpan("RefreshTokenStorePostgres.revokeFamily"))
  })
})

export const layer: Layer.Layer<RefreshTokenStore, never, SqlClient> = Layer.effect(RefreshTokenStore, make)
