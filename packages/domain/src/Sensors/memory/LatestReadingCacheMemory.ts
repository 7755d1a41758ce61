/**
 * LatestReadingCache in process memory: the compare and the write are one synchronous step, the
 * same guarantee the Redis Lua script gives.
 */
import { Effect, Layer } from "effect"
import type { DeviceId } from "../Device.js"
import type { Reading } from "../Reading.js"
import { LatestReadingCache } from "../LatestReadingCache.js"

export const make = Effect.sync(() => {
  const latest = new Map<DeviceId, Reading>()

  return LatestReadingCache.of({
    offer: (reading) =>
      Effect.sync(() => {
        const cached = latest.get(reading.deviceId)
        if (cached !== undefined && cached.ts >= reading.ts) return false
        latest.set(reading.deviceId, reading)
        return true
      }),
    get: (deviceIds) =>
      Effect.sync(() => {
        const result: Array<Reading> = []
        for (const deviceId of deviceIds) {
          const reading = latest.get(deviceId)
          if (reading !== undefined) result.push(reading)
        }
        return result
      })
  })
})

export const layer = Layer.effect(LatestReadingCache, make)
