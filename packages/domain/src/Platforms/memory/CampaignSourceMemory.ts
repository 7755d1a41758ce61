/**
 * A controllable fake ad platform: the stand-in for Google Ads, Meta, Naver, Kakao and TikTok,
 * none of which is reachable from this repository. `layer` provides the CampaignSource port
 * together with FakeAdPlatform, the handle tests (and a local demo) use to set each account's
 * campaigns, the credentials the platform accepts, a latency, or a failure to inject — exactly
 * what a real SDK adapter would return or fail with. Time is Effect's Clock, so TestClock drives
 * the latency.
 */
import { Context, Effect, Layer, Redacted } from "effect"
import type { RemoteCampaign } from "../Campaign.js"
import { AuthRejected, CampaignSource, CampaignSourceError } from "../CampaignSource.js"
import type { AccountId, Platform } from "../Platform.js"

export type FailureReason = CampaignSourceError["reason"]

export class FakeAdPlatform extends Context.Service<FakeAdPlatform, {
  /** The account's campaigns from now on (an account never set has none). */
  readonly setCampaigns: (
    platform: Platform,
    accountId: AccountId,
    campaigns: ReadonlyArray<RemoteCampaign>
  ) => Effect.Effect<void>
  /** The only credentials the platform accepts for the account (others: AuthRejected); null: any. */
  readonly acceptOnly: (platform: Platform, accountId: AccountId, credentials: string | null) => Effect.Effect<void>
  /** Every fetch of the account fails with `reason` until cleared with null. */
  readonly failWith: (platform: Platform, accountId: AccountId, reason: FailureReason | null) => Effect.Effect<void>
  /** Every fetch of the account takes this long (Effect.sleep) before answering. */
  readonly setLatency: (platform: Platform, accountId: AccountId, millis: number) => Effect.Effect<void>
  /** How many fetches of the account were made. */
  readonly fetchCount: (platform: Platform, accountId: AccountId) => Effect.Effect<number>
  /** The port backed by this fake. */
  readonly source: CampaignSource["Service"]
}>()("@app/domain/Platforms/memory/FakeAdPlatform") {}

interface AccountState {
  campaigns: ReadonlyArray<RemoteCampaign>
  accepts: string | null
  failure: FailureReason | null
  latency: number
  fetches: number
}

/** A fresh fake platform: its control handle, whose `source` is the port. */
export const makeFake = Effect.sync(() => {
  const accounts = new Map<string, AccountState>()
  const stateOf = (platform: Platform, accountId: AccountId) => {
    const k = `${platform}#${accountId}`
    let state = accounts.get(k)
    if (state === undefined) {
      state = { campaigns: [], accepts: null, failure: null, latency: 0, fetches: 0 }
      accounts.set(k, state)
    }
    return state
  }

  const source = CampaignSource.of({
    fetch: (platform, accountId, credentials) =>
      Effect.gen(function*() {
        const state = stateOf(platform, accountId)
        state.fetches++
        if (state.latency > 0) yield* Effect.sleep(state.latency)
        if (state.failure !== null) return yield* new CampaignSourceError({ reason: state.failure })
        if (state.accepts !== null && state.accepts !== Redacted.value(credentials)) {
          return yield* new CampaignSourceError({
            reason: new AuthRejected({ message: "the platform rejected the credentials" })
          })
        }
        return state.campaigns
      })
  })

  return FakeAdPlatform.of({
    setCampaigns: (platform, accountId, campaigns) =>
      Effect.sync(() => void (stateOf(platform, accountId).campaigns = [...campaigns])),
    acceptOnly: (platform, accountId, credentials) =>
      Effect.sync(() => void (stateOf(platform, accountId).accepts = credentials)),
    failWith: (platform, accountId, reason) => Effect.sync(() => void (stateOf(platform, accountId).failure = reason)),
    setLatency: (platform, accountId, millis) =>
      Effect.sync(() => void (stateOf(platform, accountId).latency = Math.max(0, millis))),
    fetchCount: (platform, accountId) => Effect.sync(() => stateOf(platform, accountId).fetches),
    source
  })
})

/** The port of a fresh fake platform on which every account has no campaigns. */
export const make = Effect.map(makeFake, (fake) => fake.source)

/** CampaignSource and its FakeAdPlatform handle, sharing one fake platform. */
export const layer = Layer.effectContext(
  Effect.map(makeFake, (fake) => Context.make(FakeAdPlatform, fake).pipe(Context.add(CampaignSource, fake.source)))
)
