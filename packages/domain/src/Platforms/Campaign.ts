/**
 * Campaigns pulled from the ad platforms (002's campaigns: userId#platform#accountId + campaignId
 * with campaignData, status, metrics, updatedAt), what a platform answers (RemoteCampaign), and
 * the per-account report of a sync. A campaign that disappeared from the platform is kept with
 * status "removed" rather than deleted, so its history and metrics stay readable.
 */
import { Schema } from "effect"
import { Millis } from "../Millis.js"
import { AccountId, BoundedJsonObject, CampaignId } from "./Platform.js"

/** The platform's status word ("ENABLED", "PAUSED", …), or "removed" once gone from the platform. */
export const CampaignStatus = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(64))
export type CampaignStatus = typeof CampaignStatus.Type

/** The status sync gives a campaign the platform no longer returns. */
export const REMOVED: CampaignStatus = "removed"

export const MAX_CAMPAIGN_DATA_CHARS = 131_072
export const MAX_METRICS_CHARS = 65_536
export const CampaignData = BoundedJsonObject(MAX_CAMPAIGN_DATA_CHARS)
export const CampaignMetrics = BoundedJsonObject(MAX_METRICS_CHARS)

export class Campaign extends Schema.Class<Campaign>("@app/domain/Platforms/Campaign")({
  accountId: AccountId,
  campaignId: CampaignId,
  campaignData: CampaignData,
  status: CampaignStatus,
  metrics: CampaignMetrics,
  updatedAt: Millis
}) {}

/** One campaign as the platform reports it. */
export class RemoteCampaign extends Schema.Class<RemoteCampaign>("@app/domain/Platforms/RemoteCampaign")({
  campaignId: CampaignId,
  campaignData: CampaignData,
  status: CampaignStatus,
  metrics: CampaignMetrics
}) {}

/** Query of GET …/campaigns: both optional, both exact matches. */
export const CampaignFilter = Schema.Struct({
  accountId: Schema.optionalKey(AccountId),
  status: Schema.optionalKey(CampaignStatus)
})
export type CampaignFilter = typeof CampaignFilter.Type

/** What an upsert of a batch did, campaign by campaign. */
export class UpsertCounts extends Schema.Class<UpsertCounts>("@app/domain/Platforms/UpsertCounts")({
  created: Schema.Int,
  updated: Schema.Int,
  unchanged: Schema.Int
}) {}

/**
 * Why one account could not be synced. `code` is one of: CredentialsUnreadable (the ciphertext
 * does not decrypt in this account's context), CipherUnavailable, CipherError, AuthRejected (the platform
 * refused the credentials), PlatformUnavailable, PlatformTimedOut, PlatformError, StoreUnavailable,
 * StoreError. The message is fixed per code: it never carries a secret or a vendor's error text.
 */
export class SyncFailure extends Schema.Class<SyncFailure>("@app/domain/Platforms/SyncFailure")({
  code: Schema.String,
  message: Schema.String,
  retryable: Schema.Boolean
}) {}

export class SyncAccountResult extends Schema.Class<SyncAccountResult>("@app/domain/Platforms/SyncAccountResult")({
  accountId: AccountId,
  created: Schema.Int,
  updated: Schema.Int,
  unchanged: Schema.Int,
  removed: Schema.Int,
  error: Schema.optionalKey(SyncFailure)
}) {}

export class SyncResult extends Schema.Class<SyncResult>("@app/domain/Platforms/SyncResult")({
  accounts: Schema.Array(SyncAccountResult)
}) {}
