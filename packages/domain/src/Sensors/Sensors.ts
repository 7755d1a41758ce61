/**
 * The sensor use cases of 003 behind the sensor routes of API.md, the IoT-rule / MQTT ingest and
 * the live coordinates socket.
 *
 * - createDevice: the owner or an admin of the team; the ingest key is random, returned once and
 *   stored only as SHA-256.
 * - ingest (HTTP, device key) and ingestTrusted (MQTT, the broker authenticated the device): each
 *   reading is decoded on its own, the valid ones are stored (idempotent by (deviceId, ts),
 *   out-of-order accepted), each invalid one is reported by index with its field errors — nothing
 *   valid is dropped. The newly stored readings are then offered to the latest-reading cache and
 *   published on the bus; both are best effort (the readings are already stored and the cache
 *   falls back to the store), so their failure is logged and does not fail the ingest.
 * - query, latest, livePositions: members of the device's team.
 *
 * Refusals: a caller who is not a member of the team (or a team/device that does not exist) →
 * NotFound("team" | "device") before any role check; a member without the role → Forbidden
 * ("AdminOrOwnerRequired"); an unknown device or a wrong key on ingest → Unauthenticated
 * ("InvalidDeviceKey", the same for both); bad input → ValidationError with field paths
 * ("readings.3.temperature").
 */
import { Clock, Context, Duration, Effect, Layer, Option, type Scope, Schema, Stream } from "effect"
import type { Actor } from "../Actor.js"
import { constantTimeEqual, sha256Hex } from "../Digest.js"
import { FieldError, Forbidden, NotFound, Unauthenticated, ValidationError } from "../DomainError.js"
import { Ids } from "../Ids.js"
import { Millis } from "../Millis.js"
import { Randomness, randomToken } from "../Randomness.js"
import { Unexpected } from "../StoreFailure.js"
import { TeamId } from "../Teams/Team.js"
import { requireMembership, TeamRepository, type TeamRepositoryError } from "../Teams/TeamRepository.js"
import { fieldErrors } from "../Validation.js"
import { Device, DeviceId, DeviceName, DeviceRecord, INGEST_KEY_BYTES } from "./Device.js"
import { DeviceRepository, DeviceRepositoryError } from "./DeviceRepository.js"
import { LatestReadingCache } from "./LatestReadingCache.js"
import { decodeReadingsPayload, MAX_BATCH_READINGS } from "./MqttIngest.js"
import {
  AggregateBucketSize,
  Bucket,
  bucketMillis,
  BucketSize,
  MAX_FUTURE_SKEW_MILLIS,
  Position,
  positionOf,
  Reading,
  ReadingInput
} from "./Reading.js"
import { ReadingRepository, type ReadingRepositoryError } from "./ReadingRepository.js"
import { SensorBus, type SensorBusError } from "./SensorBus.js"

/** Most raw readings one query returns; a larger range must use a bucket. */
export const MAX_RAW_POINTS = 10_000
/** Most buckets one query may span: about 6.9 days of 1m buckets, 416 days of 1h buckets. */
export const MAX_BUCKETS = 10_000
/** Live positions are pushed at most this often per device. */
export const LIVE_POSITION_INTERVAL = Duration.seconds(1)

export const CreateDeviceInput = Schema.Struct({ teamId: TeamId, name: DeviceName })
export type CreateDeviceInput = typeof CreateDeviceInput.Type

export const ListDevicesInput = Schema.Struct({ teamId: TeamId })
export type ListDevicesInput = typeof ListDevicesInput.Type

/** A batch from a device: each reading stays undecoded until ingest decodes it on its own. */
export const IngestInput = Schema.Struct({
  readings: Schema.Array(Schema.Unknown).check(Schema.isMaxLength(MAX_BATCH_READINGS))
})
export type IngestInput = typeof IngestInput.Type

/** A device's readings with from ≤ ts < to, raw or in 1m / 1h buckets. */
export const QueryInput = Schema.Struct({
  deviceId: DeviceId,
  from: Millis,
  to: Millis,
  bucket: BucketSize
})
export type QueryInput = typeof QueryInput.Type

export const LatestInput = Schema.Struct({ teamId: TeamId })
export type LatestInput = typeof LatestInput.Type

/** The answer to createDevice: the device and its ingest key, which is never shown again. */
export class CreatedDevice extends Schema.Class<CreatedDevice>("@app/domain/Sensors/CreatedDevice")({
  device: Device,
  ingestKey: Schema.String
}) {}

export class RejectedReading extends Schema.Class<RejectedReading>("@app/domain/Sensors/RejectedReading")({
  index: Schema.Int,
  errors: Schema.Array(FieldError)
}) {}

/** accepted (newly stored) + duplicates (already stored) + rejected.length = readings sent. */
export class IngestResult extends Schema.Class<IngestResult>("@app/domain/Sensors/IngestResult")({
  accepted: Schema.Int,
  duplicates: Schema.Int,
  rejected: Schema.Array(RejectedReading)
}) {}

export class RawQueryResult extends Schema.TaggedClass<RawQueryResult>()("RawQueryResult", {
  readings: Schema.Array(Reading)
}) {}

export class BucketQueryResult extends Schema.TaggedClass<BucketQueryResult>()("BucketQueryResult", {
  size: AggregateBucketSize,
  buckets: Schema.Array(Bucket)
}) {}

export const QueryResult = Schema.Union([RawQueryResult, BucketQueryResult])
export type QueryResult = typeof QueryResult.Type

/**
 * Thins a stream of positions to at most one per device per `interval`: every `interval` after
 * the stream starts, the newest (by measured ts) position of each device received since the last
 * flush, if it is newer than the one last sent for that device (a late older position is never
 * pushed). Ends when `positions` ends.
 */
export const latestPerDevice = <E, R>(
  positions: Stream.Stream<Position, E, R>,
  interval: Duration.Input = LIVE_POSITION_INTERVAL
): Stream.Stream<Position, E, R> => {
  type Event = { readonly _tag: "Position"; readonly position: Position } | { readonly _tag: "Tick" }
  interface State {
    readonly pending: Map<DeviceId, Position>
    readonly sent: Map<DeviceId, number>
  }
  return Stream.merge(
    Stream.map(positions, (position): Event => ({ _tag: "Position", position })),
    // Stream.tick fires at once and then every interval; the first flush is one interval in.
    Stream.map(Stream.drop(Stream.tick(interval), 1), (): Event => ({ _tag: "Tick" })),
    { haltStrategy: "left" }
  ).pipe(
    Stream.mapAccum(
      (): State => ({ pending: new Map(), sent: new Map() }),
      (state, event): readonly [State, ReadonlyArray<Position>] => {
        if (event._tag === "Position") {
          const { position } = event
          const sent = state.sent.get(position.deviceId)
          const pending = state.pending.get(position.deviceId)
          if ((sent === undefined || position.ts > sent) && (pending === undefined || position.ts > pending.ts)) {
            state.pending.set(position.deviceId, position)
          }
          return [state, []]
        }
        const due = Array.from(state.pending.values()).sort((a, b) =>
          a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0
        )
        for (const position of due) state.sent.set(position.deviceId, position.ts)
        state.pending.clear()
        return [state, due]
      }
    )
  )
}

/** Stands in for a missing device's digest, so an unknown id costs the same comparison. */
const NO_DEVICE_HASH = "0".repeat(64)

const invalidKey = () => new Unauthenticated({ code: "InvalidDeviceKey", message: "unknown device or wrong device key" })

const decodeReading = Schema.decodeUnknownEffect(ReadingInput)

export class Sensors extends Context.Service<Sensors, {
  readonly createDevice: (
    actor: Actor,
    input: CreateDeviceInput
  ) => Effect.Effect<CreatedDevice, Forbidden | NotFound | TeamRepositoryError | DeviceRepositoryError>
  /** The team's devices (never their keys), for any member. */
  readonly listDevices: (
    actor: Actor,
    teamId: TeamId
  ) => Effect.Effect<ReadonlyArray<Device>, NotFound | TeamRepositoryError | DeviceRepositoryError>
  /** HTTP ingest with the device's key (X-Device-Key); `input` decoded by IngestInput (at most 1000 readings). */
  readonly ingest: (
    deviceId: DeviceId,
    ingestKey: string,
    input: IngestInput
  ) => Effect.Effect<IngestResult, Unauthenticated | DeviceRepositoryError | ReadingRepositoryError>
  /**
   * Ingest of an MQTT message whose device the broker authenticated (topic
   * `sensors/{deviceId}/readings`): `payload` is one reading or an array, parsed or as JSON text.
   */
  readonly ingestTrusted: (
    deviceId: DeviceId,
    payload: unknown
  ) => Effect.Effect<IngestResult, NotFound | ValidationError | DeviceRepositoryError | ReadingRepositoryError>
  readonly query: (
    actor: Actor,
    input: QueryInput
  ) => Effect.Effect<
    QueryResult,
    ValidationError | NotFound | TeamRepositoryError | DeviceRepositoryError | ReadingRepositoryError
  >
  /** The latest reading (by measured ts) of every device of the team that has one, in device order. */
  readonly latest: (
    actor: Actor,
    teamId: TeamId
  ) => Effect.Effect<ReadonlyArray<Reading>, NotFound | TeamRepositoryError | DeviceRepositoryError | ReadingRepositoryError>
  /**
   * The team's live device positions for the life of the enclosing Scope, at most one per device
   * per second (the newest of that second). The subscription is in place when this succeeds.
   */
  readonly livePositions: (
    actor: Actor,
    teamId: TeamId
  ) => Effect.Effect<Stream.Stream<Position, SensorBusError>, NotFound | TeamRepositoryError | SensorBusError, Scope.Scope>
}>()("@app/domain/Sensors/Sensors") {
  static readonly layer = Layer.effect(
    Sensors,
    Effect.gen(function*() {
      const teams = yield* TeamRepository
      const devices = yield* DeviceRepository
      const readings = yield* ReadingRepository
      const cache = yield* LatestReadingCache
      const bus = yield* SensorBus
      const ids = yield* Ids
      const randomness = yield* Randomness

      /** Offers the newest stored reading to the cache and publishes the stored readings. */
      const announce = (teamId: TeamId, stored: ReadonlyArray<Reading>) =>
        Effect.gen(function*() {
          if (stored.length === 0) return
          const newest = stored.reduce((a, b) => (b.ts > a.ts ? b : a))
          yield* cache.offer(newest).pipe(
            Effect.catch((error) => Effect.logWarning("latest-reading cache offer failed", error))
          )
          yield* bus.publish(teamId, stored).pipe(
            Effect.catch((error) => Effect.logWarning("sensor bus publish failed", error))
          )
        })

      const store = Effect.fnUntraced(function*(device: Device, batch: ReadonlyArray<unknown>) {
        const now = yield* Clock.currentTimeMillis
        const valid: Array<Reading> = []
        const rejected: Array<RejectedReading> = []
        for (let index = 0; index < batch.length; index++) {
          const prefix = `readings.${index}`
          const decoded = yield* Effect.result(decodeReading(batch[index], { errors: "all" }))
          if (decoded._tag === "Failure") {
            rejected.push(new RejectedReading({ index, errors: fieldErrors(decoded.failure, prefix) }))
          } else if (decoded.success.ts > now + MAX_FUTURE_SKEW_MILLIS) {
            rejected.push(
              new RejectedReading({
                index,
                errors: [
                  new FieldError({
                    path: `${prefix}.ts`,
                    message: `must not be more than ${MAX_FUTURE_SKEW_MILLIS / 1000} seconds in the future`
                  })
                ]
              })
            )
          } else {
            valid.push(new Reading({ ...decoded.success, deviceId: device.deviceId }))
          }
        }
        if (valid.length === 0) return new IngestResult({ accepted: 0, duplicates: 0, rejected })
        const result = yield* readings.insertMany(valid)
        // The first occurrence of a ts in the batch is the one stored.
        const firstByTs = new Map<number, Reading>()
        for (const reading of valid) if (!firstByTs.has(reading.ts)) firstByTs.set(reading.ts, reading)
        const stored = result.insertedKeys.flatMap((key) => {
          const reading = firstByTs.get(key.ts)
          return reading === undefined ? [] : [reading]
        })
        yield* announce(device.teamId, stored)
        return new IngestResult({ accepted: result.inserted, duplicates: result.duplicates, rejected })
      })

      const createDevice = Effect.fn("Sensors.createDevice")(function*(actor: Actor, input: CreateDeviceInput) {
        const membership = yield* requireMembership(teams, input.teamId, actor.userId)
        if (membership.role !== "owner" && membership.role !== "admin") {
          return yield* new Forbidden({ code: "AdminOrOwnerRequired", message: "only the owner or an admin can add devices" })
        }
        const now = yield* Clock.currentTimeMillis
        const deviceId = DeviceId.make(yield* ids.next)
        const ingestKey = yield* randomToken(INGEST_KEY_BYTES).pipe(Effect.provideService(Randomness, randomness))
        const device = new Device({ deviceId, teamId: input.teamId, name: input.name, createdAt: now })
        yield* devices.create(new DeviceRecord({ device, ingestKeyHash: yield* sha256Hex(ingestKey) })).pipe(
          // A fresh ULID cannot be taken; if it were, that is a store fault, not the caller's conflict.
          Effect.catchTag("Conflict", () =>
            Effect.fail(new DeviceRepositoryError({ reason: new Unexpected({ message: "a fresh device id was taken" }) })))
        )
        return new CreatedDevice({ device, ingestKey })
      })

      const listDevices = Effect.fn("Sensors.listDevices")(function*(actor: Actor, teamId: TeamId) {
        yield* requireMembership(teams, teamId, actor.userId)
        return yield* devices.listByTeam(teamId)
      })

      const ingest = Effect.fn("Sensors.ingest")(function*(deviceId: DeviceId, ingestKey: string, input: IngestInput) {
        const presented = yield* sha256Hex(ingestKey)
        const record = yield* devices.get(deviceId)
        const expected = Option.match(record, { onNone: () => NO_DEVICE_HASH, onSome: (r) => r.ingestKeyHash })
        if (!constantTimeEqual(presented, expected) || Option.isNone(record)) return yield* invalidKey()
        return yield* store(record.value.device, input.readings)
      })

      const ingestTrusted = Effect.fn("Sensors.ingestTrusted")(function*(deviceId: DeviceId, payload: unknown) {
        const batch = yield* decodeReadingsPayload(payload)
        const record = yield* devices.get(deviceId)
        if (Option.isNone(record)) return yield* NotFound.of("device")
        return yield* store(record.value.device, batch)
      })

      const query = Effect.fn("Sensors.query")(function*(actor: Actor, input: QueryInput) {
        if (input.from > input.to) return yield* ValidationError.single("from", "must not be after to")
        if (input.bucket !== "raw" && (input.to - input.from) / bucketMillis(input.bucket) > MAX_BUCKETS) {
          return yield* ValidationError.single(
            "to",
            `the range spans more than ${MAX_BUCKETS} ${input.bucket} buckets: narrow it or use a larger bucket`
          )
        }
        const record = yield* devices.get(input.deviceId)
        if (Option.isNone(record)) return yield* NotFound.of("device")
        yield* requireMembership(teams, record.value.device.teamId, actor.userId, "device")
        if (input.bucket === "raw") {
          const rows = yield* readings.range(input.deviceId, input.from, input.to, MAX_RAW_POINTS + 1)
          if (rows.length > MAX_RAW_POINTS) {
            return yield* ValidationError.single(
              "to",
              `the range holds more than ${MAX_RAW_POINTS} readings: narrow it or use a 1m or 1h bucket`
            )
          }
          return new RawQueryResult({ readings: rows }) as QueryResult
        }
        const buckets = yield* readings.buckets(input.deviceId, input.from, input.to, input.bucket)
        return new BucketQueryResult({ size: input.bucket, buckets }) as QueryResult
      })

      const latest = Effect.fn("Sensors.latest")(function*(actor: Actor, teamId: TeamId) {
        yield* requireMembership(teams, teamId, actor.userId)
        const team = yield* devices.listByTeam(teamId)
        const deviceIds = team.map((d) => d.deviceId)
        const cached = yield* cache.get(deviceIds).pipe(
          Effect.catch((error) =>
            Effect.as(Effect.logWarning("latest-reading cache read failed", error), [] as ReadonlyArray<Reading>)
          )
        )
        const found = new Map(cached.map((r) => [r.deviceId, r] as const))
        const missing = deviceIds.filter((id) => !found.has(id))
        const fromStore = yield* Effect.forEach(missing, (id) => readings.latest(id), { concurrency: 8 })
        for (const reading of fromStore) {
          if (Option.isNone(reading)) continue
          found.set(reading.value.deviceId, reading.value)
          yield* cache.offer(reading.value).pipe(
            Effect.catch((error) => Effect.logWarning("latest-reading cache fill failed", error))
          )
        }
        return deviceIds.flatMap((id) => {
          const reading = found.get(id)
          return reading === undefined ? [] : [reading]
        })
      })

      const livePositions = Effect.fn("Sensors.livePositions")(function*(actor: Actor, teamId: TeamId) {
        yield* requireMembership(teams, teamId, actor.userId)
        const stream = yield* bus.subscribe(teamId)
        return latestPerDevice(
          stream.pipe(
            Stream.map(positionOf),
            Stream.filter((position): position is Position => position !== undefined)
          )
        )
      })

      return Sensors.of({ createDevice, listDevices, ingest, ingestTrusted, query, latest, livePositions })
    })
  )
}
