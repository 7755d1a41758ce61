/**
 * Redis for tests: the server under test (REDIS_URL, default the local one), a key prefix of its
 * own for each test file (so parallel files and repeated runs never see each other's keys) and a
 * RedisClient layer on that prefix that deletes the prefix's keys when it is released.
 */
import { randomBytes } from "node:crypto"
import { Effect, Layer, Redacted } from "effect"
import { Redis } from "ioredis"
import * as RedisClient from "../../src/redis/RedisClient.js"

export const redisUrl = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"

/** Host and port of the server under test, for a TcpProxy in front of it. */
export const redisTarget = (): { readonly host: string; readonly port: number } => {
  const url = new URL(redisUrl)
  return { host: url.hostname === "" ? "127.0.0.1" : url.hostname, port: url.port === "" ? 6379 : Number(url.port) }
}

/** The same server reached through `port` on 127.0.0.1 (a proxy), keeping credentials and db. */
export const redisUrlVia = (port: number): string => {
  const url = new URL(redisUrl)
  url.hostname = "127.0.0.1"
  url.port = String(port)
  return url.toString()
}

/** A prefix no other test file or run uses (letters, digits and colons only: safe in a SCAN pattern). */
export const freshPrefix = (label: string): string =>
  `test:${label.replace(/[^A-Za-z0-9]/g, "")}:${randomBytes(6).toString("hex")}:`

/** Runs `f` on a plain ioredis connection of its own (to inspect or prepare the server directly). */
export const withRawRedis = <A>(f: (redis: Redis) => Promise<A>): Effect.Effect<A> =>
  Effect.promise(async () => {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    redis.on("error", () => {})
    try {
      await redis.connect()
      return await f(redis)
    } finally {
      redis.disconnect()
    }
  })

const scanAll = async (redis: Redis, prefix: string): Promise<Array<string>> => {
  const found: Array<string> = []
  let cursor = "0"
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500)
    cursor = next
    found.push(...keys)
  } while (cursor !== "0")
  return found
}

/** Keys under `prefix` right now. */
export const keysUnder = (prefix: string): Effect.Effect<ReadonlyArray<string>> => withRawRedis((redis) => scanAll(redis, prefix))

/** Deletes every key under `prefix` (SCAN + DEL). */
export const deleteKeys = (prefix: string): Effect.Effect<void> =>
  withRawRedis(async (redis) => {
    const keys = await scanAll(redis, prefix)
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500))
  })

/** A RedisClient on `prefix` (see freshPrefix); the prefix's keys are deleted when the layer is released. */
export const clientLayer = (
  prefix: string,
  overrides: Partial<RedisClient.RedisClientConfig> = {}
): Layer.Layer<RedisClient.RedisClient> =>
  Layer.merge(
    RedisClient.layer({ url: Redacted.make(redisUrl), keyPrefix: prefix, connectionName: "test", ...overrides }),
    Layer.effectDiscard(Effect.addFinalizer(() => deleteKeys(prefix)))
  )
