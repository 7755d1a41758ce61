/**
 * Test wiring of the Platforms use cases over the in-memory adapters, the fake ad platform and a
 * tiny reversible, context-bound test cipher (not cryptography: it only has to behave like
 * SecretCipher — round-trip under the same context, IntegrityFailure under any other — and keep
 * the plaintext out of the stored form).
 */
import { Effect, Layer, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Actor } from "../../src/Actor.js"
import { Ids } from "../../src/Ids.js"
import { Campaigns } from "../../src/Platforms/Campaigns.js"
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
import {
  EncryptedSecret,
  type EncryptionContext,
  IntegrityFailure,
  SecretCipher,
  SecretCipherError
} from "../../src/Secrets/SecretCipher.js"
import { UserId } from "../../src/Users/User.js"

const canonicalContext = (context: EncryptionContext) =>
  JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]]))

const xor = (bytes: Uint8Array) => bytes.map((b, i) => b ^ ((0x5a + i * 31) & 0xff))

export const TestCipherLayer = Layer.succeed(
  SecretCipher,
  SecretCipher.of({
    encrypt: (plaintext, context) =>
      Effect.sync(() =>
        new EncryptedSecret({
          algorithm: "AES-256-GCM",
          keyId: "test-key",
          encryptedDataKey: Buffer.from(canonicalContext(context)).toString("base64"),
          iv: "AAAAAAAAAAAAAAAA",
          ciphertext: Buffer.from(xor(new TextEncoder().encode(Redacted.value(plaintext)))).toString("base64")
        })
      ),
    decrypt: (secret, context) =>
      Buffer.from(secret.encryptedDataKey, "base64").toString() === canonicalContext(context)
        ? Effect.succeed(Redacted.make(new TextDecoder().decode(xor(Buffer.from(secret.ciphertext, "base64")))))
        : Effect.fail(new SecretCipherError({ reason: new IntegrityFailure({ message: "the secret does not decrypt" }) }))
  })
)

/** The three use-case services over the memory adapters and `cipher`, every adapter exposed too. */
export const makePlatformsLayer = (cipher: Layer.Layer<SecretCipher>) =>
  Layer.mergeAll(PlatformConfigs.layer, PlatformCredentials.layer, Campaigns.layer).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        PlatformConfigRepositoryMemory.layer,
        CredentialRepositoryMemory.layer,
        CampaignRepositoryMemory.layer,
        CampaignSourceMemory.layer,
        SyncLockMemory.layer,
        cipher,
        Ids.layer
      ).pipe(Layer.provide(Randomness.layerTest()))
    )
  )

export const PlatformsTestLayer = makePlatformsLayer(TestCipherLayer)

export type PlatformsTestServices = Layer.Success<typeof PlatformsTestLayer>

export const T0 = 1_700_000_000_000

export const actorOf = (userId: string): Actor =>
  Schema.decodeUnknownSync(Actor)({ userId, email: `${userId.toLowerCase()}@example.com` })

export const uid = (label: string): UserId => UserId.make(label)

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
