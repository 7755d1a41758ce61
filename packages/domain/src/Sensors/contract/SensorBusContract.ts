/**
 * The behaviour every SensorBus must show (in memory, Redis pub/sub): a model run against the
 * in-memory adapter, delivery in publish order to every subscriber of the team and to no other,
 * and parallel publishers each delivered exactly once. Each exchange ends with a sentinel reading
 * published last to the subscribed team, so a check never relies on a quiet period.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer, Stream } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun } from "../../contract/ModelRun.js"
import type { TeamId } from "../../Teams/Team.js"
import * as SensorBusMemory from "../memory/SensorBusMemory.js"
import { DeviceId } from "../Device.js"
import type { Reading } from "../Reading.js"
import { SensorBus } from "../SensorBus.js"
import { BASE_TS, canonicalReading, command, deviceIdOf, readingOf, teamIdOf } from "./Fixtures.js"

type Port = SensorBus["Service"]

const sentinelOf = (scope: string) => readingOf(DeviceId.make(`${scope}-sentinel`), BASE_TS, { temperature: 0 })

/** Publishes `batches` then the sentinel to `team`, and collects what `subscriber` received. */
const exchange = (
  bus: Port,
  scope: string,
  team: TeamId,
  batches: ReadonlyArray<readonly [TeamId, ReadonlyArray<Reading>]>
) =>
  Effect.scoped(
    Effect.gen(function*() {
      const stream = yield* bus.subscribe(team)
      for (const [to, readings] of batches) yield* bus.publish(to, readings)
      const sentinel = sentinelOf(scope)
      yield* bus.publish(team, [sentinel])
      const received = yield* stream.pipe(
        Stream.takeUntil((r) => r.deviceId === sentinel.deviceId),
        Stream.runCollect,
        Effect.timeout("10 seconds")
      )
      return received.slice(0, -1)
    })
  )

const commands = [
  fc
    .tuple(
      fc.nat(1),
      fc.array(fc.tuple(fc.nat(2), fc.array(fc.tuple(fc.nat(1), fc.nat(50)), { maxLength: 4 })), { maxLength: 5 })
    )
    .map(([team, batches]) =>
      command<Port>(`exchange(t${team}, ${batches.map(([t, rs]) => `t${t}×${rs.length}`).join(",")})`, (m, real) => {
        const built = batches.map(([t, rs]) =>
          [
            teamIdOf(m.scope, t),
            rs.map(([d, slot]) => readingOf(deviceIdOf(m.scope, t * 10 + d), BASE_TS + slot * 1_000, { co2: slot }))
          ] as const
        )
        const run = (bus: Port) => exchange(bus, m.scope, teamIdOf(m.scope, team), built)
        return agree(run(m.port), run(real), (rs) => rs.map(canonicalReading))
      })
    )
]

export const suite = (name: string, portLayer: Layer.Layer<SensorBus, unknown>) =>
  layer(portLayer, { excludeTestServices: true })(`SensorBus contract: ${name}`, (it) => {
    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* SensorBus
        yield* modelRun({ real, makeModel: SensorBusMemory.make, commands, maxCommands: 10 })
      }), 60_000)

    it.effect("delivers the team's readings in publish order, and nothing of another team", () =>
      Effect.gen(function*() {
        const bus = yield* SensorBus
        const scope = freshScope("bus")
        const [mine, theirs] = [teamIdOf(scope, 0), teamIdOf(scope, 1)]
        const a = readingOf(deviceIdOf(scope, 0), BASE_TS + 2_000, { temperature: 2 })
        const b = readingOf(deviceIdOf(scope, 0), BASE_TS + 1_000, { temperature: 1, x: 3, y: 4 })
        const c = readingOf(deviceIdOf(scope, 1), BASE_TS + 3_000, { humidity: 50 })
        const foreign = readingOf(deviceIdOf(scope, 9), BASE_TS, { co2: 900 })
        const received = yield* exchange(bus, scope, mine, [[mine, [a, b]], [theirs, [foreign]], [mine, []], [mine, [c]]])
        assert.deepStrictEqual(received.map(canonicalReading), [a, b, c].map(canonicalReading))
      }))

    it.effect("every subscriber of the team receives every reading", () =>
      Effect.gen(function*() {
        const bus = yield* SensorBus
        const scope = freshScope("bus")
        const team = teamIdOf(scope, 0)
        const readings = [1, 2, 3].map((i) => readingOf(deviceIdOf(scope, i), BASE_TS + i, { pm25: i }))
        const sentinel = sentinelOf(scope)
        const [first, second] = yield* Effect.scoped(
          Effect.gen(function*() {
            const one = yield* bus.subscribe(team)
            const two = yield* bus.subscribe(team)
            yield* bus.publish(team, readings)
            yield* bus.publish(team, [sentinel])
            const collect = (stream: typeof one) =>
              stream.pipe(Stream.takeUntil((r) => r.deviceId === sentinel.deviceId), Stream.runCollect, Effect.timeout("10 seconds"))
            return yield* Effect.all([collect(one), collect(two)], { concurrency: "unbounded" })
          })
        )
        assert.deepStrictEqual(first.slice(0, -1).map(canonicalReading), readings.map(canonicalReading))
        assert.deepStrictEqual(second.slice(0, -1).map(canonicalReading), readings.map(canonicalReading))
      }))

    it.effect("publishing with no subscriber succeeds, and a later subscriber only sees later readings", () =>
      Effect.gen(function*() {
        const bus = yield* SensorBus
        const scope = freshScope("bus")
        const team = teamIdOf(scope, 0)
        yield* bus.publish(team, [readingOf(deviceIdOf(scope, 0), BASE_TS, { co2: 1 })])
        const later = readingOf(deviceIdOf(scope, 0), BASE_TS + 1, { co2: 2 })
        const received = yield* exchange(bus, scope, team, [[team, [later]]])
        assert.deepStrictEqual(received.map(canonicalReading), [canonicalReading(later)])
      }))

    it.effect("parallel publishers: every reading is delivered exactly once, each publisher's in its order", () =>
      Effect.gen(function*() {
        const bus = yield* SensorBus
        const scope = freshScope("bus")
        const team = teamIdOf(scope, 0)
        const publishers = Array.from({ length: 10 }, (_, p) =>
          Array.from({ length: 5 }, (_, i) => readingOf(deviceIdOf(scope, p), BASE_TS + i, { co2: p * 100 + i })))
        const sentinel = sentinelOf(scope)
        const received = yield* Effect.scoped(
          Effect.gen(function*() {
            const stream = yield* bus.subscribe(team)
            yield* Effect.all(
              publishers.map((readings) => Effect.forEach(readings, (r) => bus.publish(team, [r]))),
              { concurrency: "unbounded" }
            )
            yield* bus.publish(team, [sentinel])
            return yield* stream.pipe(
              Stream.takeUntil((r) => r.deviceId === sentinel.deviceId),
              Stream.runCollect,
              Effect.timeout("10 seconds")
            )
          })
        )
        const values = received.slice(0, -1).map((r) => r.co2!)
        assert.deepStrictEqual([...values].sort((a, b) => a - b), publishers.flat().map((r) => r.co2!).sort((a, b) => a - b))
        for (let p = 0; p < publishers.length; p++) {
          const own = values.filter((v) => Math.floor(v / 100) === p)
          assert.deepStrictEqual(own, [...own].sort((a, b) => a - b))
        }
      }))
  })
