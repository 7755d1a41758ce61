import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { TestClock } from "effect/testing"
import { decodeInput, Email, Ids, Randomness, ULID_PATTERN } from "../src/index.js"

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
})
