/**
 * The behaviour every RateLimiter must show (in memory, Redis): a model run against the in-memory
 * adapter (with windows far longer than a run, so both sides see the same window whatever their
 * clocks), examples of consume, the sliding (not fixed) window on the live clock, and 50 racing
 * consumes of a limit of 10 allowing exactly 10.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun, type PortCommand } from "../../contract/ModelRun.js"
import { HOUR } from "../../Millis.js"
import * as RateLimiterMemory from "../memory/RateLimiterMemory.js"
import { type RateLimitDecision, RateLimiter, type RateLimitPolicy } from "../RateLimiter.js"

type Port = RateLimiter["Service"]

const LIMITS = [1, 3, 5] as const
const policyOf = (key: number): RateLimitPolicy => ({ limit: LIMITS[key % LIMITS.length]!, windowMs: HOUR })

/** Retry-After depends on each side's clock: compare only that it is positive and within the window. */
const canonicalDecision = (windowMs: number) => (d: RateLimitDecision) => ({
  allowed: d.allowed,
  remaining: d.remaining,
  retryAfter: d.allowed ? d.retryAfterMs === 0 : d.retryAfterMs > 0 && d.retryAfterMs <= windowMs
})

const commands = [
  fc.nat(2).map((key): PortCommand<Port> => ({
    check: () => Promise.resolve(true),
    run: async (m, real) => {
      const policy = policyOf(key)
      await agree(
        m.port.consume(`${m.scope}:k${key}`, policy),
        real.consume(`${m.scope}:k${key}`, policy),
        canonicalDecision(policy.windowMs)
      )
    },
    toString: () => `consume(k${key})`
  }))
]

export const suite = (name: string, portLayer: Layer.Layer<RateLimiter, unknown>) =>
  layer(portLayer, { excludeTestServices: true })(`RateLimiter contract: ${name}`, (it) => {
    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* RateLimiter
        yield* modelRun({ real, makeModel: RateLimiterMemory.make, commands })
      }), 60_000)

    it.effect("allows `limit` attempts with a decreasing remainder, then refuses with a Retry-After", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter
        const key = freshScope("rl")
        const policy = { limit: 3, windowMs: HOUR }
        const decisions = yield* Effect.forEach([1, 2, 3, 4, 5], () => limiter.consume(key, policy))
        assert.deepStrictEqual(decisions.map((d) => [d.allowed, d.remaining]), [
          [true, 2],
          [true, 1],
          [true, 0],
          [false, 0],
          [false, 0]
        ])
        for (const d of decisions.slice(0, 3)) assert.strictEqual(d.retryAfterMs, 0)
        for (const d of decisions.slice(3)) {
          assert.isTrue(d.retryAfterMs > 0 && d.retryAfterMs <= HOUR, `retryAfterMs ${d.retryAfterMs}`)
        }
      }))

    it.effect("keys are independent", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter
        const scope = freshScope("rl")
        const policy = { limit: 1, windowMs: HOUR }
        assert.isTrue((yield* limiter.consume(`${scope}:a`, policy)).allowed)
        assert.isFalse((yield* limiter.consume(`${scope}:a`, policy)).allowed)
        assert.isTrue((yield* limiter.consume(`${scope}:b`, policy)).allowed)
      }))

    it.effect("the window slides: an attempt frees its slot windowMs after it was allowed", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter
        const key = freshScope("rl")
        const policy = { limit: 2, windowMs: 1_200 }
        assert.isTrue((yield* limiter.consume(key, policy)).allowed)
        yield* Effect.sleep(600)
        assert.isTrue((yield* limiter.consume(key, policy)).allowed)
        const refused = yield* limiter.consume(key, policy)
        assert.isFalse(refused.allowed)
        // Only the first attempt has to leave the window: about 600 ms, not a whole window.
        assert.isTrue(refused.retryAfterMs > 0 && refused.retryAfterMs <= 700, `retryAfterMs ${refused.retryAfterMs}`)
        yield* Effect.sleep(refused.retryAfterMs + 100)
        assert.isTrue((yield* limiter.consume(key, policy)).allowed)
        // The second attempt is still inside its window, so the slot just freed was the only one.
        assert.isFalse((yield* limiter.consume(key, policy)).allowed)
      }), 10_000)

    it.effect("50 racing consumes with a limit of 10: exactly 10 are allowed", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter
        const key = freshScope("rl")
        const policy = { limit: 10, windowMs: HOUR }
        const decisions = yield* Effect.all(
          Array.from({ length: 50 }, () => limiter.consume(key, policy)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(decisions.filter((d) => d.allowed).length, 10)
        assert.deepStrictEqual(
          decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((a, b) => a - b),
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        )
      }))
  })
