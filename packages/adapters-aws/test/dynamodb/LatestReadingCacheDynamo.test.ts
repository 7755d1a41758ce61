/**
 * LatestReadingCache on DynamoDB Local: the domain's contract suite unchanged, then what only this
 * adapter must show — 20 parallel offers with different ts leave the greatest, the round trips of
 * each method and never a Scan, and store failures as the port's error.
 */
import { assert, layer } from "@effect/vitest"
import { DeviceId, LatestReadingCache, Reading } from "@app/domain"
import { freshScope, LatestReadingCacheContract } from "@app/domain/contract"
import { Effect, Layer } from "effect"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as LatestReadingCacheDynamo from "../../src/dynamodb/LatestReadingCacheDynamo.js"
import * as DynamoTest from "../support/DynamoTest.js"
import { failureTags } from "../support/FailureTags.js"

const contract = DynamoTest.make({ tables: ["latestReadings"] })
LatestReadingCacheContract.suite("dynamodb", LatestReadingCacheDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: ["latestReadings"] })
const missingTable = DynamoTest.make({ tables: ["users"] })

DynamoTest.assertNoScanAfterAll(contract, dynamo, missingTable)

const freshDevice = (label: string) => DeviceId.make(freshScope(label))

const T0 = 1_700_000_000_000

layer(LatestReadingCacheDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true })(
  "LatestReadingCacheDynamo",
  (it) => {
    it.effect("20 parallel offers with different ts: the greatest ts is cached, and its offer was kept", () =>
      Effect.gen(function*() {
        const cache = yield* LatestReadingCache
        const device = freshDevice("race")
        // A fixed permutation of 0..19: the greatest ts is neither first nor last to be sent.
        const slots = Array.from({ length: 20 }, (_, i) => (i * 7 + 3) % 20)
        const kept = yield* Effect.all(
          slots.map((slot) => cache.offer(new Reading({ deviceId: device, ts: T0 + slot * 1_000, co2: slot }))),
          { concurrency: "unbounded" }
        )
        const [latest] = yield* cache.get([device])
        assert.strictEqual(latest?.ts, T0 + 19_000)
        assert.strictEqual(latest?.co2, 19)
        assert.isTrue(kept[slots.indexOf(19)])
        assert.isFalse(yield* cache.offer(new Reading({ deviceId: device, ts: T0 + 18_000, co2: 0 })))
      }))

    it.effect("each method costs the documented round trips, none of them a Scan", () =>
      Effect.gen(function*() {
        const cache = yield* LatestReadingCache
        const devices = Array.from({ length: 150 }, () => freshDevice("cost"))
        dynamo.recorder.take()
        assert.isTrue(yield* cache.offer(new Reading({ deviceId: devices[0]!, ts: T0, temperature: 20 })))
        assert.deepStrictEqual(dynamo.recorder.takeDetailed(), [{ command: "PutItem", tables: ["latest-readings"] }])
        assert.isFalse(yield* cache.offer(new Reading({ deviceId: devices[0]!, ts: T0, temperature: 21 })))
        assert.deepStrictEqual(dynamo.recorder.take(), ["PutItem"])
        yield* Effect.forEach(
          devices.slice(1),
          (deviceId, i) => cache.offer(new Reading({ deviceId, ts: T0 + i, humidity: 50 })),
          { concurrency: 16, discard: true }
        )
        dynamo.recorder.take()

        const asked = [...devices].reverse()
        const got = yield* cache.get([...asked, freshDevice("nothing"), asked[0]!])
        assert.deepStrictEqual(got.map((r) => r.deviceId), [...asked, asked[0]!])
        assert.deepStrictEqual(dynamo.recorder.takeDetailed(), [
          { command: "BatchGetItem", tables: ["latest-readings"] },
          { command: "BatchGetItem", tables: ["latest-readings"] }
        ])
        assert.deepStrictEqual(yield* cache.get([]), [])
        assert.deepStrictEqual(dynamo.recorder.take(), [])
      }))

    it.effect("a cached item that does not decode is LatestReadingCacheError Unexpected, not a bad Reading", () =>
      Effect.gen(function*() {
        const cache = yield* LatestReadingCache
        const client = yield* DynamoClient
        const device = freshDevice("corrupt")
        yield* client.put("latestReadings", { deviceId: device, ts: T0 })
        assert.deepStrictEqual(failureTags(yield* Effect.exit(cache.get([device]))), ["LatestReadingCacheError", "Unexpected"])
      }))
  }
)

layer(LatestReadingCacheDynamo.layer.pipe(Layer.provide(missingTable.layer)), { excludeTestServices: true })(
  "LatestReadingCacheDynamo store failures",
  (it) => {
    it.effect("a missing table is LatestReadingCacheError Unexpected on every method", () =>
      Effect.gen(function*() {
        const cache = yield* LatestReadingCache
        const device = freshDevice("missing")
        const exits = [
          yield* Effect.exit(cache.offer(new Reading({ deviceId: device, ts: T0, pm25: 1 }))),
          yield* Effect.exit(cache.get([device]))
        ]
        assert.deepStrictEqual(exits.map(failureTags), Array(2).fill(["LatestReadingCacheError", "Unexpected"]))
      }))
  }
)
