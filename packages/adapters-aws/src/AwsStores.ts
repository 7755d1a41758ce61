/**
 * Every store port of the serverless build on DynamoDB, composed once so the Lambda shell only
 * supplies the client: users, refresh tokens, teams, platform configs, credentials, campaigns,
 * the sync lock, chat, QR challenges, devices, readings, the latest-reading cache and the rate
 * limiter. Not here: the realtime buses (ChatBus, QrEvents, SensorBus), which a Lambda deployment
 * serves through API Gateway WebSockets or polling, the secret cipher (KmsEnvelopeCipher) and the
 * ad platforms (CampaignSource).
 */
import { Layer } from "effect"
import * as CampaignRepositoryDynamo from "./dynamodb/CampaignRepositoryDynamo.js"
import * as ChatRepositoryDynamo from "./dynamodb/ChatRepositoryDynamo.js"
import * as CredentialRepositoryDynamo from "./dynamodb/CredentialRepositoryDynamo.js"
import * as DeviceRepositoryDynamo from "./dynamodb/DeviceRepositoryDynamo.js"
import { DynamoClient } from "./dynamodb/DynamoClient.js"
import * as LatestReadingCacheDynamo from "./dynamodb/LatestReadingCacheDynamo.js"
import * as PlatformConfigRepositoryDynamo from "./dynamodb/PlatformConfigRepositoryDynamo.js"
import * as QrChallengeStoreDynamo from "./dynamodb/QrChallengeStoreDynamo.js"
import * as RateLimiterDynamo from "./dynamodb/RateLimiterDynamo.js"
import * as ReadingRepositoryDynamo from "./dynamodb/ReadingRepositoryDynamo.js"
import * as RefreshTokenStoreDynamo from "./dynamodb/RefreshTokenStoreDynamo.js"
import * as SyncLockDynamo from "./dynamodb/SyncLockDynamo.js"
import * as TeamRepositoryDynamo from "./dynamodb/TeamRepositoryDynamo.js"
import * as UserRepositoryDynamo from "./dynamodb/UserRepositoryDynamo.js"

/** The store ports over whichever DynamoClient is provided. */
export const stores = Layer.mergeAll(
  UserRepositoryDynamo.layer,
  RefreshTokenStoreDynamo.layer,
  TeamRepositoryDynamo.layer,
  PlatformConfigRepositoryDynamo.layer,
  CredentialRepositoryDynamo.layer,
  CampaignRepositoryDynamo.layer,
  SyncLockDynamo.layer,
  ChatRepositoryDynamo.layer,
  QrChallengeStoreDynamo.layer,
  DeviceRepositoryDynamo.layer,
  ReadingRepositoryDynamo.layer,
  LatestReadingCacheDynamo.layer,
  RateLimiterDynamo.layer
)

/** The stores on `client` (e.g. `DynamoClient.layer(settings)`). */
export const make = <E>(client: Layer.Layer<DynamoClient, E>) => stores.pipe(Layer.provide(client))

/** From the environment: AWS_REGION, DYNAMODB_ENDPOINT, DYNAMODB_TABLE_PREFIX, … */
export const layer = make(DynamoClient.layerConfig)
