/**
 * Redis behind a TcpProxy the test breaks. With short timeouts configured: when the connection is
 * cut, every operation of every port fails with its port error and a retryable reason
 * (Unavailable or TimedOut) — never hangs; when the network is blackholed, with TimedOut; a live
 * subscription fails instead of going silent; and once the network is restored, everything works
 * again without any call to reconnect. Each operation is bounded by a generous Effect timeout so
 * a hang fails the test instead of stalling it; no timing is asserted.
 */
import { assert, describe, it } from "@effect/vitest"
import { isRetryable, QrStatusEvent, type StoreFailure } from "@app/domain"
import { Clock, Effect, Fiber, Option, Redacted, Schedule, Stream } from "effect"
import * as RedisClient from "../../src/redis/RedisClient.js"
import { clientLayer, freshPrefix, redisTarget, redisUrlVia } from "../support/RedisTest.js"
import { TcpProxy } from "../support/TcpProxy.js"
import { challengeOf, deviceOf, freshId, messageOf, readingOf, roomOf, teamOf } from "./Fixtures.js"
import { buildPorts, type RedisPorts } from "./RedisPorts.js"

const FAST = {
  commandTimeoutMillis: 300,
  connectTimeoutMillis: 300,
  reconnectMaxDelayMillis: 100,
  heartbeatMillis: 100
} satisfies Partial<RedisClient.RedisClientConfig>

/** A proxy in front of the test Redis, closed with the test's scope. */
const proxied = Effect.acquireRelease(
  Effect.promise(() => TcpProxy.start({ targetHost: redisTarget().host, targetPort: redisTarget().port })),
  (proxy) => Effect.promise(() => proxy.close())
)

/** Every port on a client that reaches Redis through `proxy`. */
const portsVia = (proxy: TcpProxy, prefix: string) =>
  buildPorts(clientLayer(prefix, { url: Redacted.make(redisUrlVia(proxy.port)), ...FAST }))

type PortError = { readonly _tag: string; readonly reason: StoreFailure }

/** One call of each port operation, labelled; each fails with its port's error or succeeds. */
const operations = (ports: RedisPorts, label: string) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const challenge = challengeOf(freshId(label), now)
    const device = deviceOf(label)
    const ops: ReadonlyArray<readonly [string, Effect.Effect<unknown, PortError | { readonly _tag: string }>]> = [
      ["QrChallengeStore.create", ports.qrStore.create(challenge)],
      ["QrChallengeStore.get", ports.qrStore.get(challenge.challengeId)],
      ["QrChallengeStore.transition", ports.qrStore.transition(challenge.challengeId, "pending", { status: "scanned", updatedAt: now + 1 })],
      ["QrEvents.publish", ports.qrEvents.publish(new QrStatusEvent({ challengeId: challenge.challengeId, status: "scanned", expiresAt: now }))],
      ["QrEvents.subscribe", Effect.scoped(ports.qrEvents.subscribe(challenge.challengeId))],
      ["ChatBus.publish", ports.chatBus.publish(messageOf(roomOf(label), 1))],
      ["ChatBus.subscribe", Effect.scoped(ports.chatBus.subscribe(roomOf(label)))],
      ["SensorBus.publish", ports.sensorBus.publish(teamOf(label), [readingOf(device, now)])],
      ["SensorBus.subscribe", Effect.scoped(ports.sensorBus.subscribe(teamOf(label)))],
      ["LatestReadingCache.offer", ports.latest.offer(readingOf(device, now))],
      ["LatestReadingCache.get", ports.latest.get([device])],
      ["RateLimiter.consume", ports.limiter.consume(freshId(label), { limit: 5, windowMs: 60_000 })],
      ["SyncLock.tryAcquire", ports.lock.tryAcquire(freshId(label), 60_000)],
      ["SyncLock.release", ports.lock.release(freshId(label), "never-issued" as never)]
    ]
    return ops
  })

/** Runs every operation and returns, per operation, the reason it failed with (fails the test if one succeeds or hangs). */
const failureReasons = (ports: RedisPorts, label: string) =>
  Effect.gen(function*() {
    const reasons: Array<readonly [string, string, string]> = []
    for (const [name, op] of yield* operations(ports, label)) {
      const error = yield* op.pipe(
        Effect.timeout("10 seconds"),
        Effect.flip,
        Effect.catch(() => Effect.die(new Error(`${name} succeeded while Redis was unreachable`)))
      )
      assert.isTrue("reason" in error, `${name} failed with ${error._tag}, not its port error`)
      const reason = (error as PortError).reason
      assert.isTrue(isRetryable(reason), `${name}: ${reason._tag} is not retryable`)
      assert.isTrue(error._tag.endsWith("Error"), `${name} failed with ${error._tag}`)
      reasons.push([name, reason._tag, reason.message])
    }
    return reasons
  })

const isStoreFailure = (error: unknown) => typeof error === "object" && error !== null && "reason" in error

/**
 * Every operation works again, each retried while it fails with its port error (recovery needs no
 * help from the caller). An answer of the domain (Conflict, NotFound) counts as working: a write
 * whose reply timed out may have been applied, so its retry can find it done.
 */
const allRecover = (ports: RedisPorts, label: string) =>
  Effect.gen(function*() {
    for (const [name, op] of yield* operations(ports, label)) {
      yield* op.pipe(
        Effect.timeout("10 seconds"),
        Effect.retry({ while: isStoreFailure, schedule: Schedule.spaced("50 millis"), times: 200 }),
        Effect.catchIf((error) => !isStoreFailure(error), () => Effect.void),
        Effect.mapError((error) => new Error(`${name} did not recover: ${JSON.stringify(error)}`))
      )
    }
  })

/** A subscription works end to end: an event published now reaches it (retried like any operation). */
const roundTrip = (ports: RedisPorts, label: string) =>
  Effect.scoped(Effect.gen(function*() {
    const challenge = challengeOf(freshId(label), yield* Clock.currentTimeMillis)
    const stream = yield* ports.qrEvents.subscribe(challenge.challengeId)
    const first = yield* stream.pipe(Stream.runHead, Effect.forkChild)
    yield* ports.qrEvents.publish(new QrStatusEvent({ challengeId: challenge.challengeId, status: "approved", expiresAt: 9 }))
    const event = yield* Fiber.join(first).pipe(Effect.timeout("10 seconds"))
    assert.strictEqual(Option.getOrThrow(event).status, "approved")
  })).pipe(Effect.retry({ while: isStoreFailure, schedule: Schedule.spaced("50 millis"), times: 20 }))

describe("Redis faults", () => {
  it.live("cut: every operation fails with a retryable port error; after restore all work again by themselves", () =>
    Effect.gen(function*() {
      const proxy = yield* proxied
      const ports = yield* portsVia(proxy, freshPrefix("cut"))
      yield* allRecover(ports, "warm")
      yield* roundTrip(ports, "warm")

      // A live subscription fails rather than going silent.
      const watcher = yield* ports.chatBus.subscribe(roomOf("watched"))
      const watching = yield* Stream.runDrain(watcher).pipe(Effect.flip, Effect.forkChild)

      proxy.cut()
      const lost = yield* Fiber.join(watching).pipe(Effect.timeout("10 seconds"))
      assert.strictEqual(lost._tag, "ChatBusError")
      assert.isTrue(isRetryable(lost.reason))

      const reasons = yield* failureReasons(ports, "cut")
      assert.strictEqual(reasons.length, 14)

      proxy.restore()
      yield* allRecover(ports, "restored")
      yield* roundTrip(ports, "restored")
    }), 60_000)

  it.live("blackhole: every operation fails with TimedOut; after restore all work again by themselves", () =>
    Effect.gen(function*() {
      const proxy = yield* proxied
      const ports = yield* portsVia(proxy, freshPrefix("blackhole"))
      yield* allRecover(ports, "warm")

      const watcher = yield* ports.sensorBus.subscribe(teamOf("watched"))
      const watching = yield* Stream.runDrain(watcher).pipe(Effect.flip, Effect.forkChild)

      proxy.blackhole()
      const reasons = yield* failureReasons(ports, "blackhole")
      assert.deepStrictEqual(reasons.filter(([, reason]) => reason !== "TimedOut"), [], "every failure is TimedOut")
      // The heartbeat finds the silent subscriber connection dead and fails the subscription.
      const lost = yield* Fiber.join(watching).pipe(Effect.timeout("10 seconds"))
      assert.strictEqual(lost._tag, "SensorBusError")
      assert.strictEqual(lost.reason._tag, "TimedOut")

      proxy.restore()
      yield* allRecover(ports, "restored")
      yield* roundTrip(ports, "restored")
    }), 60_000)

  it.effect("network timeouts run on real time: under a TestClock a blackholed Redis still answers TimedOut", () =>
    Effect.gen(function*() {
      const proxy = yield* proxied
      const ports = yield* portsVia(proxy, freshPrefix("testclock"))
      // No retries here: a TestClock would never wake them.
      assert.isTrue((yield* ports.limiter.consume(freshId("testclock"), { limit: 1, windowMs: 1_000 })).allowed)
      yield* Effect.scoped(ports.chatBus.subscribe(roomOf("testclock")))
      proxy.blackhole()
      const error = yield* Effect.flip(ports.limiter.consume(freshId("testclock"), { limit: 1, windowMs: 1_000 }))
      assert.strictEqual(error.reason._tag, "TimedOut")
      const subscribeError = yield* Effect.flip(Effect.scoped(ports.chatBus.subscribe(roomOf("testclock"))))
      assert.strictEqual(subscribeError.reason._tag, "TimedOut")
    }), 60_000)

  it.live("started while Redis is unreachable: retryable failures at first, then service begins by itself", () =>
    Effect.gen(function*() {
      const proxy = yield* proxied
      proxy.cut()
      const ports = yield* portsVia(proxy, freshPrefix("startup"))
      const reasons = yield* failureReasons(ports, "startup")
      assert.strictEqual(reasons.length, 14)
      proxy.restore()
      yield* allRecover(ports, "started")
      yield* roundTrip(ports, "started")
    }), 60_000)
})
