/**
 * The behaviour every ReadingRepository must show (in memory, Postgres, DynamoDB): a model run
 * against the in-memory adapter (whose buckets are the naive reference aggregation), examples of
 * each method, and parallel overlapping batches storing every (deviceId, ts) exactly once.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun } from "../../contract/ModelRun.js"
import { HOUR, MINUTE } from "../../Millis.js"
import * as ReadingRepositoryMemory from "../memory/ReadingRepositoryMemory.js"
import { Bucket, MeasurementStats, type Reading } from "../Reading.js"
import { type InsertResult, ReadingRepository } from "../ReadingRepository.js"
import { BASE_TS, canonicalBucket, canonicalReading, command, deviceIdOf, readingOf, valuesArb } from "./Fixtures.js"

type Port = ReadingRepository["Service"]

/** Slot i is 37 s after slot i − 1: a run of slots crosses minute and hour boundaries. */
const SLOT = 37_000
const SLOTS = 200
const tsOf = (slot: number) => BASE_TS + slot * SLOT

const canonicalInsert = (r: InsertResult) => ({
  inserted: r.inserted,
  duplicates: r.duplicates,
  insertedKeys: r.insertedKeys.map((k) => [k.deviceId, k.ts])
})
const canonicalReadings = (rs: ReadonlyArray<Reading>) => rs.map(canonicalReading)
const canonicalBuckets = (bs: ReadonlyArray<Bucket>) => bs.map(canonicalBucket)
const canonicalLatest = (r: Option.Option<Reading>) => Option.match(r, { onNone: () => null, onSome: canonicalReading })

const rangeArb = fc.tuple(fc.nat(SLOTS), fc.nat(SLOTS)).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)

const commands = [
  fc.array(fc.tuple(fc.nat(1), fc.nat(SLOTS), valuesArb), { minLength: 0, maxLength: 12 }).map((entries) =>
    command<Port>(`insertMany(${entries.map(([d, s]) => `d${d}@${s}`).join(",")})`, (m, real) => {
      const batch = entries.map(([device, slot, values]) => readingOf(deviceIdOf(m.scope, device), tsOf(slot), values))
      return agree(m.port.insertMany(batch), real.insertMany(batch), canonicalInsert)
    })
  ),
  fc.tuple(fc.nat(1), rangeArb, fc.integer({ min: 0, max: 20 })).map(([device, [from, to], limit]) =>
    command<Port>(`range(d${device}, ${from}, ${to}, ${limit})`, (m, real) => {
      const id = deviceIdOf(m.scope, device)
      return agree(m.port.range(id, tsOf(from), tsOf(to), limit), real.range(id, tsOf(from), tsOf(to), limit), canonicalReadings)
    })
  ),
  fc.tuple(fc.nat(1), rangeArb, fc.constantFrom("1m" as const, "1h" as const)).map(([device, [from, to], size]) =>
    command<Port>(`buckets(d${device}, ${from}, ${to}, ${size})`, (m, real) => {
      const id = deviceIdOf(m.scope, device)
      return agree(m.port.buckets(id, tsOf(from), tsOf(to), size), real.buckets(id, tsOf(from), tsOf(to), size), canonicalBuckets)
    })
  ),
  fc.nat(1).map((device) =>
    command<Port>(`latest(d${device})`, (m, real) =>
      agree(m.port.latest(deviceIdOf(m.scope, device)), real.latest(deviceIdOf(m.scope, device)), canonicalLatest))
  )
]

export const suite = (name: string, portLayer: Layer.Layer<ReadingRepository, unknown>) =>
  layer(portLayer, { excludeTestServices: true })(`ReadingRepository contract: ${name}`, (it) => {
    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* ReadingRepository
        yield* modelRun({ real, makeModel: ReadingRepositoryMemory.make, commands })
      }), 60_000)

    it.effect("insertMany counts new and duplicate readings; the first occurrence wins, nothing is overwritten", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const device = deviceIdOf(freshScope("rd"), 0)
        const first = yield* repo.insertMany([
          readingOf(device, BASE_TS, { temperature: 20 }),
          readingOf(device, BASE_TS + 1_000, { temperature: 21 }),
          readingOf(device, BASE_TS, { temperature: 30 })
        ])
        assert.deepStrictEqual(canonicalInsert(first), {
          inserted: 2,
          duplicates: 1,
          insertedKeys: [[device, BASE_TS], [device, BASE_TS + 1_000]]
        })
        const again = yield* repo.insertMany([
          readingOf(device, BASE_TS + 1_000, { temperature: -5 }),
          readingOf(device, BASE_TS + 2_000, { humidity: 40 })
        ])
        assert.deepStrictEqual(canonicalInsert(again), { inserted: 1, duplicates: 1, insertedKeys: [[device, BASE_TS + 2_000]] })
        const stored = yield* repo.range(device, BASE_TS, BASE_TS + 3_000, 100)
        assert.deepStrictEqual(stored.map((r) => [r.ts, r.temperature ?? null, r.humidity ?? null]), [
          [BASE_TS, 20, null],
          [BASE_TS + 1_000, 21, null],
          [BASE_TS + 2_000, null, 40]
        ])
        assert.deepStrictEqual(canonicalInsert(yield* repo.insertMany([])), { inserted: 0, duplicates: 0, insertedKeys: [] })
      }))

    it.effect("out-of-order readings are accepted and read back ascending; range is [from, to) and limited", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const device = deviceIdOf(freshScope("rd"), 0)
        const other = deviceIdOf(freshScope("rd"), 1)
        yield* repo.insertMany([5, 1, 4, 2, 3].map((i) => readingOf(device, BASE_TS + i * 1_000, { co2: 400 + i })))
        yield* repo.insertMany([readingOf(other, BASE_TS + 3_000, { co2: 1 })])
        const all = yield* repo.range(device, BASE_TS, BASE_TS + 10_000, 100)
        assert.deepStrictEqual(all.map((r) => r.co2), [401, 402, 403, 404, 405])
        const window = yield* repo.range(device, BASE_TS + 2_000, BASE_TS + 4_000, 100)
        assert.deepStrictEqual(window.map((r) => r.co2), [402, 403])
        const limited = yield* repo.range(device, BASE_TS, BASE_TS + 10_000, 2)
        assert.deepStrictEqual(limited.map((r) => r.co2), [401, 402])
        assert.deepStrictEqual(yield* repo.range(device, BASE_TS + 4_000, BASE_TS + 4_000, 100), [])
      }))

    it.effect("buckets aggregate count, min, max and avg per epoch-aligned minute and hour", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const device = deviceIdOf(freshScope("rd"), 0)
        const minute = Math.floor(BASE_TS / MINUTE) * MINUTE
        yield* repo.insertMany([
          readingOf(device, minute + 1_000, { temperature: 20, humidity: 40 }),
          readingOf(device, minute + 59_999, { temperature: 23, x: 5, y: 6 }),
          readingOf(device, minute + 30_000, { temperature: 21.5 }),
          readingOf(device, minute + MINUTE, { co2: 800 }),
          readingOf(device, minute + HOUR, { pm25: 12.5 })
        ])
        const stats = (min: number, max: number, avg: number) => new MeasurementStats({ min, max, avg })
        const empty = { temperature: null, humidity: null, co2: null, pm25: null }
        const perMinute = yield* repo.buckets(device, minute, minute + 2 * HOUR, "1m")
        assert.deepStrictEqual(canonicalBuckets(perMinute), canonicalBuckets([
          new Bucket({ ...empty, start: minute, count: 3, temperature: stats(20, 23, 21.5), humidity: stats(40, 40, 40) }),
          new Bucket({ ...empty, start: minute + MINUTE, count: 1, co2: stats(800, 800, 800) }),
          new Bucket({ ...empty, start: minute + HOUR, count: 1, pm25: stats(12.5, 12.5, 12.5) })
        ]))
        const hour = Math.floor(minute / HOUR) * HOUR
        const perHour = yield* repo.buckets(device, hour, hour + 3 * HOUR, "1h")
        // BASE_TS is 55 minutes into its hour: the first four readings share the hour.
        assert.deepStrictEqual(canonicalBuckets(perHour), canonicalBuckets([
          new Bucket({
            ...empty,
            start: hour,
            count: 4,
            temperature: stats(20, 23, 21.5),
            humidity: stats(40, 40, 40),
            co2: stats(800, 800, 800)
          }),
          new Bucket({ ...empty, start: hour + HOUR, count: 1, pm25: stats(12.5, 12.5, 12.5) })
        ]))
        // The range bounds cut buckets: only readings inside [from, to) count.
        const cut = yield* repo.buckets(device, minute + 30_000, minute + 59_999, "1m")
        assert.deepStrictEqual(cut.map((b) => [b.start, b.count]), [[minute, 1]])
      }))

    it.effect("latest is the greatest measured ts, whatever the arrival order", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const device = deviceIdOf(freshScope("rd"), 0)
        assert.isTrue(Option.isNone(yield* repo.latest(device)))
        yield* repo.insertMany([readingOf(device, BASE_TS + 9_000, { temperature: 9 })])
        yield* repo.insertMany([readingOf(device, BASE_TS + 1_000, { temperature: 1 })])
        const latest = yield* repo.latest(device)
        assert.strictEqual(Option.getOrUndefined(latest)?.temperature, 9)
      }))

    it.effect("parallel overlapping batches store each (device, ts) once; inserted counts sum to the distinct count", () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const scope = freshScope("rd")
        const batches = Array.from({ length: 12 }, (_, b) =>
          Array.from({ length: 20 }, (_, i) => {
            const key = (b * 7 + i * 3) % 40
            return readingOf(deviceIdOf(scope, key % 2), BASE_TS + key * 1_000, { temperature: b })
          }))
        const distinct = new Set(batches.flat().map((r) => `${r.deviceId}@${r.ts}`))
        const results = yield* Effect.all(batches.map((batch) => repo.insertMany(batch)), { concurrency: "unbounded" })
        assert.strictEqual(results.reduce((n, r) => n + r.inserted, 0), distinct.size)
        assert.strictEqual(results.reduce((n, r) => n + r.inserted + r.duplicates, 0), 12 * 20)
        const claimed = results.flatMap((r) => r.insertedKeys.map((k) => `${k.deviceId}@${k.ts}`))
        assert.strictEqual(new Set(claimed).size, claimed.length)
        assert.deepStrictEqual(new Set(claimed), distinct)
        const stored = [
          ...(yield* repo.range(deviceIdOf(scope, 0), BASE_TS, BASE_TS + HOUR, 1_000)),
          ...(yield* repo.range(deviceIdOf(scope, 1), BASE_TS, BASE_TS + HOUR, 1_000))
        ]
        assert.deepStrictEqual(new Set(stored.map((r) => `${r.deviceId}@${r.ts}`)), distinct)
        // Each stored value is the one of the batch that reported inserting it.
        for (const reading of stored) {
          const owner = results.findIndex((r) => r.insertedKeys.some((k) => k.deviceId === reading.deviceId && k.ts === reading.ts))
          assert.strictEqual(reading.temperature, owner)
        }
      }))
  })
