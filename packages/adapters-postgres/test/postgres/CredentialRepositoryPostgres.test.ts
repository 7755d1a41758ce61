/**
 * CredentialRepository on a real Postgres server and on PGlite: the contract suite unchanged on
 * both, then races over real pool connections (many puts of one new account: one row, one
 * createdAt; recordSync racing delete: never resurrected), what the table can hold (the
 * EncryptedSecret's fields, no plaintext column) and the plan of the list statement.
 */
import { AccountId, CredentialRepository, EncryptedSecret, UserId } from "@app/domain"
import { CredentialRepositoryContract, freshScope } from "@app/domain/contract"
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import * as CredentialRepositoryPostgres from "../../src/postgres/CredentialRepositoryPostgres.js"
import { SqlClient } from "../../src/postgres/SqlClient.js"
import * as PostgresTest from "../support/PostgresTest.js"
import * as QueryPlans from "../support/QueryPlans.js"
import * as RowCounts from "../support/RowCounts.js"

CredentialRepositoryContract.suite("postgres", CredentialRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layer())))
CredentialRepositoryContract.suite("pglite", CredentialRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layerPglite)))

const N = 20
const T0 = 1_700_000_000_000
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

const encrypted = (label: string | number) =>
  new EncryptedSecret({
    algorithm: "AES-256-GCM",
    keyId: `key-${label}`,
    encryptedDataKey: `ZGF0YWtleS0${label}`,
    iv: `aXYt${label}`,
    ciphertext: `Y2lwaGVy${label}`
  })

const rowCount = (userId: UserId) => RowCounts.count("platform_credentials", "user_id = $1", [userId])

for (const [name, sqlLayer] of PostgresTest.backends({ maxConnections: N })) {
  layer(CredentialRepositoryPostgres.layer.pipe(Layer.provideMerge(sqlLayer)), { excludeTestServices: true })(
    `CredentialRepositoryPostgres under concurrency (${name})`,
    (it) => {
      it.effect(`${N} parallel puts of one new account: one row, one createdAt, the secret of one whole put`, () =>
        Effect.gen(function*() {
          const repo = yield* CredentialRepository
          const scope = freshScope("credpar")
          const user = UserId.make(`${scope}-user`), account = AccountId.make(`${scope}-acct`)
          const summaries = yield* Effect.all(
            range(N).map((i) =>
              repo.put({ userId: user, platform: "meta", accountId: account, secret: encrypted(i), status: undefined, at: T0 + i })
            ),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(yield* rowCount(user), 1)
          const record = Option.getOrThrow(yield* repo.get(user, "meta", account))
          for (const summary of summaries) assert.strictEqual(summary.createdAt, record.createdAt)
          // The stored secret is exactly one of the secrets put, whole (never fields of two puts).
          const label = record.secret.keyId.slice("key-".length)
          assert.deepStrictEqual({ ...record.secret }, { ...encrypted(label) })
          assert.strictEqual(record.updatedAt, T0 + Number(label))
        }))

      it.effect(`${N} rounds of recordSync racing delete: the credential never comes back`, () =>
        Effect.gen(function*() {
          const repo = yield* CredentialRepository
          const scope = freshScope("credpar2")
          const user = UserId.make(`${scope}-user`)
          for (const round of range(N)) {
            const account = AccountId.make(`${scope}-acct-${round}`)
            yield* repo.put({ userId: user, platform: "kakao", accountId: account, secret: encrypted(round), status: undefined, at: T0 })
            const exits = yield* Effect.all(
              [
                Effect.exit(repo.delete(user, "kakao", account)),
                ...range(4).map((i) => Effect.exit(repo.recordSync(user, "kakao", account, T0 + i)))
              ],
              { concurrency: "unbounded" }
            )
            assert.isTrue(Exit.isSuccess(exits[0]!))
            assert.isTrue(Option.isNone(yield* repo.get(user, "kakao", account)))
          }
          assert.strictEqual(yield* rowCount(user), 0)
        }))

      it.effect("the table has a column for each EncryptedSecret field and none for a plaintext", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient
          const columns = yield* sql.query<{ column_name: string }>(
            `SELECT column_name FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name = 'platform_credentials'
              ORDER BY column_name`
          )
          assert.deepStrictEqual(columns.map((c) => c.column_name), [
            "account_id",
            "created_at",
            "last_sync_at",
            "platform",
            "secret_algorithm",
            "secret_ciphertext",
            "secret_encrypted_data_key",
            "secret_iv",
            "secret_key_id",
            "status",
            "updated_at",
            "user_id"
          ])
        }))

      it.effect("the list is served by the primary key, never a sequential scan", () =>
        Effect.gen(function*() {
          const repo = yield* CredentialRepository
          const scope = freshScope("credplan")
          const user = UserId.make(`${scope}-user`)
          yield* repo.put({ userId: user, platform: "google", accountId: AccountId.make(`${scope}-a`), secret: encrypted(1), status: undefined, at: T0 })
          const query = CredentialRepositoryPostgres.listQuery(user, "google")
          const plan = yield* QueryPlans.explain(query.text, query.params)
          QueryPlans.assertUsesIndexes(plan, "platform_credentials_pkey")
          // Key order is list order: no sort step.
          QueryPlans.assertNoSort(plan)
        }))
    }
  )
}
