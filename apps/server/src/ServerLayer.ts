/**
 * Every service the server needs, for the store chosen by STORE: the product's use cases
 * (InProcess.make from the domain) over the chosen stores and cipher, the contract's
 * Authenticator, Readiness probes that really ask each store, and the contract's settings.
 *
 *   embedded  PGlite under DATA_DIR, realtime in process (one instance)
 *   postgres  PostgreSQL + Redis (any number of instances)
 *   dynamodb  DynamoDB (+ KMS when KMS_KEY_ID is set); realtime buses on Redis when REDIS_URL is
 *             set, else in process (one instance)
 *
 * Each adapter reads its own variables from `config.environment` when the layer is built.
 */
import { AwsStores, DynamoClient, KmsEnvelopeCipher, TableSetup } from "@app/adapters-aws"
import {
  ChatBusRedis,
  Pglite,
  PgPool,
  QrEventsRedis,
  RedisClient,
  SensorBusRedis,
  ServerStores,
  SqlClient
} from "@app/adapters-postgres"
import { ApiSettings, type ApiServices, Authenticator, Readiness, type ReadinessProbe } from "@app/api"
import { AuthConfig, type PasswordHasher, QrLoginConfig, type Randomness, type SecretCipher } from "@app/domain"
import { CampaignSourceMemory, ChatBusMemory, QrEventsMemory, SensorBusMemory } from "@app/domain/memory"
import { InProcess, LocalEnvelopeCipher, ScryptPasswordHasher } from "@app/domain/node"
import { ConfigProvider, Effect, Layer, ManagedRuntime, References } from "effect"
import { join } from "node:path"
import * as EffectLogLines from "./EffectLogLines.js"
import type { ServerConfig } from "./ServerConfig.js"

/** What the server's runtime provides: the contract's services (and the ports under them). */
export type ServerServices = ApiServices

/** One per process, created at the edge (main.ts, or a test) and disposed when the app closes. */
export type ServerRuntime = ManagedRuntime.ManagedRuntime<ServerServices, unknown>

export interface ServerLayerOptions {
  /**
   * Tests only: a cheaper password hasher (e.g. ScryptPasswordHasher.layerTest). The default is
   * scrypt at OWASP cost. Deliberately not reachable from the environment.
   */
  readonly passwordHasher?: Layer.Layer<PasswordHasher, never, Randomness>
  /** Where Effect's log lines go (stdout by default). */
  readonly logSink?: EffectLogLines.LogLineSink
}

const sqlProbe = (name: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    return { name, check: sql.query("select 1") } satisfies ReadinessProbe
  })

const redisProbe = Effect.gen(function*() {
  const redis = yield* RedisClient.RedisClient
  return { name: "redis", check: redis.command("PING", (client) => client.ping()) } satisfies ReadinessProbe
})

/** A GetItem of a key that never exists: the table is there and the credentials work. */
const dynamoProbe = Effect.gen(function*() {
  const dynamo = yield* DynamoClient
  return {
    name: "dynamodb",
    check: dynamo.get("users", { userId: "readiness-probe" }, { consistent: false })
  } satisfies ReadinessProbe
})

const readiness = <const Probes extends ReadonlyArray<Effect.Effect<ReadinessProbe, never, any>>>(probes: Probes) =>
  Layer.effect(
    Readiness,
    Effect.map(
      Effect.all(probes as ReadonlyArray<Effect.Effect<ReadinessProbe, never, Effect.Services<Probes[number]>>>),
      (all) => Readiness.of({ probes: all })
    )
  )

/** Every store port of the product but CampaignSource, and the probes of those stores. */
type StorePorts =
  | Layer.Success<typeof ServerStores.repositories>
  | Layer.Success<typeof ServerStores.realtimeInProcess>
  | Readiness

interface SelectedStores {
  readonly stores: Layer.Layer<StorePorts, unknown>
  readonly cipher: Layer.Layer<SecretCipher, unknown>
}

const inProcessBuses = Layer.mergeAll(ChatBusMemory.layer, QrEventsMemory.layer, SensorBusMemory.layer)
const redisBuses = Layer.mergeAll(ChatBusRedis.layer, QrEventsRedis.layer, SensorBusRedis.layer)

/** The stores of `config.store` (all ports but CampaignSource), their readiness probes and the cipher. */
const storesFor = (store: ServerConfig["store"]): SelectedStores => {
  switch (store._tag) {
    case "embedded": {
      const sql = ServerStores.migrated(Pglite.layer({ dataDir: join(store.dataDir, "pglite") }))
      return {
        stores: Layer.mergeAll(ServerStores.repositories, ServerStores.realtimeInProcess, readiness([sqlProbe("database")])).pipe(
          Layer.provide(sql)
        ),
        cipher: LocalEnvelopeCipher.layer
      }
    }
    case "postgres": {
      const clients = Layer.merge(ServerStores.migrated(PgPool.layerConfig), RedisClient.layerConfig)
      return {
        stores: Layer.mergeAll(
          ServerStores.repositories,
          ServerStores.realtimeRedis,
          readiness([sqlProbe("postgres"), redisProbe])
        ).pipe(Layer.provide(clients)),
        cipher: LocalEnvelopeCipher.layer
      }
    }
    case "dynamodb": {
      const dynamo = store.createTables
        ? Layer.effectDiscard(TableSetup.createAll()).pipe(Layer.provideMerge(DynamoClient.layerConfig))
        : DynamoClient.layerConfig
      const cipher = store.kms ? KmsEnvelopeCipher.layerConfig : LocalEnvelopeCipher.layer
      if (store.redisBuses) {
        return {
          stores: Layer.mergeAll(AwsStores.stores, redisBuses, readiness([dynamoProbe, redisProbe])).pipe(
            Layer.provide(Layer.merge(dynamo, RedisClient.layerConfig))
          ),
          cipher
        }
      }
      return {
        stores: Layer.mergeAll(AwsStores.stores, inProcessBuses, readiness([dynamoProbe])).pipe(Layer.provide(dynamo)),
        cipher
      }
    }
  }
}

/**
 * No tracer is configured (nothing exports spans), so spans are not recorded: every `Effect.fn`
 * and `withSpan` then makes a no-op span instead of timing a real one. A deployment that adds a
 * tracer (OpenTelemetry, say) drops this.
 */
const spansOff = Layer.succeed(References.TracerEnabled, false)

/** Every service of the server for `config`. Building it opens the stores (and migrates SQL). */
export const make = (config: ServerConfig, options: ServerLayerOptions = {}): Layer.Layer<ServerServices, unknown> => {
  const { stores, cipher } = storesFor(config.store)
  // CampaignSourceMemory stands in for the real ad-platform clients (Google Ads, Meta, Naver,
  // Kakao, TikTok), none of which this repository can reach; a deployment swaps in real ones here.
  const product = InProcess.make({
    stores: Layer.merge(stores, CampaignSourceMemory.layer),
    authConfig: AuthConfig.layerConfig,
    cipher,
    passwordHasher: options.passwordHasher ?? ScryptPasswordHasher.layer
  })
  const qrLogin = Layer.succeed(QrLoginConfig, { ...QrLoginConfig.defaultValue(), webBaseUrl: config.publicUrl })
  return Layer.mergeAll(
    Authenticator.bearer.pipe(Layer.provideMerge(product)),
    Layer.succeed(ApiSettings, config.apiSettings)
  ).pipe(
    Layer.provide(qrLogin),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: config.environment }))),
    Layer.provideMerge(EffectLogLines.layer(config.logLevel, options.logSink)),
    Layer.provideMerge(spansOff)
  )
}

/** The process's runtime for `config` (its layer is built on first use, or by `runtime.context()`). */
export const makeRuntime = (config: ServerConfig, options: ServerLayerOptions = {}): ServerRuntime =>
  ManagedRuntime.make(make(config, options))
