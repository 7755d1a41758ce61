import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Campaigns } from "../../src/Platforms/Campaigns.js"
import { PutCredentialsInput } from "../../src/Platforms/Credential.js"
import { CredentialRepository } from "../../src/Platforms/CredentialRepository.js"
import { FakeAdPlatform } from "../../src/Platforms/memory/CampaignSourceMemory.js"
import { AccountId } from "../../src/Platforms/Platform.js"
import { PlatformCredentials } from "../../src/Platforms/PlatformCredentials.js"
import { SecretCipher } from "../../src/Secrets/SecretCipher.js"
import { Unavailable } from "../../src/StoreFailure.js"
import { decodeInput } from "../../src/Validation.js"
import { actorOf, checkProperty, PlatformsTestLayer, T0 } from "./Fixtures.js"

const ada = actorOf("ada")
const bob = actorOf("bob")
const acct = AccountId.make("123-456-7890")

const secretInput = (text: string) => ({ credentials: Redacted.make(text) })

describe("PlatformCredentials", () => {
  it.effect("put encrypts under {userId, platform, accountId} and answers only the summary", () =>
    Effect.gen(function*() {
      const credentials = yield* PlatformCredentials
      const repo = yield* CredentialRepository
      const cipher = yield* SecretCipher
      yield* TestClock.setTime(T0)
      const summary = yield* credentials.put(ada, ada.userId, "google", acct, secretInput("refresh-token-s3cr3t"))
      assert.deepStrictEqual(
        { ...summary },
        { accountId: acct, status: "active", createdAt: T0, lastSyncAt: null }
      )
      assert.notInclude(JSON.stringify(summary), "s3cr3t")
      const record = Option.getOrThrow(yield* repo.get(ada.userId, "google", acct))
      assert.notInclude(JSON.stringify(record), "s3cr3t")
      const plain = yield* cipher.decrypt(record.secret, { userId: ada.userId, platform: "google", accountId: acct })
      assert.strictEqual(Redacted.value(plain), "refresh-token-s3cr3t")
      const elsewhere = yield* cipher.decrypt(record.secret, { userId: ada.userId, platform: "meta", accountId: acct })
        .pipe(Effect.flip)
      assert.strictEqual(elsewhere.reason._tag, "IntegrityFailure")
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("replacing keeps createdAt, lastSyncAt and the status unless one is given", () =>
    Effect.gen(function*() {
      const credentials = yield* PlatformCredentials
      const repo = yield* CredentialRepository
      yield* TestClock.setTime(T0)
      yield* credentials.put(ada, ada.userId, "meta", acct, { ...secretInput("one"), status: "inactive" })
      yield* repo.recordSync(ada.userId, "meta", acct, T0 + 5)
      yield* TestClock.adjust(1000)
      const replaced = yield* credentials.put(ada, ada.userId, "meta", acct, secretInput("two"))
      assert.deepStrictEqual({ ...replaced }, { accountId: acct, status: "inactive", createdAt: T0, lastSyncAt: T0 + 5 })
      const reactivated = yield* credentials.put(ada, ada.userId, "meta", acct, { ...secretInput("three"), status: "active" })
      assert.strictEqual(reactivated.status, "active")
      assert.deepStrictEqual((yield* credentials.list(ada, ada.userId, "meta")).map((s) => ({ ...s })), [{ ...reactivated }])
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("list is by accountId; delete answers nothing, then NotFound", () =>
    Effect.gen(function*() {
      const credentials = yield* PlatformCredentials
      for (const id of ["b", "a", "c"]) yield* credentials.put(ada, ada.userId, "naver", AccountId.make(id), secretInput(id))
      assert.deepStrictEqual((yield* credentials.list(ada, ada.userId, "naver")).map((s) => s.accountId), ["a", "b", "c"])
      yield* credentials.delete(ada, ada.userId, "naver", AccountId.make("b"))
      assert.deepStrictEqual((yield* credentials.list(ada, ada.userId, "naver")).map((s) => s.accountId), ["a", "c"])
      const again = yield* credentials.delete(ada, ada.userId, "naver", AccountId.make("b")).pipe(Effect.flip)
      assert.strictEqual(again._tag, "NotFound")
      assert.deepStrictEqual(yield* credentials.list(ada, ada.userId, "kakao"), [])
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("every route refuses another user's path with 403, touching nothing", () =>
    Effect.gen(function*() {
      const credentials = yield* PlatformCredentials
      yield* credentials.put(ada, ada.userId, "kakao", acct, secretInput("mine"))
      const attempts: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
        credentials.put(bob, ada.userId, "kakao", acct, secretInput("theirs")),
        credentials.list(bob, ada.userId, "kakao"),
        credentials.delete(bob, ada.userId, "kakao", acct)
      ]
      for (const attempt of attempts) assert.strictEqual((yield* Effect.flip(attempt))._tag, "Forbidden")
      const repo = yield* CredentialRepository
      const cipher = yield* SecretCipher
      const record = Option.getOrThrow(yield* repo.get(ada.userId, "kakao", acct))
      const plain = yield* cipher.decrypt(record.secret, { userId: ada.userId, platform: "kakao", accountId: acct })
      assert.strictEqual(Redacted.value(plain), "mine")
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("the body decodes a string or a JSON object into a Redacted secret; bad input never echoes it", () =>
    Effect.gen(function*() {
      const decode = decodeInput(PutCredentialsInput)
      const asString = yield* decode({ credentials: "api-key-1234", status: "inactive" })
      assert.strictEqual(Redacted.value(asString.credentials), "api-key-1234")
      assert.strictEqual(asString.status, "inactive")
      assert.notInclude(JSON.stringify(asString), "api-key-1234")
      assert.notInclude(String(asString.credentials), "api-key-1234")
      const asObject = yield* decode({ credentials: { clientId: "id", refreshToken: "rt-9" } })
      assert.deepStrictEqual(JSON.parse(Redacted.value(asObject.credentials)), { clientId: "id", refreshToken: "rt-9" })
      const tooLong = `leak-${"x".repeat(9000)}`
      for (const body of [{}, { credentials: "" }, { credentials: tooLong }, { credentials: 42 }, { credentials: "k", status: "paused" }]) {
        const error = yield* decode(body).pipe(Effect.flip)
        assert.strictEqual(error._tag, "ValidationError")
        assert.notInclude(JSON.stringify(error), "leak-")
      }
    }))
})

/** A marker no message could contain by accident. */
const secretArb = fc.string({ unit: "grapheme-ascii", minLength: 6, maxLength: 40 }).map((s) => `sek-${s}-7q`)

describe("secrecy", () => {
  it.effect("no read model, result or error ever contains a stored secret", () =>
    checkProperty(
      fc.record({
        secrets: fc.uniqueArray(secretArb, { minLength: 1, maxLength: 4 }),
        failures: fc.array(fc.constantFrom("none", "auth", "down", "foreign"), { minLength: 4, maxLength: 4 })
      }),
      ({ failures, secrets }) =>
        Effect.gen(function*() {
          const credentials = yield* PlatformCredentials
          const campaigns = yield* Campaigns
          const repo = yield* CredentialRepository
          const cipher = yield* SecretCipher
          const fake = yield* FakeAdPlatform
          const seen: Array<unknown> = []
          const observe = <A, E>(effect: Effect.Effect<A, E>) =>
            Effect.exit(effect).pipe(
              Effect.tap((exit) =>
                Effect.sync(() => {
                  seen.push(Exit.isSuccess(exit) ? exit.value : exit.cause)
                  if (Exit.isFailure(exit)) seen.push(Cause.pretty(exit.cause))
                })
              )
            )
          for (const [i, secret] of secrets.entries()) {
            const accountId = AccountId.make(`acct-${i}`)
            yield* observe(credentials.put(ada, ada.userId, "google", accountId, secretInput(secret)))
            const failure = failures[i]!
            if (failure === "auth") yield* fake.acceptOnly("google", accountId, `${secret}-but-not-this`)
            if (failure === "down") yield* fake.failWith("google", accountId, new Unavailable({ message: "down" }))
            if (failure === "foreign") {
              // A ciphertext moved here from another account: it must not decrypt, and say nothing.
              const moved = yield* cipher.encrypt(Redacted.make(secret), { userId: ada.userId, platform: "google", accountId: "other" })
              yield* repo.put({ userId: ada.userId, platform: "google", accountId, secret: moved, status: undefined, at: T0 })
            }
          }
          yield* observe(credentials.list(ada, ada.userId, "google"))
          yield* observe(credentials.put(bob, ada.userId, "google", AccountId.make("acct-0"), secretInput(secrets[0]!)))
          yield* observe(campaigns.sync(ada, ada.userId, "google"))
          yield* observe(campaigns.list(ada, ada.userId, "google", {}))
          for (const value of seen) {
            const texts = [JSON.stringify(value) ?? "", String(value)]
            for (const secret of secrets) for (const text of texts) assert.notInclude(text, secret)
          }
        }),
      100
    ))
})
