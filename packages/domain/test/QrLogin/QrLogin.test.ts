import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Stream } from "effect"
import { TestClock } from "effect/testing"
import { sha256Hex } from "../../src/Digest.js"
import { QrChallengeId } from "../../src/QrLogin/QrChallenge.js"
import { QrChallengeStore } from "../../src/QrLogin/QrChallengeStore.js"
import { QrEvents } from "../../src/QrLogin/QrEvents.js"
import { QrLogin } from "../../src/QrLogin/QrLogin.js"
import { ada, bob, cyd, IssueLog, scanKeyOf, testLayer, TransitionLog } from "./support.js"

const requester = { ip: "198.51.100.4", userAgent: "Mozilla/5.0 (Desktop)" }

/** An initialised challenge with its scan key. */
const start = Effect.gen(function*() {
  const qr = yield* QrLogin
  const init = yield* qr.init(requester)
  return { ...init, scanKey: scanKeyOf(init.qrPayload) }
})

const errorOf = <A, E>(effect: Effect.Effect<A, E & { _tag: string }>) =>
  Effect.map(Effect.flip(effect), (e) => {
    const error = e as { _tag: string; code?: string }
    return error.code === undefined ? error._tag : `${error._tag}:${error.code}`
  })

/** Lets forked fibers (watchers) catch up without moving the clock. */
const settleFibers = Effect.gen(function*() {
  for (let i = 0; i < 50; i++) yield* Effect.yieldNow
})

describe("QrLogin", () => {
  it.effect("init answers a payload URL with the challenge id and scan key, never the poll secret", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const init = yield* start
      const url = new URL(init.qrPayload)
      assert.strictEqual(`${url.origin}${url.pathname}`, "http://localhost:5173/qr/approve")
      assert.strictEqual(url.searchParams.get("c"), init.challengeId)
      assert.match(init.scanKey, /^[A-Za-z0-9_-]{22}$/)
      assert.match(init.challengeId, /^[A-Za-z0-9_-]{22}$/)
      assert.match(init.pollSecret, /^[A-Za-z0-9_-]{43}$/)
      assert.notInclude(init.qrPayload, init.pollSecret)
      assert.strictEqual(init.expiresAt, 1_700_000_000_000 + 120_000)

      const stored = Option.getOrThrow(yield* (yield* QrChallengeStore).get(init.challengeId))
      assert.strictEqual(stored.status, "pending")
      assert.strictEqual(stored.pollSecretHash, yield* sha256Hex(init.pollSecret))
      assert.strictEqual(stored.scanKeyHash, yield* sha256Hex(init.scanKey))
      assert.deepStrictEqual({ ...stored.requester }, { ...requester, createdAt: 1_700_000_000_000 })
      assert.notInclude(JSON.stringify(stored), init.pollSecret)
      assert.notInclude(JSON.stringify(stored), init.scanKey)

      const other = yield* start
      assert.notStrictEqual(other.challengeId, init.challengeId)
    }).pipe(Effect.provide(testLayer())))

  it.effect("the payload uses the configured web base URL", () =>
    Effect.gen(function*() {
      const init = yield* start
      assert.isTrue(init.qrPayload.startsWith(`https://app.example.com/login/qr?c=${init.challengeId}&k=`))
    }).pipe(Effect.provide(testLayer({ webBaseUrl: "https://app.example.com/", approvePath: "/login/qr" }))))

  it.effect("init cuts an oversized user agent instead of refusing it", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const init = yield* qr.init({ ip: "::1", userAgent: "x".repeat(5000) })
      const stored = Option.getOrThrow(yield* (yield* QrChallengeStore).get(init.challengeId))
      assert.strictEqual(stored.requester.userAgent.length, 512)
    }).pipe(Effect.provide(testLayer())))

  it.effect("scan, approve, exchange: tokens for the approving user, once", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const init = yield* start
      const scanned = yield* qr.scan(ada, { challengeId: init.challengeId, scanKey: init.scanKey })
      assert.strictEqual(scanned.status, "scanned")
      assert.deepStrictEqual({ ...scanned.requester }, { ...requester, createdAt: 0 })
      assert.strictEqual((yield* qr.status(init.challengeId)).status, "scanned")
      assert.strictEqual((yield* qr.approve(ada, { challengeId: init.challengeId, scanKey: init.scanKey })).status, "approved")
      assert.strictEqual((yield* qr.status(init.challengeId)).status, "approved")
      const tokens = yield* qr.exchange({ challengeId: init.challengeId, pollSecret: init.pollSecret })
      assert.strictEqual(tokens.accessToken, "access-u-ada-0")
      assert.strictEqual((yield* qr.status(init.challengeId)).status, "consumed")
      assert.strictEqual(
        yield* errorOf(qr.exchange({ challengeId: init.challengeId, pollSecret: init.pollSecret })),
        "Conflict:QrAlreadyUsed"
      )
      assert.deepStrictEqual((yield* IssueLog).issued.map((i) => i.userId), ["u-ada"])
      assert.deepStrictEqual(
        (yield* TransitionLog).entries.map((e) => `${e.from}>${e.to}`),
        ["pending>scanned", "scanned>approved", "approved>consumed"]
      )
    }).pipe(Effect.provide(testLayer())))

  it.effect("a second scan by the same user is idempotent; another user's scan is a Conflict", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const init = yield* start
      const input = { challengeId: init.challengeId, scanKey: init.scanKey }
      yield* qr.scan(ada, input)
      assert.strictEqual((yield* qr.scan(ada, input)).status, "scanned")
      assert.strictEqual(yield* errorOf(qr.scan(bob, input)), "Conflict:QrAlreadyScanned")
      yield* qr.approve(ada, input)
      assert.strictEqual(yield* errorOf(qr.scan(bob, input)), "Conflict:QrAlreadyScanned")
      assert.strictEqual(yield* errorOf(qr.scan(ada, input)), "Conflict:QrAlreadyDecided")
      assert.strictEqual((yield* TransitionLog).entries.length, 2)
    }).pipe(Effect.provide(testLayer())))

  it.effect("a wrong scan key or poll secret and an unknown id all look like no challenge", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const init = yield* start
      const wrongKey = { challengeId: init.challengeId, scanKey: "not-the-key" }
      assert.strictEqual(yield* errorOf(qr.scan(ada, wrongKey)), "NotFound")
      yield* qr.scan(ada, { challengeId: init.challengeId, scanKey: init.scanKey })
      assert.strictEqual(yield* errorOf(qr.approve(ada, wrongKey)), "NotFound")
      assert.strictEqual(yield* errorOf(qr.reject(ada, wrongKey)), "NotFound")
      yield* qr.approve(ada, { challengeId: init.challengeId, scanKey: init.scanKey })
      assert.strictEqual(
        yield* errorOf(qr.exchange({ challengeId: init.challengeId, pollSecret: init.scanKey })),
        "NotFound"
      )
      const unknown = QrChallengeId.make("AAAAAAAAAAAAAAAAAAAAAA")
      assert.strictEqual(yield* errorOf(qr.status(unknown)), "NotFound")
      assert.strictEqual(yield* errorOf(qr.scan(ada, { challengeId: unknown, scanKey: init.scanKey })), "NotFound")
      assert.strictEqual(
        yield* errorOf(qr.exchange({ challengeId: unknown, pollSecret: init.pollSecret })),
        "NotFound"
      )
      assert.strictEqual((yield* IssueLog).issued.length, 0)
    }).pipe(Effect.provide(testLayer())))

  it.effect("only the scanning user may approve or reject, and only after a scan", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const init = yield* start
      const input = { challengeId: init.challengeId, scanKey: init.scanKey }
      assert.strictEqual(yield* errorOf(qr.approve(ada, input)), "Conflict:QrNotScanned")
      assert.strictEqual(yield* errorOf(qr.reject(ada, input)), "Conflict:QrNotScanned")
      yield* qr.scan(ada, input)
      assert.strictEqual(yield* errorOf(qr.approve(bob, input)), "Forbidden:NotScanner")
      assert.strictEqual(yield* errorOf(qr.reject(cyd, input)), "Forbidden:NotScanner")
      assert.strictEqual((yield* qr.status(init.challengeId)).status, "scanned")
      assert.strictEqual((yield* qr.approve(ada, input)).status, "approved")
      assert.strictEqual((yield* qr.approve(ada, input)).status, "approved", "approving again is idempotent")
      assert.strictEqual(yield* errorOf(qr.reject(ada, input)), "Conflict:QrAlreadyApproved")
      assert.strictEqual(yield* errorOf(qr.approve(bob, input)), "Forbidden:NotScanner")
    }).pipe(Effect.provide(testLayer())))

  it.effect("a rejected login cannot be approved or exchanged", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const init = yield* start
      const input = { challengeId: init.challengeId, scanKey: init.scanKey }
      yield* qr.scan(bob, input)
      assert.strictEqual((yield* qr.reject(bob, input)).status, "rejected")
      assert.strictEqual((yield* qr.reject(bob, input)).status, "rejected")
      assert.strictEqual(yield* errorOf(qr.approve(bob, input)), "Conflict:QrRejected")
      assert.strictEqual(
        yield* errorOf(qr.exchange({ challengeId: init.challengeId, pollSecret: init.pollSecret })),
        "Conflict:QrRejected"
      )
      assert.strictEqual((yield* qr.status(init.challengeId)).status, "rejected")
      yield* TestClock.adjust(200_000)
      assert.strictEqual((yield* qr.status(init.challengeId)).status, "rejected", "a terminal state never expires")
      assert.strictEqual((yield* IssueLog).issued.length, 0)
    }).pipe(Effect.provide(testLayer())))

  it.effect("exchanging before approval is a Conflict", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const init = yield* start
      const exchange = qr.exchange({ challengeId: init.challengeId, pollSecret: init.pollSecret })
      assert.strictEqual(yield* errorOf(exchange), "Conflict:QrNotApproved")
      yield* qr.scan(ada, { challengeId: init.challengeId, scanKey: init.scanKey })
      assert.strictEqual(yield* errorOf(exchange), "Conflict:QrNotApproved")
      assert.strictEqual((yield* IssueLog).issued.length, 0)
    }).pipe(Effect.provide(testLayer())))

  it.effect("after 120 s a challenge is expired: polls say so, scans and exchanges are Gone", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const a = yield* start
      const b = yield* start
      yield* qr.scan(ada, { challengeId: b.challengeId, scanKey: b.scanKey })
      yield* qr.approve(ada, { challengeId: b.challengeId, scanKey: b.scanKey })
      yield* TestClock.adjust(119_999)
      assert.strictEqual((yield* qr.status(a.challengeId)).status, "pending")
      yield* TestClock.adjust(1)
      assert.deepStrictEqual({ ...(yield* qr.status(a.challengeId)) }, { status: "expired", expiresAt: 120_000 })
      assert.strictEqual(yield* errorOf(qr.scan(ada, { challengeId: a.challengeId, scanKey: a.scanKey })), "Gone:QrExpired")
      assert.strictEqual(
        yield* errorOf(qr.exchange({ challengeId: b.challengeId, pollSecret: b.pollSecret })),
        "Gone:QrExpired"
      )
      assert.strictEqual(yield* errorOf(qr.approve(ada, { challengeId: b.challengeId, scanKey: b.scanKey })), "Gone:QrExpired")
      assert.strictEqual((yield* qr.status(b.challengeId)).status, "expired")
      assert.strictEqual((yield* IssueLog).issued.length, 0)
      assert.deepStrictEqual(
        (yield* TransitionLog).entries.filter((e) => e.to === "expired").map((e) => e.from).sort(),
        ["approved", "pending"]
      )
    }).pipe(Effect.provide(testLayer())))

  it.effect("20 racing exchanges: exactly one gets tokens, the rest Conflict QrAlreadyUsed", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const init = yield* start
      yield* qr.scan(cyd, { challengeId: init.challengeId, scanKey: init.scanKey })
      yield* qr.approve(cyd, { challengeId: init.challengeId, scanKey: init.scanKey })
      const exits = yield* Effect.all(
        Array.from({ length: 20 }, () => Effect.exit(qr.exchange({ challengeId: init.challengeId, pollSecret: init.pollSecret }))),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
      const codes = yield* Effect.forEach(exits.filter(Exit.isFailure), (exit) => errorOf(exit))
      assert.deepStrictEqual([...new Set(codes)], ["Conflict:QrAlreadyUsed"])
      assert.deepStrictEqual((yield* IssueLog).issued.map((i) => i.userId), ["u-cyd"])
    }).pipe(Effect.provide(testLayer())))

  it.effect("racing scans by three users: one wins, the others get Conflict; racing approvals by the scanner move once", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const init = yield* start
      const input = { challengeId: init.challengeId, scanKey: init.scanKey }
      const scans = yield* Effect.all([ada, bob, cyd, ada, bob, cyd].map((actor) => Effect.exit(qr.scan(actor, input))), {
        concurrency: "unbounded"
      })
      const stored = Option.getOrThrow(yield* (yield* QrChallengeStore).get(init.challengeId))
      const scanner = [ada, bob, cyd].find((a) => a.userId === stored.scannedBy)!
      scans.forEach((exit, i) => assert.strictEqual(Exit.isSuccess(exit), [ada, bob, cyd, ada, bob, cyd][i] === scanner))
      const decisions = yield* Effect.all(
        Array.from({ length: 10 }, (_, i) => Effect.exit(i % 2 === 0 ? qr.approve(scanner, input) : qr.reject(scanner, input))),
        { concurrency: "unbounded" }
      )
      const moves = (yield* TransitionLog).entries.map((e) => `${e.from}>${e.to}`)
      assert.strictEqual(moves.length, 2)
      const final = moves[1]!.split(">")[1]!
      decisions.forEach((exit, i) => assert.strictEqual(Exit.isSuccess(exit), (i % 2 === 0 ? "approved" : "rejected") === final))
    }).pipe(Effect.provide(testLayer())))

  it.effect("every transition is published on QrEvents", () =>
    Effect.gen(function*() {
      const qr = yield* QrLogin
      const events = yield* QrEvents
      const init = yield* start
      const stream = yield* events.subscribe(init.challengeId)
      const fiber = yield* stream.pipe(Stream.take(3), Stream.runCollect, Effect.forkChild)
      const input = { challengeId: init.challengeId, scanKey: init.scanKey }
      yield* qr.scan(ada, input)
      yield* qr.approve(ada, input)
      yield* qr.exchange({ challengeId: init.challengeId, pollSecret: init.pollSecret })
      const received = yield* Fiber.join(fiber)
      assert.deepStrictEqual(received.map((e) => e.status), ["scanned", "approved", "consumed"])
      assert.isTrue(received.every((e) => e.expiresAt === init.expiresAt && e.challengeId === init.challengeId))
    }).pipe(Effect.provide(testLayer())))

  describe("watch", () => {
    it.effect("emits the current status, then every change, and ends after a terminal state", () =>
      Effect.gen(function*() {
        const qr = yield* QrLogin
        const init = yield* start
        const input = { challengeId: init.challengeId, scanKey: init.scanKey }
        const fiber = yield* qr.watch(init.challengeId).pipe(Stream.runCollect, Effect.forkChild)
        yield* settleFibers
        yield* qr.scan(ada, input)
        yield* settleFibers
        yield* qr.approve(ada, input)
        yield* settleFibers
        yield* qr.exchange({ challengeId: init.challengeId, pollSecret: init.pollSecret })
        const seen = yield* Fiber.join(fiber)
        assert.deepStrictEqual(seen.map((v) => v.status), ["pending", "scanned", "approved", "consumed"])
        assert.isTrue(seen.every((v) => v.expiresAt === init.expiresAt))
      }).pipe(Effect.provide(testLayer())))

    it.effect("emits expired when the deadline passes though nobody calls", () =>
      Effect.gen(function*() {
        const qr = yield* QrLogin
        const init = yield* start
        const fiber = yield* qr.watch(init.challengeId).pipe(Stream.runCollect, Effect.forkChild)
        yield* settleFibers
        yield* TestClock.adjust(60_000)
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust(60_000)
        const seen = yield* Fiber.join(fiber)
        assert.deepStrictEqual(seen.map((v) => v.status), ["pending", "expired"])
        assert.deepStrictEqual(
          (yield* TransitionLog).entries.map((e) => `${e.from}>${e.to}`),
          ["pending>expired"]
        )
      }).pipe(Effect.provide(testLayer())))

    it.effect("picks up a change whose event was lost, at the next resync", () =>
      Effect.gen(function*() {
        const qr = yield* QrLogin
        const store = yield* QrChallengeStore
        const init = yield* start
        const fiber = yield* qr.watch(init.challengeId).pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
        yield* settleFibers
        // A transition behind the use case's back: no event is published.
        yield* store.transition(init.challengeId, "pending", { status: "scanned", updatedAt: 1, scannedBy: ada.userId })
        yield* TestClock.adjust(5_000)
        const seen = yield* Fiber.join(fiber)
        assert.deepStrictEqual(seen.map((v) => v.status), ["pending", "scanned"])
      }).pipe(Effect.provide(testLayer())))

    it.effect("of a finished challenge emits its status once and ends; of an unknown one fails NotFound", () =>
      Effect.gen(function*() {
        const qr = yield* QrLogin
        const init = yield* start
        yield* TestClock.adjust(120_000)
        const seen = yield* Stream.runCollect(qr.watch(init.challengeId))
        assert.deepStrictEqual(seen.map((v) => v.status), ["expired"])
        const error = yield* Stream.runCollect(qr.watch(QrChallengeId.make("BBBBBBBBBBBBBBBBBBBBBB"))).pipe(Effect.flip)
        assert.strictEqual(error._tag, "NotFound")
      }).pipe(Effect.provide(testLayer())))
  })
})
