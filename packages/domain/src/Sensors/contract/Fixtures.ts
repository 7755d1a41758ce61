/**
 * Shared pieces of the sensor contract suites: building scoped readings, arbitraries whose values
 * add up exactly in floating point (halves), canonical forms to compare outcomes of stores that
 * build objects differently, and a one-line fc command.
 */
import * as fc from "fast-check"
import type { ModelState, PortCommand } from "../../contract/ModelRun.js"
import { TeamId } from "../../Teams/Team.js"
import { Device, DeviceId, DeviceRecord } from "../Device.js"
import { type Bucket, type MeasuredValues, type MeasurementStats, Reading } from "../Reading.js"

/** An instant a little before an hour boundary, so short runs of readings cross 1m and 1h buckets. */
export const BASE_TS = 1_699_999_200_000 + 55 * 60_000

export const deviceIdOf = (scope: string, i: number): DeviceId => DeviceId.make(`${scope}-d${i}`)
export const teamIdOf = (scope: string, i: number): TeamId => TeamId.make(`${scope}-t${i}`)

export const deviceRecordOf = (scope: string, device: number, team: number, name = `device ${device}`): DeviceRecord =>
  new DeviceRecord({
    device: new Device({ deviceId: deviceIdOf(scope, device), teamId: teamIdOf(scope, team), name, createdAt: BASE_TS }),
    ingestKeyHash: (device * 7919 + team).toString(16).padStart(64, "0")
  })

export const readingOf = (deviceId: DeviceId, ts: number, values: MeasuredValues = { temperature: 20 }): Reading =>
  new Reading({ ...values, deviceId, ts })

/** Measurements in halves (exact in binary floating point), at least one, x and y together. */
export const valuesArb: fc.Arbitrary<MeasuredValues> = fc
  .record(
    {
      temperature: fc.integer({ min: -80, max: 170 }).map((n) => n / 2),
      humidity: fc.integer({ min: 0, max: 200 }).map((n) => n / 2),
      co2: fc.integer({ min: 0, max: 10_000 }),
      pm25: fc.integer({ min: 0, max: 2_000 }).map((n) => n / 2),
      position: fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }))
    },
    { requiredKeys: [] }
  )
  .map(({ position, ...rest }): MeasuredValues => {
    const values: MeasuredValues = position === undefined ? rest : { ...rest, x: position[0], y: position[1] }
    return Object.keys(values).length === 0 ? { temperature: 21.5 } : values
  })

/** A reading as plain data (also one built from plain values, as the properties do). */
export const canonicalReading = (r: MeasuredValues & { readonly deviceId: DeviceId; readonly ts: number }) => ({
  deviceId: r.deviceId,
  ts: r.ts,
  temperature: r.temperature ?? null,
  humidity: r.humidity ?? null,
  co2: r.co2 ?? null,
  pm25: r.pm25 ?? null,
  x: r.x ?? null,
  y: r.y ?? null
})

/** Rounds away the last bits a store's AVG may differ in. */
export const round = (n: number): number => Math.round(n * 1e9) / 1e9

const canonicalStats = (s: MeasurementStats | null) =>
  s === null ? null : { min: round(s.min), max: round(s.max), avg: round(s.avg) }

export const canonicalBucket = (b: Bucket) => ({
  start: b.start,
  count: b.count,
  temperature: canonicalStats(b.temperature),
  humidity: canonicalStats(b.humidity),
  co2: canonicalStats(b.co2),
  pm25: canonicalStats(b.pm25)
})

/** A command that always applies; `run` compares model and port through `agree`. */
export const command = <S>(label: string, run: (model: ModelState<S>, real: S) => Promise<unknown>): PortCommand<S> => ({
  check: () => Promise.resolve(true),
  run: async (model, real) => {
    await run(model, real)
  },
  toString: () => label
})
