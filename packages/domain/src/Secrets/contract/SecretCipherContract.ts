/**
 * What every SecretCipher adapter must do, run unchanged against the local envelope cipher now and
 * the KMS adapter later: decrypt gives back exactly what was encrypted (any well-formed string:
 * empty, any Unicode, 10 KB) under the same context; encryption is randomised; a changed byte in
 * any stored field, or any changed, added or removed context entry, fails with reason
 * IntegrityFailure and never decrypts to anything; no such error reveals the plaintext.
 * Base64 is handled with atob/btoa so the suite needs nothing of node.
 */
import { assert, describe, layer as layerTest } from "@effect/vitest"
import { Effect, Exit, type Layer, Option, Redacted } from "effect"
import * as fc from "fast-check"
import { EncryptedSecret, SecretCipher, SecretCipherError } from "../SecretCipher.js"

export interface SuiteOptions {
  /** Runs per property (default 100); lower it for adapters that call a remote service. */
  readonly numRuns?: number
}

const decode64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

const encode64 = (bytes: Uint8Array): string => {
  let binary = ""
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

/** `field` of `secret` with the byte at `index` (modulo its length) xor-ed with a non-zero `mask`. */
export const flipByte = (
  secret: EncryptedSecret,
  field: "ciphertext" | "iv" | "encryptedDataKey",
  index: number,
  mask: number
): EncryptedSecret => {
  const bytes = decode64(secret[field])
  const at = index % bytes.length
  bytes[at] = bytes[at]! ^ (mask & 0xff || 1)
  return new EncryptedSecret({ ...secret, [field]: encode64(bytes) })
}

const contextKey = fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 16 })
const contextValue = fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 24 })

/** Non-empty contexts like the real one (userId, platform, accountId), plus arbitrary extra keys. */
const contextArb: fc.Arbitrary<Record<string, string>> = fc
  .uniqueArray(fc.tuple(contextKey, contextValue), { selector: ([k]) => k, minLength: 1, maxLength: 5 })
  .map((entries) => Object.fromEntries(entries))

const plaintextArb = fc.oneof(
  fc.constant(""),
  fc.string({ unit: "grapheme-ascii", maxLength: 64 }),
  fc.string({ unit: "grapheme", maxLength: 64 }),
  fc.string({ unit: "binary", maxLength: 256 }),
  fc.json()
)

/** A marker no error text could contain by accident. */
const markedPlaintextArb = fc.string({ unit: "grapheme", minLength: 4, maxLength: 64 }).map((s) => `pw-7f3a-${s}`)

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

/** The failure of `effect`, asserted to be a SecretCipherError with reason IntegrityFailure. */
const integrityFailure = (effect: Effect.Effect<unknown, SecretCipherError>): Effect.Effect<SecretCipherError> =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) throw new Error("a tampered secret decrypted")
    const error = Option.getOrThrowWith(Exit.findErrorOption(exit), () => new Error(`expected a failure, got ${String(exit.cause)}`))
    assert.instanceOf(error, SecretCipherError)
    assert.strictEqual(error.reason._tag, "IntegrityFailure")
    return error
  })

/** `check` holds on the suite's cipher for `numRuns` values of `arbitrary`. */
const holds = <T>(
  arbitrary: fc.Arbitrary<T>,
  check: (cipher: SecretCipher["Service"], value: T) => Promise<void>,
  numRuns: number
) =>
  SecretCipher.use((cipher) =>
    Effect.promise(() => fc.assert(fc.asyncProperty(arbitrary, (value) => check(cipher, value)), { numRuns }))
  )

const assertRevealsNothing = (error: SecretCipherError, plaintext: string) => {
  for (const text of [error.reason.message, String(error), JSON.stringify(error)]) {
    assert.isFalse(text.includes(plaintext), "the error reveals the plaintext")
  }
}

export const suite = (name: string, layer: Layer.Layer<SecretCipher, unknown>, options: SuiteOptions = {}) => {
  const numRuns = options.numRuns ?? 100
  const plaintextAndContext = fc.record({ plaintext: plaintextArb, context: contextArb })

  describe(`SecretCipher contract: ${name}`, () => {
    layerTest(layer)((it) => {
      it.effect("round trip of any string under its context", () =>
        holds(plaintextAndContext, async (cipher, { context, plaintext }) => {
          const secret = await run(cipher.encrypt(Redacted.make(plaintext), context))
          assert.strictEqual(secret.algorithm, "AES-256-GCM")
          assert.strictEqual(Redacted.value(await run(cipher.decrypt(secret, context))), plaintext)
        }, numRuns))

      it.effect("round trip of the edge cases: empty, Unicode, 10 KB, empty context", () =>
        Effect.gen(function*() {
          const cipher = yield* SecretCipher
          const context = { userId: "u-1", platform: "google", accountId: "acc-1" }
          const samples = [
            "",
            "비밀번호 🔑 \u{1F431}\u0061\u0300 \uFEFFbom",
            "\uFEFF",
            "x".repeat(10 * 1024),
            "é🙂한".repeat(1024),
            JSON.stringify({ clientId: "abc", clientSecret: "s3cr3t", refreshToken: "r".repeat(500) })
          ]
          for (const plaintext of samples) {
            const secret = yield* cipher.encrypt(Redacted.make(plaintext), context)
            assert.strictEqual(Redacted.value(yield* cipher.decrypt(secret, context)), plaintext)
          }
          const secret = yield* cipher.encrypt(Redacted.make("no context"), {})
          assert.strictEqual(Redacted.value(yield* cipher.decrypt(secret, {})), "no context")
        }))

      it.effect("the decrypted value is redacted when printed", () =>
        Effect.gen(function*() {
          const cipher = yield* SecretCipher
          const secret = yield* cipher.encrypt(Redacted.make("pw-visible-if-leaked"), { a: "1" })
          const back = yield* cipher.decrypt(secret, { a: "1" })
          assert.isFalse(String(back).includes("pw-visible-if-leaked"))
          assert.isFalse(JSON.stringify(back)?.includes("pw-visible-if-leaked") ?? false)
        }))

      it.effect("the context's key order does not matter", () =>
        holds(plaintextAndContext, async (cipher, { context, plaintext }) => {
          const secret = await run(cipher.encrypt(Redacted.make(plaintext), context))
          const reversed = Object.fromEntries(Object.entries(context).reverse())
          assert.strictEqual(Redacted.value(await run(cipher.decrypt(secret, reversed))), plaintext)
        }, Math.max(10, Math.floor(numRuns / 4))))

      it.effect("two encryptions of one plaintext differ", () =>
        holds(plaintextAndContext, async (cipher, { context, plaintext }) => {
          const a = await run(cipher.encrypt(Redacted.make(plaintext), context))
          const b = await run(cipher.encrypt(Redacted.make(plaintext), context))
          assert.notStrictEqual(a.ciphertext, b.ciphertext)
          assert.notStrictEqual(a.encryptedDataKey, b.encryptedDataKey)
        }, numRuns))

      it.effect("any changed byte of ciphertext, iv or encryptedDataKey fails with IntegrityFailure, revealing nothing", () =>
        holds(
          fc.record({
            plaintext: markedPlaintextArb,
            context: contextArb,
            field: fc.constantFrom("ciphertext" as const, "iv" as const, "encryptedDataKey" as const),
            index: fc.nat(),
            mask: fc.integer({ min: 1, max: 255 })
          }),
          async (cipher, { context, field, index, mask, plaintext }) => {
            const secret = await run(cipher.encrypt(Redacted.make(plaintext), context))
            const error = await run(integrityFailure(cipher.decrypt(flipByte(secret, field, index, mask), context)))
            assertRevealsNothing(error, plaintext)
          },
          numRuns
        ))

      it.effect("every byte position of every field is authenticated (exhaustive on one secret)", () =>
        Effect.gen(function*() {
          const cipher = yield* SecretCipher
          const context = { userId: "u-1", platform: "meta", accountId: "acc-9" }
          const secret = yield* cipher.encrypt(Redacted.make("pw-short"), context)
          for (const field of ["ciphertext", "iv", "encryptedDataKey"] as const) {
            const length = decode64(secret[field]).length
            for (let index = 0; index < length; index++) {
              yield* integrityFailure(cipher.decrypt(flipByte(secret, field, index, 0x80), context))
            }
          }
        }))

      it.effect("truncated, extended or swapped fields fail with IntegrityFailure", () =>
        Effect.gen(function*() {
          const cipher = yield* SecretCipher
          const context = { userId: "u-1" }
          const secret = yield* cipher.encrypt(Redacted.make("pw-truncate-me"), context)
          for (const field of ["ciphertext", "iv", "encryptedDataKey"] as const) {
            const bytes = decode64(secret[field])
            for (const changed of [bytes.subarray(0, bytes.length - 1), Uint8Array.from([...bytes, 0]), new Uint8Array(0)]) {
              yield* integrityFailure(cipher.decrypt(new EncryptedSecret({ ...secret, [field]: encode64(changed) }), context))
            }
          }
          const swapped = yield* cipher.encrypt(Redacted.make("pw-other"), context)
          for (const field of ["ciphertext", "encryptedDataKey"] as const) {
            yield* integrityFailure(cipher.decrypt(new EncryptedSecret({ ...secret, [field]: swapped[field] }), context))
          }
        }))

      it.effect("any changed, added or removed context entry fails with IntegrityFailure, revealing nothing", () => {
        const edit = fc.oneof(
          fc.record({ kind: fc.constant("change" as const), pick: fc.nat(), value: contextValue }),
          fc.record({ kind: fc.constant("add" as const), key: contextKey, value: fc.string({ maxLength: 24 }) }),
          fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() })
        )
        return holds(
          fc.record({ plaintext: markedPlaintextArb, context: contextArb, edit }),
          async (cipher, { context, edit, plaintext }) => {
            const keys = Object.keys(context)
            const other: Record<string, string> = { ...context }
            if (edit.kind === "change") {
              const key = keys[edit.pick % keys.length]!
              fc.pre(other[key] !== edit.value)
              other[key] = edit.value
            } else if (edit.kind === "add") {
              fc.pre(!Object.hasOwn(other, edit.key))
              other[edit.key] = edit.value
            } else {
              delete other[keys[edit.pick % keys.length]!]
            }
            const secret = await run(cipher.encrypt(Redacted.make(plaintext), context))
            assertRevealsNothing(await run(integrityFailure(cipher.decrypt(secret, other))), plaintext)
          },
          numRuns
        )
      })

      it.effect("a secret of another user's account does not decrypt under this account's context", () =>
        Effect.gen(function*() {
          const cipher = yield* SecretCipher
          const mine = { userId: "user-a", platform: "google", accountId: "acc-1" }
          const secret = yield* cipher.encrypt(Redacted.make("pw-account-bound"), mine)
          for (const other of [
            { ...mine, userId: "user-b" },
            { ...mine, platform: "meta" },
            { ...mine, accountId: "acc-2" },
            { userId: "user-a", platform: "google" },
            { ...mine, extra: "x" },
            {}
          ]) {
            assertRevealsNothing(yield* integrityFailure(cipher.decrypt(secret, other)), "pw-account-bound")
          }
        }))
    })
  })
}
