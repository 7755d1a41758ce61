import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as fc from "fast-check"
import { PasswordHasher } from "../../src/Auth/PasswordHasher.js"
import * as ScryptPasswordHasher from "../../src/node/ScryptPasswordHasher.js"
import { Randomness } from "../../src/Randomness.js"
import { property } from "./fixtures.js"

const testLayer = ScryptPasswordHasher.layerTest.pipe(Layer.provide(Randomness.layer))
const owaspLayer = ScryptPasswordHasher.layer.pipe(Layer.provide(Randomness.layer))
const pw = (value: string) => Redacted.make(value)

/** RFC 7914 §12: scrypt("pleaseletmein", "SodiumChloride", N = 16384, r = 8, p = 1, dkLen = 64). */
const rfcKeyHex =
  "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"
const rfcHash = ScryptPasswordHasher.formatHash(
  { ln: 14, r: 8, p: 1 },
  new TextEncoder().encode("SodiumChloride"),
  Uint8Array.from(rfcKeyHex.match(/../g)!, (h) => parseInt(h, 16))
)

describe("ScryptPasswordHasher", () => {
  it.effect("hashes at the OWASP parameters in the self-describing format, and verifies", () =>
    Effect.gen(function*() {
      const hasher = yield* PasswordHasher
      const hash = yield* hasher.hash(pw("Correct-Horse-9"))
      assert.match(hash, /^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
      const parsed = ScryptPasswordHasher.parseHash(hash)!
      assert.strictEqual(parsed.salt.length, 16)
      assert.strictEqual(parsed.key.length, 32)
      assert.isTrue(yield* hasher.verify(pw("Correct-Horse-9"), hash))
      assert.isFalse(yield* hasher.verify(pw("Correct-Horse-8"), hash))
    }).pipe(Effect.provide(owaspLayer)), 30_000)

  it("sets maxmem to what N = 2^17, r = 8 needs (above node's 32 MiB default)", () => {
    const maxmem = ScryptPasswordHasher.maxmemFor(ScryptPasswordHasher.owaspParams)
    assert.isAbove(maxmem, 128 * 2 ** 17 * 8)
    assert.isBelow(maxmem, 129 * 2 ** 17 * 8)
  })

  it.effect("verifies the RFC 7914 test vector: parameters are read from the hash, not the configuration", () =>
    Effect.gen(function*() {
      const hasher = yield* PasswordHasher
      assert.isTrue(yield* hasher.verify(pw("pleaseletmein"), rfcHash))
      assert.isFalse(yield* hasher.verify(pw("pleaseletmeiN"), rfcHash))
    }).pipe(Effect.provide(testLayer)))

  it.effect("a hash made at low cost verifies under the OWASP hasher and vice versa", () =>
    Effect.gen(function*() {
      const cheap = yield* Effect.provide(PasswordHasher.use((h) => h.hash(pw("Correct-Horse-9"))), testLayer)
      assert.match(cheap, /^\$scrypt\$ln=10,r=8,p=1\$/)
      assert.isTrue(yield* Effect.provide(PasswordHasher.use((h) => h.verify(pw("Correct-Horse-9"), cheap)), owaspLayer))
    }))

  it.effect("salts: one password hashes differently every time", () =>
    Effect.gen(function*() {
      const hasher = yield* PasswordHasher
      const hashes = yield* Effect.forEach([1, 2, 3], () => hasher.hash(pw("same password")))
      assert.strictEqual(new Set(hashes).size, 3)
      for (const hash of hashes) assert.isTrue(yield* hasher.verify(pw("same password"), hash))
    }).pipe(Effect.provide(testLayer)))

  it.effect("compares in Unicode normal form C", () =>
    Effect.gen(function*() {
      const hasher = yield* PasswordHasher
      const hash = yield* hasher.hash(pw("Caf\u00e9-Latte-1"))
      assert.isTrue(yield* hasher.verify(pw("Cafe\u0301-Latte-1"), hash))
    }).pipe(Effect.provide(testLayer)))

  it.effect("an unreadable or absurd hash never verifies and never crashes", () =>
    Effect.gen(function*() {
      const hasher = yield* PasswordHasher
      const valid = yield* hasher.hash(pw("Correct-Horse-9"))
      const [, , , salt, key] = valid.split("$")
      for (const hash of [
        "",
        "plaintext",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA",
        `$scrypt$ln=30,r=8,p=1$${salt}$${key}`,
        `$scrypt$ln=10,r=99,p=1$${salt}$${key}`,
        `$scrypt$ln=10,r=8,p=1$c2FsdA$${key}`,
        `$scrypt$ln=10,r=8,p=1$${salt}$a2V5`,
        `$scrypt$ln=10,r=8,p=1$${salt}`
      ]) {
        assert.isFalse(yield* hasher.verify(pw("Correct-Horse-9"), hash), hash)
      }
    }).pipe(Effect.provide(testLayer)))

  it.effect("property: every password verifies against its own hash and no other password does", () =>
    Effect.gen(function*() {
      const hasher = yield* PasswordHasher
      yield* property(
        fc.tuple(fc.string({ maxLength: 64, unit: "binary" }), fc.string({ maxLength: 64, unit: "binary" })),
        ([password, other]) =>
          Effect.gen(function*() {
            const hash = yield* hasher.hash(pw(password))
            assert.notInclude(hash, password.length > 3 ? password : "\u0000never")
            assert.isTrue(yield* hasher.verify(pw(password), hash))
            // scrypt keys HMAC-SHA256 with the password, and HMAC zero-pads keys shorter than its
            // block: "pw" and "pw\u0000" derive the same key. Such pairs are not distinct passwords here.
            const key = (s: string) => s.normalize("NFC").replace(/\u0000+$/, "")
            if (key(other) !== key(password)) assert.isFalse(yield* hasher.verify(pw(other), hash))
          })
      )
    }).pipe(Effect.provide(testLayer)), 30_000)
})
