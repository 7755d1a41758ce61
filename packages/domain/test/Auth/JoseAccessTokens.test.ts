import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from "jose"
import { Actor } from "../../src/Actor.js"
import { AccessTokens } from "../../src/Auth/AccessTokens.js"
import { AuthConfig } from "../../src/Auth/AuthConfig.js"
import { HOUR, SECOND } from "../../src/Millis.js"
import * as JoseAccessTokens from "../../src/node/JoseAccessTokens.js"
import { property, START } from "./fixtures.js"

const settings = { issuer: "https://auth.test", audience: "app-test" }
const secret = "test-access-token-secret-0123456789abcdef"
const tokensLayer = JoseAccessTokens.layer.pipe(Layer.provideMerge(AuthConfig.layerTest()))

const ada = new Actor(Schema.decodeUnknownSync(Actor)({ userId: "01HZZZADA", email: "ada@example.com" }))

const issueAda = Effect.gen(function*() {
  yield* TestClock.setTime(START)
  return (yield* (yield* AccessTokens).issue(ada)).token
})

const b64url = (value: string | Uint8Array) => Buffer.from(value).toString("base64url")
const base64urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
const nowSeconds = Math.floor(START / 1000)
const claims = { sub: ada.userId, email: ada.email, iss: settings.issuer, aud: settings.audience, iat: nowSeconds, exp: nowSeconds + 3600 }

/** A token signed by jose directly: another key, another algorithm, other claims. */
const signWith = (options: { alg?: string; key?: Parameters<SignJWT["sign"]>[0]; claims?: Record<string, unknown>; typ?: string }) =>
  Effect.promise(() =>
    new SignJWT(options.claims ?? claims)
      .setProtectedHeader({ alg: options.alg ?? "HS256", typ: options.typ ?? "JWT" })
      .sign(options.key ?? new TextEncoder().encode(secret))
  )

const rejects = (token: string) =>
  Effect.gen(function*() {
    const error = yield* (yield* AccessTokens).verify(token).pipe(Effect.flip)
    assert.strictEqual(error._tag, "Unauthenticated")
    return error._tag === "Unauthenticated" ? error.code : error._tag
  })

describe("JoseAccessTokens", () => {
  it.effect("round trip: verify answers the actor the token was issued for", () =>
    Effect.gen(function*() {
      const token = yield* issueAda
      const actor = yield* (yield* AccessTokens).verify(token)
      assert.deepStrictEqual({ ...actor }, { ...ada })
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("carries sub, email, iat, exp = iat + 1 h, iss and aud, in an HS256 JWT", () =>
    Effect.gen(function*() {
      const issued = yield* (yield* AccessTokens).issue(ada)
      assert.strictEqual(issued.expiresIn, 3600)
      const header = decodeProtectedHeader(issued.token)
      assert.deepStrictEqual(header, { alg: "HS256", typ: "JWT" })
      const payload = decodeJwt(issued.token)
      assert.deepStrictEqual(payload, { ...claims, iat: 0, exp: 3600 })
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("accepts a token signed the same way by someone holding the secret (interoperability)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(START)
      const actor = yield* (yield* AccessTokens).verify(yield* signWith({}))
      assert.strictEqual(actor.userId, ada.userId)
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("expires after exactly one hour (TestClock)", () =>
    Effect.gen(function*() {
      const token = yield* issueAda
      const tokens = yield* AccessTokens
      yield* TestClock.adjust(HOUR - SECOND)
      yield* tokens.verify(token)
      yield* TestClock.adjust(SECOND)
      assert.strictEqual(yield* rejects(token), "TokenExpired")
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("rejects any changed character of header, payload or signature", () =>
    Effect.gen(function*() {
      const token = yield* issueAda
      const positions = Array.from(token).flatMap((ch, i) => (ch === "." ? [] : [i]))
      yield* property(
        fc.tuple(fc.constantFrom(...positions), fc.constantFrom(...base64urlAlphabet)).filter(([i, ch]) => token[i] !== ch),
        ([i, ch]) =>
          Effect.gen(function*() {
            const tampered = token.slice(0, i) + ch + token.slice(i + 1)
            assert.strictEqual(yield* rejects(tampered), "InvalidToken")
          }),
        { numRuns: 300 }
      )
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("rejects every character position changed once, exhaustively", () =>
    Effect.gen(function*() {
      const token = yield* issueAda
      for (let i = 0; i < token.length; i++) {
        if (token[i] === ".") continue
        const ch = token[i] === "A" ? "B" : "A"
        assert.strictEqual(yield* rejects(token.slice(0, i) + ch + token.slice(i + 1)), "InvalidToken", `position ${i}`)
      }
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("rejects a signature whose unused trailing bits changed, though it decodes to the same bytes", () =>
    Effect.gen(function*() {
      const token = yield* issueAda
      // 32 signature bytes take 43 characters: the last one carries 4 bits and 2 unused ones.
      const tampered = token.slice(0, -1) + base64urlAlphabet[base64urlAlphabet.indexOf(token.at(-1)!) ^ 1]
      assert.notStrictEqual(tampered, token)
      assert.deepStrictEqual(Buffer.from(tampered.split(".")[2]!, "base64url"), Buffer.from(token.split(".")[2]!, "base64url"))
      assert.strictEqual(yield* rejects(tampered), "InvalidToken")
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("rejects alg none, with or without a signature", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(START)
      const unsigned = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}.`
      assert.strictEqual(yield* rejects(unsigned), "InvalidToken")
      const signed = yield* issueAda
      const withSignature = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${signed.split(".")[1]}.${signed.split(".")[2]}`
      assert.strictEqual(yield* rejects(withSignature), "InvalidToken")
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("rejects other algorithms and other keys", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(START)
      assert.strictEqual(yield* rejects(yield* signWith({ alg: "HS512" })), "InvalidToken")
      assert.strictEqual(yield* rejects(yield* signWith({ alg: "HS384" })), "InvalidToken")
      assert.strictEqual(yield* rejects(yield* signWith({ key: new TextEncoder().encode("another-secret-of-enough-length-0123456789") })), "InvalidToken")
      const rsa = yield* Effect.promise(() => generateKeyPair("RS256"))
      assert.strictEqual(yield* rejects(yield* signWith({ alg: "RS256", key: rsa.privateKey })), "InvalidToken")
      // The HS256-with-public-key confusion: an RSA public key used as the HMAC secret.
      const jwk = yield* Effect.promise(() => exportJWK(rsa.publicKey))
      assert.strictEqual(yield* rejects(yield* signWith({ key: new TextEncoder().encode(JSON.stringify(jwk)) })), "InvalidToken")
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("rejects a wrong issuer or audience, missing claims, and a token issued in the future", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(START)
      assert.strictEqual(yield* rejects(yield* signWith({ claims: { ...claims, iss: "https://evil.test" } })), "InvalidToken")
      assert.strictEqual(yield* rejects(yield* signWith({ claims: { ...claims, aud: "other-app" } })), "InvalidToken")
      const { email: _email, ...withoutEmail } = claims
      assert.strictEqual(yield* rejects(yield* signWith({ claims: withoutEmail })), "InvalidToken")
      const { exp: _exp, ...withoutExp } = claims
      assert.strictEqual(yield* rejects(yield* signWith({ claims: withoutExp })), "InvalidToken")
      const { sub: _sub, ...withoutSub } = claims
      assert.strictEqual(yield* rejects(yield* signWith({ claims: withoutSub })), "InvalidToken")
      assert.strictEqual(yield* rejects(yield* signWith({ claims: { ...claims, email: "not an email" } })), "InvalidToken")
      assert.strictEqual(yield* rejects(yield* signWith({ claims: { ...claims, iat: nowSeconds + 600, exp: nowSeconds + 4200 } })), "InvalidToken")
      assert.strictEqual(yield* rejects(yield* signWith({ typ: "at+jwt" })), "InvalidToken")
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("a past exp is TokenExpired", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(START)
      assert.strictEqual(yield* rejects(yield* signWith({ claims: { ...claims, iat: nowSeconds - 7200, exp: nowSeconds - 3600 } })), "TokenExpired")
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("any string that is not a token is Unauthenticated, never a defect", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(START)
      yield* property(
        fc.oneof(fc.string(), fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => parts.join("."))),
        (garbage) => Effect.asVoid(rejects(garbage))
      )
    }).pipe(Effect.provide(tokensLayer)))

  it.effect("tokens of one configuration do not verify under another secret", () =>
    Effect.gen(function*() {
      const token = yield* issueAda
      // A layer of its own (not JoseAccessTokens.layer, which the outer provide has memoised).
      const otherLayer = Layer.effect(AccessTokens, JoseAccessTokens.make).pipe(
        Layer.provide(AuthConfig.layerTest({ accessTokenSecret: Redacted.make("a-completely-different-secret-0123456789") }))
      )
      const other = yield* Effect.provide(Effect.flip(AccessTokens.use((tokens) => tokens.verify(token))), otherLayer)
      assert.strictEqual(other._tag, "Unauthenticated")
    }).pipe(Effect.provide(tokensLayer)))
})
