/**
 * The ad platform itself, as a port: given an account and its decrypted credentials, the account's
 * campaigns as the platform reports them now. The real implementations wrap the platforms' SDKs
 * (Google Ads, Meta Marketing API, Naver, Kakao, TikTok) and map their failures to the reasons
 * below; in this repository the only implementation is the controllable fake in
 * memory/CampaignSourceMemory.ts.
 */
import { Context, Effect, type Redacted, Schema } from "effect"
import { TimedOut, Unavailable, Unexpected } from "../StoreFailure.js"
import type { RemoteCampaign } from "./Campaign.js"
import type { AccountId, Platform } from "./Platform.js"

/** The platform refused the credentials (revoked, expired, wrong account). Retrying will not help. */
export class AuthRejected extends Schema.TaggedError<AuthRejected>()("AuthRejected", {
  message: Schema.String
}) {}

export class CampaignSourceError extends Schema.TaggedError<CampaignSourceError>()("CampaignSourceError", {
  reason: Schema.Union([Unavailable, TimedOut, Unexpected, AuthRejected])
}) {}

export class CampaignSource extends Context.Service<CampaignSource, {
  /** Every campaign of the account. Messages of its errors must never contain the credentials. */
  readonly fetch: (
    platform: Platform,
    accountId: AccountId,
    credentials: Redacted.Redacted<string>
  ) => Effect.Effect<ReadonlyArray<RemoteCampaign>, CampaignSourceError>
}>()("@app/domain/Platforms/CampaignSource") {}
