/**
 * Sensor readings of 003 and what queries make of them. A reading is one device's measurements at
 * one measured instant `ts` (epoch millis): any of temperature, humidity, CO2, PM2.5 and a position
 * x/y on the team's floor map. (deviceId, ts) identifies a reading: ingest is idempotent by it.
 *
 * Ranges (inclusive; every value a finite number):
 * - temperature −40..85 °C (the operating range of common indoor/industrial sensors)
 * - humidity 0..100 % relative humidity
 * - co2 0..10000 ppm
 * - pm25 0..1000 µg/m³
 * - x, y 0..10000 floor-map units, always together
 * A reading carries at least one measurement. `ts` may not lie more than MAX_FUTURE_SKEW_MILLIS
 * ahead of the server clock; that rule needs the Clock, so the Sensors use case applies it.
 */
import { Schema } from "effect"
import { HOUR, InstantInput, Millis, MINUTE } from "../Millis.js"
import { DeviceId } from "./Device.js"

const between = (minimum: number, maximum: number) =>
  Schema.Finite.check(Schema.isBetween({ minimum, maximum }))

export const MEASUREMENT_RANGES = {
  temperature: { minimum: -40, maximum: 85 },
  humidity: { minimum: 0, maximum: 100 },
  co2: { minimum: 0, maximum: 10_000 },
  pm25: { minimum: 0, maximum: 1_000 },
  x: { minimum: 0, maximum: 10_000 },
  y: { minimum: 0, maximum: 10_000 }
} as const

export const Temperature = between(MEASUREMENT_RANGES.temperature.minimum, MEASUREMENT_RANGES.temperature.maximum)
export const Humidity = between(MEASUREMENT_RANGES.humidity.minimum, MEASUREMENT_RANGES.humidity.maximum)
export const Co2 = between(MEASUREMENT_RANGES.co2.minimum, MEASUREMENT_RANGES.co2.maximum)
export const Pm25 = between(MEASUREMENT_RANGES.pm25.minimum, MEASUREMENT_RANGES.pm25.maximum)
export const MapCoordinate = between(MEASUREMENT_RANGES.x.minimum, MEASUREMENT_RANGES.x.maximum)

/** The aggregated measurements (positions are not aggregated). */
export const MEASUREMENTS = ["temperature", "humidity", "co2", "pm25"] as const
export type Measurement = (typeof MEASUREMENTS)[number]

/** How far ahead of the server clock a measured timestamp may be (device clock drift). */
export const MAX_FUTURE_SKEW_MILLIS = 5 * MINUTE

const measuredValues = {
  temperature: Schema.optionalKey(Temperature),
  humidity: Schema.optionalKey(Humidity),
  co2: Schema.optionalKey(Co2),
  pm25: Schema.optionalKey(Pm25),
  x: Schema.optionalKey(MapCoordinate),
  y: Schema.optionalKey(MapCoordinate)
}

/** The measurements of a reading, each optional. */
export type MeasuredValues = Schema.Struct<typeof measuredValues>["Type"]

/** At least one measurement; x and y together. */
const wellFormed = Schema.makeFilter((r: MeasuredValues) => {
  const issues: Array<Schema.FilterIssue> = []
  if (
    r.temperature === undefined && r.humidity === undefined && r.co2 === undefined && r.pm25 === undefined &&
    r.x === undefined && r.y === undefined
  ) {
    issues.push({ path: [], issue: "must contain at least one measurement" })
  }
  if (r.x !== undefined && r.y === undefined) issues.push({ path: ["y"], issue: "is required with x" })
  if (r.y !== undefined && r.x === undefined) issues.push({ path: ["x"], issue: "is required with y" })
  return issues
})

/**
 * One reading as a device sends it (the device is known from the key or the MQTT topic); `ts` as
 * epoch millis or an ISO-8601 instant.
 */
export const ReadingInput = Schema.Struct({ ts: InstantInput, ...measuredValues }).check(wellFormed)
export type ReadingInput = typeof ReadingInput.Type

export class Reading extends Schema.Class<Reading>("@app/domain/Sensors/Reading")(
  Schema.Struct({ deviceId: DeviceId, ts: Millis, ...measuredValues }).check(wellFormed)
) {}

/** A device's position on the floor map at `ts`, as pushed live to dashboards. */
export class Position extends Schema.Class<Position>("@app/domain/Sensors/Position")({
  deviceId: DeviceId,
  x: MapCoordinate,
  y: MapCoordinate,
  ts: Millis
}) {}

/** The position a reading carries, if any. */
export const positionOf = (reading: Reading): Position | undefined =>
  reading.x === undefined || reading.y === undefined
    ? undefined
    : new Position({ deviceId: reading.deviceId, x: reading.x, y: reading.y, ts: reading.ts })

export class MeasurementStats extends Schema.Class<MeasurementStats>("@app/domain/Sensors/MeasurementStats")({
  min: Schema.Finite,
  max: Schema.Finite,
  avg: Schema.Finite
}) {}

/**
 * The readings of one device in [start, start + size): how many, and min/max/avg of each
 * measurement over the readings that carry it (null when none does).
 */
export class Bucket extends Schema.Class<Bucket>("@app/domain/Sensors/Bucket")({
  start: Millis,
  count: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  temperature: Schema.NullOr(MeasurementStats),
  humidity: Schema.NullOr(MeasurementStats),
  co2: Schema.NullOr(MeasurementStats),
  pm25: Schema.NullOr(MeasurementStats)
}) {}

export const BucketSize = Schema.Literals(["raw", "1m", "1h"])
export type BucketSize = typeof BucketSize.Type

/** The sizes a store aggregates into. */
export const AggregateBucketSize = Schema.Literals(["1m", "1h"])
export type AggregateBucketSize = typeof AggregateBucketSize.Type

export const bucketMillis = (size: AggregateBucketSize): number => (size === "1m" ? MINUTE : HOUR)

/** Buckets are aligned to the epoch (UTC minutes and hours). */
export const bucketStart = (ts: number, size: AggregateBucketSize): number => {
  const width = bucketMillis(size)
  return Math.floor(ts / width) * width
}
