/** The answers this feature works with, typed from the contract, and its query keys. */
import type { ResponseOf, RouteNamed } from "@app/api"

export type Device = ResponseOf<RouteNamed<"sensors.listDevices">>[number]
export type CreatedDevice = ResponseOf<RouteNamed<"sensors.createDevice">>
export type LatestReading = ResponseOf<RouteNamed<"sensors.latest">>[number]
export type QueryAnswer = ResponseOf<RouteNamed<"sensors.query">>

/** Query keys of this feature, all under "sensors" (cleared on logout with the rest). */
export const sensorKeys = {
  devices: (teamId: string) => ["sensors", teamId, "devices"] as const,
  latest: (teamId: string) => ["sensors", teamId, "latest"] as const,
  allReadings: ["sensors", "readings"] as const,
  readings: (deviceId: string, bucket: string, range: string) => ["sensors", "readings", deviceId, bucket, range] as const
}
