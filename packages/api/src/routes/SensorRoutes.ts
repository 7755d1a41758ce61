/**
 * Devices, ingest with a device key, and reading queries (API.md "Sensors"). Ingest is rate
 * limited per device; a batch stores every valid reading and reports each invalid one by index.
 */
import {
  BucketSize,
  CreateDeviceInput,
  DeviceId,
  DeviceName,
  FieldError,
  IngestInput,
  MapCoordinate,
  Sensors,
  TeamId,
  Unauthenticated
} from "@app/domain"
import { Effect, Schema } from "effect"
import { endpoint } from "../Endpoint.js"
import { headerValue } from "../HttpExchange.js"
import { Instant, InstantFromQuery } from "../Wire.js"

export const DeviceBody = Schema.Struct({ deviceId: DeviceId, teamId: TeamId, name: DeviceName, createdAt: Instant })
export const CreatedDeviceBody = Schema.Struct({
  ...DeviceBody.fields,
  /** Shown only in this answer. */
  ingestKey: Schema.String
})

/** The team whose devices (or their latest readings) are asked for. */
const TeamQuery = Schema.Struct({ teamId: TeamId })

const measurement = Schema.optionalKey(Schema.Finite)

export const ReadingBody = Schema.Struct({
  deviceId: DeviceId,
  ts: Instant,
  temperature: measurement,
  humidity: measurement,
  co2: measurement,
  pm25: measurement,
  x: Schema.optionalKey(MapCoordinate),
  y: Schema.optionalKey(MapCoordinate)
})

const Stats = Schema.NullOr(Schema.Struct({ min: Schema.Finite, max: Schema.Finite, avg: Schema.Finite }))
export const BucketBody = Schema.Struct({
  start: Instant,
  count: Schema.Int,
  temperature: Stats,
  humidity: Stats,
  co2: Stats,
  pm25: Stats
})

export const IngestBody = Schema.Struct({
  deviceId: DeviceId,
  readings: IngestInput.fields.readings
})

export const IngestResultBody = Schema.Struct({
  accepted: Schema.Int,
  duplicates: Schema.Int,
  rejected: Schema.Array(Schema.Struct({ index: Schema.Int, errors: Schema.Array(FieldError) }))
})

export const ReadingsQuery = Schema.Struct({
  deviceId: DeviceId,
  from: InstantFromQuery,
  to: InstantFromQuery,
  bucket: Schema.optionalKey(BucketSize)
})

export const createDevice = endpoint({
  name: "sensors.createDevice",
  method: "POST",
  path: "/api/devices",
  tag: "sensors",
  summary: "Register a device (admin or owner); its ingest key is shown only here",
  auth: "bearer",
  body: CreateDeviceInput,
  status: 201,
  response: CreatedDeviceBody,
  errors: [400, 401, 403, 404],
  handle: ({ actor, body }) =>
    Sensors.use((s) => s.createDevice(actor, body)).pipe(
      Effect.map(({ device, ingestKey }) => ({ ...device, ingestKey }))
    )
})

export const listDevices = endpoint({
  name: "sensors.listDevices",
  method: "GET",
  path: "/api/devices",
  tag: "sensors",
  summary: "A team's devices (never their keys)",
  auth: "bearer",
  query: TeamQuery,
  response: Schema.Array(DeviceBody),
  errors: [400, 401, 404],
  handle: ({ actor, query }) => Sensors.use((s) => s.listDevices(actor, query.teamId))
})

export const ingest = endpoint({
  name: "sensors.ingest",
  method: "POST",
  path: "/api/sensor-data",
  tag: "sensors",
  summary: "Ingest up to 1000 readings with the device's X-Device-Key; each invalid one is reported by index",
  auth: "none",
  body: IngestBody,
  response: IngestResultBody,
  errors: [400, 401, 413, 429],
  rateLimit: { policy: "ingest", key: ({ body }) => body.deviceId },
  handle: ({ body, request }) => {
    const key = headerValue(request, "x-device-key")
    return key === undefined || key === ""
      ? Effect.fail(new Unauthenticated({ code: "MissingDeviceKey", message: "the X-Device-Key header is required" }))
      : Sensors.use((s) => s.ingest(body.deviceId, key, { readings: body.readings }))
  }
})

export const queryReadings = endpoint({
  name: "sensors.query",
  method: "GET",
  path: "/api/sensor-data",
  tag: "sensors",
  summary: "A device's readings over [from, to): raw, or in 1m / 1h buckets",
  auth: "bearer",
  query: ReadingsQuery,
  response: Schema.Union([Schema.Array(ReadingBody), Schema.Array(BucketBody)]),
  errors: [400, 401, 404],
  handle: ({ actor, query }) =>
    Sensors.use((s) => s.query(actor, { ...query, bucket: query.bucket ?? "raw" })).pipe(
      Effect.map((result) => (result._tag === "RawQueryResult" ? result.readings : result.buckets))
    )
})

export const latestReadings = endpoint({
  name: "sensors.latest",
  method: "GET",
  path: "/api/sensor-data/latest",
  tag: "sensors",
  summary: "The latest reading of every device of a team",
  auth: "bearer",
  query: TeamQuery,
  response: Schema.Array(ReadingBody),
  errors: [400, 401, 404],
  handle: ({ actor, query }) => Sensors.use((s) => s.latest(actor, query.teamId))
})

/**
 * This module's routes in API.md's order: the contract's list and each Lambda function's group
 * are made of these. A function, so a bundle that never calls it can leave the routes out.
 */
export const all = () => [createDevice, listDevices, ingest, queryReadings, latestReadings] as const
