/**
 * RateLimiter on DynamoDB Local: the domain's contract suite unchanged, then what only this
 * adapter must show — parallel hits never admit more than the limit, the window slides exactly
 * (on a TestClock), the TTL attribute follows the newest allowed attempt, the round trips of a
 * consume, and never a Scan.
 */
import { assert, layer } from "@effect/vitest"
import { RateLimiter } from "@app/domain"
import { freshScope, RateLimiterContract } from "@app/domain/contract"
import { Effect, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as RateLimiterDynamo from "../../src/dynamodb/RateLimiterDynamo.js"
import * as DynamoTest from "../support/DynamoTest.js"

const contract = DynamoTest.make({ tables: ["rateLimits"] })
RateLimiterContract.suite("dynamodb", RateLimiterDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: ["rateLimits"] })

const HOUR = 3_600_000

layer(RateLimiterDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true, timeout: "60 seconds" })(
  "RateLimiterDynamo",
  (it) => {
    it.effect("20 parallel hits never admit more than the limit", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter
        for (const limit of [1, 5, 19, 20, 25]) {
          const key = freshScope(`par${limit}`)
          const decisions = yield* Effect.all(
            Array.from({ length: 20 }, () => limiter.consume(key, { limit, windowMs: HOUR })),
            { concurrency: "unbounded" }
          )
          const allowed = decisions.filter((d) => d.allowed)
          assert.strictEqual(allowed.length, Math.min(limit, 20), `limit ${limit}`)
          assert.deepStrictEqual(
            allowed.map((d) => d.remaining).sort((a, b) => a - b),
            Array.from({ length: allowed.length }, (_, i) => limit - allowed.length + i)
          )
          for (const d of decisions.filter((d) => !d.allowed)) assert.isTrue(d.retryAfterMs > 0 && d.retryAfterMs <= HOUR)
          // Sequential attempts after the burst agree.
          const after = yield* limiter.consume(key, { limit, windowMs: HOUR })
          assert.strictEqual(after.allowed, limit > 20)
        }
      }))

    it.effect("20 parallel hits on each of 5 keys at once: each key admits exactly its limit", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter
        const keys = Array.from({ length: 5 }, () => freshScope("multi"))
        const decisions = yield* Effect.all(
          keys.flatMap((key) => Array.from({ length: 20 }, () => Effect.map(limiter.consume(key, { limit: 7, windowMs: HOUR }), (d) => ({ key, d })))),
          { concurrency: "unbounded" }
        )
        for (const key of keys) assert.strictEqual(decisions.filter((x) => x.key === key && x.d.allowed).length, 7)
      }))

    it.effect("a refused consume costs 1 GetItem and writes nothing; an allowed one 1 GetItem + 1 PutItem", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter
        const client = yield* DynamoClient
        const key = freshScope("cost")
        const policy = { limit: 2, windowMs: HOUR }
        dynamo.recorder.take()
        yield* limiter.consume(key, policy)
        assert.deepStrictEqual(dynamo.recorder.takeDetailed(), [
          { command: "GetItem", tables: ["rate-limits"] },
          { command: "PutItem", tables: ["rate-limits"] }
        ])
        yield* limiter.consume(key, policy)
        assert.deepStrictEqual(dynamo.recorder.take(), ["GetItem", "PutItem"])
        const before = yield* client.get("rateLimits", { limitKey: key })
        dynamo.recorder.take()
        const refused = yield* limiter.consume(key, policy)
        assert.isFalse(refused.allowed)
        assert.deepStrictEqual(dynamo.recorder.take(), ["GetItem"])
        assert.deepStrictEqual(yield* client.get("rateLimits", { limitKey: key }), before)
      }))
  }
)

/** On a TestClock: the clock only moves when the test says so, so windows are checked exactly. */
const clocked = DynamoTest.make({ tables: ["rateLimits"] })

DynamoTest.assertNoScanAfterAll(contract, dynamo, clocked)

layer(RateLimiterDynamo.layer.pipe(Layer.provideMerge(clocked.layer)), { timeout: "60 seconds" })(
  "RateLimiterDynamo on a TestClock",
  (it) => {
    it.effect("the window slides to the millisecond, like the in-memory log, and ttl follows the newest allowed attempt", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter
        const client = yield* DynamoClient
        const key = freshScope("slide")
        const policy = { limit: 2, windowMs: 10_000 }
        yield* TestClock.setTime(1_800_000_000_000)
        assert.deepStrictEqual(yield* limiter.consume(key, policy), { allowed: true, remaining: 1, retryAfterMs: 0 })
        yield* TestClock.adjust(4_000)
        assert.deepStrictEqual(yield* limiter.consume(key, policy), { allowed: true, remaining: 0, retryAfterMs: 0 })
        const stored = Option.getOrThrow(yield* client.get("rateLimits", { limitKey: key }))
        assert.deepStrictEqual(stored["hits"], [1_800_000_000_000, 1_800_000_004_000])
        assert.strictEqual(stored["ttl"], 1_800_000_014)
        yield* TestClock.adjust(5_999)
        // The first attempt leaves the window at +10 000: 1 ms to go.
        assert.deepStrictEqual(yield* limiter.consume(key, policy), { allowed: false, remaining: 0, retryAfterMs: 1 })
        yield* TestClock.adjust(1)
        assert.deepStrictEqual(yield* limiter.consume(key, policy), { allowed: true, remaining: 0, retryAfterMs: 0 })
        assert.deepStrictEqual(yield* limiter.consume(key, policy), { allowed: false, remaining: 0, retryAfterMs: 4_000 })
        const trimmed = Option.getOrThrow(yield* client.get("rateLimits", { limitKey: key }))
        assert.deepStrictEqual(trimmed["hits"], [1_800_000_004_000, 1_800_000_010_000], "instants outside the window are dropped")
        assert.strictEqual(trimmed["ttl"], 1_800_000_020)
        // Long after: an item the TTL has not deleted yet counts for nothing.
        yield* TestClock.adjust(HOUR)
        assert.deepStrictEqual(yield* limiter.consume(key, policy), { allowed: true, remaining: 1, retryAfterMs: 0 })
      }))

    it.effect("instants from a clock behind the stored ones are kept in order", () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter
        const client = yield* DynamoClient
        const key = freshScope("skew")
        const policy = { limit: 3, windowMs: 10_000 }
        yield* TestClock.setTime(1_800_000_100_000)
        yield* limiter.consume(key, policy)
        // Another server whose clock is 2 s behind.
        yield* TestClock.setTime(1_800_000_098_000)
        const behind = yield* limiter.consume(key, policy)
        assert.deepStrictEqual(behind, { allowed: true, remaining: 1, retryAfterMs: 0 })
        const stored = Option.getOrThrow(yield* client.get("rateLimits", { limitKey: key }))
        assert.deepStrictEqual(stored["hits"], [1_800_000_098_000, 1_800_000_100_000])
        assert.strictEqual(stored["ttl"], 1_800_000_110)
      }))
  }
)
