/**
 * The live-positions rule of 003 as a property of `latestPerDevice` on the TestClock: positions
 * arriving at random moments, out of order, for a few devices; each device gets at most one push
 * per second, each push newer than the last, every push a position that really arrived before it,
 * and the newest position of every device is pushed in the end (nothing newer is lost).
 */
import { assert, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Queue, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { DeviceId } from "../../src/Sensors/Device.js"
import { Position } from "../../src/Sensors/Reading.js"
import { latestPerDevice, LIVE_POSITION_INTERVAL } from "../../src/Sensors/Sensors.js"

const INTERVAL = Duration.toMillis(LIVE_POSITION_INTERVAL)

interface Timed {
  readonly at: number
  readonly position: Position
}

const arrivals = fc.array(
  fc.record({ wait: fc.integer({ min: 0, max: 1_500 }), device: fc.nat(2), ts: fc.integer({ min: 0, max: 5_000 }) }),
  { maxLength: 40 }
)

it.effect("at most one position per device per second, each newer than the last, the newest never lost", () =>
  Effect.promise(() =>
    fc.assert(
      fc.asyncProperty(arrivals, (events) =>
        Effect.runPromise(Effect.gen(function*() {
          const queue = yield* Queue.unbounded<Position>()
          const pushed: Array<Timed> = []
          const fiber = yield* latestPerDevice(Stream.fromQueue(queue)).pipe(
            Stream.runForEach((position) => Effect.map(Clock.currentTimeMillis, (at) => void pushed.push({ at, position }))),
            Effect.forkChild
          )
          yield* Effect.yieldNow
          const arrived: Array<Timed> = []
          for (const { device, ts, wait } of events) {
            yield* TestClock.adjust(wait)
            const position = new Position({ deviceId: DeviceId.make(`d${device}`), x: ts % 100, y: 1, ts })
            arrived.push({ at: yield* Clock.currentTimeMillis, position })
            yield* Queue.offer(queue, position)
            yield* Effect.yieldNow
          }
          yield* TestClock.adjust(2 * INTERVAL)
          yield* Fiber.interrupt(fiber)

          for (const device of new Set(arrived.map((a) => a.position.deviceId))) {
            const mine = pushed.filter((p) => p.position.deviceId === device)
            for (let i = 1; i < mine.length; i++) {
              assert.isAtLeast(mine[i]!.at - mine[i - 1]!.at, INTERVAL, `${device} pushed twice within a second`)
              assert.isAbove(mine[i]!.position.ts, mine[i - 1]!.position.ts, `${device} pushed an older position`)
            }
            for (const p of mine) {
              assert.isTrue(
                arrived.some((a) => a.position === p.position && a.at <= p.at),
                `${device} pushed a position before it arrived`
              )
            }
            const newest = Math.max(...arrived.filter((a) => a.position.deviceId === device).map((a) => a.position.ts))
            assert.strictEqual(mine[mine.length - 1]?.position.ts, newest, `${device}: the newest position was not pushed`)
          }
          assert.isTrue(pushed.every((p) => arrived.some((a) => a.position === p.position)))
        }).pipe(Effect.scoped, Effect.provide(TestClock.layer())))),
      { numRuns: 100 }
    )
  ))
