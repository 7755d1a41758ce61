import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as fc from "fast-check"
import { Auth } from "../../src/Auth/Auth.js"
import { checkPasswordPolicy, validatePassword } from "../../src/Auth/PasswordPolicy.js"
import { ADA, authLayer, property, signupInput } from "./fixtures.js"

const messages = {
  minLength: "must be at least 8 characters",
  upperCase: "must contain an upper-case letter",
  lowerCase: "must contain a lower-case letter",
  digit: "must contain a digit"
} as const

/** The rules spelled out again, character by character, as the oracle. */
const unmet = (password: string): Array<string> => {
  const chars = Array.from(password)
  const out: Array<string> = []
  if (chars.length < 8) out.push(messages.minLength)
  if (!chars.some((c) => /^\p{Lu}$/u.test(c))) out.push(messages.upperCase)
  if (!chars.some((c) => /^\p{Ll}$/u.test(c))) out.push(messages.lowerCase)
  if (!chars.some((c) => /^\p{Nd}$/u.test(c))) out.push(messages.digit)
  return out
}

/** Strings dense in every class the rules look at, plus anything at all. */
const passwords = fc.oneof(
  fc.string({ maxLength: 14, unit: fc.constantFrom("a", "z", "B", "Q", "3", "0", "é", "Ω", "ß", "٣", "-", " ", "😀", "!") }),
  fc.string({ maxLength: 20, unit: "binary" }),
  fc.string({ maxLength: 20 })
)

describe("password policy", () => {
  it("accepts exactly the passwords that meet every rule, and lists exactly the unmet ones", () => {
    fc.assert(
      fc.property(passwords, (password) => {
        const errors = checkPasswordPolicy(password)
        assert.deepStrictEqual(errors.map((e) => e.message), unmet(password))
        for (const error of errors) assert.strictEqual(error.path, "password")
      }),
      { numRuns: 1000 }
    )
  })

  it("examples", () => {
    assert.deepStrictEqual(checkPasswordPolicy("Abcdefg1"), [])
    assert.deepStrictEqual(checkPasswordPolicy("").map((e) => e.message), Object.values(messages))
    assert.deepStrictEqual(checkPasswordPolicy("abcdefgh").map((e) => e.message), [messages.upperCase, messages.digit])
    assert.deepStrictEqual(checkPasswordPolicy("ABCDEFG1").map((e) => e.message), [messages.lowerCase])
    assert.deepStrictEqual(checkPasswordPolicy("Abcdef1").map((e) => e.message), [messages.minLength])
    // Eight code points, though more UTF-16 units.
    assert.deepStrictEqual(checkPasswordPolicy("Ab1😀😀😀😀😀"), [])
  })

  it.effect("validatePassword fails with one FieldError per unmet rule", () =>
    Effect.gen(function*() {
      const error = yield* validatePassword(Redacted.make("lower")).pipe(Effect.flip)
      assert.deepStrictEqual(error.errors.map((e) => [e.path, e.message]), [
        ["password", messages.minLength],
        ["password", messages.upperCase],
        ["password", messages.digit]
      ])
      yield* validatePassword(Redacted.make("Upper-lower-1"))
    }))

  it.effect("signup applies the policy: weak passwords are refused with exactly the unmet rules", () =>
    Effect.gen(function*() {
      const auth = yield* Auth
      yield* property(
        passwords.filter((p) => p.length <= 1024 && unmet(p).length > 0),
        (password) =>
          Effect.gen(function*() {
            const error = yield* auth.signup(signupInput({ ...ADA, password })).pipe(Effect.flip)
            assert.strictEqual(error._tag, "ValidationError")
            if (error._tag === "ValidationError") assert.deepStrictEqual(error.errors.map((e) => e.message), unmet(password))
          })
      )
    }).pipe(Effect.provide(authLayer())))
})
