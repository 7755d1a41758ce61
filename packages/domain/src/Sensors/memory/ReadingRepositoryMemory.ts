/**
 * ReadingRepository in process memory: readings per device keyed by ts. insertMany is one
 * synchronous step, so concurrent batches are serialised and each key is stored exactly once.
 * Buckets are computed naively over the readings in ts order — the reference the SQL and DynamoDB
 * aggregations are checked against.
 */
import { Effect, Layer, Option } from "effect"
import type { DeviceId } from "../Device.js"
import {
  type AggregateBucketSize,
  Bucket,
  bucketStart,
  type Measurement,
  MEASUREMENTS,
  MeasurementStats,
  type Reading
} from "../Reading.js"
import { type InsertResult, ReadingRepository } from "../ReadingRepository.js"

interface Accumulator {
  min: number
  max: number
  sum: number
  n: number
}

const compareKeys = (
  a: { readonly deviceId: string; readonly ts: number },
  b: { readonly deviceId: string; readonly ts: number }
): number => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.ts - b.ts)

/** Aggregates readings (in ascending ts order) into buckets of `size`, ascending by start. */
export const aggregate = (readings: ReadonlyArray<Reading>, size: AggregateBucketSize): ReadonlyArray<Bucket> => {
  const groups = new Map<number, { count: number; stats: Map<Measurement, Accumulator> }>()
  for (const reading of readings) {
    const start = bucketStart(reading.ts, size)
    let group = groups.get(start)
    if (group === undefined) {
      group = { count: 0, stats: new Map() }
      groups.set(start, group)
    }
    group.count++
    for (const measurement of MEASUREMENTS) {
      const value = reading[measurement]
      if (value === undefined) continue
      const acc = group.stats.get(measurement)
      if (acc === undefined) group.stats.set(measurement, { min: value, max: value, sum: value, n: 1 })
      else {
        acc.min = Math.min(acc.min, value)
        acc.max = Math.max(acc.max, value)
        acc.sum += value
        acc.n++
      }
    }
  }
  const stats = (acc: Accumulator | undefined) =>
    acc === undefined ? null : new MeasurementStats({ min: acc.min, max: acc.max, avg: acc.sum / acc.n })
  return Array.from(groups.entries())
    .sort(([a], [b]) => a - b)
    .map(([start, group]) =>
      new Bucket({
        start,
        count: group.count,
        temperature: stats(group.stats.get("temperature")),
        humidity: stats(group.stats.get("humidity")),
        co2: stats(group.stats.get("co2")),
        pm25: stats(group.stats.get("pm25"))
      })
    )
}

export const make = Effect.sync(() => {
  const byDevice = new Map<DeviceId, Map<number, Reading>>()

  const inRange = (deviceId: DeviceId, from: number, to: number): Array<Reading> => {
    const readings = byDevice.get(deviceId)
    if (readings === undefined) return []
    const result: Array<Reading> = []
    for (const reading of readings.values()) {
      if (reading.ts >= from && reading.ts < to) result.push(reading)
    }
    return result.sort((a, b) => a.ts - b.ts)
  }

  return ReadingRepository.of({
    insertMany: (batch) =>
      Effect.sync((): InsertResult => {
        const insertedKeys: Array<{ deviceId: DeviceId; ts: number }> = []
        let duplicates = 0
        for (const reading of batch) {
          let readings = byDevice.get(reading.deviceId)
          if (readings === undefined) {
            readings = new Map()
            byDevice.set(reading.deviceId, readings)
          }
          if (readings.has(reading.ts)) duplicates++
          else {
            readings.set(reading.ts, reading)
            insertedKeys.push({ deviceId: reading.deviceId, ts: reading.ts })
          }
        }
        return { inserted: insertedKeys.length, duplicates, insertedKeys: insertedKeys.sort(compareKeys) }
      }),
    range: (deviceId, from, to, limit) =>
      Effect.sync(() => inRange(deviceId, from, to).slice(0, Math.max(0, limit))),
    buckets: (deviceId, from, to, size) => Effect.sync(() => aggregate(inRange(deviceId, from, to), size)),
    latest: (deviceId) =>
      Effect.sync(() => {
        let latest: Reading | undefined
        for (const reading of byDevice.get(deviceId)?.values() ?? []) {
          if (latest === undefined || reading.ts > latest.ts) latest = reading
        }
        return Option.fromUndefinedOr(latest)
      })
  })
})

export const layer = Layer.effect(ReadingRepository, make)
