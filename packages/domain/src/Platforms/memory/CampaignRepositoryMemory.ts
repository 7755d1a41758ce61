/**
 * CampaignRepository in process memory (see PlatformConfigRepositoryMemory for why each step is
 * atomic). Partitioned like the campaigns table, userId#platform → accountId → campaignId, and
 * idempotent the same way: a campaign equal as JSON to the stored one is not rewritten.
 */
import { Effect, Layer } from "effect"
import type { UserId } from "../../Users/User.js"
import { Campaign, REMOVED, UpsertCounts } from "../Campaign.js"
import { CampaignRepository } from "../CampaignRepository.js"
import { type AccountId, type CampaignId, jsonEquals, type Platform } from "../Platform.js"

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const byAccountThenId = (a: Campaign, b: Campaign) =>
  compareIds(a.accountId, b.accountId) || compareIds(a.campaignId, b.campaignId)

export const make = Effect.sync(() => {
  const partitions = new Map<string, Map<AccountId, Map<CampaignId, Campaign>>>()
  const key = (userId: UserId, platform: Platform) => `${userId}#${platform}`
  const accountOf = (userId: UserId, platform: Platform, accountId: AccountId) => {
    const k = key(userId, platform)
    let accounts = partitions.get(k)
    if (accounts === undefined) {
      accounts = new Map()
      partitions.set(k, accounts)
    }
    let campaigns = accounts.get(accountId)
    if (campaigns === undefined) {
      campaigns = new Map()
      accounts.set(accountId, campaigns)
    }
    return campaigns
  }

  return CampaignRepository.of({
    list: (userId, platform, filter) =>
      Effect.sync(() => {
        const result: Array<Campaign> = []
        for (const [accountId, campaigns] of partitions.get(key(userId, platform)) ?? []) {
          if (filter.accountId !== undefined && filter.accountId !== accountId) continue
          for (const campaign of campaigns.values()) {
            if (filter.status === undefined || filter.status === campaign.status) result.push(campaign)
          }
        }
        return result.sort(byAccountThenId)
      }),
    upsert: (userId, platform, accountId, batch, at) =>
      Effect.sync(() => {
        const campaigns = accountOf(userId, platform, accountId)
        let created = 0, updated = 0, unchanged = 0
        for (const remote of batch) {
          const stored = campaigns.get(remote.campaignId)
          if (
            stored !== undefined && stored.status === remote.status &&
            jsonEquals(stored.campaignData, remote.campaignData) && jsonEquals(stored.metrics, remote.metrics)
          ) {
            unchanged++
            continue
          }
          if (stored === undefined) created++
          else updated++
          campaigns.set(
            remote.campaignId,
            new Campaign({
              accountId,
              campaignId: remote.campaignId,
              campaignData: remote.campaignData,
              status: remote.status,
              metrics: remote.metrics,
              updatedAt: at
            })
          )
        }
        return new UpsertCounts({ created, updated, unchanged })
      }),
    markRemoved: (userId, platform, accountId, present, at) =>
      Effect.sync(() => {
        const campaigns = partitions.get(key(userId, platform))?.get(accountId)
        if (campaigns === undefined) return 0
        const keep = new Set<string>(present)
        let removed = 0
        for (const [campaignId, campaign] of campaigns) {
          if (keep.has(campaignId) || campaign.status === REMOVED) continue
          campaigns.set(campaignId, new Campaign({ ...campaign, status: REMOVED, updatedAt: at }))
          removed++
        }
        return removed
      })
  })
})

export const layer = Layer.effect(CampaignRepository, make)
