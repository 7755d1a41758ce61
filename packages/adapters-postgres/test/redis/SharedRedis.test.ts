/**
 * Several server processes sharing one Redis behave as one: two independent instances of every
 * adapter (each with its own RedisClient, i.e. its own connections) on the same key prefix. Events
 * cross between them, the rate limit and the leases are shared, and of racing QR exchanges made
 * through both exactly one wins.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Option, Stream } from "effect"
import { clientLayer, freshPrefix } from "../support/RedisTest.js"
import { challengeOf, deviceOf, freshId, messageOf, readingOf, roomOf, teamOf } from "./Fixtures.js"
import { buildPorts } from "./RedisPorts.js"
import { QrStatusEvent } from "@app/domain"

const prefix = freshPrefix("shared")
/** Two "processes": the same Redis and prefix, separate clients and connections. */
const twoProcesses = Effect.all([buildPorts(clientLayer(prefix)), buildPorts(clientLayer(prefix))])

describe("Redis adapters shared by two processes", () => {
  it.live("a QR event published by one process reaches a watcher in the other", () =>
    Effect.gen(function*() {
      const [a, b] = yield* twoProcesses
      const challenge = challengeOf(freshId("shared"), yield* Clock.currentTimeMillis)
      const stream = yield* b.qrEvents.subscribe(challenge.challengeId)
      const received = yield* stream.pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
      yield* a.qrEvents.publish(new QrStatusEvent({ challengeId: challenge.challengeId, status: "scanned", expiresAt: challenge.expiresAt }))
      yield* a.qrEvents.publish(new QrStatusEvent({ challengeId: challenge.challengeId, status: "approved", expiresAt: challenge.expiresAt }))
      const events = yield* Fiber.join(received).pipe(Effect.timeout("10 seconds"))
      assert.deepStrictEqual(events.map((e) => e.status), ["scanned", "approved"])
    }))

  it.live("chat messages and sensor readings cross between processes, both ways", () =>
    Effect.gen(function*() {
      const [a, b] = yield* twoProcesses
      const room = roomOf("room")
      const team = teamOf("team")
      const [roomInA, roomInB, teamInA, teamInB] = yield* Effect.all([
        a.chatBus.subscribe(room),
        b.chatBus.subscribe(room),
        a.sensorBus.subscribe(team),
        b.sensorBus.subscribe(team)
      ])
      const collect = <A, E>(stream: Stream.Stream<A, E>, n: number) =>
        stream.pipe(Stream.take(n), Stream.runCollect, Effect.timeout("10 seconds"))
      const received = yield* Effect.all({
        messagesA: collect(roomInA, 2),
        messagesB: collect(roomInB, 2),
        readingsA: collect(teamInA, 3),
        readingsB: collect(teamInB, 3)
      }, { concurrency: "unbounded" }).pipe(Effect.forkChild)
      yield* a.chatBus.publish(messageOf(room, 1))
      yield* b.chatBus.publish(messageOf(room, 2))
      const device = deviceOf("device")
      yield* a.sensorBus.publish(team, [readingOf(device, 1_000), readingOf(device, 2_000)])
      yield* b.sensorBus.publish(team, [readingOf(device, 3_000)])
      const { messagesA, messagesB, readingsA, readingsB } = yield* Fiber.join(received)
      for (const messages of [messagesA, messagesB]) assert.deepStrictEqual(messages.map((m) => m.seq), [1, 2])
      for (const readings of [readingsA, readingsB]) {
        assert.deepStrictEqual(readings.map((r) => r.ts), [1_000, 2_000, 3_000])
      }
    }))

  it.live("the rate limit is shared: 40 attempts through both processes allow exactly the limit", () =>
    Effect.gen(function*() {
      const [a, b] = yield* twoProcesses
      const key = freshId("login")
      const policy = { limit: 7, windowMs: 60_000 }
      const decisions = yield* Effect.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).limiter.consume(key, policy)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(decisions.filter((d) => d.allowed).length, 7)
      assert.isFalse((yield* a.limiter.consume(key, policy)).allowed)
      assert.isFalse((yield* b.limiter.consume(key, policy)).allowed)
    }))

  it.live("of 40 racing exchanges of one approved challenge through both processes, exactly one wins", () =>
    Effect.gen(function*() {
      const [a, b] = yield* twoProcesses
      const now = yield* Clock.currentTimeMillis
      const challenge = challengeOf(freshId("exchange"), now, "approved", { scannedBy: "u-ada", approvedBy: "u-ada" })
      yield* a.qrStore.create(challenge)
      const exits = yield* Effect.all(
        Array.from({ length: 40 }, (_, i) =>
          Effect.exit((i % 2 === 0 ? a : b).qrStore.transition(challenge.challengeId, "approved", { status: "consumed", updatedAt: now + i }))),
        { concurrency: "unbounded" }
      )
      const winners = exits.flatMap((exit, i) => (Exit.isSuccess(exit) ? [i] : []))
      assert.strictEqual(winners.length, 1)
      for (const exit of exits) {
        if (Exit.isFailure(exit)) {
          const error = exit.cause.reasons.find((r) => r._tag === "Fail") as { error: { _tag: string; code?: string } } | undefined
          assert.strictEqual(error?.error._tag, "Conflict")
          assert.strictEqual(error?.error.code, "QrStatusChanged")
        }
      }
      const stored = Option.getOrThrow(yield* b.qrStore.get(challenge.challengeId))
      assert.strictEqual(stored.status, "consumed")
      assert.strictEqual(stored.updatedAt, now + winners[0]!)
      // A challenge created by one process is a duplicate for the other.
      const duplicate = yield* b.qrStore.create(challenge).pipe(Effect.flip)
      assert.strictEqual(duplicate._tag, "Conflict")
    }))

  it.live("one lease across both processes; either can release it with the holder's token", () =>
    Effect.gen(function*() {
      const [a, b] = yield* twoProcesses
      const key = freshId("sync")
      const results = yield* Effect.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).lock.tryAcquire(key, 60_000)),
        { concurrency: "unbounded" }
      )
      const tokens = results.filter(Option.isSome).map((t) => t.value)
      assert.strictEqual(tokens.length, 1)
      assert.isTrue(Option.isNone(yield* a.lock.tryAcquire(key, 60_000)))
      assert.isTrue(yield* b.lock.release(key, tokens[0]!))
      assert.isTrue(Option.isSome(yield* a.lock.tryAcquire(key, 60_000)))
    }))

  it.live("the latest reading is shared, and racing offers through both keep the newest", () =>
    Effect.gen(function*() {
      const [a, b] = yield* twoProcesses
      const device = deviceOf("latest")
      const slots = [5, 17, 3, 29, 11, 29, 1, 23]
      const kept = yield* Effect.all(
        slots.map((slot, i) => (i % 2 === 0 ? a : b).latest.offer(readingOf(device, 1_700_000_000_000 + slot * 1_000, i))),
        { concurrency: "unbounded" }
      )
      const [fromA] = yield* a.latest.get([device])
      const [fromB] = yield* b.latest.get([device])
      assert.strictEqual(fromA?.ts, 1_700_000_029_000)
      assert.deepStrictEqual(fromA, fromB)
      assert.deepStrictEqual(slots.flatMap((slot, i) => (slot === 29 && kept[i] ? [i] : [])), [fromA!.temperature])
    }))
})
