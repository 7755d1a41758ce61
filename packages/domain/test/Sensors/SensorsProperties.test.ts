/**
 * The properties 003 asks of ingest and queries, through the Sensors use cases on in-memory ports:
 * order and batching of ingest never change what is stored or how it aggregates; "latest" is by
 * measured ts whatever the arrival order; a mixed batch stores every valid reading and reports
 * exactly the invalid indexes.
 */
import { describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { HOUR, MINUTE } from "../../src/Millis.js"
import { canonicalReading, valuesArb } from "../../src/Sensors/contract/Fixtures.js"
import { type Bucket, type MeasuredValues, ReadingRepository, Sensors } from "../../src/Sensors/index.js"
import { member, NOW, owner, seedTeams, sensorsLayer, teamId } from "./fixtures.js"

/** Two hours before NOW: 13m20s into an hour, so an hour of readings crosses an hour boundary. */
const T0 = NOW - 2 * HOUR

const run = <A, E>(program: Effect.Effect<A, E, Sensors | ReadingRepository | TestClock.TestClock>) =>
  Effect.runPromise(
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      yield* seedTeams
      return yield* program
    }).pipe(Effect.provide(Layer.merge(sensorsLayer, TestClock.layer())))
  )

const newDevice = Sensors.use((s) => s.createDevice(owner, { teamId, name: "probe" }))

/** Cuts `items` before every index whose flag is set. */
const split = <A>(items: ReadonlyArray<A>, cuts: ReadonlyArray<boolean>): Array<Array<A>> => {
  const batches: Array<Array<A>> = [[]]
  items.forEach((item, i) => {
    if (cuts[i] === true && batches[batches.length - 1]!.length > 0) batches.push([])
    batches[batches.length - 1]!.push(item)
  })
  return batches.filter((b) => b.length > 0)
}

type Raw = MeasuredValues & { readonly ts: number }

/** The reference aggregation: group by epoch-aligned start, min/max/avg of each measurement. */
const reference = (readings: ReadonlyArray<Raw>, width: number) => {
  const groups = new Map<number, Array<Raw>>()
  for (const r of readings) {
    const start = Math.floor(r.ts / width) * width
    groups.set(start, [...(groups.get(start) ?? []), r])
  }
  const stats = (values: ReadonlyArray<number>) =>
    values.length === 0
      ? null
      : { min: Math.min(...values), max: Math.max(...values), avg: values.reduce((a, b) => a + b, 0) / values.length }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([start, rs]) => ({
    start,
    count: rs.length,
    temperature: stats(rs.flatMap((r) => (r.temperature === undefined ? [] : [r.temperature]))),
    humidity: stats(rs.flatMap((r) => (r.humidity === undefined ? [] : [r.humidity]))),
    co2: stats(rs.flatMap((r) => (r.co2 === undefined ? [] : [r.co2]))),
    pm25: stats(rs.flatMap((r) => (r.pm25 === undefined ? [] : [r.pm25])))
  }))
}

const assertBucketsMatch = (actual: ReadonlyArray<Bucket>, expected: ReturnType<typeof reference>) => {
  if (actual.length !== expected.length) throw new Error(`${actual.length} buckets, expected ${expected.length}`)
  actual.forEach((bucket, i) => {
    const want = expected[i]!
    if (bucket.start !== want.start || bucket.count !== want.count) {
      throw new Error(`bucket ${i}: ${bucket.start}/${bucket.count}, expected ${want.start}/${want.count}`)
    }
    for (const m of ["temperature", "humidity", "co2", "pm25"] as const) {
      const got = bucket[m]
      const exp = want[m]
      if (got === null || exp === null) {
        if (got !== exp) throw new Error(`bucket ${i} ${m}: ${JSON.stringify(got)} vs ${JSON.stringify(exp)}`)
        continue
      }
      if (got.min !== exp.min || got.max !== exp.max || Math.abs(got.avg - exp.avg) > 1e-9 * Math.max(1, Math.abs(exp.avg))) {
        throw new Error(`bucket ${i} ${m}: ${JSON.stringify(got)} vs ${JSON.stringify(exp)}`)
      }
    }
  })
}

/** Distinct readings (unique ts within an hour from T0), then the batch: with duplicates, shuffled, cut. */
const batchArb = fc
  .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 180 }), valuesArb), { selector: ([slot]) => slot, minLength: 1, maxLength: 40 })
  .map((entries) => entries.map(([slot, values]): Raw => ({ ...values, ts: T0 + slot * 20_000 + (slot % 7) * 13 })))
  .chain((distinct) =>
    fc.tuple(
      fc.constant(distinct),
      fc.array(fc.nat(distinct.length - 1), { maxLength: 20 }).chain((dups) => {
        const all = [...distinct, ...dups.map((i) => distinct[i]!)]
        return fc.tuple(fc.shuffledSubarray(all, { minLength: all.length }), fc.array(fc.boolean(), { minLength: all.length, maxLength: all.length }))
      })
    )
  )

describe("Sensors properties", () => {
  it.effect("any permutation and split of a batch with duplicates stores the same set and the reference buckets", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(batchArb, fc.boolean(), ([distinct, [shuffled, cuts]], parallel) =>
          run(
            Effect.gen(function*() {
              const sensors = yield* Sensors
              const { device } = yield* newDevice
              const batches = split(shuffled, cuts)
              const results = yield* Effect.all(
                batches.map((readings) => sensors.ingestTrusted(device.deviceId, readings)),
                { concurrency: parallel ? "unbounded" : 1 }
              )
              const accepted = results.reduce((n, r) => n + r.accepted, 0)
              const duplicates = results.reduce((n, r) => n + r.duplicates, 0)
              if (accepted !== distinct.length) throw new Error(`accepted ${accepted}, expected ${distinct.length}`)
              if (duplicates !== shuffled.length - distinct.length) throw new Error(`duplicates ${duplicates}`)
              if (results.some((r) => r.rejected.length > 0)) throw new Error("rejected a valid reading")

              const query = { deviceId: device.deviceId, from: T0, to: T0 + 2 * HOUR }
              const raw = yield* sensors.query(member, { ...query, bucket: "raw" })
              const expected = [...distinct].sort((a, b) => a.ts - b.ts).map((r) =>
                canonicalReading({ ...r, deviceId: device.deviceId })
              )
              if (raw._tag !== "RawQueryResult") throw new Error("expected raw readings")
              const stored = raw.readings.map(canonicalReading)
              if (JSON.stringify(stored) !== JSON.stringify(expected)) {
                throw new Error(`stored ${JSON.stringify(stored)}\nexpected ${JSON.stringify(expected)}`)
              }
              for (const [bucket, width] of [["1m", MINUTE], ["1h", HOUR]] as const) {
                const result = yield* sensors.query(member, { ...query, bucket })
                if (result._tag !== "BucketQueryResult") throw new Error("expected buckets")
                assertBucketsMatch(result.buckets, reference(distinct, width))
              }
            })
          )
        ),
        { numRuns: 100 }
      )
    ), 60_000)

  it.effect("latest is the reading with the greatest measured ts, whatever the arrival order", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 7_000 }), valuesArb), { selector: ([t]) => t, minLength: 1, maxLength: 30 })
            .chain((entries) =>
              fc.tuple(
                fc.shuffledSubarray(entries, { minLength: entries.length }),
                fc.array(fc.boolean(), { minLength: entries.length, maxLength: entries.length }),
                fc.boolean()
              )
            ),
          ([entries, cuts, parallel]) =>
            run(
              Effect.gen(function*() {
                const sensors = yield* Sensors
                const { device } = yield* newDevice
                const readings = entries.map(([t, values]) => ({ ...values, ts: T0 + t * 1_000 }))
                const results = yield* Effect.all(
                  split(readings, cuts).map((batch) => sensors.ingestTrusted(device.deviceId, batch)),
                  { concurrency: parallel ? "unbounded" : 1 }
                )
                if (results.some((r) => r.rejected.length > 0)) throw new Error("rejected a valid reading")
                const newest = readings.reduce((a, b) => (b.ts > a.ts ? b : a))
                const expected = JSON.stringify(canonicalReading({ ...newest, deviceId: device.deviceId }))
                const latest = yield* sensors.latest(member, teamId)
                if (latest.length !== 1 || JSON.stringify(canonicalReading(latest[0]!)) !== expected) {
                  throw new Error(`latest ${JSON.stringify(latest.map(canonicalReading))}, expected ${expected}`)
                }
                const stored = yield* (yield* ReadingRepository).latest(device.deviceId)
                if (stored._tag !== "Some" || JSON.stringify(canonicalReading(stored.value)) !== expected) {
                  throw new Error("the store's latest differs")
                }
              })
            )
        ),
        { numRuns: 100 }
      )
    ), 60_000)

  it.effect("a batch mixing valid and invalid readings stores every valid one and reports exactly the invalid indexes", () => {
    const invalidArb: fc.Arbitrary<(ts: number) => unknown> = fc.oneof(
      fc.constantFrom<unknown>("garbage", null, 42, [], true).map((v) => () => v),
      fc.constant((ts: number) => ({ ts })),
      fc.constant(() => ({ temperature: 20 })),
      fc.oneof(fc.double({ min: 85.0001, max: 1e6, noNaN: true }), fc.double({ max: -40.0001, min: -1e6, noNaN: true }))
        .map((temperature) => (ts: number) => ({ ts, temperature })),
      fc.double({ min: 100.0001, max: 1e6, noNaN: true }).map((humidity) => (ts: number) => ({ ts, humidity })),
      fc.integer({ min: -1_000, max: -1 }).map((co2) => (ts: number) => ({ ts, co2 })),
      fc.integer({ min: 1_001, max: 100_000 }).map((pm25) => (ts: number) => ({ ts, pm25 })),
      fc.integer({ min: 10_001, max: 50_000 }).map((x) => (ts: number) => ({ ts, x, y: 1 })),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, "20").map((temperature) => (ts: number) => ({ ts, temperature })),
      fc.constant((ts: number) => ({ ts, x: 5 })),
      fc.constant((ts: number) => ({ ts: ts + 0.5, co2: 400 })),
      fc.constant(() => ({ ts: -1, co2: 400 })),
      fc.constant(() => ({ ts: NOW + 6 * MINUTE, co2: 400 }))
    )
    return Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(valuesArb.map((v) => ({ valid: true as const, v })), invalidArb.map((f) => ({ valid: false as const, f }))), {
            maxLength: 60
          }),
          (items) =>
            run(
              Effect.gen(function*() {
                const sensors = yield* Sensors
                const { device } = yield* newDevice
                const payload = items.map((item, i) => (item.valid ? { ...item.v, ts: T0 + i * 1_000 } : item.f(T0 + i * 1_000)))
                const result = yield* sensors.ingestTrusted(device.deviceId, payload)
                const invalid = items.flatMap((item, i) => (item.valid ? [] : [i]))
                const valid = items.flatMap((item, i) => (item.valid ? [{ ...item.v, ts: T0 + i * 1_000 }] : []))
                const reported = result.rejected.map((r) => r.index)
                if (JSON.stringify(reported) !== JSON.stringify(invalid)) {
                  throw new Error(`rejected ${JSON.stringify(reported)}, expected ${JSON.stringify(invalid)}`)
                }
                for (const rejection of result.rejected) {
                  if (rejection.errors.length === 0) throw new Error("a rejection without errors")
                  for (const error of rejection.errors) {
                    if (error.path !== `readings.${rejection.index}` && !error.path.startsWith(`readings.${rejection.index}.`)) {
                      throw new Error(`error path ${error.path} for index ${rejection.index}`)
                    }
                  }
                }
                if (result.accepted !== valid.length || result.duplicates !== 0) {
                  throw new Error(`accepted ${result.accepted}, expected ${valid.length}`)
                }
                const stored = yield* (yield* ReadingRepository).range(device.deviceId, 0, NOW + HOUR, 1_000)
                const expected = valid.map((r) => canonicalReading({ ...r, deviceId: device.deviceId }))
                if (JSON.stringify(stored.map(canonicalReading)) !== JSON.stringify(expected)) {
                  throw new Error("stored readings differ from the valid ones")
                }
              })
            )
        ),
        { numRuns: 100 }
      )
    )
  }, 60_000)
})
