/**
 * The Redis the Redis adapters share: one command connection, one subscriber connection (opened
 * on the first subscription; a connection that subscribes cannot serve other callers' commands
 * without holding up their replies behind message traffic) and a key prefix that every key and
 * channel goes through, so several deployments or test files can share one Redis without seeing
 * each other's data. Both connections close when the layer's scope closes.
 *
 * Config (layerConfig): REDIS_URL (default redis://127.0.0.1:6379), REDIS_KEY_PREFIX (default
 * "app:"), REDIS_COMMAND_TIMEOUT_MS (2000), REDIS_CONNECT_TIMEOUT_MS (as the command timeout),
 * REDIS_RECONNECT_MAX_DELAY_MS (1000), REDIS_HEARTBEAT_MS (5000).
 */
import { createHash } from "node:crypto"
import type { StoreFailure } from "@app/domain"
import { Config, Context, Effect, Layer, Option, Redacted } from "effect"
import type { Redis } from "ioredis"
import * as RedisConnection from "./RedisConnection.js"

export interface RedisClientConfig {
  readonly url: Redacted.Redacted<string>
  /** Put in front of every key and channel name, e.g. "app:" → "app:qr:<id>". */
  readonly keyPrefix: string
  /** How long a command may wait for its reply (default 2000). */
  readonly commandTimeoutMillis?: number | undefined
  /** How long a command waits for a connection attempt in progress (default: the command timeout). */
  readonly connectTimeoutMillis?: number | undefined
  /** The longest pause between reconnect attempts (default 1000). */
  readonly reconnectMaxDelayMillis?: number | undefined
  /** How often an idle subscriber connection is pinged, so a dead one is noticed (default 5000). */
  readonly heartbeatMillis?: number | undefined
  /** Prefix of the connection names shown by CLIENT LIST (default "app"). */
  readonly connectionName?: string | undefined
}

/** A Lua script, sent by its SHA-1 (EVALSHA) and loaded on the server only when missing. */
export interface LuaScript {
  readonly name: string
  readonly source: string
  readonly sha1: string
}

export const luaScript = (name: string, source: string): LuaScript => ({
  name,
  source,
  sha1: createHash("sha1").update(source).digest("hex")
})

export type RedisArgument = string | number

/** The subscriber connection, as RedisChannels needs it. */
export interface RedisSubscriber {
  readonly run: <A>(operation: string, send: (redis: Redis) => Promise<A>) => Effect.Effect<A, StoreFailure>
  readonly onMessage: (listener: (channel: string, message: string) => void) => () => void
  /** Each time the connection is lost; every subscription on it is gone. */
  readonly onLost: (listener: (failure: StoreFailure) => void) => () => void
}

export class RedisClient extends Context.Service<RedisClient, {
  readonly keyPrefix: string
  /** The prefixed name of a key or channel. */
  readonly key: (name: string) => string
  /** One command on the command connection. */
  readonly command: <A>(operation: string, send: (redis: Redis) => Promise<A>) => Effect.Effect<A, StoreFailure>
  /** Runs a Lua script atomically: EVALSHA, falling back to EVAL when the server does not have it. */
  readonly eval: (
    script: LuaScript,
    keys: ReadonlyArray<string>,
    args: ReadonlyArray<RedisArgument>
  ) => Effect.Effect<unknown, StoreFailure>
  readonly subscriber: RedisSubscriber
}>()("@app/adapters-postgres/redis/RedisClient") {}

const isNoScript = (error: unknown) => error instanceof Error && error.message.startsWith("NOSCRIPT")

export const make = (config: RedisClientConfig) =>
  Effect.gen(function*() {
    const commandTimeoutMillis = config.commandTimeoutMillis ?? 2_000
    const options = {
      url: Redacted.value(config.url),
      commandTimeoutMillis,
      connectTimeoutMillis: config.connectTimeoutMillis ?? commandTimeoutMillis,
      reconnectMaxDelayMillis: config.reconnectMaxDelayMillis ?? 1_000
    }
    const name = config.connectionName ?? "app"
    const commands = yield* Effect.acquireRelease(
      RedisConnection.open({ ...options, connectionName: `${name}-commands` }),
      (connection) => connection.close
    )
    // Created now but connected on its first command: a process that never subscribes opens no socket.
    const subscriber = yield* Effect.acquireRelease(
      RedisConnection.open({ ...options, connectionName: `${name}-subscriber` }),
      (connection) => connection.close
    )

    // Start connecting now; a failure here is not fatal: commands fail with Unavailable until
    // Redis answers, and the connection keeps retrying in the background.
    commands.redis.connect().catch(() => {})

    // A subscriber only receives, so without a command in flight a dead socket would go unnoticed;
    // a PING arms the socket timeout, which tears the connection down and fails the subscriptions.
    // A real timer, like the network timeouts: a TestClock must not stop it.
    const heartbeatMillis = config.heartbeatMillis ?? 5_000
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        setInterval(() => {
          if (subscriber.redis.status === "ready") subscriber.redis.ping().catch(() => {})
        }, heartbeatMillis).unref()
      ),
      (timer) => Effect.sync(() => clearInterval(timer))
    )

    const evalScript = (script: LuaScript, keys: ReadonlyArray<string>, args: ReadonlyArray<RedisArgument>) =>
      commands.run(script.name, (redis) =>
        redis.evalsha(script.sha1, keys.length, ...keys, ...args).catch((error: unknown) =>
          isNoScript(error) ? redis.eval(script.source, keys.length, ...keys, ...args) : Promise.reject(error)
        ))

    return RedisClient.of({
      keyPrefix: config.keyPrefix,
      key: (name) => `${config.keyPrefix}${name}`,
      command: commands.run,
      eval: evalScript,
      subscriber: {
        run: subscriber.run,
        onMessage: (listener) => {
          subscriber.redis.on("message", listener)
          return () => {
            subscriber.redis.off("message", listener)
          }
        },
        onLost: subscriber.onLost
      }
    })
  })

export const layer = (config: RedisClientConfig): Layer.Layer<RedisClient> => Layer.effect(RedisClient, make(config))

export const config: Config.Config<RedisClientConfig> = Config.all({
  url: Config.Redacted("REDIS_URL").pipe(Config.withDefault(Redacted.make("redis://127.0.0.1:6379"))),
  keyPrefix: Config.String("REDIS_KEY_PREFIX").pipe(Config.withDefault("app:")),
  commandTimeoutMillis: Config.Int("REDIS_COMMAND_TIMEOUT_MS").pipe(Config.withDefault(2_000)),
  connectTimeoutMillis: Config.option(Config.Int("REDIS_CONNECT_TIMEOUT_MS")).pipe(Config.map(Option.getOrUndefined)),
  reconnectMaxDelayMillis: Config.Int("REDIS_RECONNECT_MAX_DELAY_MS").pipe(Config.withDefault(1_000)),
  heartbeatMillis: Config.Int("REDIS_HEARTBEAT_MS").pipe(Config.withDefault(5_000))
})

export const layerConfig: Layer.Layer<RedisClient, Config.ConfigError> = Layer.effect(
  RedisClient,
  Effect.flatMap(config, make)
)
