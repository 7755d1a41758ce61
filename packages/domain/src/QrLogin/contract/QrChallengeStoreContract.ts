/**
 * The behaviour every QrChallengeStore must show (memory now, Redis and DynamoDB later): create
 * never overwrites, get returns what was written, and `transition` is a compare-and-set on the
 * status — of any number of racing callers expecting the same status exactly one wins. The store
 * does not judge which moves are legal (the use case does), so the model run tries any move.
 * Runs on the live clock (real stores expire entries by wall time); every id comes from a fresh scope.
 */
import { assert, layer } from "@effect/vitest"
import { Clock, Effect, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun, type PortCommand } from "../../contract/ModelRun.js"
import { UserId } from "../../Users/User.js"
import * as QrChallengeStoreMemory from "../memory/QrChallengeStoreMemory.js"
import { QrChallenge, QrChallengeId, QrRequester, QrStatus, type QrTransition } from "../QrChallenge.js"
import { QrChallengeStore } from "../QrChallengeStore.js"

const statuses: ReadonlyArray<QrStatus> = QrStatus.literals

const hashOf = (seed: string) => Array.from({ length: 64 }, (_, i) => "0123456789abcdef"[(seed.charCodeAt(i % seed.length) + i) % 16]).join("")

/** A challenge as init would write it, at the live time `now`. */
const sampleChallenge = (
  id: string,
  now: number,
  overrides: Partial<{ status: QrStatus; scannedBy: string | null; approvedBy: string | null }> = {}
): QrChallenge =>
  new QrChallenge({
    challengeId: QrChallengeId.make(id),
    scanKeyHash: hashOf(`scan:${id}`),
    pollSecretHash: hashOf(`poll:${id}`),
    status: overrides.status ?? "pending",
    createdAt: now,
    expiresAt: now + 120_000,
    updatedAt: now,
    requester: new QrRequester({ ip: "203.0.113.7", userAgent: "Mozilla/5.0 (contract)", createdAt: now }),
    scannedBy: overrides.scannedBy === undefined || overrides.scannedBy === null ? null : UserId.make(overrides.scannedBy),
    approvedBy: overrides.approvedBy === undefined || overrides.approvedBy === null ? null : UserId.make(overrides.approvedBy)
  })

const idIn = (scope: string, label: string) => `${scope}-${label}`.replace(/[^A-Za-z0-9_-]/g, "-").padEnd(16, "0")

/** A plain, comparable form of a challenge (model and port may return different instances). */
const plain = (challenge: QrChallenge): Record<string, unknown> => ({
  challengeId: challenge.challengeId,
  scanKeyHash: challenge.scanKeyHash,
  pollSecretHash: challenge.pollSecretHash,
  status: challenge.status,
  createdAt: challenge.createdAt,
  expiresAt: challenge.expiresAt,
  updatedAt: challenge.updatedAt,
  requester: { ip: challenge.requester.ip, userAgent: challenge.requester.userAgent, createdAt: challenge.requester.createdAt },
  scannedBy: challenge.scannedBy,
  approvedBy: challenge.approvedBy
})

const plainOption = (found: Option.Option<QrChallenge>) => Option.match(found, { onNone: () => null, onSome: plain })

const liveNow = () => Effect.runSync(Clock.currentTimeMillis)

type Model = QrChallengeStore["Service"]

/** The wall-clock base of a model run, fixed at its first command so model and port get equal values. */
const baseTime = (memory: Map<string, unknown>): number => {
  let base = memory.get("now") as number | undefined
  if (base === undefined) {
    base = liveNow()
    memory.set("now", base)
  }
  return base
}

const createCommand = fc.record({ slot: fc.nat(3), status: fc.constantFrom(...statuses) }).map(
  ({ slot, status }): PortCommand<Model> => ({
    check: async () => true,
    run: async (m, r) => {
      const challenge = sampleChallenge(idIn(m.scope, `c${slot}`), baseTime(m.memory), { status })
      await agree(m.port.create(challenge), r.create(challenge))
    },
    toString: () => `create(c${slot}, ${status})`
  })
)

const getCommand = fc.nat(3).map((slot): PortCommand<Model> => ({
  check: async () => true,
  run: async (m, r) => {
    const id = QrChallengeId.make(idIn(m.scope, `c${slot}`))
    await agree(m.port.get(id), r.get(id), plainOption)
  },
  toString: () => `get(c${slot})`
}))

const transitionCommand = fc.record({
  slot: fc.nat(3),
  expected: fc.constantFrom(...statuses),
  to: fc.constantFrom(...statuses),
  scannedBy: fc.option(fc.constantFrom("u-ada", "u-bob"), { nil: undefined }),
  approvedBy: fc.option(fc.constantFrom("u-ada", "u-bob"), { nil: undefined }),
  tick: fc.nat(100_000)
}).map(({ slot, expected, to, scannedBy, approvedBy, tick }): PortCommand<Model> => ({
  check: async () => true,
  run: async (m, r) => {
    const id = QrChallengeId.make(idIn(m.scope, `c${slot}`))
    const next: QrTransition = {
      status: to,
      updatedAt: baseTime(m.memory) + tick,
      ...(scannedBy === undefined ? {} : { scannedBy: UserId.make(scannedBy) }),
      ...(approvedBy === undefined ? {} : { approvedBy: UserId.make(approvedBy) })
    }
    await agree(m.port.transition(id, expected, next), r.transition(id, expected, next), plain)
  },
  toString: () => `transition(c${slot}, ${expected} → ${to}, scannedBy=${scannedBy}, approvedBy=${approvedBy})`
}))

export const suite = (name: string, storeLayer: Layer.Layer<QrChallengeStore, unknown>) =>
  layer(storeLayer, { excludeTestServices: true, timeout: "60 seconds" })(`QrChallengeStore contract: ${name}`, (it) => {
    it.effect("create then get returns the same challenge", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const challenge = sampleChallenge(idIn(freshScope("qs"), "a"), yield* Clock.currentTimeMillis)
        yield* store.create(challenge)
        const found = yield* store.get(challenge.challengeId)
        assert.deepStrictEqual(plainOption(found), plain(challenge))
      }))

    it.effect("get of an unknown id is none", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const found = yield* store.get(QrChallengeId.make(idIn(freshScope("qs"), "missing")))
        assert.isTrue(Option.isNone(found))
      }))

    it.effect("create never overwrites: a taken id is Conflict QrChallengeExists", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const now = yield* Clock.currentTimeMillis
        const id = idIn(freshScope("qs"), "dup")
        const first = sampleChallenge(id, now)
        yield* store.create(first)
        const error = yield* store.create(sampleChallenge(id, now + 1, { status: "scanned" })).pipe(Effect.flip)
        assert.strictEqual(error._tag, "Conflict")
        if (error._tag === "Conflict") assert.strictEqual(error.code, "QrChallengeExists")
        assert.deepStrictEqual(plainOption(yield* store.get(first.challengeId)), plain(first))
      }))

    it.effect("transition from the expected status writes the status and the fields it carries", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const now = yield* Clock.currentTimeMillis
        const challenge = sampleChallenge(idIn(freshScope("qs"), "t"), now)
        yield* store.create(challenge)
        const scanned = yield* store.transition(challenge.challengeId, "pending", {
          status: "scanned",
          updatedAt: now + 1,
          scannedBy: UserId.make("u-ada")
        })
        assert.deepStrictEqual(plain(scanned), { ...plain(challenge), status: "scanned", updatedAt: now + 1, scannedBy: "u-ada" })
        const approved = yield* store.transition(challenge.challengeId, "scanned", {
          status: "approved",
          updatedAt: now + 2,
          approvedBy: UserId.make("u-ada")
        })
        assert.strictEqual(approved.scannedBy, "u-ada", "fields a transition omits keep their value")
        assert.strictEqual(approved.approvedBy, "u-ada")
        const consumed = yield* store.transition(challenge.challengeId, "approved", { status: "consumed", updatedAt: now + 3 })
        assert.deepStrictEqual(plainOption(yield* store.get(challenge.challengeId)), plain(consumed))
        assert.deepStrictEqual(plain(consumed), {
          ...plain(challenge),
          status: "consumed",
          updatedAt: now + 3,
          scannedBy: "u-ada",
          approvedBy: "u-ada"
        })
      }))

    it.effect("transition from another status is Conflict QrStatusChanged and writes nothing", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const now = yield* Clock.currentTimeMillis
        const challenge = sampleChallenge(idIn(freshScope("qs"), "s"), now, { status: "scanned", scannedBy: "u-ada" })
        yield* store.create(challenge)
        const error = yield* store.transition(challenge.challengeId, "pending", {
          status: "scanned",
          updatedAt: now + 5,
          scannedBy: UserId.make("u-bob")
        }).pipe(Effect.flip)
        assert.strictEqual(error._tag, "Conflict")
        if (error._tag === "Conflict") assert.strictEqual(error.code, "QrStatusChanged")
        assert.deepStrictEqual(plainOption(yield* store.get(challenge.challengeId)), plain(challenge))
      }))

    it.effect("transition of an unknown challenge is NotFound", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const error = yield* store.transition(QrChallengeId.make(idIn(freshScope("qs"), "none")), "pending", {
          status: "expired",
          updatedAt: yield* Clock.currentTimeMillis
        }).pipe(Effect.flip)
        assert.strictEqual(error._tag, "NotFound")
      }))

    it.effect("20 racing transitions from the same status: exactly one wins, and its write is the one kept", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const now = yield* Clock.currentTimeMillis
        const challenge = sampleChallenge(idIn(freshScope("qs"), "race"), now, { status: "scanned", scannedBy: "u-0" })
        yield* store.create(challenge)
        const exits = yield* Effect.all(
          Array.from({ length: 20 }, (_, i) =>
            Effect.exit(store.transition(challenge.challengeId, "scanned", {
              status: i % 3 === 0 ? "rejected" : "approved",
              updatedAt: now + i,
              approvedBy: UserId.make(`u-${i}`)
            }))),
          { concurrency: "unbounded" }
        )
        const winners = exits.flatMap((exit, i) => (Exit.isSuccess(exit) ? [{ i, challenge: exit.value }] : []))
        assert.strictEqual(winners.length, 1)
        for (const exit of exits) {
          if (Exit.isFailure(exit)) {
            const error = exit.cause.reasons.find((r) => r._tag === "Fail")
            assert.isDefined(error)
            assert.strictEqual((error as { error: { _tag: string } }).error._tag, "Conflict")
          }
        }
        const stored = yield* store.get(challenge.challengeId)
        assert.deepStrictEqual(plainOption(stored), plain(winners[0]!.challenge))
        assert.strictEqual(winners[0]!.challenge.approvedBy, `u-${winners[0]!.i}`)
      }))

    it.effect("20 racing exchanges (approved → consumed): exactly one wins", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const now = yield* Clock.currentTimeMillis
        const challenge = sampleChallenge(idIn(freshScope("qs"), "cons"), now, {
          status: "approved",
          scannedBy: "u-ada",
          approvedBy: "u-ada"
        })
        yield* store.create(challenge)
        const exits = yield* Effect.all(
          Array.from({ length: 20 }, (_, i) =>
            Effect.exit(store.transition(challenge.challengeId, "approved", {
              status: i === 7 ? "expired" : "consumed",
              updatedAt: now + i
            }))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
      }))

    it.effect("20 racing creates of one id: exactly one succeeds", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const now = yield* Clock.currentTimeMillis
        const id = idIn(freshScope("qs"), "cr")
        const exits = yield* Effect.all(
          Array.from({ length: 20 }, (_, i) => Effect.exit(store.create(sampleChallenge(id, now + i)))),
          { concurrency: "unbounded" }
        )
        const winners = exits.flatMap((exit, i) => (Exit.isSuccess(exit) ? [i] : []))
        assert.strictEqual(winners.length, 1)
        const stored = yield* store.get(QrChallengeId.make(id))
        assert.strictEqual(Option.getOrThrow(stored).createdAt, now + winners[0]!)
      }))

    it.effect("a chain of moves on many challenges at once stays per-challenge consistent", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const now = yield* Clock.currentTimeMillis
        const scope = freshScope("qs")
        const challenges = Array.from({ length: 10 }, (_, i) => sampleChallenge(idIn(scope, `m${i}`), now))
        yield* Effect.forEach(challenges, store.create, { concurrency: "unbounded" })
        yield* Effect.forEach(challenges, (c, i) =>
          store.transition(c.challengeId, "pending", { status: "scanned", updatedAt: now + 1, scannedBy: UserId.make(`u-${i}`) }).pipe(
            Effect.andThen(store.transition(c.challengeId, "scanned", { status: "approved", updatedAt: now + 2, approvedBy: UserId.make(`u-${i}`) }))
          ), { concurrency: "unbounded" })
        for (const [i, c] of challenges.entries()) {
          const stored = Option.getOrThrow(yield* store.get(c.challengeId))
          assert.strictEqual(stored.status, "approved")
          assert.strictEqual(stored.scannedBy, `u-${i}`)
          assert.strictEqual(stored.approvedBy, `u-${i}`)
        }
      }))

    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* QrChallengeStore
        yield* modelRun({
          real,
          makeModel: QrChallengeStoreMemory.make,
          commands: [createCommand, getCommand, transitionCommand, transitionCommand],
          numRuns: 30,
          maxCommands: 40
        })
      }))
  })
