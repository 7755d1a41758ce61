/**
 * SyncLock on Redis: a lease is `SET <prefix>lock:<key> <token> NX PX <ttl>` (taken only if nobody
 * holds it; Redis drops it by itself when the ttl runs out) and release is a compare-and-delete Lua
 * script, so a holder whose lease expired and was taken over cannot release the new holder's lease.
 * Tokens are 128 random bits, unique across processes.
 */
import { type LeaseToken, randomToken, Randomness, type StoreFailure, SyncLock, SyncLockError } from "@app/domain"
import { Effect, Layer, Option } from "effect"
import { luaScript, RedisClient } from "./RedisClient.js"

/** KEYS[1] the lease; ARGV[1] the token. 1 if the token held it and it is released. */
const releaseScript = luaScript(
  "SyncLock.release",
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`
)

const TOKEN_BYTES = 16

const toError = (reason: StoreFailure) => new SyncLockError({ reason })

export const make = Effect.gen(function*() {
  const client = yield* RedisClient
  const randomness = yield* Randomness
  const keyOf = (key: string) => client.key(`lock:${key}`)

  const tryAcquire = Effect.fn("SyncLockRedis.tryAcquire")(function*(key: string, ttlMs: number) {
    const token = (yield* Effect.provideService(randomToken(TOKEN_BYTES), Randomness, randomness)) as LeaseToken
    // PX takes a positive integer; a lease of 0 ms or less is held for the shortest time Redis allows.
    const ttl = Math.max(1, Math.ceil(ttlMs))
    const reply = yield* client.command("SET NX", (redis) => redis.set(keyOf(key), token, "PX", ttl, "NX")).pipe(
      Effect.mapError(toError)
    )
    return reply === "OK" ? Option.some(token) : Option.none<LeaseToken>()
  })

  const release = Effect.fn("SyncLockRedis.release")(function*(key: string, token: LeaseToken) {
    const released = yield* client.eval(releaseScript, [keyOf(key)], [token]).pipe(Effect.mapError(toError))
    return released === 1
  })

  return SyncLock.of({ tryAcquire, release })
})

/** Needs only the RedisClient: tokens come from the platform's CSPRNG. */
export const layer: Layer.Layer<SyncLock, never, RedisClient> = Layer.effect(SyncLock, make).pipe(
  Layer.provide(Randomness.layer)
)
