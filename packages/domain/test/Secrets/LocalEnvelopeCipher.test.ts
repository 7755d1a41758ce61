import { createCipheriv, createDecipheriv } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Option, Redacted } from "effect"
import * as fc from "fast-check"
import {
  canonicalContext,
  layer,
  layerTest,
  make,
  TEST_KEY_ID,
  testMasterKey
} from "../../src/node/LocalEnvelopeCipher.js"
import { EncryptedSecret, SecretCipher } from "../../src/Secrets/SecretCipher.js"

const context = { userId: "u-1", platform: "google", accountId: "acc-1" }
const aad = (ctx: Record<string, string>) => Buffer.from(canonicalContext(ctx), "utf8")

/** Unwraps the data key of `secret` with the public test key, as only the holder of the master key can. */
const unwrap = (secret: EncryptedSecret, ctx: Record<string, string>): Buffer => {
  const wrapped = Buffer.from(secret.encryptedDataKey, "base64")
  const decipher = createDecipheriv("aes-256-gcm", testMasterKey(), wrapped.subarray(0, 12), { authTagLength: 16 })
  decipher.setAAD(aad(ctx))
  decipher.setAuthTag(wrapped.subarray(44))
  return Buffer.concat([decipher.update(wrapped.subarray(12, 44)), decipher.final()])
}

const wrap = (dataKey: Buffer, ctx: Record<string, string>): string => {
  const nonce = Buffer.alloc(12, 7)
  const cipher = createCipheriv("aes-256-gcm", testMasterKey(), nonce, { authTagLength: 16 })
  cipher.setAAD(aad(ctx))
  return Buffer.concat([nonce, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]).toString("base64")
}

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E =>
  Option.getOrThrowWith(Exit.findErrorOption(exit), () => new Error(`expected a failure, got ${String(exit)}`))

describe("LocalEnvelopeCipher", () => {
  it("canonicalContext sorts keys by code unit, integer-like keys included, and escapes as JSON", () => {
    assert.strictEqual(canonicalContext({ b: "2", a: "1", "10": "x", "9": "y" }), `{"10":"x","9":"y","a":"1","b":"2"}`)
    assert.strictEqual(canonicalContext({}), "{}")
    assert.strictEqual(canonicalContext({ "a\"b": "c\n" }), `{"a\\"b":"c\\n"}`)
    const sortedEntries = (ctx: object) => Object.entries(ctx).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (ctx) => {
        const text = canonicalContext(ctx)
        // Independent of key order, and JSON of exactly the context's entries.
        assert.strictEqual(canonicalContext(Object.fromEntries(Object.entries(ctx).reverse())), text)
        assert.deepStrictEqual(sortedEntries(JSON.parse(text)), sortedEntries(ctx))
      }),
      { numRuns: 200 }
    )
  })

  it.effect("stores the documented layout: 12-byte iv, 60-byte wrapped key, ciphertext + 16-byte tag", () =>
    Effect.gen(function*() {
      const cipher = yield* SecretCipher
      const secret = yield* cipher.encrypt(Redacted.make("hello"), context)
      assert.strictEqual(secret.keyId, TEST_KEY_ID)
      assert.strictEqual(secret.algorithm, "AES-256-GCM")
      assert.strictEqual(Buffer.from(secret.iv, "base64").length, 12)
      assert.strictEqual(Buffer.from(secret.encryptedDataKey, "base64").length, 60)
      assert.strictEqual(Buffer.from(secret.ciphertext, "base64").length, 5 + 16)
    }).pipe(Effect.provide(layerTest)))

  it.effect("the payload layer itself is bound to the context (a re-wrapped data key does not help)", () =>
    Effect.gen(function*() {
      const cipher = yield* SecretCipher
      const secret = yield* cipher.encrypt(Redacted.make("pw-payload-bound"), context)
      const dataKey = unwrap(secret, context)
      assert.strictEqual(dataKey.length, 32)
      const other = { ...context, accountId: "acc-2" }
      // Someone holding the master key re-wraps the data key for another account: the payload still refuses.
      const forged = new EncryptedSecret({ ...secret, encryptedDataKey: wrap(dataKey, other) })
      const error = failureOf(yield* Effect.exit(cipher.decrypt(forged, other)))
      assert.strictEqual(error.reason._tag, "IntegrityFailure")
      // The same re-wrap under the original context decrypts: the forgery tool itself is sound.
      const rewrapped = new EncryptedSecret({ ...secret, encryptedDataKey: wrap(dataKey, context) })
      assert.strictEqual(Redacted.value(yield* cipher.decrypt(rewrapped, context)), "pw-payload-bound")
    }).pipe(Effect.provide(layerTest)))

  it.effect("the key layer is bound to the context (the wrapped key does not open under another context)", () =>
    Effect.gen(function*() {
      const cipher = yield* SecretCipher
      const secret = yield* cipher.encrypt(Redacted.make("pw"), context)
      assert.throws(() => unwrap(secret, { ...context, userId: "u-2" }))
    }).pipe(Effect.provide(layerTest)))

  it.effect("another master key does not decrypt; another keyId is reported as Unexpected", () =>
    Effect.gen(function*() {
      const mine = yield* SecretCipher
      const secret = yield* mine.encrypt(Redacted.make("pw-k"), context)
      const otherKey = yield* make({ keyId: TEST_KEY_ID, masterKey: Redacted.make(new Uint8Array(32).fill(9)) })
      assert.strictEqual(failureOf(yield* Effect.exit(otherKey.decrypt(secret, context))).reason._tag, "IntegrityFailure")
      const otherId = new EncryptedSecret({ ...secret, keyId: "retired-key" })
      const error = failureOf(yield* Effect.exit(mine.decrypt(otherId, context)))
      assert.strictEqual(error.reason._tag, "Unexpected")
      assert.include(error.reason.message, "retired-key")
    }).pipe(Effect.provide(layerTest)))

  it.effect("non-canonical base64 is an IntegrityFailure", () =>
    Effect.gen(function*() {
      const cipher = yield* SecretCipher
      const secret = yield* cipher.encrypt(Redacted.make("pw"), context)
      for (const iv of [secret.iv + "=", secret.iv.slice(1), `!${secret.iv.slice(1)}`, ` ${secret.iv}`]) {
        const error = failureOf(yield* Effect.exit(cipher.decrypt(new EncryptedSecret({ ...secret, iv }), context)))
        assert.strictEqual(error.reason._tag, "IntegrityFailure")
      }
    }).pipe(Effect.provide(layerTest)))

  it.effect("error messages never contain the master key", () =>
    Effect.gen(function*() {
      const cipher = yield* SecretCipher
      const secret = yield* cipher.encrypt(Redacted.make("pw"), context)
      const error = failureOf(yield* Effect.exit(cipher.decrypt(secret, {})))
      const key = Buffer.from(testMasterKey())
      for (const text of [String(error), JSON.stringify(error)]) {
        assert.notInclude(text, key.toString("base64"))
        assert.notInclude(text, key.toString("hex"))
      }
    }).pipe(Effect.provide(layerTest)))

  it.effect("make refuses a master key that is not 32 bytes", () =>
    Effect.gen(function*() {
      for (const length of [0, 16, 31, 33]) {
        const exit = yield* Effect.exit(make({ keyId: "k", masterKey: Redacted.make(new Uint8Array(length)) }))
        assert.strictEqual(failureOf(exit).reason._tag, "Unexpected")
      }
    }))

  it.effect("layer reads SECRETS_MASTER_KEY (base64) and SECRETS_MASTER_KEY_ID from configuration", () =>
    Effect.gen(function*() {
      const key = Buffer.from(testMasterKey()).toString("base64")
      const configured = layer.pipe(
        Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ SECRETS_MASTER_KEY: key, SECRETS_MASTER_KEY_ID: "k-2026" })))
      )
      const secret = yield* SecretCipher.use((c) => c.encrypt(Redacted.make("pw-config"), context)).pipe(
        Effect.provide(configured)
      )
      assert.strictEqual(secret.keyId, "k-2026")
      // The same key under the test layer's id: only the keyId differs, the wrapped key opens.
      assert.strictEqual(unwrap(secret, context).length, 32)

      const defaulted = layer.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ SECRETS_MASTER_KEY: key }))))
      const s2 = yield* SecretCipher.use((c) => c.encrypt(Redacted.make("x"), {})).pipe(Effect.provide(defaulted))
      assert.strictEqual(s2.keyId, "local-1")

      for (const bad of [{}, { SECRETS_MASTER_KEY: "c2hvcnQ=" }, { SECRETS_MASTER_KEY: "not base64!" }]) {
        const broken = layer.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(bad))))
        const exit = yield* Effect.exit(SecretCipher.use((c) => c.encrypt(Redacted.make("x"), {})).pipe(Effect.provide(broken)))
        assert.isTrue(Exit.isFailure(exit))
        assert.notInclude(String(exit), key)
      }
    }))
})
