/**
 * The behaviour every LatestReadingCache must show (in memory, Redis): a model run against the
 * in-memory adapter, examples of offer and get, and racing offers where the greatest ts wins.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun } from "../../contract/ModelRun.js"
import { LatestReadingCache } from "../LatestReadingCache.js"
import * as LatestReadingCacheMemory from "../memory/LatestReadingCacheMemory.js"
import type { Reading } from "../Reading.js"
import { BASE_TS, canonicalReading, command, deviceIdOf, readingOf, valuesArb } from "./Fixtures.js"

type Port = LatestReadingCache["Service"]

const commands = [
  fc.tuple(fc.nat(2), fc.nat(10), valuesArb).map(([device, slot, values]) =>
    command<Port>(`offer(d${device}@${slot})`, (m, real) => {
      const reading = readingOf(deviceIdOf(m.scope, device), BASE_TS + slot * 1_000, values)
      return agree(m.port.offer(reading), real.offer(reading))
    })
  ),
  fc.subarray([0, 1, 2, 3]).chain((devices) => fc.shuffledSubarray(devices, { minLength: devices.length })).map((devices) =>
    command<Port>(`get(${devices.map((d) => `d${d}`).join(",")})`, (m, real) => {
      const ids = devices.map((d) => deviceIdOf(m.scope, d))
      return agree(m.port.get(ids), real.get(ids), (rs: ReadonlyArray<Reading>) => rs.map(canonicalReading))
    })
  )
]

export const suite = (name: string, portLayer: Layer.Layer<LatestReadingCache, unknown>) =>
  layer(portLayer, { excludeTestServices: true })(`LatestReadingCache contract: ${name}`, (it) => {
    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* LatestReadingCache
        yield* modelRun({ real, makeModel: LatestReadingCacheMemory.make, commands })
      }), 60_000)

    it.effect("offer keeps a reading only when its ts is greater than the cached one", () =>
      Effect.gen(function*() {
        const cache = yield* LatestReadingCache
        const device = deviceIdOf(freshScope("lc"), 0)
        assert.isTrue(yield* cache.offer(readingOf(device, BASE_TS + 5_000, { temperature: 5 })))
        assert.isFalse(yield* cache.offer(readingOf(device, BASE_TS + 1_000, { temperature: 1 })))
        assert.isFalse(yield* cache.offer(readingOf(device, BASE_TS + 5_000, { temperature: 55 })))
        const [cached] = yield* cache.get([device])
        assert.deepStrictEqual(canonicalReading(cached!), canonicalReading(readingOf(device, BASE_TS + 5_000, { temperature: 5 })))
        assert.isTrue(yield* cache.offer(readingOf(device, BASE_TS + 6_000, { co2: 600, x: 1, y: 2 })))
        const [newer] = yield* cache.get([device])
        assert.deepStrictEqual(canonicalReading(newer!), canonicalReading(readingOf(device, BASE_TS + 6_000, { co2: 600, x: 1, y: 2 })))
      }))

    it.effect("get answers in the order asked and skips devices with nothing cached", () =>
      Effect.gen(function*() {
        const cache = yield* LatestReadingCache
        const scope = freshScope("lc")
        yield* cache.offer(readingOf(deviceIdOf(scope, 0), BASE_TS, { humidity: 10 }))
        yield* cache.offer(readingOf(deviceIdOf(scope, 2), BASE_TS, { humidity: 30 }))
        const got = yield* cache.get([2, 1, 0].map((i) => deviceIdOf(scope, i)))
        assert.deepStrictEqual(got.map((r) => r.humidity), [30, 10])
        assert.deepStrictEqual(yield* cache.get([]), [])
      }))

    it.effect("racing offers: the greatest ts wins, whatever the order they land in", () =>
      Effect.gen(function*() {
        const cache = yield* LatestReadingCache
        const device = deviceIdOf(freshScope("lc"), 0)
        const slots = [17, 3, 42, 8, 41, 0, 29, 42, 12, 5, 33, 1, 40, 7, 2, 39]
        const kept = yield* Effect.all(
          slots.map((slot, i) => cache.offer(readingOf(device, BASE_TS + slot * 1_000, { temperature: i }))),
          { concurrency: "unbounded" }
        )
        const [latest] = yield* cache.get([device])
        assert.strictEqual(latest?.ts, BASE_TS + 42_000)
        // Of the two offers with the greatest ts, exactly one was kept, and it is what is cached.
        const winners = slots.flatMap((slot, i) => (slot === 42 && kept[i] ? [i] : []))
        assert.deepStrictEqual(winners, [latest!.temperature])
      }))
  })
