/**
 * The DynamoDB side of the AWS adapters: the client and its foundations, and one namespace per
 * port adapter (`UserRepositoryDynamo.layer`, …), each needing DynamoClient.
 */
export { compositeKey, DynamoClient } from "./DynamoClient.js"
export type {
  BatchWrite,
  DeleteOptions,
  DynamoClientShape,
  DynamoSettings,
  Expressions,
  GetOptions,
  Item,
  Key,
  KeyRange,
  PutOptions,
  QueryOptions,
  QueryPage,
  TransactItem,
  UpdateOptions
} from "./DynamoClient.js"
export * as CommandRecorder from "./CommandRecorder.js"
export * as Cursor from "./Cursor.js"
export * as DynamoError from "./DynamoError.js"
export * as Expression from "./Expression.js"
export * as RequestGuard from "./RequestGuard.js"
export * as Tables from "./Tables.js"
export * as TableSetup from "./TableSetup.js"

export * as UserRepositoryDynamo from "./UserRepositoryDynamo.js"
export * as RefreshTokenStoreDynamo from "./RefreshTokenStoreDynamo.js"
export * as TeamRepositoryDynamo from "./TeamRepositoryDynamo.js"
export * as ChatRepositoryDynamo from "./ChatRepositoryDynamo.js"
export * as QrChallengeStoreDynamo from "./QrChallengeStoreDynamo.js"
export * as RateLimiterDynamo from "./RateLimiterDynamo.js"
export * as DeviceRepositoryDynamo from "./DeviceRepositoryDynamo.js"
export * as ReadingRepositoryDynamo from "./ReadingRepositoryDynamo.js"
export * as LatestReadingCacheDynamo from "./LatestReadingCacheDynamo.js"
export * as PlatformConfigRepositoryDynamo from "./PlatformConfigRepositoryDynamo.js"
export * as CredentialRepositoryDynamo from "./CredentialRepositoryDynamo.js"
export * as CampaignRepositoryDynamo from "./CampaignRepositoryDynamo.js"
export * as SyncLockDynamo from "./SyncLockDynamo.js"
