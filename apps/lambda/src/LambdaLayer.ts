/**
 * Every service a function's runtime provides, for its configuration: the product's use cases
 * (InProcess.make from the domain) over the DynamoDB stores (AwsStores) and the chosen cipher
 * (KMS when KMS_KEY_ID is set, else the local envelope cipher), the contract's Authenticator for
 * AUTH_MODE, a Readiness probe of DynamoDB and the contract's settings. The same wiring as the
 * server's STORE=dynamodb, minus what a Lambda cannot hold:
 *
 * - Realtime buses in process (ChatBusMemory, QrEventsMemory, SensorBusMemory). A Lambda has no
 *   long-lived subscribers to reach: AppSync fans chat out (its subscription is attached to the
 *   sendMessage mutation), QR status is polled, live positions are not served. What the use cases
 *   publish reaches nobody, and they never fail because of it.
 * - CampaignSourceMemory stands in for the real ad-platform clients (Google Ads, Meta, Naver,
 *   Kakao, TikTok), none of which this repository can reach — as in the server; a deployment
 *   swaps in real ones here.
 *
 * `stores` swaps the store ports for others (a test runs the same handlers over Postgres), which
 * is the only thing that differs between deployments. Spans are off as in the server: nothing
 * exports them.
 */
import { AwsStores, DynamoClient, KmsEnvelopeCipher } from "@app/adapters-aws"
import {
  ApiSettings,
  type ApiServices,
  type ApiSettingsShape,
  Authenticator,
  defaultApiSettings,
  Readiness,
  type ReadinessProbe
} from "@app/api"
import { AuthConfig, type PasswordHasher, QrLoginConfig, type Randomness, type SecretCipher } from "@app/domain"
import { CampaignSourceMemory, ChatBusMemory, QrEventsMemory, SensorBusMemory } from "@app/domain/memory"
import { InProcess, LocalEnvelopeCipher, ScryptPasswordHasher } from "@app/domain/node"
import { ConfigProvider, Effect, Layer, References } from "effect"
import type { LambdaConfig } from "./LambdaConfig.js"

/** What a function's runtime provides: the contract's services (and the ports under them). */
export type LambdaServices = ApiServices

/** Every store port of the product but the realtime buses and CampaignSource, and its readiness probes. */
export type LambdaStorePorts = Layer.Success<typeof AwsStores.stores> | Readiness

export interface LambdaLayerOptions {
  /** The store ports; DynamoDB from DYNAMODB_* / AWS_REGION by default. */
  readonly stores?: Layer.Layer<LambdaStorePorts, unknown>
  /**
   * Tests only: a cheaper password hasher (ScryptPasswordHasher.layerTest). The default is scrypt
   * at OWASP cost. Deliberately not reachable from the environment.
   */
  readonly passwordHasher?: Layer.Layer<PasswordHasher, never, Randomness>
}

/** A GetItem of a key that never exists: the table is there and the credentials work. */
const dynamoProbe = Effect.gen(function*() {
  const dynamo = yield* DynamoClient
  return {
    name: "dynamodb",
    check: dynamo.get("users", { userId: "readiness-probe" }, { consistent: false })
  } satisfies ReadinessProbe
})

/** The store ports on DynamoDB, with one client for all of them, and its readiness probe. */
export const dynamoStores: Layer.Layer<LambdaStorePorts, unknown> = Layer.mergeAll(
  AwsStores.stores,
  Layer.effect(Readiness, Effect.map(dynamoProbe, (probe) => Readiness.of({ probes: [probe] })))
).pipe(Layer.provide(DynamoClient.layerConfig))

const inProcessBuses = Layer.mergeAll(ChatBusMemory.layer, QrEventsMemory.layer, SensorBusMemory.layer)

const cipherFor = (config: LambdaConfig): Layer.Layer<SecretCipher, unknown> =>
  config.cipher === "kms" ? KmsEnvelopeCipher.layerConfig : LocalEnvelopeCipher.layer

/** The contract's settings: its defaults, with what the environment set. */
export const apiSettingsOf = (config: LambdaConfig): ApiSettingsShape => ({
  maxBodyBytes: config.apiOverrides.maxBodyBytes ?? defaultApiSettings.maxBodyBytes,
  rateLimits: { ...defaultApiSettings.rateLimits, ...config.apiOverrides.rateLimits }
})

/** See the module comment. */
const spansOff = Layer.succeed(References.TracerEnabled, false)

/** Every service of a function for `config`. Building it creates the AWS clients (no I/O). */
export const makeLambdaLayer = (
  config: LambdaConfig,
  options: LambdaLayerOptions = {}
): Layer.Layer<LambdaServices, unknown> => {
  const product = InProcess.make({
    stores: Layer.mergeAll(options.stores ?? dynamoStores, inProcessBuses, CampaignSourceMemory.layer),
    authConfig: AuthConfig.layerConfig,
    cipher: cipherFor(config),
    passwordHasher: options.passwordHasher ?? ScryptPasswordHasher.layer
  })
  const authenticator = config.authMode === "cognito" ? Authenticator.externalClaims : Authenticator.bearer
  const qrLogin = Layer.succeed(QrLoginConfig, { ...QrLoginConfig.defaultValue(), webBaseUrl: config.publicUrl })
  return Layer.mergeAll(
    authenticator.pipe(Layer.provideMerge(product)),
    Layer.succeed(ApiSettings, apiSettingsOf(config))
  ).pipe(
    Layer.provide(qrLogin),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: config.environment }))),
    Layer.provideMerge(spansOff)
  )
}
