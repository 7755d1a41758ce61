/**
 * Use cases of campaigns (GET …/campaigns and POST …/campaigns/sync). A sync takes the user and
 * platform's SyncLock lease (a second concurrent sync is Conflict "SyncInProgress"), then for each
 * active account: decrypts its credentials in the account's own encryption context, fetches its
 * campaigns from the platform, upserts them idempotently, marks the ones gone from the platform as
 * "removed" and records lastSyncAt. Accounts are independent: a failure is reported in that
 * account's result (a fixed message per code, never a secret or a vendor's text) and the others
 * carry on. The lease is released however the sync ends.
 */
import { Clock, Context, Effect, Layer, Option } from "effect"
import { type Actor, requireSelf } from "../Actor.js"
import { Conflict, type Forbidden } from "../DomainError.js"
import { SecretCipher, type SecretCipherError } from "../Secrets/SecretCipher.js"
import { TimedOut } from "../StoreFailure.js"
import type { UserId } from "../Users/User.js"
import {
  type Campaign,
  type CampaignFilter,
  type RemoteCampaign,
  SyncAccountResult,
  SyncFailure,
  SyncResult
} from "./Campaign.js"
import { CampaignRepository, type CampaignRepositoryError } from "./CampaignRepository.js"
import { CampaignSource, CampaignSourceError } from "./CampaignSource.js"
import { type CredentialSummary, credentialEncryptionContext } from "./Credential.js"
import { CredentialRepository, type CredentialRepositoryError } from "./CredentialRepository.js"
import type { CampaignId, Platform } from "./Platform.js"
import { SyncLock, type SyncLockError } from "./SyncLock.js"

/** How long a sync's lease lasts: longer than any sync, short enough to recover from a crash. */
export const SYNC_LEASE_MS = 10 * 60_000
/** How long one account's fetch may take before it is reported as PlatformTimedOut. */
export const FETCH_TIMEOUT_MS = 2 * 60_000
/** How many accounts are synced at once. */
export const SYNC_CONCURRENCY = 4

export const syncLockKey = (userId: UserId, platform: Platform) => `campaign-sync:${userId}#${platform}`

const failure = (code: string, message: string, retryable: boolean) => new SyncFailure({ code, message, retryable })

const cipherFailure = (error: SecretCipherError): SyncFailure =>
  error.reason._tag === "IntegrityFailure"
    ? failure("CredentialsUnreadable", "the stored credentials cannot be decrypted for this account", false)
    : error.reason._tag === "Unexpected"
    ? failure("CipherError", "the credentials could not be decrypted", false)
    : failure("CipherUnavailable", "the key service did not answer", true)

const sourceFailure = (error: CampaignSourceError): SyncFailure => {
  switch (error.reason._tag) {
    case "AuthRejected":
      return failure("AuthRejected", "the platform rejected the credentials", false)
    case "Unavailable":
      return failure("PlatformUnavailable", "the platform is unavailable", true)
    case "TimedOut":
      return failure("PlatformTimedOut", "the platform did not answer in time", true)
    case "Unexpected":
      return failure("PlatformError", "the platform answered unexpectedly", false)
  }
}

const storeFailure = (error: CredentialRepositoryError | CampaignRepositoryError): SyncFailure =>
  error.reason._tag === "Unexpected"
    ? failure("StoreError", "the campaigns could not be stored", false)
    : failure("StoreUnavailable", "the store is unavailable", true)

/** One entry per campaignId, the last one the platform listed. */
const distinct = (campaigns: ReadonlyArray<RemoteCampaign>): ReadonlyArray<RemoteCampaign> =>
  Array.from(new Map(campaigns.map((c) => [c.campaignId, c] as const)).values())

export class Campaigns extends Context.Service<Campaigns, {
  /** The caller's campaigns on the platform matching the filter, by accountId then campaignId. */
  readonly list: (
    actor: Actor,
    userId: UserId,
    platform: Platform,
    filter: CampaignFilter
  ) => Effect.Effect<ReadonlyArray<Campaign>, Forbidden | CampaignRepositoryError>
  /**
   * Syncs every active account of the caller on the platform; one result per account, by accountId.
   * Conflict "SyncInProgress" while another sync of the same user and platform holds the lease.
   */
  readonly sync: (
    actor: Actor,
    userId: UserId,
    platform: Platform
  ) => Effect.Effect<SyncResult, Forbidden | Conflict | SyncLockError | CredentialRepositoryError>
}>()("@app/domain/Platforms/Campaigns") {
  static readonly layer = Layer.effect(
    Campaigns,
    Effect.gen(function*() {
      const campaigns = yield* CampaignRepository
      const credentials = yield* CredentialRepository
      const cipher = yield* SecretCipher
      const source = yield* CampaignSource
      const lock = yield* SyncLock

      const list = Effect.fn("Campaigns.list")(
        function*(actor: Actor, userId: UserId, platform: Platform, filter: CampaignFilter) {
          yield* requireSelf(actor, userId)
          return yield* campaigns.list(userId, platform, filter)
        }
      )

      /** None when the account is no longer active (deactivated or deleted since it was listed). */
      const syncAccount = (userId: UserId, platform: Platform, summary: CredentialSummary) =>
        Effect.gen(function*() {
          const { accountId } = summary
          const record = yield* credentials.get(userId, platform, accountId).pipe(Effect.mapError(storeFailure))
          if (Option.isNone(record) || record.value.status !== "active") return Option.none<SyncAccountResult>()
          const secret = yield* cipher.decrypt(record.value.secret, credentialEncryptionContext(userId, platform, accountId)).pipe(
            Effect.mapError(cipherFailure)
          )
          const remote = yield* source.fetch(platform, accountId, secret).pipe(
            Effect.timeoutOrElse({
              duration: FETCH_TIMEOUT_MS,
              orElse: () =>
                Effect.fail(new CampaignSourceError({ reason: new TimedOut({ message: "fetch timed out" }) }))
            }),
            Effect.mapError(sourceFailure)
          )
          const batch = distinct(remote)
          const at = yield* Clock.currentTimeMillis
          const counts = yield* campaigns.upsert(userId, platform, accountId, batch, at).pipe(
            Effect.mapError(storeFailure)
          )
          const present: ReadonlyArray<CampaignId> = batch.map((c) => c.campaignId)
          const removed = yield* campaigns.markRemoved(userId, platform, accountId, present, at).pipe(
            Effect.mapError(storeFailure)
          )
          yield* credentials.recordSync(userId, platform, accountId, at).pipe(
            Effect.catchTag("NotFound", () => Effect.void),
            Effect.mapError(storeFailure)
          )
          return Option.some(
            new SyncAccountResult({
              accountId,
              created: counts.created,
              updated: counts.updated,
              unchanged: counts.unchanged,
              removed
            })
          )
        }).pipe(
          Effect.catch((error) =>
            Effect.succeed(Option.some(
              new SyncAccountResult({
                accountId: summary.accountId,
                created: 0,
                updated: 0,
                unchanged: 0,
                removed: 0,
                error
              })
            ))
          )
        )

      const sync = Effect.fn("Campaigns.sync")(function*(actor: Actor, userId: UserId, platform: Platform) {
        yield* requireSelf(actor, userId)
        const key = syncLockKey(userId, platform)
        return yield* Effect.acquireUseRelease(
          lock.tryAcquire(key, SYNC_LEASE_MS).pipe(
            Effect.flatMap(Option.match({
              onNone: () =>
                Effect.fail(
                  new Conflict({ code: "SyncInProgress", message: "a sync of this platform is already running" })
                ),
              onSome: Effect.succeed
            }))
          ),
          () =>
            Effect.gen(function*() {
              const accounts = (yield* credentials.list(userId, platform)).filter((a) => a.status === "active")
              const results = yield* Effect.forEach(accounts, (a) => syncAccount(userId, platform, a), {
                concurrency: SYNC_CONCURRENCY
              })
              return new SyncResult({ accounts: results.flatMap((r) => (Option.isSome(r) ? [r.value] : [])) })
            }),
          (token) => lock.release(key, token).pipe(Effect.ignore)
        )
      })

      return Campaigns.of({ list, sync })
    })
  )
}
