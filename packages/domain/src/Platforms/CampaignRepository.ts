/**
 * Storage of synced campaigns (partition userId#platform#accountId, sort key campaignId). Writes
 * are idempotent by construction: `upsert` compares each campaign with the stored one and writes
 * only when campaignData, status or metrics differ (as JSON, ignoring key order), so a repeated
 * sync leaves every item — updatedAt included — as it was. `markRemoved` is "every campaign of the
 * account not in this list and not yet removed", one conditional update per item, never a
 * read-then-write in the use case.
 */
import { Context, Effect, Schema } from "effect"
import { StoreFailure } from "../StoreFailure.js"
import type { UserId } from "../Users/User.js"
import type { Campaign, CampaignFilter, RemoteCampaign, UpsertCounts } from "./Campaign.js"
import type { AccountId, CampaignId, Platform } from "./Platform.js"

export class CampaignRepositoryError extends Schema.TaggedError<CampaignRepositoryError>()(
  "CampaignRepositoryError",
  { reason: StoreFailure }
) {}

export class CampaignRepository extends Context.Service<CampaignRepository, {
  /**
   * The user's campaigns on the platform matching every given filter, by accountId then campaignId;
   * with an accountId, one account's campaigns (one partition).
   */
  readonly list: (
    userId: UserId,
    platform: Platform,
    filter: CampaignFilter
  ) => Effect.Effect<ReadonlyArray<Campaign>, CampaignRepositoryError>
  /**
   * Writes each campaign of the batch (distinct campaignIds) into the account: new → created; stored
   * but different data, status or metrics → updated with updatedAt `at`; identical → unchanged and
   * not written at all.
   */
  readonly upsert: (
    userId: UserId,
    platform: Platform,
    accountId: AccountId,
    campaigns: ReadonlyArray<RemoteCampaign>,
    at: number
  ) => Effect.Effect<UpsertCounts, CampaignRepositoryError>
  /**
   * Sets status "removed" (and updatedAt `at`) on every campaign of the account whose id is not in
   * `present` and whose status is not already "removed". Answers how many changed.
   */
  readonly markRemoved: (
    userId: UserId,
    platform: Platform,
    accountId: AccountId,
    present: ReadonlyArray<CampaignId>,
    at: number
  ) => Effect.Effect<number, CampaignRepositoryError>
}>()("@app/domain/Platforms/CampaignRepository") {}
