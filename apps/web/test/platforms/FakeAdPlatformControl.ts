/**
 * The test's hand on the fake ad platform inside the in-process product (the stand-in for Google
 * Ads, Meta, …, which no test can reach — packages/domain Platforms/memory/CampaignSourceMemory):
 * which campaigns an account has, and which secret the platform accepts for it.
 */
import { AccountId, CampaignId, type Platform, RemoteCampaign } from "@app/domain"
import { CampaignSourceMemory } from "@app/domain/memory"
import { Effect, type ManagedRuntime } from "effect"
import type { TestApi } from "../support/TestApi"

export interface CampaignSeed {
  readonly campaignId: string
  readonly name: string
  readonly status: string
  readonly metrics?: Readonly<Record<string, number>>
}

export const fakeAdPlatform = (testApi: TestApi) => {
  // The product's layer provides the fake next to the contract's services.
  const { FakeAdPlatform } = CampaignSourceMemory
  const runtime = testApi.api.runtime as unknown as ManagedRuntime.ManagedRuntime<CampaignSourceMemory.FakeAdPlatform, never>
  const run = <A>(f: (fake: CampaignSourceMemory.FakeAdPlatform["Service"]) => Effect.Effect<A>) => runtime.runPromise(Effect.flatMap(FakeAdPlatform, f))
  return {
    setCampaigns: (platform: Platform, accountId: string, campaigns: ReadonlyArray<CampaignSeed>) =>
      run((fake) =>
        fake.setCampaigns(
          platform,
          AccountId.make(accountId),
          campaigns.map((c) =>
            new RemoteCampaign({
              campaignId: CampaignId.make(c.campaignId),
              campaignData: { name: c.name },
              status: c.status,
              metrics: { ...c.metrics }
            })
          )
        )),
    acceptOnly: (platform: Platform, accountId: string, secret: string) =>
      run((fake) => fake.acceptOnly(platform, AccountId.make(accountId), secret))
  }
}
