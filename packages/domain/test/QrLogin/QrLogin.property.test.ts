/**
 * Properties of QR login under random use: sequences of init / scan / approve / reject / exchange /
 * status calls by random users, with the clock moved in between and groups of calls run
 * concurrently. Sequential calls must answer what a simple model predicts; whatever the
 * interleaving, tokens are issued at most once per challenge and only to the user who scanned and
 * approved, the store only ever moves along the legal-transition table, and every watcher sees the
 * status move forward only and ends on a terminal state.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import type { TokenPair } from "../../src/Auth/SessionIssuer.js"
import { isQrStatusAfter, isLegalQrTransition, isQrTerminal, type QrChallengeId, type QrStatus, type QrStatusView } from "../../src/QrLogin/QrChallenge.js"
import { QrChallengeStore } from "../../src/QrLogin/QrChallengeStore.js"
import { QrLogin } from "../../src/QrLogin/QrLogin.js"
import { actorOf, IssueLog, scanKeyOf, testLayer, TransitionLog, userIds } from "./support.js"

type Action =
  | { readonly kind: "scan" | "approve" | "reject"; readonly c: number; readonly user: number; readonly good: boolean }
  | { readonly kind: "exchange"; readonly c: number; readonly good: boolean }
  | { readonly kind: "status"; readonly c: number }

type Step =
  | Action
  | { readonly kind: "init" }
  | { readonly kind: "adjust"; readonly ms: number }
  | { readonly kind: "parallel"; readonly actions: ReadonlyArray<Action> }
  | { readonly kind: "race"; readonly action: Action; readonly n: number }

/** The right secret four times in five: a wrong one ends the story early. */
const goodArb = fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 })

/** Mostly the first user, so that scan → approve → exchange stories happen often. */
const userArb = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.nat(2), weight: 2 })

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constantFrom("scan" as const, "approve" as const, "reject" as const),
      c: fc.nat(3),
      user: userArb,
      good: goodArb
    }),
    weight: 6
  },
  { arbitrary: fc.record({ kind: fc.constant("exchange" as const), c: fc.nat(3), good: goodArb }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("status" as const), c: fc.nat(3) }), weight: 1 }
)

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: actionArb, weight: 8 },
  { arbitrary: fc.constant({ kind: "init" as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("adjust" as const),
      ms: fc.oneof(
        { arbitrary: fc.integer({ min: 0, max: 30_000 }), weight: 4 },
        { arbitrary: fc.constantFrom(1, 119_999, 120_000), weight: 1 }
      )
    }),
    weight: 1
  },
  {
    arbitrary: fc.record({ kind: fc.constant("parallel" as const), actions: fc.array(actionArb, { minLength: 2, maxLength: 8 }) }),
    weight: 2
  },
  {
    arbitrary: fc.record({ kind: fc.constant("race" as const), action: actionArb, n: fc.integer({ min: 2, max: 10 }) }),
    weight: 2
  }
)

/**
 * A login story on one challenge: scan and approve (or reject) by one user, then an exchange —
 * sometimes with the approval or the exchange raced by several callers — so that consumed
 * challenges and racing exchanges are common rather than rare.
 */
const storyArb: fc.Arbitrary<ReadonlyArray<Step>> = fc.record({
  c: fc.nat(3),
  user: userArb,
  decision: fc.oneof({ arbitrary: fc.constant("approve" as const), weight: 3 }, { arbitrary: fc.constant("reject" as const), weight: 1 }),
  raceDecision: fc.nat(4),
  raceExchange: fc.nat(8),
  pause: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined })
}).map(({ c, decision, pause, raceDecision, raceExchange, user }): ReadonlyArray<Step> => {
  const decide: Action = { kind: decision, c, user, good: true }
  const exchange: Action = { kind: "exchange", c, good: true }
  return [
    { kind: "scan", c, user, good: true },
    raceDecision > 1 ? { kind: "race", action: decide, n: raceDecision } : decide,
    ...(pause === undefined ? [] : [{ kind: "adjust" as const, ms: pause }]),
    raceExchange > 1 ? { kind: "race", action: exchange, n: raceExchange } : exchange
  ]
})

const stepsArb: fc.Arbitrary<ReadonlyArray<Step>> = fc.array(
  fc.oneof({ arbitrary: stepArb.map((step) => [step]), weight: 5 }, { arbitrary: storyArb, weight: 1 }),
  { minLength: 1, maxLength: 30 }
).map((groups) => groups.flat())

interface Known {
  readonly challengeId: QrChallengeId
  readonly scanKey: string
  readonly pollSecret: string
  readonly expiresAt: number
  /** The model: the status as of the last step, with expiry applied lazily. */
  status: QrStatus
  scannedBy: string | null
  approvedBy: string | null
}

const outcomeOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "ok"
  const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (failure === undefined) return `defect: ${String(exit.cause)}`
  const error = (failure as { error: { _tag: string; code?: string } }).error
  return error.code === undefined ? error._tag : `${error._tag}:${error.code}`
}

/** What a sequential call must answer, and the model after it. */
const predict = (action: Action, k: Known, now: number): string => {
  const good = action.kind === "status" || action.good
  if (!good) return "NotFound"
  if (!isQrTerminal(k.status) && now >= k.expiresAt) k.status = "expired"
  const user = "user" in action ? userIds[action.user]! : null
  switch (action.kind) {
    case "status":
      return "ok"
    case "scan":
      if (k.status === "expired") return "Gone:QrExpired"
      if (k.status === "pending") {
        k.status = "scanned"
        k.scannedBy = user
        return "ok"
      }
      if (k.status === "scanned") return k.scannedBy === user ? "ok" : "Conflict:QrAlreadyScanned"
      return k.scannedBy === user ? "Conflict:QrAlreadyDecided" : "Conflict:QrAlreadyScanned"
    case "approve":
    case "reject": {
      const decision = action.kind === "approve" ? "approved" : "rejected"
      if (k.status === "expired") return "Gone:QrExpired"
      if (k.scannedBy === null) return "Conflict:QrNotScanned"
      if (k.scannedBy !== user) return "Forbidden:NotScanner"
      switch (k.status) {
        case "scanned":
          k.status = decision
          if (decision === "approved") k.approvedBy = user
          return "ok"
        case "approved":
          return decision === "approved" ? "ok" : "Conflict:QrAlreadyApproved"
        case "rejected":
          return decision === "rejected" ? "ok" : "Conflict:QrRejected"
        default:
          return "Conflict:QrAlreadyUsed"
      }
    }
    case "exchange":
      switch (k.status) {
        case "expired":
          return "Gone:QrExpired"
        case "consumed":
          return "Conflict:QrAlreadyUsed"
        case "rejected":
          return "Conflict:QrRejected"
        case "approved":
          k.status = "consumed"
          return "ok"
        default:
          return "Conflict:QrNotApproved"
      }
  }
}

interface Observed {
  readonly action: Action
  readonly challengeId: QrChallengeId
  readonly exit: Exit.Exit<unknown, unknown>
}

const scenario = (steps: ReadonlyArray<Step>) =>
  Effect.gen(function*() {
    const qr = yield* QrLogin
    const store = yield* QrChallengeStore
    const known: Array<Known> = []
    const observed: Array<Observed> = []
    const watchers: Array<{ challengeId: QrChallengeId; fiber: Fiber.Fiber<Array<QrStatusView>, unknown> }> = []

    const init = Effect.gen(function*() {
      const result = yield* qr.init({ ip: "192.0.2.1", userAgent: "property" })
      known.push({
        challengeId: result.challengeId,
        scanKey: scanKeyOf(result.qrPayload),
        pollSecret: result.pollSecret,
        expiresAt: result.expiresAt,
        status: "pending",
        scannedBy: null,
        approvedBy: null
      })
      const fiber = yield* qr.watch(result.challengeId).pipe(Stream.runCollect, Effect.forkChild)
      watchers.push({ challengeId: result.challengeId, fiber })
    })

    const call = (action: Action, k: Known): Effect.Effect<unknown, unknown> => {
      switch (action.kind) {
        case "status":
          return qr.status(k.challengeId)
        case "exchange":
          return qr.exchange({ challengeId: k.challengeId, pollSecret: action.good ? k.pollSecret : k.scanKey })
        default: {
          const input = { challengeId: k.challengeId, scanKey: action.good ? k.scanKey : `${k.scanKey}x` }
          const actor = actorOf(userIds[action.user]!)
          return action.kind === "scan"
            ? qr.scan(actor, input)
            : action.kind === "approve"
            ? qr.approve(actor, input)
            : qr.reject(actor, input)
        }
      }
    }

    const run = (action: Action, k: Known) =>
      Effect.map(Effect.exit(call(action, k)), (exit) => {
        observed.push({ action, challengeId: k.challengeId, exit })
        return exit
      })

    /** After concurrent calls the model cannot predict, it is re-read from the store. */
    const resync = Effect.forEach(known, (k) =>
      Effect.map(store.get(k.challengeId), (found) => {
        const c = Option.getOrThrow(found)
        k.status = c.status
        k.scannedBy = c.scannedBy
        k.approvedBy = c.approvedBy
      }))

    yield* init
    for (const step of steps) {
      switch (step.kind) {
        case "init":
          yield* init
          break
        case "adjust":
          yield* TestClock.adjust(step.ms)
          break
        case "parallel":
          yield* Effect.all(step.actions.map((a) => run(a, known[a.c % known.length]!)), { concurrency: "unbounded" })
          yield* resync
          break
        case "race": {
          const k = known[step.action.c % known.length]!
          yield* Effect.all(Array.from({ length: step.n }, () => run(step.action, k)), { concurrency: "unbounded" })
          yield* resync
          break
        }
        default: {
          const k = known[step.c % known.length]!
          const now = yield* TestClock.testClockWith((clock) => Effect.succeed(clock.currentTimeMillisUnsafe()))
          const before = `${k.status}/${k.scannedBy}/${k.approvedBy}`
          const expected = predict(step, k, now)
          const exit = yield* run(step, k)
          assert.strictEqual(outcomeOf(exit), expected, `${JSON.stringify(step)} on ${before} at ${now - k.expiresAt} ms from the deadline`)
          if (step.kind === "status" && Exit.isSuccess(exit)) {
            assert.strictEqual((exit.value as QrStatusView).status, k.status)
          }
        }
      }
    }

    // Let every deadline pass: each watcher must then see a terminal state and end.
    yield* TestClock.adjust(130_000)
    for (let i = 0; i < 100; i++) yield* Effect.yieldNow
    const transitions = (yield* TransitionLog).entries
    const issued = (yield* IssueLog).issued

    for (const k of known) {
      const final = Option.getOrThrow(yield* store.get(k.challengeId))
      const moves = transitions.filter((t) => t.challengeId === k.challengeId)
      // Every move is legal, no status is left twice, and the moves chain from pending to the final status.
      for (const m of moves) assert.isTrue(isLegalQrTransition(m.from, m.to), `illegal ${m.from} → ${m.to}`)
      assert.strictEqual(new Set(moves.map((m) => m.from)).size, moves.length, "a status was left twice")
      const chain: Array<QrStatus> = ["pending"]
      for (let i = 0; i < moves.length; i++) {
        const next = moves.find((m) => m.from === chain[chain.length - 1])
        assert.isDefined(next, `moves do not chain: ${moves.map((m) => `${m.from}>${m.to}`).join(", ")}`)
        chain.push(next!.to)
      }
      assert.strictEqual(chain[chain.length - 1], final.status)
      assert.isTrue(isQrTerminal(final.status), "every challenge ends once its deadline has passed")
      if (chain.includes("consumed")) assert.include(chain, "approved")
      if (chain.includes("approved")) {
        assert.isNotNull(final.approvedBy)
        assert.strictEqual(final.approvedBy, final.scannedBy, "approved by someone other than the scanner")
      }

      // Tokens: at most once, exactly when consumed, only for the approver.
      const exchanges = observed.filter((o) => o.challengeId === k.challengeId && o.action.kind === "exchange" && Exit.isSuccess(o.exit))
      const tokens = exchanges.map((o) => (o.exit as Exit.Success<TokenPair>).value.accessToken)
      assert.strictEqual(exchanges.length, chain.includes("consumed") ? 1 : 0)
      for (const token of tokens) {
        const issue = issued.find((i) => i.accessToken === token)
        assert.isDefined(issue)
        assert.strictEqual(issue!.userId, final.approvedBy)
      }
      // Only the scanner ever gets a successful decision.
      for (const o of observed) {
        if (o.challengeId !== k.challengeId || !Exit.isSuccess(o.exit)) continue
        if (o.action.kind === "approve" || o.action.kind === "reject") {
          assert.strictEqual<string | null | undefined>(userIds[o.action.user], final.scannedBy, "a decision by someone other than the scanner")
        }
      }

      // The watcher: forward only, each status one the challenge really had, ending on the final one.
      const watcher = watchers.find((w) => w.challengeId === k.challengeId)!
      const polled = watcher.fiber.pollUnsafe()
      assert.isDefined(polled, "the watcher did not end")
      const seen = (yield* Fiber.join(watcher.fiber)).map((v) => v.status)
      for (let i = 1; i < seen.length; i++) assert.isTrue(isQrStatusAfter(seen[i - 1]!, seen[i]!), `watcher saw ${seen.join(" → ")}`)
      for (const s of seen) assert.include(chain, s)
      assert.strictEqual(seen[seen.length - 1], final.status)
    }
    const exchangeSuccesses = observed.filter((o) => o.action.kind === "exchange" && Exit.isSuccess(o.exit)).length
    assert.strictEqual(issued.length, exchangeSuccesses, "tokens issued without a successful exchange")
    assert.strictEqual(transitions.filter((t) => t.to === "consumed").length, issued.length)
  })

describe("QrLogin properties", () => {
  it("random calls, sequential and racing, keep every invariant", async () => {
    await fc.assert(
      fc.asyncProperty(stepsArb, (steps) =>
        Effect.runPromise(
          scenario(steps).pipe(Effect.scoped, Effect.provide(testLayer()), Effect.provide(TestClock.layer()))
        )),
      { numRuns: 200 }
    )
  }, 120_000)
})
