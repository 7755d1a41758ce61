import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { decodeInput, Email, Ids, InstantInput, isRetryable, Randomness, TimedOut, ULID_PATTERN, Unavailable, Unexpected } from "../src/index.js"

describe("kernel", () => {
  it.effect("Email decodes to its normal form", () =>
    Effect.gen(function*() {
      const email = yield* Schema.decodeUnknownEffect(Email)("  Ada@Example.COM ")
      assert.strictEqual(email, "ada@example.com")
    }))

  it.effect("decodeInput names every failing field", () =>
    Effect.gen(function*() {
      const error = yield* decodeInput(Schema.Struct({ email: Email, n: Schema.Int }))({ email: "nope", n: "x" }).pipe(Effect.flip)
      assert.deepStrictEqual(error.errors.map((e) => e.path).sort(), ["email", "n"])
    }))

  it.effect("Ids are ULIDs, strictly increasing within one millisecond", () =>
    Effect.gen(function*() {
      const ids = yield* Ids
      yield* TestClock.setTime(1_700_000_000_000)
      const batch = yield* Effect.forEach(Array.from({ length: 200 }), () => ids.next)
      for (const id of batch) assert.match(id, ULID_PATTERN)
      assert.deepStrictEqual([...batch].sort(), batch)
      assert.strictEqual(new Set(batch).size, batch.length)
    }).pipe(Effect.provide(Ids.layer), Effect.provide(Randomness.layer)))

  it("InstantInput: any instant as millis or as its ISO string decodes to the same millis; impossible dates fail", () => {
    const decode = Schema.decodeUnknownSync(InstantInput)
    fc.assert(fc.property(fc.integer({ min: 0, max: 8_640_000_000_000 }), (millis) => {
      return decode(millis) === millis && decode(new Date(millis).toISOString()) === millis
    }), { numRuns: 500 })
    assert.strictEqual(decode("2026-11-21T15:00:00+09:00"), Date.UTC(2026, 10, 21, 6))
    for (const bad of ["2026-02-29T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T06:00:00", "yesterday", -1, 1.5]) {
      assert.throws(() => decode(bad))
    }
  })

  it("Unavailable and TimedOut are retryable (503); Unexpected is not (500)", () => {
    assert.isTrue(isRetryable(new Unavailable({ message: "refused" })))
    assert.isTrue(isRetryable(new TimedOut({ message: "5 s" })))
    assert.isFalse(isRetryable(new Unexpected({ message: "bug" })))
  })
})
