/**
 * LatestReadingCache on Redis: one hash per device (`<prefix>sensors:latest:<deviceId>`) holding
 * the cached reading's ts and the reading as JSON. `offer` is one Lua script (compare the ts, then
 * write), so a late older reading or a slower concurrent writer in any process never replaces a
 * newer one. Entries expire LATEST_READING_TTL after their last write: the cache is never the
 * record, and a device that went quiet for that long is answered from the ReadingRepository.
 */
import {
  type DeviceId,
  LatestReadingCache,
  LatestReadingCacheError,
  Reading,
  type StoreFailure,
  Unexpected
} from "@app/domain"
import { DAY } from "@app/domain"
import { Effect, Layer, Schema } from "effect"
import { luaScript, RedisClient } from "./RedisClient.js"

/** How long a device's latest reading stays cached after it was written. */
export const LATEST_READING_TTL = 30 * DAY

/** KEYS[1] the device's entry; ARGV[1] ts; ARGV[2] the reading as JSON; ARGV[3] ttl ms. 1 if kept. */
const offerScript = luaScript(
  "LatestReadingCache.offer",
  `local cached = redis.call('HGET', KEYS[1], 'ts')
if cached and tonumber(cached) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'ts', ARGV[1], 'reading', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`
)

/** KEYS: the devices' entries. The cached readings in that order, false where none (a dense array). */
const getScript = luaScript(
  "LatestReadingCache.get",
  `local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HGET', key, 'reading') end
return out`
)

const ReadingJson = Schema.fromJsonString(Reading)
const encodeReading = Schema.encodeEffect(ReadingJson)
const decodeReading = Schema.decodeUnknownEffect(ReadingJson)

const toError = (reason: StoreFailure) => new LatestReadingCacheError({ reason })

export const make = Effect.gen(function*() {
  const client = yield* RedisClient
  const keyOf = (deviceId: DeviceId) => client.key(`sensors:latest:${deviceId}`)

  const offer = Effect.fn("LatestReadingCacheRedis.offer")(function*(reading: Reading) {
    const json = yield* encodeReading(reading).pipe(
      Effect.mapError((error) => toError(new Unexpected({ message: `reading does not encode: ${error.message}` })))
    )
    const kept = yield* client.eval(offerScript, [keyOf(reading.deviceId)], [reading.ts, json, LATEST_READING_TTL]).pipe(
      Effect.mapError(toError)
    )
    return kept === 1
  })

  const get = Effect.fn("LatestReadingCacheRedis.get")(function*(deviceIds: ReadonlyArray<DeviceId>) {
    if (deviceIds.length === 0) return []
    const reply = yield* client.eval(getScript, deviceIds.map(keyOf), []).pipe(Effect.mapError(toError))
    const cached = Array.isArray(reply) ? reply : []
    const readings: Array<Reading> = []
    for (const json of cached) {
      if (typeof json !== "string") continue
      readings.push(
        yield* decodeReading(json).pipe(
          Effect.mapError((error) => toError(new Unexpected({ message: `cached reading does not decode: ${error.message}` })))
        )
      )
    }
    return readings
  })

  return LatestReadingCache.of({ offer, get })
})

export const layer: Layer.Layer<LatestReadingCache, never, RedisClient> = Layer.effect(LatestReadingCache, make)
