import { assert, layer } from "@effect/vitest"
import { QrChallengeId, QrLogin, QrLoginConfig } from "@app/domain"
import { InProcess } from "@app/domain/node"
import { type Cause, Duration, Effect, Fiber, Layer, Queue, Stream } from "effect"
import { openQrStatusEvents, type QrStatusEventsOptions } from "../../src/realtime/QrStatusEvents.js"
import { signUp } from "./ProductFixtures.js"

interface SseEvent {
  readonly comment?: string
  readonly id?: string
  readonly event?: string
  readonly data?: unknown
}

/** Parses complete SSE blocks out of `buffer`; returns the events and the unparsed rest. */
const parseBlocks = (buffer: string): { readonly events: Array<SseEvent>; readonly rest: string } => {
  const blocks = buffer.split("\n\n")
  const rest = blocks.pop() ?? ""
  const events = blocks.map((block) => {
    const event: Record<string, unknown> = {}
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) event["comment"] = line.slice(1).trim()
      else {
        const at = line.indexOf(":")
        const field = line.slice(0, at)
        const value = line.slice(at + 1).trimStart()
        event[field] = field === "data" ? JSON.parse(value) : value
      }
    }
    return event as SseEvent
  })
  return { events, rest }
}

/** Opens the stream and runs its body into a queue of parsed events (ended when the body ends). */
const listen = (challengeId: string, options: QrStatusEventsOptions = {}) =>
  Effect.gen(function*() {
    const opening = yield* openQrStatusEvents(challengeId, options)
    assert.strictEqual(opening._tag, "Streaming")
    if (opening._tag !== "Streaming") return yield* Effect.die("refused")
    const events = yield* Queue.unbounded<SseEvent, Cause.Done>()
    let buffer = ""
    const fiber = yield* opening.body.pipe(
      Stream.runForEach((chunk) =>
        Effect.sync(() => {
          const parsed = parseBlocks(buffer + chunk)
          buffer = parsed.rest
          for (const event of parsed.events) Queue.offerUnsafe(events, event)
        })
      ),
      Effect.ensuring(Queue.end(events)),
      Effect.forkChild
    )
    const nextStatus = Effect.gen(function*() {
      for (;;) {
        const event = yield* Queue.take(events)
        if (event.event === "status") return event
      }
    }).pipe(Effect.timeout(Duration.seconds(5)))
    /** Waits for the body to end; every event still in the queue. */
    const rest = Fiber.join(fiber).pipe(Effect.timeout(Duration.seconds(5)), Effect.andThen(Queue.collect(events)))
    return { events, nextStatus, rest, fiber }
  })

const startChallenge = Effect.gen(function*() {
  const qr = yield* QrLogin
  const init = yield* qr.init({ ip: "203.0.113.9", userAgent: "test desktop" })
  const scanKey = new URL(init.qrPayload).searchParams.get("k")!
  return { challengeId: init.challengeId, scanKey, pollSecret: init.pollSecret, expiresAt: init.expiresAt }
})

layer(InProcess.layerTest, { excludeTestServices: true })("QrStatusEvents", (it) => {
  it.effect("pending → scanned → approved → consumed, each once with its id, then the body ends", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const phone = yield* signUp("phone")
      const challenge = yield* startChallenge
      const stream = yield* listen(challenge.challengeId)
      const pending = yield* stream.nextStatus
      assert.deepStrictEqual(pending, {
        id: "pending",
        event: "status",
        data: { status: "pending", expiresAt: new Date(challenge.expiresAt).toISOString() }
      })
      const input = { challengeId: challenge.challengeId, scanKey: challenge.scanKey }
      yield* qr.scan(phone.actor, input)
      assert.strictEqual((yield* stream.nextStatus).id, "scanned")
      yield* qr.approve(phone.actor, input)
      assert.strictEqual((yield* stream.nextStatus).id, "approved")
      yield* qr.exchange({ challengeId: challenge.challengeId, pollSecret: challenge.pollSecret })
      const consumed = yield* stream.nextStatus
      assert.deepStrictEqual(consumed.data, { status: "consumed", expiresAt: new Date(challenge.expiresAt).toISOString() })
      const rest = yield* stream.rest
      assert.deepStrictEqual(rest.filter((e) => e.event === "status"), [])
    }))

  it.effect("heartbeat comments are sent between events", () =>
    Effect.gen(function*() {
      const challenge = yield* startChallenge
      const stream = yield* listen(challenge.challengeId, { heartbeat: "40 millis" })
      yield* stream.nextStatus
      const next = yield* Queue.take(stream.events).pipe(Effect.timeout(Duration.seconds(2)))
      assert.deepStrictEqual(next, { comment: "keep-alive" })
      yield* Fiber.interrupt(stream.fiber)
    }))

  it.effect("a reconnect gets the current status first and nothing older than its Last-Event-ID", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const phone = yield* signUp("phone2")
      const challenge = yield* startChallenge
      const input = { challengeId: challenge.challengeId, scanKey: challenge.scanKey }
      yield* qr.scan(phone.actor, input)

      // A fresh page: the current status.
      const fresh = yield* listen(challenge.challengeId)
      assert.strictEqual((yield* fresh.nextStatus).id, "scanned")
      yield* Fiber.interrupt(fresh.fiber)

      yield* qr.approve(phone.actor, input)
      // The browser saw "scanned" before the drop: it gets "approved", the current one.
      const resumed = yield* listen(challenge.challengeId, { lastEventId: "scanned" })
      assert.strictEqual((yield* resumed.nextStatus).id, "approved")
      yield* Fiber.interrupt(resumed.fiber)

      // An unknown Last-Event-ID is ignored; a terminal status ends the body at once.
      yield* qr.exchange({ challengeId: challenge.challengeId, pollSecret: challenge.pollSecret })
      const late = yield* listen(challenge.challengeId, { lastEventId: "garbage" })
      const statuses = (yield* late.rest).filter((e) => e.event === "status").map((e) => e.id)
      assert.deepStrictEqual(statuses, ["consumed"])
    }))

  it.effect("a status older than the Last-Event-ID (a lagging read) is not sent again", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const phone = yield* signUp("phone4")
      const challenge = yield* startChallenge
      const input = { challengeId: challenge.challengeId, scanKey: challenge.scanKey }
      yield* qr.scan(phone.actor, input)
      const stream = yield* listen(challenge.challengeId, { lastEventId: "approved", heartbeat: "1 hour" })
      yield* Effect.sleep("150 millis")
      assert.deepStrictEqual(yield* Queue.clear(stream.events), [])
      yield* qr.approve(phone.actor, input)
      assert.strictEqual((yield* stream.nextStatus).id, "approved")
      yield* Fiber.interrupt(stream.fiber)
    }))

  it.effect("a rejected challenge ends the stream after `rejected`", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const phone = yield* signUp("phone3")
      const challenge = yield* startChallenge
      const input = { challengeId: challenge.challengeId, scanKey: challenge.scanKey }
      const stream = yield* listen(challenge.challengeId)
      yield* stream.nextStatus
      yield* qr.scan(phone.actor, input)
      yield* stream.nextStatus
      yield* qr.reject(phone.actor, input)
      assert.strictEqual((yield* stream.nextStatus).id, "rejected")
      yield* stream.rest
    }))

  it.effect("a malformed id is a 400 and an unknown one a 404, both problem+json", () =>
    Effect.gen(function*() {
      const malformed = yield* openQrStatusEvents("not a challenge!")
      assert.strictEqual(malformed._tag, "Refused")
      if (malformed._tag !== "Refused") return
      assert.strictEqual(malformed.response.status, 400)
      assert.strictEqual(malformed.response.headers["content-type"], "application/problem+json")
      const problem = JSON.parse(malformed.response.body!)
      assert.deepStrictEqual(problem.errors.map((e: { path: string }) => e.path), ["challengeId"])

      const unknown = yield* openQrStatusEvents(QrChallengeId.make("AAAAAAAAAAAAAAAAAAAAAA"))
      assert.strictEqual(unknown._tag, "Refused")
      if (unknown._tag !== "Refused") return
      assert.strictEqual(unknown.response.status, 404)
      assert.strictEqual(unknown.response.headers["content-type"], "application/problem+json")
    }))
})

const shortLived = InProcess.layerTest.pipe(
  Layer.provide(Layer.succeed(QrLoginConfig, { ...QrLoginConfig.defaultValue(), ttl: 300 }))
)

layer(shortLived, { excludeTestServices: true })("QrStatusEvents with a short TTL", (it) => {
  it.effect("an untouched challenge is pushed as expired when its deadline passes, then the body ends", () =>
    Effect.gen(function*() {
      const challenge = yield* startChallenge
      const stream = yield* listen(challenge.challengeId)
      assert.strictEqual((yield* stream.nextStatus).id, "pending")
      assert.strictEqual((yield* stream.nextStatus).id, "expired")
      yield* stream.rest
    }))
})
