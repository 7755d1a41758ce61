/**
 * The Lambda functions' store ports on the server's stores instead of DynamoDB: the repositories
 * on PostgreSQL in a schema of the test's own (created and migrated once, dropped after), QR
 * challenges, the latest-reading cache, rate limits and sync locks on Redis under a key prefix of
 * its own — the server's STORE=postgres wiring — and the buses in process, as on Lambda.
 */
import { randomBytes } from "node:crypto"
import {
  LatestReadingCacheRedis,
  Migrations,
  PgPool,
  QrChallengeStoreRedis,
  RateLimiterRedis,
  RedisClient,
  ServerStores,
  SqlClient,
  SyncLockRedis
} from "@app/adapters-postgres"
import { Readiness } from "@app/api"
import { Effect, Layer, Redacted } from "effect"
import type { LambdaStorePorts } from "../../src/index.js"

const databaseUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const redisUrl = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"

const adminSql = PgPool.layer({ connectionString: Redacted.make(databaseUrl), maxConnections: 1 })

const run = (statement: string): Promise<void> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* SqlClient
      yield* sql.query(statement)
    }).pipe(Effect.provide(adminSql))
  )

export interface PostgresStores {
  readonly schema: string
  /** A fresh set of ports on the schema and Redis prefix (one per function container). */
  readonly layer: () => Layer.Layer<LambdaStorePorts, unknown>
  readonly drop: () => Promise<void>
}

export const create = async (label: string): Promise<PostgresStores> => {
  const schema = `${label}_${process.pid}_${randomBytes(4).toString("hex")}`
  await run(`CREATE SCHEMA "${schema}"`)
  const sql = () => PgPool.layer({ connectionString: Redacted.make(databaseUrl), schema, maxConnections: 4 })
  await Effect.runPromise(Effect.asVoid(Migrations.migrate()).pipe(Effect.provide(sql())))
  const keyPrefix = `test:${label}:${randomBytes(6).toString("hex")}:`
  const layer = () => {
    const probe = Layer.effect(
      Readiness,
      Effect.gen(function*() {
        const client = yield* SqlClient
        return Readiness.of({ probes: [{ name: "postgres", check: client.query("select 1") }] })
      })
    )
    return Layer.mergeAll(
      ServerStores.repositories,
      QrChallengeStoreRedis.layer,
      LatestReadingCacheRedis.layer,
      RateLimiterRedis.layer,
      SyncLockRedis.layer,
      probe
    ).pipe(Layer.provide(Layer.merge(sql(), RedisClient.layer({ url: Redacted.make(redisUrl), keyPrefix }))))
  }
  return { schema, layer, drop: () => run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`) }
}
