/**
 * The behaviour every QrEvents bus must show (memory now, Redis pub/sub later): once `subscribe`
 * has returned, every event later published for that challenge reaches the stream, in the order
 * one publisher sent them, once each, and no other challenge's events do. Runs on the live clock;
 * every id comes from a fresh scope. An "end marker" event (expiresAt = 1) closes each observation,
 * so a suite never waits on silence.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Fiber, type Layer, Stream } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun, type PortCommand } from "../../contract/ModelRun.js"
import * as QrEventsMemory from "../memory/QrEventsMemory.js"
import { QrChallengeId, QrStatus } from "../QrChallenge.js"
import { QrEvents, QrStatusEvent } from "../QrEvents.js"

const MARKER_EXPIRES_AT = 1
const statuses: ReadonlyArray<QrStatus> = QrStatus.literals

const idIn = (scope: string, label: string) =>
  QrChallengeId.make(`${scope}-${label}`.replace(/[^A-Za-z0-9_-]/g, "-").padEnd(16, "0"))

const event = (challengeId: QrChallengeId, status: QrStatus, expiresAt: number) =>
  new QrStatusEvent({ challengeId, status, expiresAt })

const plain = (events: ReadonlyArray<QrStatusEvent>) =>
  events.map((e) => ({ challengeId: e.challengeId, status: e.status, expiresAt: e.expiresAt }))

type Bus = QrEvents["Service"]

/**
 * Subscribes to `challengeId`, publishes `script` (then an end marker for `challengeId`) and returns
 * what the subscription received before the marker.
 */
const observe = (bus: Bus, challengeId: QrChallengeId, script: ReadonlyArray<QrStatusEvent>) =>
  Effect.scoped(Effect.gen(function*() {
    const stream = yield* bus.subscribe(challengeId)
    const fiber = yield* stream.pipe(
      Stream.takeUntil((e) => e.expiresAt === MARKER_EXPIRES_AT, { excludeLast: true }),
      Stream.runCollect,
      Effect.forkChild
    )
    yield* Effect.forEach(script, bus.publish, { discard: true })
    yield* bus.publish(event(challengeId, "expired", MARKER_EXPIRES_AT))
    return yield* Fiber.join(fiber).pipe(Effect.timeout("10 seconds"))
  }))

const publishCommand = fc.record({
  slot: fc.nat(2),
  status: fc.constantFrom(...statuses),
  expiresAt: fc.integer({ min: 1_000, max: 1_000_000 })
}).map(({ slot, status, expiresAt }): PortCommand<Bus> => ({
  check: async () => true,
  run: async (m, r) => {
    const e = event(idIn(m.scope, `c${slot}`), status, expiresAt)
    await agree(m.port.publish(e), r.publish(e))
  },
  toString: () => `publish(c${slot}, ${status}, ${expiresAt})`
}))

const observeCommand = fc.record({
  slot: fc.nat(2),
  script: fc.array(
    fc.record({
      slot: fc.nat(2),
      status: fc.constantFrom(...statuses),
      expiresAt: fc.integer({ min: 1_000, max: 1_000_000 })
    }),
    { maxLength: 12 }
  )
}).map(({ slot, script }): PortCommand<Bus> => ({
  check: async () => true,
  run: async (m, r) => {
    const id = idIn(m.scope, `c${slot}`)
    const events = script.map((s) => event(idIn(m.scope, `c${s.slot}`), s.status, s.expiresAt))
    await agree(observe(m.port, id, events), observe(r, id, events), plain)
  },
  toString: () => `observe(c${slot}, ${JSON.stringify(script)})`
}))

export const suite = (name: string, eventsLayer: Layer.Layer<QrEvents, unknown>) =>
  layer(eventsLayer, { excludeTestServices: true, timeout: "60 seconds" })(`QrEvents contract: ${name}`, (it) => {
    it.effect("a subscriber receives its challenge's events in publish order, and no other challenge's", () =>
      Effect.gen(function*() {
        const bus = yield* QrEvents
        const scope = freshScope("qe")
        const mine = idIn(scope, "mine")
        const other = idIn(scope, "other")
        const received = yield* observe(bus, mine, [
          event(mine, "scanned", 5_000),
          event(other, "scanned", 5_000),
          event(mine, "approved", 5_000),
          event(other, "rejected", 5_000),
          event(mine, "consumed", 5_000)
        ])
        assert.deepStrictEqual(plain(received).map((e) => e.status), ["scanned", "approved", "consumed"])
        for (const e of received) assert.strictEqual(e.challengeId, mine)
      }))

    it.effect("every subscriber of a challenge receives every event", () =>
      Effect.gen(function*() {
        const bus = yield* QrEvents
        const id = idIn(freshScope("qe"), "fan")
        const results = yield* Effect.scoped(Effect.gen(function*() {
          const streams = yield* Effect.all([bus.subscribe(id), bus.subscribe(id), bus.subscribe(id)])
          const fibers = yield* Effect.forEach(streams, (stream) =>
            stream.pipe(
              Stream.takeUntil((e) => e.expiresAt === MARKER_EXPIRES_AT, { excludeLast: true }),
              Stream.runCollect,
              Effect.forkChild
            ))
          yield* bus.publish(event(id, "scanned", 9_000))
          yield* bus.publish(event(id, "rejected", 9_000))
          yield* bus.publish(event(id, "expired", MARKER_EXPIRES_AT))
          return yield* Effect.forEach(fibers, Fiber.join).pipe(Effect.timeout("10 seconds"))
        }))
        for (const received of results) {
          assert.deepStrictEqual(plain(received).map((e) => e.status), ["scanned", "rejected"])
        }
      }))

    it.effect("20 concurrent publishers: each event arrives exactly once", () =>
      Effect.gen(function*() {
        const bus = yield* QrEvents
        const id = idIn(freshScope("qe"), "conc")
        const received = yield* Effect.scoped(Effect.gen(function*() {
          const stream = yield* bus.subscribe(id)
          const fiber = yield* stream.pipe(Stream.take(20), Stream.runCollect, Effect.forkChild)
          yield* Effect.all(
            Array.from({ length: 20 }, (_, i) => bus.publish(event(id, "scanned", 10_000 + i))),
            { concurrency: "unbounded" }
          )
          return yield* Fiber.join(fiber).pipe(Effect.timeout("10 seconds"))
        }))
        assert.deepStrictEqual(
          received.map((e) => e.expiresAt).sort((a, b) => a - b),
          Array.from({ length: 20 }, (_, i) => 10_000 + i)
        )
      }))

    it.effect("closing the subscription's scope ends it quietly; publishing afterwards still works", () =>
      Effect.gen(function*() {
        const bus = yield* QrEvents
        const id = idIn(freshScope("qe"), "close")
        yield* Effect.scoped(bus.subscribe(id))
        yield* bus.publish(event(id, "expired", 7_000))
        const received = yield* observe(bus, id, [event(id, "pending", 7_000)])
        assert.deepStrictEqual(plain(received).map((e) => e.status), ["pending"])
      }))

    it.effect("agrees with the in-memory model on random publish/observe sequences", () =>
      Effect.gen(function*() {
        const real = yield* QrEvents
        yield* modelRun({
          real,
          makeModel: QrEventsMemory.make,
          commands: [publishCommand, observeCommand],
          numRuns: 25,
          maxCommands: 15
        })
      }))
  })
