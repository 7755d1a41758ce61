import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { RateLimiterMemory } from "../../src/RateLimit/memory/index.js"
import { enforceRateLimit, RateLimiter, retryAfterSeconds } from "../../src/RateLimit/RateLimiter.js"

const testLayer = Layer.merge(RateLimiterMemory.layer, TestClock.layer())

describe("RateLimiter (memory, TestClock)", () => {
  it.effect("the window slides with the clock: a slot frees windowMs after the attempt that took it", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter
      const policy = { limit: 2, windowMs: 1_000 }
      const at = (ms: number) => Effect.flatMap(TestClock.setTime(ms), () => limiter.consume("k", policy))
      assert.deepStrictEqual(yield* at(0), { allowed: true, remaining: 1, retryAfterMs: 0 })
      assert.deepStrictEqual(yield* at(600), { allowed: true, remaining: 0, retryAfterMs: 0 })
      assert.deepStrictEqual(yield* at(700), { allowed: false, remaining: 0, retryAfterMs: 300 })
      assert.deepStrictEqual(yield* at(999), { allowed: false, remaining: 0, retryAfterMs: 1 })
      assert.deepStrictEqual(yield* at(1_000), { allowed: true, remaining: 0, retryAfterMs: 0 })
      assert.deepStrictEqual(yield* at(1_001), { allowed: false, remaining: 0, retryAfterMs: 599 })
      assert.deepStrictEqual(yield* at(5_000), { allowed: true, remaining: 1, retryAfterMs: 0 })
    }).pipe(Effect.provide(RateLimiterMemory.layer)))

  it.effect("many one-off keys (swept from memory) never free a key whose attempts are still in its window", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter
      const long = { limit: 1, windowMs: 10_000 }
      assert.isTrue((yield* limiter.consume("steady", long)).allowed)
      for (let i = 0; i < 3_000; i++) {
        yield* TestClock.adjust(1)
        yield* limiter.consume(`once-${i}`, { limit: 1, windowMs: 1 })
      }
      assert.deepStrictEqual(yield* limiter.consume("steady", long), { allowed: false, remaining: 0, retryAfterMs: 7_000 })
      yield* TestClock.adjust(7_000)
      assert.isTrue((yield* limiter.consume("steady", long)).allowed)
      assert.isTrue((yield* limiter.consume("once-0", { limit: 1, windowMs: 1 })).allowed)
    }).pipe(Effect.provide(RateLimiterMemory.layer)))

  it.effect("enforceRateLimit fails with RateLimited carrying Retry-After in whole seconds", () =>
    Effect.gen(function*() {
      const policy = { limit: 1, windowMs: 90_500 }
      yield* enforceRateLimit("login:ada", policy)
      yield* TestClock.adjust(1_000)
      const error = yield* Effect.flip(enforceRateLimit("login:ada", policy))
      assert.deepInclude(error, { _tag: "RateLimited", retryAfterSeconds: 90 })
      assert.strictEqual(retryAfterSeconds(1), 1)
      assert.strictEqual(retryAfterSeconds(1_001), 2)
    }).pipe(Effect.provide(RateLimiterMemory.layer)))

  it.effect("property: never more than `limit` allowed in any window, never a needless refusal, exact Retry-After", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 5_000 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 1, max: 4 })), { maxLength: 60 }),
          (limit, windowMs, steps) =>
            Effect.runPromise(
              Effect.gen(function*() {
                const limiter = yield* RateLimiter
                const allowed: Array<number> = []
                const inWindow = (t: number) => allowed.filter((a) => a > t - windowMs && a <= t)
                for (const [advance, attempts] of steps) {
                  yield* TestClock.adjust(advance)
                  for (let i = 0; i < attempts; i++) {
                    const decision = yield* limiter.consume("key", { limit, windowMs })
                    const now = yield* Clock.currentTimeMillis
                    const before = inWindow(now)
                    if (decision.allowed) {
                      allowed.push(now)
                      if (before.length >= limit) throw new Error(`allowed a ${before.length + 1}th attempt at ${now}`)
                      if (decision.remaining !== limit - before.length - 1) throw new Error("wrong remaining")
                      if (decision.retryAfterMs !== 0) throw new Error("retryAfterMs on an allowed attempt")
                    } else {
                      if (before.length < limit) throw new Error(`refused with ${before.length} < ${limit} in window`)
                      const expected = before[before.length - limit]! + windowMs - now
                      if (decision.retryAfterMs !== expected || decision.remaining !== 0) {
                        throw new Error(`retryAfterMs ${decision.retryAfterMs}, expected ${expected}`)
                      }
                    }
                  }
                }
                // Every window [s, s + windowMs) holds at most `limit` allowed attempts.
                for (const s of allowed) {
                  const count = allowed.filter((a) => a >= s && a < s + windowMs).length
                  if (count > limit) throw new Error(`${count} allowed in [${s}, ${s + windowMs})`)
                }
              }).pipe(Effect.provide(testLayer))
            )
        ),
        { numRuns: 200 }
      )
    ))
})
