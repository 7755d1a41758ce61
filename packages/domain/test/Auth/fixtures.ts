/**
 * Test wiring for the auth area: the real use cases on the in-memory stores, real (cheap) scrypt
 * and real jose tokens under fixed test secrets, plus a PasswordHasher decorator that records
 * every hash it is asked to verify against (the observation point for "unknown email costs a
 * verify too"), and helpers to run fast-check properties inside an Effect test.
 */
import { Context, Effect, Layer, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Auth, LoginInput, SignupInput } from "../../src/Auth/Auth.js"
import { AuthConfig, type AuthSettings } from "../../src/Auth/AuthConfig.js"
import { RefreshTokenStoreMemory } from "../../src/Auth/memory/index.js"
import { PasswordHasher } from "../../src/Auth/PasswordHasher.js"
import type { RefreshTokenStore } from "../../src/Auth/RefreshTokenStore.js"
import { SessionIssuer } from "../../src/Auth/SessionIssuer.js"
import { Ids } from "../../src/Ids.js"
import * as JoseAccessTokens from "../../src/node/JoseAccessTokens.js"
import * as ScryptPasswordHasher from "../../src/node/ScryptPasswordHasher.js"
import { Randomness } from "../../src/Randomness.js"
import { UserRepositoryMemory } from "../../src/Users/memory/index.js"
import type { UserRepository } from "../../src/Users/UserRepository.js"

export const START = 1_700_000_000_000

export class VerifyLog extends Context.Service<VerifyLog, { readonly hashes: Array<string> }>()("test/Auth/VerifyLog") {
  static readonly layer = Layer.sync(VerifyLog, () => VerifyLog.of({ hashes: [] }))
}

/** ScryptPasswordHasher.layerTest, recording the hash of every verify. */
const recordingHasher = Layer.effect(
  PasswordHasher,
  Effect.gen(function*() {
    const log = yield* VerifyLog
    const real = yield* ScryptPasswordHasher.make(ScryptPasswordHasher.testParams)
    return PasswordHasher.of({
      hash: real.hash,
      verify: (password, hash) => Effect.sync(() => log.hashes.push(hash)).pipe(Effect.andThen(real.verify(password, hash)))
    })
  })
).pipe(Layer.provideMerge(VerifyLog.layer))

/**
 * Everything Auth needs, fresh on every build; each port also stays reachable for assertions. The
 * two stores can be replaced (by decorators of the in-memory ones, to stage races).
 */
export const authLayer = (
  overrides: Partial<AuthSettings> = {},
  stores: {
    readonly users?: Layer.Layer<UserRepository>
    readonly refreshTokens?: Layer.Layer<RefreshTokenStore>
  } = {}
) =>
  Auth.layer.pipe(
    Layer.provideMerge(SessionIssuer.layer),
    Layer.provideMerge(
      Layer.mergeAll(
        JoseAccessTokens.layer,
        stores.refreshTokens ?? RefreshTokenStoreMemory.layer,
        stores.users ?? UserRepositoryMemory.layer,
        recordingHasher,
        Ids.layer
      )
    ),
    Layer.provideMerge(Layer.mergeAll(AuthConfig.layerTest(overrides), Randomness.layer))
  )

export const signupInput = Schema.decodeUnknownSync(SignupInput)
export const loginInput = Schema.decodeUnknownSync(LoginInput)

export const ADA = { email: "ada@example.com", password: "Correct-Horse-9", name: "Ada Lovelace" } as const

/** Signs Ada up at START. */
export const signupAda = Effect.gen(function*() {
  yield* TestClock.setTime(START)
  return yield* (yield* Auth).signup(signupInput(ADA))
})

export const redact = (value: string) => Redacted.make(value)

/**
 * Runs a fast-check property whose body is an Effect, inside the current Effect test: every run
 * shares the test's services (its TestClock, its stores).
 */
export const property = <A, R>(
  arbitrary: fc.Arbitrary<A>,
  body: (value: A) => Effect.Effect<unknown, unknown, R>,
  parameters: fc.Parameters<[A]> = {}
): Effect.Effect<void, never, R> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<R>()
    yield* Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(arbitrary, (value) => Effect.runPromise(Effect.provideContext(Effect.asVoid(body(value)), context))),
        { numRuns: 100, ...parameters }
      )
    )
  })
