/**
 * SyncLock on DynamoDB Local: the domain's contract suite unchanged (on live time), then what only
 * this adapter must show — 20 racing acquisitions leave one holder whose token is the stored one,
 * expiry and takeover measured on Effect's Clock (TestClock here, so no waiting), the lease item
 * with its TTL attribute, the round trips of each method and never a Scan.
 */
import { assert, layer } from "@effect/vitest"
import { type LeaseToken, SyncLock } from "@app/domain"
import { freshScope, SyncLockContract } from "@app/domain/contract"
import { Effect, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as SyncLockDynamo from "../../src/dynamodb/SyncLockDynamo.js"
import * as DynamoTest from "../support/DynamoTest.js"

const contract = DynamoTest.make({ tables: ["syncLocks"] })
SyncLockContract.suite("dynamodb", SyncLockDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: ["syncLocks"] })

DynamoTest.assertNoScanAfterAll(contract, dynamo)

const T0 = 1_700_000_000_000

// TestClock: "now" is whatever the test sets, so expiry is exact and nobody waits.
layer(SyncLockDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)))("SyncLockDynamo", (it) => {
  it.effect("20 parallel acquisitions of one key: exactly one holder, whose token is the stored one", () =>
    Effect.gen(function*() {
      const lock = yield* SyncLock
      const client = yield* DynamoClient
      yield* TestClock.setTime(T0)
      for (let round = 0; round < 3; round++) {
        const key = freshScope("race")
        const results = yield* Effect.all(Array.from({ length: 20 }, () => lock.tryAcquire(key, 60_000)), {
          concurrency: "unbounded"
        })
        const holders = results.filter(Option.isSome).map((o) => o.value)
        assert.strictEqual(holders.length, 1)
        const item = Option.getOrThrow(yield* client.get("syncLocks", { lockKey: key }))
        assert.strictEqual(item["token"], holders[0])
      }
    }))

  it.effect("the lease item carries expiresAt (ms) and ttl (epoch seconds, never before expiry)", () =>
    Effect.gen(function*() {
      const lock = yield* SyncLock
      const client = yield* DynamoClient
      yield* TestClock.setTime(T0 + 1)
      const key = freshScope("shape")
      const token = Option.getOrThrow(yield* lock.tryAcquire(key, 30_000))
      assert.match(token, /^[A-Za-z0-9_-]{22}$/)
      const item = Option.getOrThrow(yield* client.get("syncLocks", { lockKey: key }))
      assert.deepStrictEqual(item, { lockKey: key, token, expiresAt: T0 + 30_001, ttl: Math.ceil((T0 + 30_001) / 1000) })
      assert.isAtLeast((item["ttl"] as number) * 1000, item["expiresAt"] as number)
      // That the table's TTL is on (in deployed tables) is Tables.test.ts's check.
    }))

  it.effect("a lease is held until its expiresAt on the caller's Clock, then taken over; the old token releases nothing", () =>
    Effect.gen(function*() {
      const lock = yield* SyncLock
      yield* TestClock.setTime(T0)
      const key = freshScope("expiry")
      const first = Option.getOrThrow(yield* lock.tryAcquire(key, 1_000))
      yield* TestClock.adjust(999)
      assert.isTrue(Option.isNone(yield* lock.tryAcquire(key, 1_000)))
      yield* TestClock.adjust(1)
      const second = Option.getOrThrow(yield* lock.tryAcquire(key, 1_000))
      assert.isFalse(yield* lock.release(key, first))
      assert.isTrue(Option.isNone(yield* lock.tryAcquire(key, 1_000)))
      assert.isTrue(yield* lock.release(key, second))
      assert.isTrue(Option.isSome(yield* lock.tryAcquire(key, 1_000)))
    }))

  it.effect("only the holder releases; its own expired lease is removed but answers false", () =>
    Effect.gen(function*() {
      const lock = yield* SyncLock
      const client = yield* DynamoClient
      yield* TestClock.setTime(T0)
      const key = freshScope("holder")
      const held = Option.getOrThrow(yield* lock.tryAcquire(key, 1_000))
      assert.isFalse(yield* lock.release(key, "someone-else" as LeaseToken))
      assert.isTrue(Option.isSome(yield* client.get("syncLocks", { lockKey: key })))
      yield* TestClock.adjust(5_000)
      assert.isFalse(yield* lock.release(key, held))
      assert.isTrue(Option.isNone(yield* client.get("syncLocks", { lockKey: key })))
    }))

  it.effect("each method costs the documented round trips, none of them a Scan", () =>
    Effect.gen(function*() {
      const lock = yield* SyncLock
      const { recorder } = dynamo
      yield* TestClock.setTime(T0)
      const key = freshScope("trips")
      recorder.take()
      const token = Option.getOrThrow(yield* lock.tryAcquire(key, 1_000))
      assert.deepStrictEqual(recorder.take(), ["PutItem"])
      yield* lock.tryAcquire(key, 1_000)
      assert.deepStrictEqual(recorder.take(), ["PutItem"])
      yield* lock.release(key, "stale" as LeaseToken)
      assert.deepStrictEqual(recorder.take(), ["DeleteItem"])
      yield* lock.release(key, token)
      assert.deepStrictEqual(recorder.takeDetailed(), [{ command: "DeleteItem", tables: ["sync-locks"] }])
    }))
})
