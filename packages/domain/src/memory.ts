/**
 * @app/domain/memory — an in-memory adapter of every port: the reference model the Postgres/Redis
 * and DynamoDB adapters are checked against, and the single-process default. `layer` provides
 * them all at once (one fresh, empty instance of each).
 */
import { Layer } from "effect"
import { RefreshTokenStoreMemory } from "./Auth/memory/index.js"
import { ChatBusMemory, ChatRepositoryMemory } from "./Chat/memory/index.js"
import {
  CampaignRepositoryMemory,
  CampaignSourceMemory,
  CredentialRepositoryMemory,
  PlatformConfigRepositoryMemory,
  SyncLockMemory
} from "./Platforms/memory/index.js"
import { QrChallengeStoreMemory, QrEventsMemory } from "./QrLogin/memory/index.js"
import { RateLimiterMemory } from "./RateLimit/memory/index.js"
import {
  DeviceRepositoryMemory,
  LatestReadingCacheMemory,
  ReadingRepositoryMemory,
  SensorBusMemory
} from "./Sensors/memory/index.js"
import { TeamRepositoryMemory } from "./Teams/memory/index.js"
import { UserRepositoryMemory } from "./Users/memory/index.js"

export * from "./Auth/memory/index.js"
export * from "./Chat/memory/index.js"
export * from "./Platforms/memory/index.js"
export * from "./QrLogin/memory/index.js"
export * from "./RateLimit/memory/index.js"
export * from "./Sensors/memory/index.js"
export * from "./Teams/memory/index.js"
export * from "./Users/memory/index.js"

/** Every port in process memory. CampaignSource is the controllable fake ad platform. */
export const layer = Layer.mergeAll(
  UserRepositoryMemory.layer,
  RefreshTokenStoreMemory.layer,
  TeamRepositoryMemory.layer,
  PlatformConfigRepositoryMemory.layer,
  CredentialRepositoryMemory.layer,
  CampaignRepositoryMemory.layer,
  CampaignSourceMemory.layer,
  SyncLockMemory.layer,
  ChatRepositoryMemory.layer,
  ChatBusMemory.layer,
  QrChallengeStoreMemory.layer,
  QrEventsMemory.layer,
  DeviceRepositoryMemory.layer,
  ReadingRepositoryMemory.layer,
  LatestReadingCacheMemory.layer,
  SensorBusMemory.layer,
  RateLimiterMemory.layer
)
