/**
 * CampaignRepository on Postgres, one row per user, platform, account and campaign. Campaign data
 * and metrics are stored as the domain's canonical JSON text, so "equal as JSON, whatever the key
 * order" is a text comparison in SQL. An upsert is one transaction of two statements: an INSERT …
 * ON CONFLICT DO NOTHING that creates the new campaigns (racing creators of one campaign: the
 * primary key lets exactly one in), then an UPDATE that rewrites only the campaigns that differ,
 * so an identical campaign keeps its updatedAt. markRemoved is one conditional UPDATE.
 */
import {
  type AccountId,
  Campaign,
  type CampaignData,
  type CampaignFilter,
  type CampaignId,
  type CampaignMetrics,
  CampaignRepository,
  CampaignRepositoryError,
  canonicalJson,
  type Platform,
  REMOVED,
  UpsertCounts,
  type UserId
} from "@app/domain"
import { Effect, Layer } from "effect"
import { SqlClient } from "./SqlClient.js"
import type { SqlError } from "./SqlError.js"

interface CampaignRow {
  readonly [column: string]: unknown
  readonly account_id: string
  readonly campaign_id: string
  readonly campaign_data: typeof CampaignData.Type
  readonly status: string
  readonly metrics: typeof CampaignMetrics.Type
  readonly updated_at: number
}

const campaignOf = (row: CampaignRow) =>
  new Campaign({
    accountId: row.account_id as AccountId,
    campaignId: row.campaign_id as CampaignId,
    campaignData: row.campaign_data,
    status: row.status,
    metrics: row.metrics,
    updatedAt: row.updated_at
  })

/**
 * The list statement for a filter: the primary key serves it with or without an account, and
 * `campaigns_status_idx` serves a status alone, both already in list order. The conditions are
 * written out rather than `$n IS NULL OR …`, so the planner sees which index fits. Exported so a
 * test can EXPLAIN the statement the adapter runs.
 */
export const listQuery = (userId: UserId, platform: Platform, filter: CampaignFilter) => {
  const params: Array<unknown> = [userId, platform]
  const conditions = ["user_id = $1", "platform = $2"]
  if (filter.accountId !== undefined) {
    params.push(filter.accountId)
    conditions.push(`account_id = $${params.length}`)
  }
  if (filter.status !== undefined) {
    params.push(filter.status)
    conditions.push(`status = $${params.length}`)
  }
  return {
    text: `SELECT account_id, campaign_id, campaign_data, status, metrics, updated_at
             FROM campaigns
            WHERE ${conditions.join(" AND ")}
            ORDER BY account_id, campaign_id`,
    params: params as ReadonlyArray<unknown>
  }
}

/** The batch as parallel arrays ($5…$8 of both upsert statements), in campaignId order. */
const BATCH = "unnest($5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS b(campaign_id, campaign_data, status, metrics, n)"

const failure = (error: SqlError) => new CampaignRepositoryError({ reason: error.reason })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient

  return CampaignRepository.of({
    list: Effect.fn("CampaignRepositoryPostgres.list")(function*(userId, platform, filter) {
      const query = listQuery(userId, platform, filter)
      const rows = yield* sql.query<CampaignRow>(query.text, query.params).pipe(Effect.mapError(failure))
      return rows.map(campaignOf)
    }),

    upsert: Effect.fn("CampaignRepositoryPostgres.upsert")(function*(userId, platform, accountId, campaigns, at) {
      if (campaigns.length === 0) return new UpsertCounts({ created: 0, updated: 0, unchanged: 0 })
      // One order for every writer, so two upserts of overlapping batches take their row locks alike.
      const batch = [...campaigns].sort((a, b) => (a.campaignId < b.campaignId ? -1 : a.campaignId > b.campaignId ? 1 : 0))
      const params = [
        userId,
        platform,
        accountId,
        at,
        batch.map((c) => c.campaignId),
        batch.map((c) => canonicalJson(c.campaignData)),
        batch.map((c) => c.status),
        batch.map((c) => canonicalJson(c.metrics))
      ]
      const { created, updated } = yield* sql.transaction((tx) =>
        Effect.gen(function*() {
          const inserted = yield* tx.query(
            `INSERT INTO campaigns (user_id, platform, account_id, campaign_id, campaign_data, status, metrics, updated_at)
             SELECT $1, $2, $3, b.campaign_id, b.campaign_data::json, b.status, b.metrics::json, $4
               FROM ${BATCH}
              ORDER BY b.n
             ON CONFLICT (user_id, platform, account_id, campaign_id) DO NOTHING
             RETURNING campaign_id`,
            params
          )
          // A new snapshot: it sees every row the INSERT found taken (the INSERT waited for its
          // writer to finish). The campaigns just inserted are equal to the batch, so untouched.
          const changed = yield* tx.query(
            `UPDATE campaigns c
                SET campaign_data = b.campaign_data::json, status = b.status, metrics = b.metrics::json, updated_at = $4
               FROM ${BATCH}
              WHERE c.user_id = $1 AND c.platform = $2 AND c.account_id = $3 AND c.campaign_id = b.campaign_id
                AND (c.status <> b.status OR c.campaign_data::text <> b.campaign_data OR c.metrics::text <> b.metrics)
             RETURNING c.campaign_id`,
            params
          )
          return { created: inserted.length, updated: changed.length }
        })
      ).pipe(Effect.mapError(failure))
      return new UpsertCounts({ created, updated, unchanged: batch.length - created - updated })
    }),

    markRemoved: Effect.fn("CampaignRepositoryPostgres.markRemoved")(
      function*(userId, platform, accountId, present, at) {
        // In a transaction so that a deadlock with a concurrent upsert of the account is retried.
        const [row] = yield* sql.transaction((tx) =>
          tx.query<{ readonly removed: number }>(
            `WITH removed AS (
               UPDATE campaigns SET status = $5, updated_at = $6
                WHERE user_id = $1 AND platform = $2 AND account_id = $3
                  AND status <> $5 AND NOT (campaign_id = ANY($4::text[]))
               RETURNING 1
             )
             SELECT count(*)::int AS removed FROM removed`,
            [userId, platform, accountId, [...present], REMOVED, at]
          )
        ).pipe(Effect.mapError(failure))
        return row?.removed ?? 0
      }
    )
  })
})

export const layer: Layer.Layer<CampaignRepository, never, SqlClient> = Layer.effect(CampaignRepository, make)
