/**
 * Properties of accounts and credentials: email normalisation makes every spelling of a registered
 * address the same account, login cannot tell an unknown email from a wrong password, and no
 * secret (password, refresh or access token) ever appears in an error.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Auth, LoginInput, RefreshInput, SignupInput } from "../../src/Auth/Auth.js"
import { SECOND } from "../../src/Millis.js"
import { decodeInput } from "../../src/Validation.js"
import { ADA, authLayer, loginInput, property, redact, signupAda, signupInput } from "./fixtures.js"

/** Any spelling of an address: each letter in either case, whitespace around it. */
const spellingOf = (email: string) =>
  fc.tuple(
    fc.array(fc.boolean(), { minLength: email.length, maxLength: email.length }),
    fc.string({ unit: fc.constantFrom(" ", "\t", "\n"), maxLength: 3 }),
    fc.string({ unit: fc.constantFrom(" ", "\t", "\n"), maxLength: 3 })
  ).map(([upper, before, after]) =>
    before + Array.from(email, (c, i) => (upper[i] ? c.toUpperCase() : c)).join("") + after
  )

/** Everything an error shows: its JSON, its message, its printed form and the printed cause. */
const visible = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit)
    ? ""
    : [Cause.pretty(exit.cause), JSON.stringify(exit.cause), String(Cause.squash(exit.cause)), (Cause.squash(exit.cause) as Error).message]
      .join("\n")

describe("credentials", () => {
  it.effect("any case/whitespace spelling of a registered email is taken, and logs in", () =>
    Effect.gen(function*() {
      const { user } = yield* signupAda
      const auth = yield* Auth
      yield* property(spellingOf(ADA.email), (spelling) =>
        Effect.gen(function*() {
          const error = yield* auth.signup(signupInput({ ...ADA, email: spelling })).pipe(Effect.flip)
          assert.strictEqual(error._tag, "Conflict")
          assert.strictEqual("code" in error ? error.code : "", "EmailTaken")
          const session = yield* auth.login(loginInput({ email: spelling, password: ADA.password }))
          assert.strictEqual(session.user.userId, user.userId)
        }), { numRuns: 50 })
    }).pipe(Effect.provide(authLayer())), 60_000)

  it.effect("login answers an unknown email exactly as a wrong password", () =>
    Effect.gen(function*() {
      yield* signupAda
      const auth = yield* Auth
      const reference = JSON.stringify(
        yield* auth.login(loginInput({ email: ADA.email, password: "Wrong-Horse-1" })).pipe(Effect.flip)
      )
      yield* property(
        fc.tuple(
          fc.oneof(fc.constant(ADA.email), fc.emailAddress()),
          fc.string({ maxLength: 40 })
        ).filter(([email, password]) => !(email.toLowerCase() === ADA.email && password === ADA.password)),
        ([email, password]) =>
          Effect.gen(function*() {
            const error = yield* auth.login(loginInput({ email, password })).pipe(Effect.flip)
            assert.strictEqual(JSON.stringify(error), reference)
          }),
        { numRuns: 50 }
      )
    }).pipe(Effect.provide(authLayer())), 60_000)

  it.effect("no password or token appears in any error", () =>
    Effect.gen(function*() {
      const { tokens } = yield* signupAda
      const auth = yield* Auth
      yield* property(
        fc.string({ minLength: 1, maxLength: 30, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz") }).map((s) => `zq${s}`),
        (secret) =>
          Effect.gen(function*() {
            const strong = `${secret}-X9`
            const exits: Array<Exit.Exit<unknown, unknown>> = [
              // Weak passwords (every rule message), a taken email, wrong credentials.
              yield* Effect.exit(auth.signup(signupInput({ ...ADA, email: `${secret}@example.com`, password: secret }))),
              yield* Effect.exit(auth.signup(signupInput({ ...ADA, password: strong }))),
              yield* Effect.exit(auth.login(loginInput({ email: ADA.email, password: strong }))),
              yield* Effect.exit(auth.login(loginInput({ email: `${secret}@example.com`, password: strong }))),
              // Unknown refresh and access tokens.
              yield* Effect.exit(auth.refresh(redact(secret))),
              yield* Effect.exit(auth.verify(`${secret}.${secret}.${secret}`)),
              // Bad input: a too-long password, a non-string password, a bad email next to a password.
              yield* Effect.exit(decodeInput(SignupInput)({ ...ADA, password: secret.repeat(1 + Math.ceil(1025 / secret.length)) })),
              yield* Effect.exit(decodeInput(SignupInput)({ email: "not-an-email", password: strong, name: "" })),
              yield* Effect.exit(decodeInput(RefreshInput)({ refreshToken: "" })),
              yield* Effect.exit(Schema.decodeUnknownEffect(LoginInput)({ email: 42, password: strong }))
            ]
            for (const exit of exits) {
              assert.isTrue(Exit.isFailure(exit))
              const shown = visible(exit)
              assert.notInclude(shown, secret)
            }
          }),
        { numRuns: 25 }
      )
      // A reused refresh token (after the grace window) and a revoked one.
      const child = yield* auth.refresh(redact(tokens.refreshToken))
      yield* TestClock.adjust(11 * SECOND)
      for (const token of [tokens.refreshToken, child.refreshToken]) {
        const shown = visible(yield* Effect.exit(auth.refresh(redact(token))))
        assert.include(shown, "Unauthenticated")
        assert.notInclude(shown, token)
        assert.notInclude(shown, child.accessToken)
      }
      // Decoded inputs print their secrets redacted.
      const input = signupInput(ADA)
      assert.notInclude(String(input.password), ADA.password)
      assert.notInclude(JSON.stringify(input), ADA.password)
    }).pipe(Effect.provide(authLayer())), 60_000)
})
