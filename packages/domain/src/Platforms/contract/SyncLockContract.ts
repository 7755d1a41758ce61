/**
 * The behaviour every SyncLock must show, run unchanged against the in-memory adapter, Redis and
 * DynamoDB: one lease per key at a time — also when many callers race for it — release only by the
 * holder's token, and expiry after the ttl, after which another caller takes the lease over and the
 * old token releases nothing. The suite runs on live time (a real store has its own clock), so the
 * expiry tests really wait a few hundred milliseconds.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun, type ModelState, type PortCommand } from "../../contract/ModelRun.js"
import * as SyncLockMemory from "../memory/SyncLockMemory.js"
import { type LeaseToken, SyncLock } from "../SyncLock.js"
import { command } from "./ContractIds.js"

type Port = SyncLock["Service"]

const keyOf = (scope: string, label: string | number) => `${scope}:lock:${label}`

// ---------------------------------------------------------------------------------------------
// Model run: leases long enough never to expire during a run; tokens are compared by who holds
// them, so each side's tokens are remembered in pairs.

const KEYS = 3
const TTL = 60_000

interface TokenPair {
  readonly model: LeaseToken
  readonly real: LeaseToken
}

const pairsOf = (m: ModelState<Port>, key: string): Array<TokenPair> => {
  let pairs = m.memory.get(key) as Array<TokenPair> | undefined
  if (pairs === undefined) {
    pairs = []
    m.memory.set(key, pairs)
  }
  return pairs
}

const acquireCommand = fc.nat(KEYS - 1).map((label) =>
  command<Port>(`tryAcquire(${label})`, async (m, real) => {
    const key = keyOf(m.scope, label)
    let realToken: Option.Option<LeaseToken> = Option.none()
    const modelExit = await agree(
      m.port.tryAcquire(key, TTL),
      real.tryAcquire(key, TTL).pipe(Effect.tap((t) => Effect.sync(() => void (realToken = t)))),
      Option.isSome
    )
    if (modelExit._tag === "Success" && Option.isSome(modelExit.value) && Option.isSome(realToken)) {
      pairsOf(m, key).push({ model: modelExit.value.value, real: realToken.value })
    }
  })
)

const releaseCommand = fc.record({ label: fc.nat(KEYS - 1), which: fc.nat(3) }).map(({ label, which }) =>
  command<Port>(`release(${label}, ${which === 0 ? "latest token" : `token -${which}`})`, (m, real) => {
    const key = keyOf(m.scope, label)
    const pairs = pairsOf(m, key)
    // `which` past the end: a token that was never issued.
    const pair = pairs[pairs.length - 1 - which] ?? { model: "never-issued" as LeaseToken, real: "never-issued" as LeaseToken }
    return agree(m.port.release(key, pair.model), real.release(key, pair.real))
  })
)

export const commands: ReadonlyArray<fc.Arbitrary<PortCommand<Port>>> = [acquireCommand, acquireCommand, releaseCommand]

// ---------------------------------------------------------------------------------------------

export const suite = (name: string, lockLayer: Layer.Layer<SyncLock, unknown>) =>
  layer(lockLayer, { excludeTestServices: true })(`SyncLock contract (${name})`, (it) => {
    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* SyncLock
        yield* modelRun({ real, makeModel: SyncLockMemory.make, commands, numRuns: 40, maxCommands: 30 })
      }), 60_000)

    it.effect("a held key refuses a second lease until its holder releases it", () =>
      Effect.gen(function*() {
        const lock = yield* SyncLock
        const key = keyOf(freshScope("lockheld"), 1)
        const first = yield* lock.tryAcquire(key, TTL)
        assert.isTrue(Option.isSome(first))
        assert.isTrue(Option.isNone(yield* lock.tryAcquire(key, TTL)))
        assert.isTrue(yield* lock.release(key, Option.getOrThrow(first)))
        const second = yield* lock.tryAcquire(key, TTL)
        assert.isTrue(Option.isSome(second))
        assert.notStrictEqual(Option.getOrThrow(second), Option.getOrThrow(first))
        assert.isTrue(yield* lock.release(key, Option.getOrThrow(second)))
      }))

    it.effect("keys are independent", () =>
      Effect.gen(function*() {
        const lock = yield* SyncLock
        const scope = freshScope("lockkeys")
        assert.isTrue(Option.isSome(yield* lock.tryAcquire(keyOf(scope, "a"), TTL)))
        assert.isTrue(Option.isSome(yield* lock.tryAcquire(keyOf(scope, "b"), TTL)))
      }))

    it.effect("only the holder's token releases: a wrong or stale token changes nothing", () =>
      Effect.gen(function*() {
        const lock = yield* SyncLock
        const scope = freshScope("lockwrong")
        const key = keyOf(scope, 1)
        const held = Option.getOrThrow(yield* lock.tryAcquire(key, TTL))
        const other = Option.getOrThrow(yield* lock.tryAcquire(keyOf(scope, 2), TTL))
        assert.isFalse(yield* lock.release(key, "not-a-token" as LeaseToken))
        assert.isFalse(yield* lock.release(key, other))
        assert.isTrue(Option.isNone(yield* lock.tryAcquire(key, TTL)))
        assert.isTrue(yield* lock.release(key, held))
        assert.isFalse(yield* lock.release(key, held))
        assert.isFalse(yield* lock.release(keyOf(scope, "never"), held))
      }))

    it.effect("an expired lease is taken over, and the old token no longer releases anything", () =>
      Effect.gen(function*() {
        const lock = yield* SyncLock
        const key = keyOf(freshScope("lockexpire"), 1)
        const old = Option.getOrThrow(yield* lock.tryAcquire(key, 150))
        yield* Effect.sleep(400)
        const taken = yield* lock.tryAcquire(key, TTL)
        assert.isTrue(Option.isSome(taken))
        assert.isFalse(yield* lock.release(key, old))
        assert.isTrue(Option.isNone(yield* lock.tryAcquire(key, TTL)))
        assert.isTrue(yield* lock.release(key, Option.getOrThrow(taken)))
      }), 10_000)

    it.effect("an expired lease that nobody took is no longer held: releasing it answers false", () =>
      Effect.gen(function*() {
        const lock = yield* SyncLock
        const key = keyOf(freshScope("lockexpired"), 1)
        const old = Option.getOrThrow(yield* lock.tryAcquire(key, 150))
        yield* Effect.sleep(400)
        assert.isFalse(yield* lock.release(key, old))
        assert.isTrue(Option.isSome(yield* lock.tryAcquire(key, TTL)))
      }), 10_000)

    it.effect("a lease is held for its ttl", () =>
      Effect.gen(function*() {
        const lock = yield* SyncLock
        const key = keyOf(freshScope("lockttl"), 1)
        yield* lock.tryAcquire(key, 5_000)
        yield* Effect.sleep(200)
        assert.isTrue(Option.isNone(yield* lock.tryAcquire(key, TTL)))
      }), 10_000)

    it.effect("many concurrent tryAcquire on one key: exactly one lease", () =>
      Effect.gen(function*() {
        const lock = yield* SyncLock
        for (let round = 0; round < 10; round++) {
          const key = keyOf(freshScope("lockrace"), round)
          const results = yield* Effect.all(
            Array.from({ length: round === 0 ? 2 : 20 }, () => lock.tryAcquire(key, TTL)),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(results.filter(Option.isSome).length, 1)
        }
      }))

    it.effect("concurrent takeovers of one expired lease: exactly one wins", () =>
      Effect.gen(function*() {
        const lock = yield* SyncLock
        const key = keyOf(freshScope("locktakeover"), 1)
        yield* lock.tryAcquire(key, 100)
        yield* Effect.sleep(300)
        const results = yield* Effect.all(Array.from({ length: 20 }, () => lock.tryAcquire(key, TTL)), {
          concurrency: "unbounded"
        })
        assert.strictEqual(results.filter(Option.isSome).length, 1)
      }), 10_000)
  })
