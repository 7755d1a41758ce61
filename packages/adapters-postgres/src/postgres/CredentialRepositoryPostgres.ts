/**
 * CredentialRepository on Postgres, one row per user, platform and account. The secret is stored
 * as the fields of its EncryptedSecret (there is no column a plaintext could go to) and only `get`
 * reads them back. `put` is one INSERT … ON CONFLICT DO UPDATE, so racing puts of a new account
 * agree on one createdAt and a replacement keeps createdAt, lastSyncAt and an unspecified status;
 * `recordSync` is an UPDATE, so it can never bring back a deleted credential.
 */
import {
  type AccountId,
  CredentialRecord,
  CredentialRepository,
  CredentialRepositoryError,
  type CredentialStatus,
  CredentialSummary,
  EncryptedSecret,
  NotFound,
  type Platform,
  type UserId
} from "@app/domain"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "./SqlClient.js"
import type { SqlError } from "./SqlError.js"

interface SummaryRow {
  readonly [column: string]: unknown
  readonly account_id: string
  readonly status: CredentialStatus
  readonly created_at: number
  readonly last_sync_at: number | null
}

interface RecordRow extends SummaryRow {
  readonly user_id: string
  readonly platform: Platform
  readonly secret_algorithm: "AES-256-GCM"
  readonly secret_key_id: string
  readonly secret_encrypted_data_key: string
  readonly secret_iv: string
  readonly secret_ciphertext: string
  readonly updated_at: number
}

const SUMMARY_COLUMNS = "account_id, status, created_at, last_sync_at"
const SECRET_COLUMNS = "secret_algorithm, secret_key_id, secret_encrypted_data_key, secret_iv, secret_ciphertext"

const summaryOf = (row: SummaryRow) =>
  new CredentialSummary({
    accountId: row.account_id as AccountId,
    status: row.status,
    createdAt: row.created_at,
    lastSyncAt: row.last_sync_at
  })

const recordOf = (row: RecordRow) =>
  new CredentialRecord({
    userId: row.user_id as UserId,
    platform: row.platform,
    accountId: row.account_id as AccountId,
    secret: new EncryptedSecret({
      algorithm: row.secret_algorithm,
      keyId: row.secret_key_id,
      encryptedDataKey: row.secret_encrypted_data_key,
      iv: row.secret_iv,
      ciphertext: row.secret_ciphertext
    }),
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSyncAt: row.last_sync_at
  })

/** The list statement (primary-key range, in key order); exported so a test can EXPLAIN it. */
export const listQuery = (userId: UserId, platform: Platform) => ({
  text: `SELECT ${SUMMARY_COLUMNS} FROM platform_credentials
          WHERE user_id = $1 AND platform = $2
          ORDER BY account_id`,
  params: [userId, platform] as ReadonlyArray<unknown>
})

const failure = (error: SqlError) => new CredentialRepositoryError({ reason: error.reason })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient

  return CredentialRepository.of({
    put: Effect.fn("CredentialRepositoryPostgres.put")(function*(input) {
      const { secret } = input
      const [row] = yield* sql.query<SummaryRow>(
        `INSERT INTO platform_credentials AS c
                (user_id, platform, account_id, ${SECRET_COLUMNS}, status, created_at, updated_at, last_sync_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9::text, 'active'), $10, $10, NULL)
         ON CONFLICT (user_id, platform, account_id) DO UPDATE
            SET secret_algorithm = EXCLUDED.secret_algorithm,
                secret_key_id = EXCLUDED.secret_key_id,
                secret_encrypted_data_key = EXCLUDED.secret_encrypted_data_key,
                secret_iv = EXCLUDED.secret_iv,
                secret_ciphertext = EXCLUDED.secret_ciphertext,
                status = COALESCE($9::text, c.status),
                updated_at = EXCLUDED.updated_at
         RETURNING ${SUMMARY_COLUMNS}`,
        [
          input.userId,
          input.platform,
          input.accountId,
          secret.algorithm,
          secret.keyId,
          secret.encryptedDataKey,
          secret.iv,
          secret.ciphertext,
          input.status ?? null,
          input.at
        ]
      ).pipe(Effect.mapError(failure))
      // INSERT … RETURNING answers exactly one row, inserted or updated.
      return summaryOf(row!)
    }),

    list: Effect.fn("CredentialRepositoryPostgres.list")(function*(userId, platform) {
      const query = listQuery(userId, platform)
      const rows = yield* sql.query<SummaryRow>(query.text, query.params).pipe(Effect.mapError(failure))
      return rows.map(summaryOf)
    }),

    get: Effect.fn("CredentialRepositoryPostgres.get")(function*(userId, platform, accountId) {
      const rows = yield* sql.query<RecordRow>(
        `SELECT user_id, platform, ${SUMMARY_COLUMNS}, ${SECRET_COLUMNS}, updated_at
           FROM platform_credentials
          WHERE user_id = $1 AND platform = $2 AND account_id = $3`,
        [userId, platform, accountId]
      ).pipe(Effect.mapError(failure))
      return Option.map(Option.fromUndefinedOr(rows[0]), recordOf)
    }),

    delete: Effect.fn("CredentialRepositoryPostgres.delete")(function*(userId, platform, accountId) {
      const rows = yield* sql.query(
        "DELETE FROM platform_credentials WHERE user_id = $1 AND platform = $2 AND account_id = $3 RETURNING account_id",
        [userId, platform, accountId]
      ).pipe(Effect.mapError(failure))
      if (rows.length === 0) return yield* Effect.fail(NotFound.of("credentials"))
    }),

    recordSync: Effect.fn("CredentialRepositoryPostgres.recordSync")(function*(userId, platform, accountId, at) {
      const rows = yield* sql.query(
        `UPDATE platform_credentials SET last_sync_at = $4
          WHERE user_id = $1 AND platform = $2 AND account_id = $3
          RETURNING account_id`,
        [userId, platform, accountId, at]
      ).pipe(Effect.mapError(failure))
      if (rows.length === 0) return yield* Effect.fail(NotFound.of("credentials"))
    })
  })
})

export const layer: Layer.Layer<CredentialRepository, never, SqlClient> = Layer.effect(CredentialRepository, make)
