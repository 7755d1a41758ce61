/**
 * The shared Redis infrastructure: every key and channel goes through the prefix, a QR challenge
 * expires at expiresAt + QR_CHALLENGE_RETENTION, the config is read from the environment, Redis'
 * own refusals are Unexpected, the subscriber connection is opened by the first subscription and
 * shared by the subscribers of a channel, and closing the layer closes the connections.
 */
import { assert, describe, it } from "@effect/vitest"
import { QR_CHALLENGE_RETENTION, QrChallengeStore, QrEvents, QrStatusEvent, RateLimiter, type StoreFailure } from "@app/domain"
import { Clock, ConfigProvider, Context, Effect, Exit, Layer, Redacted, Schedule, Scope } from "effect"
import * as QrChallengeStoreRedis from "../../src/redis/QrChallengeStoreRedis.js"
import * as QrEventsRedis from "../../src/redis/QrEventsRedis.js"
import * as RateLimiterRedis from "../../src/redis/RateLimiterRedis.js"
import * as RedisClient from "../../src/redis/RedisClient.js"
import { clientLayer, freshPrefix, keysUnder, redisUrl, withRawRedis } from "../support/RedisTest.js"
import { challengeOf, freshId } from "./Fixtures.js"

const prefix = freshPrefix("client")
const client = clientLayer(prefix)

/** A service of `layer`, built for the life of the enclosing scope. */
const serviceOf = <I, S, E>(tag: Context.Key<I, S>, layer: Layer.Layer<I, E>) =>
  Effect.map(Layer.build(layer), (context) => Context.get(context, tag))

/** The names of the connections Redis currently has from clients named `name-…`. */
const connectionsNamed = (name: string) =>
  withRawRedis(async (redis) => {
    const list = String(await redis.client("LIST"))
    return list.split("\n").flatMap((line) => {
      const found = /\bname=(\S+)/.exec(line)?.[1]
      return found !== undefined && found.startsWith(`${name}-`) ? [found] : []
    })
  })

/** Retries `check` until it holds (state another connection changes asynchronously). */
const eventually = (check: Effect.Effect<boolean>) =>
  check.pipe(
    Effect.flatMap((ok) => (ok ? Effect.void : Effect.fail("not yet"))),
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 250 })
  )

describe("RedisClient", () => {
  it.live("keys are under the prefix, and a QR challenge expires at expiresAt + the retention", () =>
    Effect.gen(function*() {
      const store = yield* serviceOf(QrChallengeStore, QrChallengeStoreRedis.layer.pipe(Layer.provide(client)))
      const challenge = challengeOf(freshId("ttl"), yield* Clock.currentTimeMillis)
      yield* store.create(challenge)
      const key = `${prefix}qr:${challenge.challengeId}`
      assert.include(yield* keysUnder(prefix), key)
      const expireAt = yield* withRawRedis((redis) => redis.call("PEXPIRETIME", key))
      assert.strictEqual(Number(expireAt), challenge.expiresAt + QR_CHALLENGE_RETENTION)
      // A transition keeps the expiry.
      yield* store.transition(challenge.challengeId, "pending", { status: "expired", updatedAt: challenge.createdAt + 1 })
      assert.strictEqual(Number(yield* withRawRedis((redis) => redis.call("PEXPIRETIME", key))), challenge.expiresAt + QR_CHALLENGE_RETENTION)
    }))

  it.live("channels are under the prefix: a plain Redis subscriber of the prefixed channel gets the event", () =>
    Effect.gen(function*() {
      const events = yield* serviceOf(QrEvents, QrEventsRedis.layer.pipe(Layer.provide(client)))
      const challenge = challengeOf(freshId("chan"), yield* Clock.currentTimeMillis)
      const channel = `${prefix}qr:events:${challenge.challengeId}`
      const received = yield* withRawRedis((redis) =>
        new Promise<string>((resolve) => {
          redis.on("message", (_channel: string, message: string) => resolve(message))
          void redis.subscribe(channel).then(() =>
            Effect.runPromise(events.publish(new QrStatusEvent({ challengeId: challenge.challengeId, status: "scanned", expiresAt: 5 })))
          )
        })
      ).pipe(Effect.timeout("10 seconds"))
      assert.deepStrictEqual(JSON.parse(received), { challengeId: challenge.challengeId, status: "scanned", expiresAt: 5 })
    }))

  it.live("layerConfig reads REDIS_URL and REDIS_KEY_PREFIX", () =>
    Effect.gen(function*() {
      const configured = freshPrefix("configured")
      const redis = yield* serviceOf(RedisClient.RedisClient,
        RedisClient.layerConfig.pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({
            REDIS_URL: redisUrl,
            REDIS_KEY_PREFIX: configured,
            REDIS_COMMAND_TIMEOUT_MS: "1500"
          })))
        )
      )
      assert.strictEqual(redis.keyPrefix, configured)
      assert.strictEqual(redis.key("x"), `${configured}x`)
      assert.strictEqual(yield* redis.command("PING", (r) => r.ping()), "PONG")
      const config = yield* Effect.provide(Effect.gen(function*() { return yield* RedisClient.config }), ConfigProvider.layer(ConfigProvider.fromEnvRecord({})))
      assert.strictEqual(Redacted.value(config.url), "redis://127.0.0.1:6379")
      assert.strictEqual(config.keyPrefix, "app:")
      assert.strictEqual(config.commandTimeoutMillis, 2_000)
    }))

  it.live("a value of the wrong type under an adapter's key is Unexpected, not retryable", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(Layer.merge(QrChallengeStoreRedis.layer, RateLimiterRedis.layer).pipe(Layer.provide(client)))
      const store = Context.get(context, QrChallengeStore)
      const limiter = Context.get(context, RateLimiter)
      const challenge = challengeOf(freshId("wrong"), yield* Clock.currentTimeMillis)
      const limitKey = freshId("wrong")
      yield* withRawRedis((redis) =>
        redis.set(`${prefix}qr:${challenge.challengeId}`, "not a hash").then(() => redis.set(`${prefix}ratelimit:${limitKey}`, "x"))
      )
      const reasonOf = (error: { readonly reason: StoreFailure } | { readonly _tag: string }) =>
        "reason" in error ? error.reason._tag : error._tag
      assert.strictEqual(reasonOf(yield* Effect.flip(store.get(challenge.challengeId))), "Unexpected")
      assert.strictEqual(reasonOf(yield* Effect.flip(store.transition(challenge.challengeId, "pending", { status: "scanned", updatedAt: 1 }))), "Unexpected")
      assert.strictEqual(reasonOf(yield* Effect.flip(limiter.consume(limitKey, { limit: 1, windowMs: 1_000 }))), "Unexpected")
    }))

  it.live("the subscriber connection opens with the first subscription; a channel's subscribers share one SUBSCRIBE", () =>
    Effect.gen(function*() {
      const name = freshId("lazy")
      const channelPrefix = freshPrefix("lazy")
      const events = yield* serviceOf(QrEvents,
        QrEventsRedis.layer.pipe(Layer.provide(clientLayer(channelPrefix, { connectionName: name })))
      )
      yield* eventually(Effect.map(connectionsNamed(name), (names) => names.includes(`${name}-commands`)))
      assert.notInclude(yield* connectionsNamed(name), `${name}-subscriber`)

      const challenge = challengeOf(freshId("lazy"), yield* Clock.currentTimeMillis)
      const channel = `${channelPrefix}qr:events:${challenge.challengeId}`
      const numsub = withRawRedis(async (redis) => Number(((await redis.pubsub("NUMSUB", channel)) as Array<unknown>)[1]))
      const scope = yield* Scope.make()
      yield* Effect.all([1, 2, 3].map(() => events.subscribe(challenge.challengeId)), { concurrency: "unbounded" }).pipe(
        Scope.provide(scope)
      )
      assert.include(yield* connectionsNamed(name), `${name}-subscriber`)
      assert.strictEqual(yield* numsub, 1)
      yield* Scope.close(scope, Exit.void)
      yield* eventually(Effect.map(numsub, (n) => n === 0))
    }))

  it.live("closing the layer closes its connections: later commands fail with Unavailable", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const redis = yield* serviceOf(RedisClient.RedisClient, clientLayer(freshPrefix("closing"))).pipe(
        Scope.provide(scope)
      )
      assert.strictEqual(yield* redis.command("PING", (r) => r.ping()), "PONG")
      yield* Scope.close(scope, Exit.void)
      const error = yield* Effect.flip(redis.command("PING", (r) => r.ping()))
      assert.strictEqual(error._tag, "Unavailable")
    }))
})
