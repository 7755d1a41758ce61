/**
 * Every store port of the server build, composed once so the shell only picks a deployment:
 *
 * - `layer`: repositories on a PostgreSQL server, and the QR challenges, realtime buses, latest-
 *   reading cache, rate limiter and sync lock on Redis. Any number of server processes may share
 *   one database and one Redis and behave as one.
 * - `layerEmbedded`: the same repositories, same SQL and migrations, on PGlite (Postgres in WASM,
 *   data on disk), with the challenges, buses, cache, rate limiter and sync lock in process
 *   memory. Nothing to install; for a single instance only.
 *
 * The schema is migrated when either layer is built. CampaignSource (the ad platforms) is not a
 * store and is provided by the shell.
 */
import {
  ChatBusMemory,
  LatestReadingCacheMemory,
  QrChallengeStoreMemory,
  QrEventsMemory,
  RateLimiterMemory,
  SensorBusMemory,
  SyncLockMemory
} from "@app/domain/memory"
import { Effect, Layer } from "effect"
import * as CampaignRepositoryPostgres from "./postgres/CampaignRepositoryPostgres.js"
import * as ChatRepositoryPostgres from "./postgres/ChatRepositoryPostgres.js"
import * as CredentialRepositoryPostgres from "./postgres/CredentialRepositoryPostgres.js"
import * as DeviceRepositoryPostgres from "./postgres/DeviceRepositoryPostgres.js"
import { migrate } from "./postgres/Migrations.js"
import * as PgPool from "./postgres/PgPool.js"
import * as Pglite from "./postgres/Pglite.js"
import * as PlatformConfigRepositoryPostgres from "./postgres/PlatformConfigRepositoryPostgres.js"
import * as ReadingRepositoryPostgres from "./postgres/ReadingRepositoryPostgres.js"
import * as RefreshTokenStorePostgres from "./postgres/RefreshTokenStorePostgres.js"
import type { SqlClient } from "./postgres/SqlClient.js"
import type { SqlError } from "./postgres/SqlError.js"
import * as TeamRepositoryPostgres from "./postgres/TeamRepositoryPostgres.js"
import * as UserRepositoryPostgres from "./postgres/UserRepositoryPostgres.js"
import * as ChatBusRedis from "./redis/ChatBusRedis.js"
import * as LatestReadingCacheRedis from "./redis/LatestReadingCacheRedis.js"
import * as QrChallengeStoreRedis from "./redis/QrChallengeStoreRedis.js"
import * as QrEventsRedis from "./redis/QrEventsRedis.js"
import * as RateLimiterRedis from "./redis/RateLimiterRedis.js"
import * as RedisClient from "./redis/RedisClient.js"
import * as SensorBusRedis from "./redis/SensorBusRedis.js"
import * as SyncLockRedis from "./redis/SyncLockRedis.js"

/** The repositories, over whichever SqlClient is provided. */
export const repositories = Layer.mergeAll(
  UserRepositoryPostgres.layer,
  RefreshTokenStorePostgres.layer,
  TeamRepositoryPostgres.layer,
  PlatformConfigRepositoryPostgres.layer,
  CredentialRepositoryPostgres.layer,
  CampaignRepositoryPostgres.layer,
  ChatRepositoryPostgres.layer,
  DeviceRepositoryPostgres.layer,
  ReadingRepositoryPostgres.layer
)

/** Challenges, buses, cache, rate limiter and lock on a shared Redis. */
export const realtimeRedis = Layer.mergeAll(
  QrChallengeStoreRedis.layer,
  QrEventsRedis.layer,
  ChatBusRedis.layer,
  SensorBusRedis.layer,
  LatestReadingCacheRedis.layer,
  RateLimiterRedis.layer,
  SyncLockRedis.layer
)

/** The same in this process's memory: correct for exactly one instance. */
export const realtimeInProcess = Layer.mergeAll(
  QrChallengeStoreMemory.layer,
  QrEventsMemory.layer,
  ChatBusMemory.layer,
  SensorBusMemory.layer,
  LatestReadingCacheMemory.layer,
  RateLimiterMemory.layer,
  SyncLockMemory.layer
)

/** `sql`, with the migrations applied before anything else uses it. */
export const migrated = <E>(sql: Layer.Layer<SqlClient, E>): Layer.Layer<SqlClient, E | SqlError> =>
  Layer.effectDiscard(Effect.asVoid(migrate())).pipe(Layer.provideMerge(sql))

/** Repositories on `sql` (migrated at build) and realtime on `redis`. */
export const make = <E1, E2>(options: {
  readonly sql: Layer.Layer<SqlClient, E1>
  readonly redis: Layer.Layer<RedisClient.RedisClient, E2>
}) => Layer.mergeAll(repositories.pipe(Layer.provide(migrated(options.sql))), realtimeRedis.pipe(Layer.provide(options.redis)))

/** From the environment: DATABASE_URL (+ DATABASE_*), REDIS_URL (+ REDIS_*). */
export const layer = make({ sql: PgPool.layerConfig, redis: RedisClient.layerConfig })

/** Repositories on PGlite at `config.dataDir` (migrated at build), realtime in process. */
export const makeEmbedded = (config: Pglite.PgliteConfig) =>
  Layer.mergeAll(repositories.pipe(Layer.provide(migrated(Pglite.layer(config)))), realtimeInProcess)

/** From the environment: PGLITE_DATA_DIR (default .data/pglite). */
export const layerEmbedded = Layer.unwrap(Effect.map(Pglite.config, makeEmbedded))
