/**
 * DeviceRepository in process memory (see TeamRepositoryMemory for why each step is atomic).
 */
import { Effect, Layer, Option } from "effect"
import { Conflict } from "../../DomainError.js"
import type { TeamId } from "../../Teams/Team.js"
import type { Device, DeviceId, DeviceRecord } from "../Device.js"
import { DeviceRepository } from "../DeviceRepository.js"

export const make = Effect.sync(() => {
  const devices = new Map<DeviceId, DeviceRecord>()

  return DeviceRepository.of({
    create: (record) =>
      Effect.suspend((): Effect.Effect<void, Conflict> => {
        if (devices.has(record.device.deviceId)) {
          return Effect.fail(new Conflict({ code: "DeviceExists", message: "device already exists" }))
        }
        devices.set(record.device.deviceId, record)
        return Effect.void
      }),
    get: (deviceId) => Effect.sync(() => Option.fromUndefinedOr(devices.get(deviceId))),
    listByTeam: (teamId: TeamId) =>
      Effect.sync(() => {
        const result: Array<Device> = []
        for (const record of devices.values()) {
          if (record.device.teamId === teamId) result.push(record.device)
        }
        return result.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0))
      })
  })
})

export const layer = Layer.effect(DeviceRepository, make)
