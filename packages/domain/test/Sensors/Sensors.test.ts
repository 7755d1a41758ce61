import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Stream } from "effect"
import { TestClock } from "effect/testing"
import { sha256Hex } from "../../src/Digest.js"
import { MINUTE } from "../../src/Millis.js"
import {
  DeviceId,
  DeviceRepository,
  deviceIdFromTopic,
  LatestReadingCache,
  IngestInput,
  LatestReadingCacheError,
  MAX_RAW_POINTS,
  Reading,
  ReadingRepository,
  readingsTopic,
  Sensors
} from "../../src/Sensors/index.js"
import { Unavailable } from "../../src/StoreFailure.js"
import { decodeInput } from "../../src/Validation.js"
import { admin, member, NOW, otherTeamId, owner, portsLayer, seedTeams, sensorsLayer, stranger, teamId } from "./fixtures.js"

const withDevice = Effect.gen(function*() {
  yield* TestClock.setTime(NOW)
  yield* seedTeams
  const sensors = yield* Sensors
  const created = yield* sensors.createDevice(owner, { teamId, name: "Lobby" })
  return { sensors, device: created.device, key: created.ingestKey }
})

describe("Sensors.createDevice / listDevices", () => {
  it.effect("the owner and admins add devices; the key is shown once and stored only as SHA-256", () =>
    Effect.gen(function*() {
      const { sensors, device, key } = yield* withDevice
      assert.strictEqual(key.length, 43)
      assert.strictEqual(device.teamId, teamId)
      assert.strictEqual(device.createdAt, NOW)
      const record = yield* (yield* DeviceRepository).get(device.deviceId)
      assert.isTrue(Option.isSome(record))
      const stored = Option.getOrThrow(record).ingestKeyHash
      assert.strictEqual(stored, yield* sha256Hex(key))
      assert.notInclude(stored, key)
      const second = yield* sensors.createDevice(admin, { teamId, name: "Hall" })
      assert.notStrictEqual(second.ingestKey, key)
      const listed = yield* sensors.listDevices(member, teamId)
      assert.deepStrictEqual(listed.map((d) => d.name), ["Lobby", "Hall"])
      for (const d of listed) assert.isFalse("ingestKeyHash" in d || "ingestKey" in d)
    }).pipe(Effect.provide(sensorsLayer)))

  it.effect("a member is Forbidden; a non-member and an unknown team get NotFound", () =>
    Effect.gen(function*() {
      const { sensors } = yield* withDevice
      const forbidden = yield* Effect.flip(sensors.createDevice(member, { teamId, name: "x" }))
      assert.strictEqual(forbidden._tag, "Forbidden")
      assert.strictEqual((forbidden as { code?: string }).code, "AdminOrOwnerRequired")
      const outsider = yield* Effect.flip(sensors.createDevice(stranger, { teamId, name: "x" }))
      assert.deepInclude(outsider, { _tag: "NotFound", resource: "team" })
      const missing = yield* Effect.flip(sensors.createDevice(owner, { teamId: otherTeamId, name: "x" }))
      assert.deepInclude(missing, { _tag: "NotFound", resource: "team" })
      assert.deepInclude(yield* Effect.flip(sensors.listDevices(stranger, teamId)), { _tag: "NotFound" })
    }).pipe(Effect.provide(sensorsLayer)))
})

describe("Sensors.ingest", () => {
  it.effect("stores the valid readings, reports each invalid one by index, counts duplicates", () =>
    Effect.gen(function*() {
      const { sensors, device, key } = yield* withDevice
      const result = yield* sensors.ingest(device.deviceId, key, {
        readings: [
          { ts: NOW - 3_000, temperature: 21.5, humidity: 40 },
          { ts: NOW - 2_000, temperature: 120 },
          { ts: NOW - 1_000 },
          { ts: NOW - 3_000, temperature: 30 },
          { ts: NOW + 10 * MINUTE, co2: 500 },
          "garbage",
          { ts: NOW - 500, x: 10 },
          { ts: NOW - 100, co2: 800, x: 10, y: 20 }
        ]
      })
      assert.strictEqual(result.accepted, 2)
      assert.strictEqual(result.duplicates, 1)
      assert.deepStrictEqual(
        result.rejected.map((r) => [r.index, r.errors.map((e) => e.path)]),
        [
          [1, ["readings.1.temperature"]],
          [2, ["readings.2"]],
          [4, ["readings.4.ts"]],
          [5, ["readings.5"]],
          [6, ["readings.6.y"]]
        ]
      )
      const stored = yield* (yield* ReadingRepository).range(device.deviceId, 0, NOW + MINUTE, 100)
      assert.deepStrictEqual(stored.map((r) => [r.ts, r.temperature ?? null, r.co2 ?? null]), [
        [NOW - 3_000, 21.5, null],
        [NOW - 100, null, 800]
      ])
      const retry = yield* sensors.ingest(device.deviceId, key, { readings: [{ ts: NOW - 100, co2: 1 }] })
      assert.deepStrictEqual([retry.accepted, retry.duplicates, retry.rejected.length], [0, 1, 0])
    }).pipe(Effect.provide(sensorsLayer)))

  it.effect("ts may be epoch millis or an ISO-8601 instant with a zone; anything else names readings.N.ts", () =>
    Effect.gen(function*() {
      const { sensors, device, key } = yield* withDevice
      const iso = new Date(NOW - 60_000).toISOString()
      const result = yield* sensors.ingest(device.deviceId, key, {
        readings: [
          { ts: iso, temperature: 20 },
          { ts: NOW - 60_000, temperature: 21 },
          { ts: "2026-11-21 06:00", temperature: 22 },
          { ts: "2026-02-31T00:00:00Z", temperature: 23 },
          { ts: "2026-11-21T06:00:00", temperature: 24 }
        ]
      })
      assert.deepStrictEqual([result.accepted, result.duplicates], [1, 1])
      assert.deepStrictEqual(result.rejected.map((r) => [r.index, r.errors.map((e) => e.path)]), [
        [2, ["readings.2.ts"]],
        [3, ["readings.3.ts"]],
        [4, ["readings.4.ts"]]
      ])
      const stored = yield* (yield* ReadingRepository).range(device.deviceId, 0, NOW + MINUTE, 100)
      assert.deepStrictEqual(stored.map((r) => [r.ts, r.temperature]), [[NOW - 60_000, 20]])
    }).pipe(Effect.provide(sensorsLayer)))

  it.effect("a wrong key, another device's key or an unknown device are Unauthenticated alike", () =>
    Effect.gen(function*() {
      const { sensors, device, key } = yield* withDevice
      const other = yield* sensors.createDevice(owner, { teamId, name: "Other" })
      const batch = { readings: [{ ts: NOW, temperature: 20 }] }
      for (const [id, k] of [
        [device.deviceId, "wrong"],
        [device.deviceId, other.ingestKey],
        [DeviceId.make("no-such-device"), key],
        [device.deviceId, ""]
      ] as const) {
        const error = yield* Effect.flip(sensors.ingest(id, k, batch))
        assert.deepInclude(error, { _tag: "Unauthenticated", code: "InvalidDeviceKey" })
      }
      assert.deepStrictEqual(yield* (yield* ReadingRepository).range(device.deviceId, 0, NOW + 1, 10), [])
    }).pipe(Effect.provide(sensorsLayer)))

  it.effect("a batch is at most 1000 readings: more is a ValidationError naming `readings`", () =>
    Effect.gen(function*() {
      const readings = (n: number) => Array.from({ length: n }, (_, i) => ({ ts: NOW - i, temperature: 20 }))
      assert.strictEqual((yield* decodeInput(IngestInput)({ readings: readings(1_000) })).readings.length, 1_000)
      const error = yield* Effect.flip(decodeInput(IngestInput)({ readings: readings(1_001) }))
      assert.deepStrictEqual(error.errors.map((e) => e.path), ["readings"])
    }))

  it.effect("ingestTrusted takes one reading or an array, parsed or as JSON text", () =>
    Effect.gen(function*() {
      const { sensors, device } = yield* withDevice
      const one = yield* sensors.ingestTrusted(device.deviceId, { ts: NOW - 10, temperature: 19 })
      assert.strictEqual(one.accepted, 1)
      const many = yield* sensors.ingestTrusted(device.deviceId, [{ ts: NOW - 9, pm25: 3 }, { ts: NOW - 8, humidity: 101 }])
      assert.deepStrictEqual([many.accepted, many.rejected.map((r) => r.index)], [1, [1]])
      const text = yield* sensors.ingestTrusted(device.deviceId, JSON.stringify([{ ts: NOW - 7, co2: 410 }]))
      assert.strictEqual(text.accepted, 1)
      const bytes = yield* sensors.ingestTrusted(device.deviceId, new TextEncoder().encode(`{"ts":${NOW - 6},"co2":1}`))
      assert.strictEqual(bytes.accepted, 1)
      for (const bad of [42, "not json", null, Array.from({ length: 1_001 }, () => ({}))]) {
        assert.strictEqual((yield* Effect.flip(sensors.ingestTrusted(device.deviceId, bad)))._tag, "ValidationError")
      }
      const unknown = yield* Effect.flip(sensors.ingestTrusted(DeviceId.make("ghost"), { ts: NOW, co2: 1 }))
      assert.deepInclude(unknown, { _tag: "NotFound", resource: "device" })
    }).pipe(Effect.provide(sensorsLayer)))

  it("the MQTT topic names the device", () => {
    const id = DeviceId.make("01HZX3K5V9Q2W8E7R6T5Y4U3I2")
    assert.strictEqual(readingsTopic(id), `sensors/${id}/readings`)
    assert.deepStrictEqual(deviceIdFromTopic(readingsTopic(id)), Option.some(id))
    for (const topic of ["sensors//readings", "sensors/a/b/readings", "other/a/readings", "sensors/a/readings/x"]) {
      assert.isTrue(Option.isNone(deviceIdFromTopic(topic)), topic)
    }
  })

  it.effect("a failing cache does not fail ingest, and latest falls back to the store", () =>
    Effect.gen(function*() {
      const { sensors, device, key } = yield* withDevice
      const result = yield* sensors.ingest(device.deviceId, key, { readings: [{ ts: NOW - 1, temperature: 22 }] })
      assert.strictEqual(result.accepted, 1)
      const latest = yield* sensors.latest(member, teamId)
      assert.deepStrictEqual(latest.map((r) => r.temperature), [22])
    }).pipe(
      Effect.provide(
        Sensors.layer.pipe(
          Layer.provideMerge(
            Layer.merge(
              portsLayer,
              Layer.succeed(
                LatestReadingCache,
                LatestReadingCache.of({
                  offer: () => Effect.fail(new LatestReadingCacheError({ reason: new Unavailable({ message: "down" }) })),
                  get: () => Effect.fail(new LatestReadingCacheError({ reason: new Unavailable({ message: "down" }) }))
                })
              )
            )
          )
        )
      )
    ))
})

describe("Sensors.query", () => {
  it.effect("members read raw readings or buckets; others get NotFound; bad ranges are ValidationErrors", () =>
    Effect.gen(function*() {
      const { sensors, device, key } = yield* withDevice
      const start = Math.floor((NOW - 10 * MINUTE) / MINUTE) * MINUTE
      yield* sensors.ingest(device.deviceId, key, {
        readings: [
          { ts: start + 1_000, temperature: 20 },
          { ts: start + 2_000, temperature: 22 },
          { ts: start + MINUTE, temperature: 25, co2: 700 }
        ]
      })
      const raw = yield* sensors.query(member, { deviceId: device.deviceId, from: start, to: NOW, bucket: "raw" })
      assert.strictEqual(raw._tag, "RawQueryResult")
      if (raw._tag === "RawQueryResult") assert.deepStrictEqual(raw.readings.map((r) => r.temperature), [20, 22, 25])
      const perMinute = yield* sensors.query(member, { deviceId: device.deviceId, from: start, to: NOW, bucket: "1m" })
      assert.strictEqual(perMinute._tag, "BucketQueryResult")
      if (perMinute._tag === "BucketQueryResult") {
        assert.deepStrictEqual(
          perMinute.buckets.map((b) => [b.start, b.count, b.temperature?.avg, b.co2?.max ?? null]),
          [[start, 2, 21, null], [start + MINUTE, 1, 25, 700]]
        )
      }
      assert.deepInclude(
        yield* Effect.flip(sensors.query(stranger, { deviceId: device.deviceId, from: start, to: NOW, bucket: "raw" })),
        { _tag: "NotFound", resource: "device" }
      )
      assert.deepInclude(
        yield* Effect.flip(sensors.query(owner, { deviceId: DeviceId.make("ghost"), from: start, to: NOW, bucket: "raw" })),
        { _tag: "NotFound", resource: "device" }
      )
      const backwards = yield* Effect.flip(sensors.query(owner, { deviceId: device.deviceId, from: NOW, to: start, bucket: "raw" }))
      assert.deepStrictEqual(backwards._tag === "ValidationError" ? backwards.errors.map((e) => e.path) : [], ["from"])
      const tooLong = yield* Effect.flip(sensors.query(owner, { deviceId: device.deviceId, from: 0, to: NOW, bucket: "1m" }))
      assert.strictEqual(tooLong._tag, "ValidationError")
    }).pipe(Effect.provide(sensorsLayer)))

  it.effect("a raw range holding more than MAX_RAW_POINTS readings is a ValidationError", () =>
    Effect.gen(function*() {
      const { sensors, device } = yield* withDevice
      const repo = yield* ReadingRepository
      yield* repo.insertMany(
        Array.from({ length: MAX_RAW_POINTS + 1 }, (_, i) => new Reading({ deviceId: device.deviceId, ts: NOW - i, co2: 1 }))
      )
      const error = yield* Effect.flip(
        sensors.query(member, { deviceId: device.deviceId, from: 0, to: NOW + 1, bucket: "raw" })
      )
      assert.deepStrictEqual(error._tag === "ValidationError" ? error.errors.map((e) => e.path) : [], ["to"])
      const justEnough = yield* sensors.query(member, { deviceId: device.deviceId, from: NOW - MAX_RAW_POINTS + 1, to: NOW + 1, bucket: "raw" })
      assert.strictEqual(justEnough._tag === "RawQueryResult" ? justEnough.readings.length : -1, MAX_RAW_POINTS)
    }).pipe(Effect.provide(sensorsLayer)))
})

describe("Sensors.latest", () => {
  it.effect("a late older reading never replaces a newer one; a cache miss is filled from the store", () =>
    Effect.gen(function*() {
      const { sensors, device, key } = yield* withDevice
      const quiet = yield* sensors.createDevice(owner, { teamId, name: "Quiet" })
      const silent = yield* sensors.createDevice(owner, { teamId, name: "Silent" })
      yield* sensors.ingest(device.deviceId, key, { readings: [{ ts: NOW - 1_000, temperature: 25 }] })
      yield* sensors.ingest(device.deviceId, key, { readings: [{ ts: NOW - 5_000, temperature: 15 }] })
      // Stored behind the cache's back: only the store knows it.
      yield* (yield* ReadingRepository).insertMany([new Reading({ deviceId: quiet.device.deviceId, ts: NOW - 60_000, co2: 420 })])
      const cache = yield* LatestReadingCache
      assert.deepStrictEqual(yield* cache.get([quiet.device.deviceId]), [])
      const latest = yield* sensors.latest(member, teamId)
      assert.deepStrictEqual(latest.map((r) => [r.deviceId, r.ts]), [
        [device.deviceId, NOW - 1_000],
        [quiet.device.deviceId, NOW - 60_000]
      ])
      assert.isFalse(latest.some((r) => r.deviceId === silent.device.deviceId))
      assert.deepStrictEqual((yield* cache.get([quiet.device.deviceId])).map((r) => r.co2), [420])
      assert.deepInclude(yield* Effect.flip(sensors.latest(stranger, teamId)), { _tag: "NotFound" })
    }).pipe(Effect.provide(sensorsLayer)))
})

describe("Sensors.livePositions", () => {
  it.effect("pushes at most one position per device per second, the newest of that second", () =>
    Effect.gen(function*() {
      const { sensors, device } = yield* withDevice
      const second = yield* sensors.createDevice(owner, { teamId, name: "Cart" })
      const stream = yield* sensors.livePositions(member, teamId)
      const received: Array<readonly [string, number, number]> = []
      const fiber = yield* stream.pipe(
        Stream.runForEach((p) => Effect.sync(() => received.push([p.deviceId === device.deviceId ? "a" : "b", p.x, p.ts]))),
        Effect.forkChild
      )
      yield* Effect.yieldNow
      yield* sensors.ingestTrusted(device.deviceId, [
        { ts: NOW - 300, x: 1, y: 1 },
        { ts: NOW - 100, x: 3, y: 3 },
        { ts: NOW - 200, x: 2, y: 2 }
      ])
      yield* sensors.ingestTrusted(device.deviceId, { ts: NOW - 50, temperature: 20 })
      yield* sensors.ingestTrusted(second.device.deviceId, { ts: NOW - 10, x: 7, y: 7 })
      yield* sensors.ingestTrusted(device.deviceId, { ts: NOW - 400, x: 9, y: 9 })
      yield* TestClock.adjust(999)
      assert.deepStrictEqual(received, [])
      yield* TestClock.adjust(1)
      assert.deepStrictEqual(received, [["a", 3, NOW - 100], ["b", 7, NOW - 10]])
      // Older than what was sent: never pushed; a newer one waits for the next second.
      yield* sensors.ingestTrusted(device.deviceId, [{ ts: NOW - 150, x: 4, y: 4 }, { ts: NOW + 500, x: 5, y: 5 }])
      yield* TestClock.adjust(500)
      assert.strictEqual(received.length, 2)
      yield* TestClock.adjust(500)
      assert.deepStrictEqual(received.slice(2), [["a", 5, NOW + 500]])
      yield* TestClock.adjust(5_000)
      assert.strictEqual(received.length, 3)
      // Another team's devices never show up.
      const foreign = yield* sensors.createDevice(stranger, { teamId: otherTeamId, name: "Foreign" })
      yield* sensors.ingestTrusted(foreign.device.deviceId, { ts: NOW, x: 8, y: 8 })
      yield* TestClock.adjust(1_000)
      assert.strictEqual(received.length, 3)
      yield* Fiber.interrupt(fiber)
      assert.deepInclude(yield* Effect.flip(Effect.scoped(sensors.livePositions(stranger, teamId))), { _tag: "NotFound" })
    }).pipe(Effect.provide(sensorsLayer)))
})
