/**
 * Credentials and sync end to end with the real local envelope cipher (AES-256-GCM) instead of the
 * test cipher: the secret reaches the platform intact, and is bound to its account's context.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import * as LocalEnvelopeCipher from "../../src/node/LocalEnvelopeCipher.js"
import { RemoteCampaign } from "../../src/Platforms/Campaign.js"
import { Campaigns } from "../../src/Platforms/Campaigns.js"
import { CredentialRepository } from "../../src/Platforms/CredentialRepository.js"
import { FakeAdPlatform } from "../../src/Platforms/memory/CampaignSourceMemory.js"
import { AccountId, CampaignId } from "../../src/Platforms/Platform.js"
import { PlatformCredentials } from "../../src/Platforms/PlatformCredentials.js"
import { actorOf, makePlatformsLayer } from "./Fixtures.js"

const ada = actorOf("ada")

describe("Platforms with the local envelope cipher", () => {
  it.effect("a stored secret decrypts for its own account only", () =>
    Effect.gen(function*() {
      const credentials = yield* PlatformCredentials
      const campaigns = yield* Campaigns
      const fake = yield* FakeAdPlatform
      const repo = yield* CredentialRepository
      const a = AccountId.make("111"), b = AccountId.make("222")
      const secret = JSON.stringify({ clientId: "cid", refreshToken: "rt-very-secret" })
      yield* credentials.put(ada, ada.userId, "google", a, { credentials: Redacted.make(secret) })
      yield* credentials.put(ada, ada.userId, "google", b, { credentials: Redacted.make("other") })
      yield* fake.acceptOnly("google", a, secret)
      yield* fake.setCampaigns("google", a, [
        new RemoteCampaign({ campaignId: CampaignId.make("c1"), campaignData: {}, status: "ENABLED", metrics: {} })
      ])
      const stored = Option.getOrThrow(yield* repo.get(ada.userId, "google", a))
      assert.notInclude(JSON.stringify(stored), "rt-very-secret")
      // Move a's ciphertext onto b: b must now fail to decrypt, a still syncs.
      yield* repo.put({ userId: ada.userId, platform: "google", accountId: b, secret: stored.secret, status: undefined, at: 0 })
      const result = yield* campaigns.sync(ada, ada.userId, "google")
      assert.deepStrictEqual(result.accounts.map((r) => [r.accountId, r.created, r.error?.code]), [
        [a, 1, undefined],
        [b, 0, "CredentialsUnreadable"]
      ])
    }).pipe(Effect.provide(makePlatformsLayer(LocalEnvelopeCipher.layerTest))))
})
