/**
 * CampaignRepository on the campaigns table (002: partition userPlatformAccount =
 * "<userId>#<platform>#<accountId>", sort key campaignId; GSI userPlatform-index on
 * (userPlatform, accountCampaign = "<accountId>#<campaignId>")). campaignData and metrics are
 * stored as the domain's canonical JSON text — any JSON value round-trips exactly, and "equal as
 * JSON, whatever the key order" is a string comparison — with `fingerprint`, a SHA-256 of both, so
 * the comparison a sync makes reads a few bytes per campaign and conditions stay small.
 *
 * upsert reads the account's campaignId/status/fingerprint once (one consistent Query), skips the
 * identical campaigns without writing, and writes the rest, each with a condition that makes the
 * outcome exact under races: a new one is a Put if absent (losing to a racing creator, it falls
 * back to the update below), a changed one an UpdateItem only if it still exists and still differs
 * (failing: someone wrote the same values first, so it is unchanged). Campaigns are never deleted,
 * so "exists" only ever turns true. markRemoved reads the account's not-yet-removed campaigns and
 * sets each missing one's status with an UpdateItem conditioned on its status not being "removed":
 * racing calls remove (and count) each campaign once.
 *
 * list with an accountId reads one partition (consistent); without one it reads the GSI, whose
 * sort key gives the (accountId, campaignId) order of the in-memory adapter ('#' sorts below every
 * id character). On AWS a GSI is eventually consistent: a campaign written a moment ago may be
 * missing from an account-less list for a short while. The port has no pagination, so every page
 * is followed (Query's LastEvaluatedKey).
 *
 * Round trips: list 1 Query per 1 MB page (table, or the GSI without accountId); upsert 0 for an
 * empty batch, else 1 Query (per 1 MB page of keys) + 1 PutItem per new campaign + 1 UpdateItem
 * per changed campaign (a Put that lost a race adds 1 UpdateItem); markRemoved 1 Query + 1
 * UpdateItem per campaign removed.
 */
import {
  type AccountId,
  Campaign,
  type CampaignFilter,
  type CampaignId,
  CampaignRepository,
  CampaignRepositoryError,
  canonicalJson,
  type Platform,
  REMOVED,
  type RemoteCampaign,
  Unexpected,
  UpsertCounts,
  type UserId
} from "@app/domain"
import { Effect, Layer, Schema } from "effect"
import { createHash } from "node:crypto"
import { compositeKey, DynamoClient, type Item } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

const TABLE = "campaigns"
const INDEX = "userPlatform-index"

/** Conditional writes of one upsert or markRemoved in flight at once. */
const WRITE_CONCURRENCY = 16

const CAMPAIGN_ATTRIBUTES = ["accountId", "campaignId", "campaignData", "status", "metrics", "updatedAt"] as const

/** What two campaigns of one id must share to be equal, besides the status. */
export const fingerprint = (data: string, metrics: string): string =>
  createHash("sha256").update(data).update("\n").update(metrics).digest("base64url")

interface Stored {
  readonly data: string
  readonly metrics: string
  readonly fingerprint: string
}

const storedForm = (campaign: RemoteCampaign): Stored => {
  const data = canonicalJson(campaign.campaignData)
  const metrics = canonicalJson(campaign.metrics)
  return { data, metrics, fingerprint: fingerprint(data, metrics) }
}

const decodeCampaign = Schema.decodeUnknownEffect(Campaign)

const malformed = () =>
  new CampaignRepositoryError({ reason: new Unexpected({ message: "a stored campaign does not decode" }) })

const parseJson = (text: unknown) =>
  typeof text === "string"
    ? Effect.try({ try: () => JSON.parse(text) as unknown, catch: malformed })
    : Effect.fail(malformed())

/** The campaign of a stored item (Schema-checked: a corrupt item is Unexpected). */
export const fromItem = (item: Item): Effect.Effect<Campaign, CampaignRepositoryError> =>
  Effect.gen(function*() {
    return yield* decodeCampaign({
      accountId: item["accountId"],
      campaignId: item["campaignId"],
      campaignData: yield* parseJson(item["campaignData"]),
      status: item["status"],
      metrics: yield* parseJson(item["metrics"]),
      updatedAt: item["updatedAt"]
    }).pipe(Effect.mapError(malformed))
  })

const portError = DynamoError.toPortError((reason) => new CampaignRepositoryError({ reason }))

type Outcome = "created" | "updated" | "unchanged"

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient

  const partitions = (userId: UserId, platform: Platform, accountId: AccountId) =>
    Effect.all({
      userPlatform: compositeKey(userId, platform),
      userPlatformAccount: compositeKey(userId, platform, accountId),
      accountCampaignPrefix: compositeKey(accountId)
    }).pipe(portError)

  const list = Effect.fn("CampaignRepositoryDynamo.list")(
    function*(userId: UserId, platform: Platform, filter: CampaignFilter) {
      const statusFilter = filter.status === undefined
        ? {}
        : { filter: "#status = :status", values: { ":status": filter.status } }
      const items = filter.accountId === undefined
        ? yield* dynamo.queryAll(TABLE, {
          index: INDEX,
          partition: yield* compositeKey(userId, platform).pipe(portError),
          attributes: CAMPAIGN_ATTRIBUTES,
          ...statusFilter
        }).pipe(portError)
        : yield* dynamo.queryAll(TABLE, {
          partition: yield* compositeKey(userId, platform, filter.accountId).pipe(portError),
          attributes: CAMPAIGN_ATTRIBUTES,
          ...statusFilter
        }).pipe(portError)
      return yield* Effect.forEach(items, fromItem)
    }
  )

  const upsert = Effect.fn("CampaignRepositoryDynamo.upsert")(
    function*(userId: UserId, platform: Platform, accountId: AccountId, batch: ReadonlyArray<RemoteCampaign>, at: number) {
      if (batch.length === 0) return new UpsertCounts({ created: 0, updated: 0, unchanged: 0 })
      const keys = yield* partitions(userId, platform, accountId)
      const existing = new Map<string, { readonly status: unknown; readonly fingerprint: unknown }>()
      for (
        const item of yield* dynamo.queryAll(TABLE, {
          partition: keys.userPlatformAccount,
          attributes: ["campaignId", "status", "fingerprint"]
        }).pipe(portError)
      ) existing.set(item["campaignId"] as string, { status: item["status"], fingerprint: item["fingerprint"] })

      const key = (campaignId: CampaignId) => ({ userPlatformAccount: keys.userPlatformAccount, campaignId })

      /** Rewrites a stored campaign that still differs from `campaign`; else it is unchanged. */
      const updateIfDifferent = (campaign: RemoteCampaign, stored: Stored): Effect.Effect<Outcome, DynamoError.DynamoError> =>
        dynamo.update(TABLE, key(campaign.campaignId), {
          update: "SET #campaignData = :data, #status = :status, #metrics = :metrics, #fingerprint = :fingerprint, " +
            "#updatedAt = :at",
          condition: "attribute_exists(#campaignId) AND (#status <> :status OR #fingerprint <> :fingerprint)",
          values: {
            ":data": stored.data,
            ":status": campaign.status,
            ":metrics": stored.metrics,
            ":fingerprint": stored.fingerprint,
            ":at": at
          },
          returnValues: "NONE"
        }).pipe(
          Effect.as<Outcome>("updated"),
          Effect.catchTag("ConditionFailed", () => Effect.succeed<Outcome>("unchanged"))
        )

      const write = (campaign: RemoteCampaign): Effect.Effect<Outcome, DynamoError.DynamoError> => {
        const stored = storedForm(campaign)
        const seen = existing.get(campaign.campaignId)
        if (seen === undefined) {
          return dynamo.put(TABLE, {
            ...key(campaign.campaignId),
            userPlatform: keys.userPlatform,
            accountCampaign: `${keys.accountCampaignPrefix}#${campaign.campaignId}`,
            accountId,
            campaignData: stored.data,
            status: campaign.status,
            metrics: stored.metrics,
            fingerprint: stored.fingerprint,
            updatedAt: at
          }, { condition: "attribute_not_exists(#campaignId)" }).pipe(
            Effect.as<Outcome>("created"),
            Effect.catchTag("ConditionFailed", () => updateIfDifferent(campaign, stored))
          )
        }
        return seen.status === campaign.status && seen.fingerprint === stored.fingerprint
          ? Effect.succeed<Outcome>("unchanged")
          : updateIfDifferent(campaign, stored)
      }

      const outcomes = yield* Effect.forEach(batch, write, { concurrency: WRITE_CONCURRENCY }).pipe(portError)
      return new UpsertCounts({
        created: outcomes.filter((o) => o === "created").length,
        updated: outcomes.filter((o) => o === "updated").length,
        unchanged: outcomes.filter((o) => o === "unchanged").length
      })
    }
  )

  const markRemoved = Effect.fn("CampaignRepositoryDynamo.markRemoved")(
    function*(userId: UserId, platform: Platform, accountId: AccountId, present: ReadonlyArray<CampaignId>, at: number) {
      const keys = yield* partitions(userId, platform, accountId)
      const keep = new Set<string>(present)
      const candidates = yield* dynamo.queryAll(TABLE, {
        partition: keys.userPlatformAccount,
        attributes: ["campaignId"],
        filter: "#status <> :removed",
        values: { ":removed": REMOVED }
      }).pipe(portError)
      const removed = yield* Effect.forEach(
        candidates.map((item) => item["campaignId"] as string).filter((id) => !keep.has(id)),
        (campaignId) =>
          dynamo.update(TABLE, { userPlatformAccount: keys.userPlatformAccount, campaignId }, {
            update: "SET #status = :removed, #updatedAt = :at",
            condition: "attribute_exists(#campaignId) AND #status <> :removed",
            values: { ":removed": REMOVED, ":at": at },
            returnValues: "NONE"
          }).pipe(
            Effect.as(1),
            Effect.catchTag("ConditionFailed", () => Effect.succeed(0))
          ),
        { concurrency: WRITE_CONCURRENCY }
      ).pipe(portError)
      return removed.reduce((sum, n) => sum + n, 0)
    }
  )

  return CampaignRepository.of({ list, upsert, markRemoved })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<CampaignRepository, never, DynamoClient> = Layer.effect(CampaignRepository, make)
