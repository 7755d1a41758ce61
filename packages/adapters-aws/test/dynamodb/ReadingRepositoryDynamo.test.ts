/**
 * ReadingRepository on DynamoDB Local: the domain's contract suite unchanged, then what only this
 * adapter must show — 20 parallel overlapping ingests of the same readings each stored once, the
 * round trips of each method (for a batch of n readings too) and never a Scan, reads that follow
 * DynamoDB's 1 MB pages, a corrupt item as the port's Unexpected, and store failures as the
 * port's error.
 */
import { assert, layer } from "@effect/vitest"
import { DeviceId, HOUR, MINUTE, Reading, ReadingRepository } from "@app/domain"
import { freshScope, ReadingRepositoryContract } from "@app/domain/contract"
import { Effect, Layer, Option } from "effect"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as ReadingRepositoryDynamo from "../../src/dynamodb/ReadingRepositoryDynamo.js"
import * as DynamoTest from "../support/DynamoTest.js"
import { failureTags } from "../support/FailureTags.js"

const contract = DynamoTest.make({ tables: ["sensorReadings"] })
ReadingRepositoryContract.suite("dynamodb", ReadingRepositoryDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: ["sensorReadings"] })
const missingTable = DynamoTest.make({ tables: ["users"] })

DynamoTest.assertNoScanAfterAll(contract, dynamo, missingTable)

const freshDevice = (label: string) => DeviceId.make(freshScope(label))

/** An hour boundary, so a few minutes of readings span two 1h buckets when offset. */
const T0 = 1_700_002_800_000

const reading = (deviceId: DeviceId, ts: number, temperature: number) => new Reading({ deviceId, ts, temperature })

layer(ReadingRepositoryDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true, timeout: "60 seconds" })(
  "ReadingRepositoryDynamo",
  (it) => {
    it.effect("20 parallel overlapping ingests of the same readings: each stored once, inserted counts sum to the distinct count", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const devices = [freshDevice("race"), freshDevice("race")]
        // 60 keys over two devices; ingest b sends a window of 40 of them starting at 2b (so
        // neighbouring ingests share 38 keys), with its first key repeated at the end, in an
        // order of its own. Every value carries the ingest number, to tell whose write is stored.
        const keyOf = (k: number) => ({ deviceId: devices[k % 2]!, ts: T0 + k * 1_000 })
        const batches = Array.from({ length: 20 }, (_, b) => {
          const window = Array.from({ length: 40 }, (_, i) => (2 * b + i * (b % 2 === 0 ? 1 : 7)) % 60)
          return [...window, window[0]!].map((k) => reading(keyOf(k).deviceId, keyOf(k).ts, b))
        })
        const distinct = new Set(batches.flat().map((r) => `${r.deviceId}@${r.ts}`))
        const results = yield* Effect.all(batches.map((batch) => repo.insertMany(batch)), { concurrency: "unbounded" })

        assert.strictEqual(results.reduce((n, r) => n + r.inserted, 0), distinct.size)
        for (const [b, result] of results.entries()) {
          assert.strictEqual(result.inserted + result.duplicates, batches[b]!.length)
          assert.strictEqual(result.insertedKeys.length, result.inserted)
        }
        const claimed = results.flatMap((r) => r.insertedKeys.map((k) => `${k.deviceId}@${k.ts}`))
        assert.strictEqual(new Set(claimed).size, claimed.length)
        assert.deepStrictEqual(new Set(claimed), distinct)

        const stored = [
          ...(yield* repo.range(devices[0]!, T0, T0 + HOUR, 1_000)),
          ...(yield* repo.range(devices[1]!, T0, T0 + HOUR, 1_000))
        ]
        assert.strictEqual(stored.length, distinct.size)
        for (const r of stored) {
          const owner = results.findIndex((result) => result.insertedKeys.some((k) => k.deviceId === r.deviceId && k.ts === r.ts))
          assert.strictEqual(r.temperature, owner)
        }
      }))

    it.effect("insertMany of n readings costs one conditional PutItem per distinct key, none when empty", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const device = freshDevice("cost")
        const n = 40
        const batch = Array.from({ length: n }, (_, i) => reading(device, T0 + i * 1_000, 20))
        dynamo.recorder.take()
        const first = yield* repo.insertMany([...batch, batch[0]!, batch[1]!])
        assert.deepStrictEqual([first.inserted, first.duplicates], [n, 2])
        assert.deepStrictEqual(dynamo.recorder.take(), Array(n).fill("PutItem"))
        const again = yield* repo.insertMany(batch)
        assert.deepStrictEqual([again.inserted, again.duplicates, again.insertedKeys], [0, n, []])
        assert.deepStrictEqual(dynamo.recorder.take(), Array(n).fill("PutItem"))
        assert.deepStrictEqual(yield* repo.insertMany([]), { inserted: 0, duplicates: 0, insertedKeys: [] })
        assert.deepStrictEqual(dynamo.recorder.take(), [])
      }))

    it.effect("range, buckets and latest cost one Query each on the table, and nothing for an empty range", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const device = freshDevice("reads")
        yield* repo.insertMany(Array.from({ length: 10 }, (_, i) => reading(device, T0 - 5 * MINUTE + i * MINUTE, i)))
        dynamo.recorder.take()

        assert.deepStrictEqual((yield* repo.range(device, T0, T0 + HOUR, 3)).map((r) => r.temperature), [5, 6, 7])
        assert.deepStrictEqual(dynamo.recorder.takeDetailed(), [{ command: "Query", tables: ["sensor-readings"] }])
        const perHour = yield* repo.buckets(device, T0 - HOUR, T0 + HOUR, "1h")
        assert.deepStrictEqual(perHour.map((b) => [b.start, b.count, b.temperature?.avg]), [[T0 - HOUR, 5, 2], [T0, 5, 7]])
        assert.deepStrictEqual(dynamo.recorder.take(), ["Query"])
        assert.strictEqual(Option.getOrThrow(yield* repo.latest(device)).temperature, 9)
        assert.deepStrictEqual(dynamo.recorder.take(), ["Query"])

        assert.deepStrictEqual(yield* repo.range(device, T0, T0, 10), [])
        assert.deepStrictEqual(yield* repo.range(device, T0 + 1, T0, 10), [])
        assert.deepStrictEqual(yield* repo.range(device, T0, T0 + HOUR, 0), [])
        assert.deepStrictEqual(yield* repo.buckets(device, T0, T0, "1m"), [])
        assert.deepStrictEqual(dynamo.recorder.take(), [])
        assert.isTrue(Option.isNone(yield* repo.latest(freshDevice("none"))))
        assert.deepStrictEqual(dynamo.recorder.take(), ["Query"])
      }))

    it.effect("range and buckets follow DynamoDB's 1 MB pages to the end of the range", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const client = yield* DynamoClient
        const device = freshDevice("pages")
        // 150 readings padded to ~10 KB each (an attribute the port never reads): ~1.5 MB, two pages.
        const pad = "p".repeat(10_000)
        const items = Array.from({ length: 150 }, (_, i) => ({ deviceId: device, ts: T0 + i * 1_000, temperature: i % 10, pad }))
        yield* client.batchWrite("sensorReadings", { puts: items })
        dynamo.recorder.take()

        const all = yield* repo.range(device, T0, T0 + HOUR, 1_000)
        assert.deepStrictEqual(all.map((r) => r.ts), items.map((i) => i.ts))
        assert.isFalse("pad" in all[0]!)
        const rangePages = dynamo.recorder.take()
        assert.isAbove(rangePages.length, 1)
        assert.isTrue(rangePages.every((c) => c === "Query"))

        const perMinute = yield* repo.buckets(device, T0, T0 + HOUR, "1m")
        assert.deepStrictEqual(perMinute.map((b) => [b.start, b.count]), [[T0, 60], [T0 + MINUTE, 60], [T0 + 2 * MINUTE, 30]])
        assert.deepStrictEqual(perMinute.map((b) => b.temperature?.avg), [4.5, 4.5, 4.5])
        assert.deepStrictEqual(dynamo.recorder.take(), rangePages)

        const limited = yield* repo.range(device, T0, T0 + HOUR, 3)
        assert.deepStrictEqual(limited.map((r) => r.ts), [T0, T0 + 1_000, T0 + 2_000])
        assert.deepStrictEqual(dynamo.recorder.take(), ["Query"])
      }))

    it.effect("a stored item that does not decode is ReadingRepositoryError Unexpected, not a bad Reading", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const client = yield* DynamoClient
        const device = freshDevice("corrupt")
        yield* client.put("sensorReadings", { deviceId: device, ts: T0, temperature: 500 })
        yield* client.put("sensorReadings", { deviceId: device, ts: T0 + 1, co2: "lots" })
        const exits = [
          yield* Effect.exit(repo.range(device, T0, T0 + 1, 10)),
          yield* Effect.exit(repo.buckets(device, T0 + 1, T0 + 2, "1m")),
          yield* Effect.exit(repo.latest(device))
        ]
        assert.deepStrictEqual(exits.map(failureTags), Array(3).fill(["ReadingRepositoryError", "Unexpected"]))
      }))
  }
)

layer(ReadingRepositoryDynamo.layer.pipe(Layer.provide(missingTable.layer)), { excludeTestServices: true })(
  "ReadingRepositoryDynamo store failures",
  (it) => {
    it.effect("a missing table is ReadingRepositoryError Unexpected on every method", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const device = freshDevice("missing")
        const exits = [
          yield* Effect.exit(repo.insertMany([reading(device, T0, 1), reading(device, T0 + 1, 2)])),
          yield* Effect.exit(repo.range(device, T0, T0 + HOUR, 10)),
          yield* Effect.exit(repo.buckets(device, T0, T0 + HOUR, "1h")),
          yield* Effect.exit(repo.latest(device))
        ]
        assert.deepStrictEqual(exits.map(failureTags), Array(4).fill(["ReadingRepositoryError", "Unexpected"]))
      }))
  }
)

layer(Layer.empty)("ReadingRepositoryDynamo.tsRange", (it) => {
  it.effect("turns [from, to) over integer ts ≥ 0 into a key condition, or none when nothing can match", () =>
    Effect.sync(() => {
      const { tsRange } = ReadingRepositoryDynamo
      assert.deepStrictEqual(tsRange(10, 20), Option.some({ op: "between", low: 10, high: 19 }))
      assert.deepStrictEqual(tsRange(10.5, 20.5), Option.some({ op: "between", low: 11, high: 20 }))
      assert.deepStrictEqual(tsRange(10, 11), Option.some({ op: "between", low: 10, high: 10 }))
      assert.deepStrictEqual(tsRange(-5, 3), Option.some({ op: "between", low: 0, high: 2 }))
      assert.deepStrictEqual(tsRange(Number.NEGATIVE_INFINITY, 1), Option.some({ op: "between", low: 0, high: 0 }))
      assert.deepStrictEqual(tsRange(7, Number.POSITIVE_INFINITY), Option.some({ op: ">=", value: 7 }))
      assert.isTrue(Option.isNone(tsRange(10, 10)))
      assert.isTrue(Option.isNone(tsRange(11, 10)))
      assert.isTrue(Option.isNone(tsRange(0, 0)))
      assert.isTrue(Option.isNone(tsRange(Number.NaN, 10)))
      assert.isTrue(Option.isNone(tsRange(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)))
    }))
})
