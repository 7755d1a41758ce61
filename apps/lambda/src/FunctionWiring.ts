/**
 * What each function's runtime is made of: the use cases its routes (or events) run, the
 * contract's Authenticator for AUTH_MODE when its routes take a signed-in caller, the in-process
 * ports and the cipher where its use cases need them, and the store ports under them on DynamoDB.
 * A function builds its own and no other's, so its bundle holds only what it runs — esbuild keeps
 * what an entry's wiring names and drops every other use case, adapter and AWS client (the KMS
 * client is in platforms alone) — and its cold start builds only that.
 *
 * It is InProcess.make's wiring (use cases over sessions, stores and entropy), one function's part
 * of it at a time, with what a Lambda cannot hold replaced:
 * - Realtime buses in process (ChatBusMemory, QrEventsMemory, SensorBusMemory). A Lambda has no
 *   long-lived subscribers to reach: AppSync fans chat out (its subscription is attached to the
 *   sendMessage mutation), QR status is polled, live positions are not served. What the use cases
 *   publish reaches nobody, and they never fail because of it.
 * - CampaignSourceMemory stands in for the real ad-platform clients (Google Ads, Meta, Naver,
 *   Kakao, TikTok), none of which this repository can reach — as in the server; a deployment
 *   swaps in real ones here.
 *
 * The domain's InProcess module is not imported: its ready-made layers (everything in memory)
 * are built at its import, and would keep every use case and store in every bundle.
 *
 * What a wiring's use cases need is checked when it compiles (`wiring` below: no store port its
 * DynamoDB adapters leave out). What the contract's handler asks for as it runs — the
 * Authenticator of a bearer route, the RateLimiter of a rate-limited one, Readiness — its type
 * does not say (it is `any`): a wiring that misses one fails the first request of such a route,
 * which is why every route has to be run through its own function's wiring.
 */
import {
  CampaignRepositoryDynamo,
  ChatRepositoryDynamo,
  CredentialRepositoryDynamo,
  DeviceRepositoryDynamo,
  DynamoClient,
  KmsEnvelopeCipher,
  LatestReadingCacheDynamo,
  PlatformConfigRepositoryDynamo,
  QrChallengeStoreDynamo,
  RateLimiterDynamo,
  ReadingRepositoryDynamo,
  RefreshTokenStoreDynamo,
  SyncLockDynamo,
  TeamRepositoryDynamo,
  UserRepositoryDynamo
} from "@app/adapters-aws"
import type { AwsStores } from "@app/adapters-aws"
import { Authenticator, Readiness, type ReadinessProbe } from "@app/api"
import {
  Auth,
  AuthConfig,
  Campaigns,
  Chat,
  type Ids,
  type PasswordHasher,
  PlatformConfigs,
  PlatformCredentials,
  QrLogin,
  QrLoginConfig,
  type Randomness,
  type SecretCipher,
  Sensors,
  SessionIssuer,
  Teams,
  Users
} from "@app/domain"
import { CampaignSourceMemory, ChatBusMemory, QrEventsMemory, SensorBusMemory } from "@app/domain/memory"
import { JoseAccessTokens, LocalEnvelopeCipher, ScryptPasswordHasher } from "@app/domain/node"
import { Effect, Layer } from "effect"
import type { LambdaConfig } from "./LambdaConfig.js"

/** Every store port of the product but the realtime buses and CampaignSource, and the readiness probes. */
export type LambdaStorePorts = Layer.Success<typeof AwsStores.stores> | Readiness

export interface LambdaLayerOptions {
  /** The store ports (all of them); DynamoDB from DYNAMODB_* / AWS_REGION by default. */
  readonly stores?: Layer.Layer<LambdaStorePorts, unknown>
  /**
   * Tests only: a cheaper password hasher (ScryptPasswordHasher.layerTest). The default is scrypt
   * at OWASP cost. Deliberately not reachable from the environment.
   */
  readonly passwordHasher?: Layer.Layer<PasswordHasher, never, Randomness>
}

/** One function's wiring: its services, and the store ports they stand on. */
export interface Wiring<A, P extends LambdaStorePorts> {
  /** The use cases (and Authenticator, in-process ports, cipher) over the store ports, ids and randomness. */
  readonly services: Layer.Layer<A, unknown, P | Ids | Randomness>
  /** Those store ports on DynamoDB; replaced by LambdaLayerOptions.stores when given. */
  readonly dynamo: Layer.Layer<P, unknown, DynamoClient>
}

export type WiringOf<A, P extends LambdaStorePorts> = (config: LambdaConfig, options: LambdaLayerOptions) => Wiring<A, P>

/**
 * A wiring whose services need no store port but those `dynamo` provides (checked when it
 * compiles: a use case added to a function without its adapter does not).
 */
const wiring = <A, P extends LambdaStorePorts>(
  services: Layer.Layer<A, unknown, NoInfer<P> | Ids | Randomness>,
  dynamo: Layer.Layer<P, unknown, DynamoClient>
): Wiring<A, P> => ({ services, dynamo })

/** Access tokens (AUTH_* secrets), password hashing and session issuing: what Auth and QrLogin stand on. */
const sessions = (options: LambdaLayerOptions) =>
  SessionIssuer.layer.pipe(
    Layer.provideMerge(Layer.merge(JoseAccessTokens.layer, options.passwordHasher ?? ScryptPasswordHasher.layer)),
    Layer.provideMerge(AuthConfig.layerConfig)
  )

/** The Auth use case and its sessions: who signs up, logs in, and is provisioned from Cognito claims. */
const authWith = (options: LambdaLayerOptions) => Auth.layer.pipe(Layer.provideMerge(sessions(options)))

/** Who calls, as AUTH_MODE says (bearer tokens, or the Cognito authorizer's claims), over Auth. */
const signedIn = (config: LambdaConfig, options: LambdaLayerOptions) =>
  (config.authMode === "cognito" ? Authenticator.externalClaims : Authenticator.bearer).pipe(Layer.provideMerge(authWith(options)))

/** Every function behind a bearer route reads and provisions its caller's user (and Auth needs refresh tokens). */
const callerPorts = () => Layer.merge(UserRepositoryDynamo.layer, RefreshTokenStoreDynamo.layer)

/** KMS when KMS_KEY_ID is set, else the local envelope cipher (SECRETS_MASTER_KEY). */
const cipherFor = (config: LambdaConfig): Layer.Layer<SecretCipher, unknown> =>
  config.cipher === "kms" ? KmsEnvelopeCipher.layerConfig : LocalEnvelopeCipher.layer

/** A GetItem of a key that never exists: the table is there and the credentials work. */
const dynamoReadiness = () =>
  Layer.effect(
    Readiness,
    Effect.gen(function*() {
      const dynamo = yield* DynamoClient
      const probe: ReadinessProbe = { name: "dynamodb", check: dynamo.get("users", { userId: "readiness-probe" }, { consistent: false }) }
      return Readiness.of({ probes: [probe] })
    })
  )

/** signup, login, refresh, logout (signup and login are rate-limited). */
export const auth = (config: LambdaConfig, options: LambdaLayerOptions) =>
  wiring(
    signedIn(config, options),
    Layer.merge(callerPorts(), RateLimiterDynamo.layer)
  )

/** The caller's user and teammates' names. */
export const users = (config: LambdaConfig, options: LambdaLayerOptions) =>
  wiring(
    Layer.merge(Users.layer, signedIn(config, options)),
    Layer.merge(callerPorts(), TeamRepositoryDynamo.layer)
  )

/** Teams, members, roles and invitations. */
export const teams = (config: LambdaConfig, options: LambdaLayerOptions) =>
  wiring(
    Layer.merge(Teams.layer, signedIn(config, options)),
    Layer.merge(callerPorts(), TeamRepositoryDynamo.layer)
  )

/** Ad-platform configs, sealed credentials (the only function with the cipher) and campaign sync. */
export const platforms = (config: LambdaConfig, options: LambdaLayerOptions) =>
  wiring(
    Layer.mergeAll(PlatformConfigs.layer, PlatformCredentials.layer, Campaigns.layer).pipe(
      Layer.provideMerge(Layer.merge(cipherFor(config), CampaignSourceMemory.layer)),
      Layer.merge(signedIn(config, options))
    ),
    Layer.mergeAll(
      callerPorts(),
      PlatformConfigRepositoryDynamo.layer,
      CredentialRepositoryDynamo.layer,
      CampaignRepositoryDynamo.layer,
      SyncLockDynamo.layer
    )
  )

/** Chat rooms and message history: the room's team decides who may read and write. */
export const chat = (config: LambdaConfig, options: LambdaLayerOptions) =>
  wiring(
    Chat.layer.pipe(Layer.provideMerge(ChatBusMemory.layer), Layer.merge(signedIn(config, options))),
    Layer.mergeAll(callerPorts(), TeamRepositoryDynamo.layer, ChatRepositoryDynamo.layer)
  )

/** QR login, its payloads pointing at PUBLIC_URL (qrInit is rate-limited; the exchange issues a session). */
export const qr = (config: LambdaConfig, options: LambdaLayerOptions) =>
  wiring(
    QrLogin.layer.pipe(
      Layer.provideMerge(Layer.merge(QrEventsMemory.layer, Layer.succeed(QrLoginConfig, { ...QrLoginConfig.defaultValue(), webBaseUrl: config.publicUrl }))),
      Layer.provideMerge(signedIn(config, options))
    ),
    Layer.mergeAll(callerPorts(), QrChallengeStoreDynamo.layer, RateLimiterDynamo.layer)
  )

/** The sensor ports of Sensors: devices, readings and the latest-reading cache, and the team that owns a device. */
const sensorPorts = () =>
  Layer.mergeAll(TeamRepositoryDynamo.layer, DeviceRepositoryDynamo.layer, ReadingRepositoryDynamo.layer, LatestReadingCacheDynamo.layer)

/** Devices, HTTP ingest with a device key (rate-limited per device), reading queries. */
export const sensors = (config: LambdaConfig, options: LambdaLayerOptions) =>
  wiring(
    Sensors.layer.pipe(Layer.provideMerge(SensorBusMemory.layer), Layer.merge(signedIn(config, options))),
    Layer.mergeAll(callerPorts(), sensorPorts(), RateLimiterDynamo.layer)
  )

/** Health, readiness (one DynamoDB read) and the OpenAPI document: no use case, no caller. */
export const health = (_config: LambdaConfig, _options: LambdaLayerOptions) =>
  wiring(
    Layer.empty,
    dynamoReadiness()
  )

/**
 * The AppSync resolver: Chat, and Auth to provision the Cognito caller (no Authenticator: no HTTP
 * request; no cipher). The chat routes' store ports, so its role is the chat function's.
 */
export const chatResolver = (_config: LambdaConfig, options: LambdaLayerOptions) =>
  wiring(
    Chat.layer.pipe(Layer.provideMerge(ChatBusMemory.layer), Layer.merge(authWith(options))),
    Layer.mergeAll(callerPorts(), TeamRepositoryDynamo.layer, ChatRepositoryDynamo.layer)
  )

/** The IoT Core rule's ingest: Sensors only (the broker authenticated the device; no caller, no secret). */
export const sensorIngest = (_config: LambdaConfig, _options: LambdaLayerOptions) =>
  wiring(
    Sensors.layer.pipe(Layer.provideMerge(SensorBusMemory.layer)),
    sensorPorts()
  )

/** Every function's wiring by name (tests and tools; an entry imports its own alone). */
export const byFunction = {
  auth,
  users,
  teams,
  platforms,
  chat,
  qr,
  sensors,
  health,
  chatResolver,
  sensorIngest
}

/**
 * The secrets a function's runtime reads as it is built, and fails to build without: the token
 * keys (AUTH_ACCESS_TOKEN_SECRET, AUTH_REFRESH_TOKEN_SECRET) where Auth runs, the credentials
 * cipher's key (KMS_KEY_ID, or SECRETS_MASTER_KEY locally) where PlatformCredentials does. What
 * the wirings above build, written out for what cannot read their types — the SAM template gives
 * each function these secrets and no other; test/FunctionWiring.test.ts builds every wiring
 * without each to check that this is exactly what it reads.
 */
export type SecretGroup = "tokenKeys" | "cipherKey"

export const secretsRead = {
  auth: ["tokenKeys"],
  users: ["tokenKeys"],
  teams: ["tokenKeys"],
  platforms: ["tokenKeys", "cipherKey"],
  chat: ["tokenKeys"],
  qr: ["tokenKeys"],
  sensors: ["tokenKeys"],
  health: [],
  chatResolver: ["tokenKeys"],
  sensorIngest: []
} as const satisfies Record<keyof typeof byFunction, ReadonlyArray<SecretGroup>>
