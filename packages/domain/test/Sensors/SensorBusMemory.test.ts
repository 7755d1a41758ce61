/**
 * What the in-memory SensorBus promises beyond the contract: a dashboard that stops reading
 * never blocks publishers and, once SUBSCRIBER_BACKLOG batches behind, loses the oldest batches,
 * never the newest (live data is worthless late).
 */
import { assert, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { DeviceId } from "../../src/Sensors/Device.js"
import { SensorBusMemory } from "../../src/Sensors/memory/index.js"
import { Reading } from "../../src/Sensors/Reading.js"
import { TeamId } from "../../src/Teams/Team.js"

it.effect("a subscriber that falls behind loses the oldest batches, never the newest", () =>
  Effect.scoped(Effect.gen(function*() {
    const bus = yield* SensorBusMemory.make
    const team = TeamId.make("team-slow")
    const stream = yield* bus.subscribe(team)
    const overflow = 10
    const total = SensorBusMemory.SUBSCRIBER_BACKLOG + overflow
    for (let i = 0; i < total; i++) {
      yield* bus.publish(team, [new Reading({ deviceId: DeviceId.make("d"), ts: i, co2: i })])
    }
    const received = yield* stream.pipe(Stream.take(SensorBusMemory.SUBSCRIBER_BACKLOG), Stream.runCollect)
    assert.deepStrictEqual(
      received.map((r) => r.co2),
      Array.from({ length: SensorBusMemory.SUBSCRIBER_BACKLOG }, (_, i) => overflow + i)
    )
  })))
