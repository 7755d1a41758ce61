/**
 * Test wiring of the Platforms use cases over the in-memory adapters, the fake ad platform and the
 * real local envelope cipher under its public test key, so secrets are really encrypted and
 * really bound to their account's context.
 */
import { Effect, Layer, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Actor } from "../../src/Actor.js"
import { Ids } from "../../src/Ids.js"
import * as LocalEnvelopeCipher from "../../src/node/LocalEnvelopeCipher.js"
import { Campaigns } from "../../src/Platforms/Campaigns.js"
import { T0 } from "../../src/Platforms/contract/ContractIds.js"
import {
  CampaignRepositoryMemory,
  CampaignSourceMemory,
  CredentialRepositoryMemory,
  PlatformConfigRepositoryMemory,
  SyncLockMemory
} from "../../src/Platforms/memory/index.js"
import { PlatformConfigs } from "../../src/Platforms/PlatformConfigs.js"
import { PlatformCredentials } from "../../src/Platforms/PlatformCredentials.js"
import { Randomness } from "../../src/Randomness.js"

export { T0 }

/** The three use-case services over fresh memory adapters, every adapter exposed too. */
export const PlatformsTestLayer = Layer.mergeAll(PlatformConfigs.layer, PlatformCredentials.layer, Campaigns.layer).pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      PlatformConfigRepositoryMemory.layer,
      CredentialRepositoryMemory.layer,
      CampaignRepositoryMemory.layer,
      CampaignSourceMemory.layer,
      SyncLockMemory.layer,
      LocalEnvelopeCipher.layerTest,
      Ids.layer
    ).pipe(Layer.provide(Randomness.layerTest()))
  )
)

export type PlatformsTestServices = Layer.Success<typeof PlatformsTestLayer>

export const actorOf = (userId: string): Actor =>
  Schema.decodeUnknownSync(Actor)({ userId, email: `${userId.toLowerCase()}@example.com` })

/**
 * Checks a property where each run gets fresh in-memory stores and a TestClock set to T0, so
 * runs never see each other's data.
 */
export const checkProperty = <A>(
  arbitrary: fc.Arbitrary<A>,
  body: (value: A) => Effect.Effect<void, unknown, PlatformsTestServices | TestClock.TestClock>,
  numRuns = 100
): Effect.Effect<void> =>
  Effect.promise(() =>
    fc.assert(
      fc.asyncProperty(arbitrary, (value) =>
        Effect.runPromise(
          Effect.gen(function*() {
            yield* TestClock.setTime(T0)
            yield* body(value)
          }).pipe(Effect.provide(PlatformsTestLayer), Effect.provide(TestClock.layer()))
        )),
      { numRuns }
    )
  )
