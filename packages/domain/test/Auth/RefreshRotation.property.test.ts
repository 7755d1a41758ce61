/**
 * Model-based property of refresh-token rotation through the Auth service: random sequences of
 * refreshes (of the current token or of any earlier one), concurrent refreshes, clock moves across
 * the grace window (TestClock), logouts and unknown tokens, on two families, checked against a
 * small model of each family (its tokens, which one is current, when each was rotated, revoked?).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Auth } from "../../src/Auth/Auth.js"
import { SECOND } from "../../src/Millis.js"
import type { UserId } from "../../src/Users/User.js"
import { authLayer, redact, signupInput, START } from "./fixtures.js"

const GRACE = 10 * SECOND

interface FamilyModel {
  readonly userId: UserId
  readonly tokens: Array<string>
  current: string
  readonly rotatedAt: Map<string, number>
  revoked: boolean
}

interface World {
  now: number
  readonly families: Array<FamilyModel>
}

const makeRuntime = () => ManagedRuntime.make(Layer.mergeAll(authLayer({ refreshGraceMillis: GRACE }), TestClock.layer()))
type Runtime = ReturnType<typeof makeRuntime>

interface Real {
  readonly runtime: Runtime
}

const failureCode = (exit: Exit.Exit<unknown, { readonly _tag: string }>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail") as { error: { _tag: string; code?: string } } | undefined
  return reason === undefined ? `defect ${String(exit.cause)}` : (reason.error.code ?? reason.error._tag)
}

/** What refreshing `token` of `family` must answer now, and the model after it. */
const expectRefresh = (world: World, family: FamilyModel, token: string) => {
  if (family.revoked) return { code: "RefreshTokenRevoked" } as const
  if (token === family.current) return { code: "success", rotates: true } as const
  const rotatedAt = family.rotatedAt.get(token)!
  if (world.now - rotatedAt < GRACE) return { code: "success", rotates: false } as const
  return { code: "RefreshTokenReused" } as const
}

const refreshIn = (real: Real, token: string) =>
  real.runtime.runPromiseExit(Effect.gen(function*() {
    const auth = yield* Auth
    const pair = yield* auth.refresh(redact(token))
    const actor = yield* auth.verify(pair.accessToken)
    return { refreshToken: pair.refreshToken, userId: actor.userId }
  }))

const applyRefresh = (world: World, family: FamilyModel, token: string, answers: ReadonlyArray<Exit.Exit<{ refreshToken: string; userId: UserId }, { _tag: string }>>) => {
  const expected = expectRefresh(world, family, token)
  if (expected.code === "RefreshTokenReused") {
    // Of concurrent reuses, one revokes; the others may already see the family revoked.
    const codes = answers.map(failureCode)
    assert.include(codes, "RefreshTokenReused")
    for (const code of codes) assert.include(["RefreshTokenReused", "RefreshTokenRevoked"], code)
    family.revoked = true
    return
  }
  for (const exit of answers) assert.strictEqual(failureCode(exit), expected.code)
  if (expected.code !== "success") return
  const tokens = answers.map((exit) => (Exit.isSuccess(exit) ? exit.value.refreshToken : ""))
  for (const exit of answers) if (Exit.isSuccess(exit)) assert.strictEqual(exit.value.userId, family.userId)
  assert.strictEqual(new Set(tokens).size, 1, "every concurrent answer carries the same refresh token")
  if (expected.rotates) {
    assert.notInclude(family.tokens, tokens[0]!, "a rotation mints a new token")
    family.rotatedAt.set(token, world.now)
    family.tokens.push(tokens[0]!)
    family.current = tokens[0]!
  } else {
    assert.strictEqual(tokens[0], family.current, "a replay within the grace window answers the current token")
  }
}

class RefreshCommand implements fc.AsyncCommand<World, Real, true> {
  constructor(readonly familyIndex: number, readonly pick: number, readonly concurrent: number) {}
  check = async () => true
  async run(world: World, real: Real) {
    const family = world.families[this.familyIndex]!
    const token = family.tokens[this.pick % family.tokens.length]!
    const answers = await Promise.all(Array.from({ length: this.concurrent }, () => refreshIn(real, token)))
    applyRefresh(world, family, token, answers)
  }
  toString = () => `refresh(family ${this.familyIndex}, token #${this.pick}, ×${this.concurrent})`
}

class RefreshCurrentCommand implements fc.AsyncCommand<World, Real, true> {
  constructor(readonly familyIndex: number) {}
  check = async () => true
  async run(world: World, real: Real) {
    const family = world.families[this.familyIndex]!
    applyRefresh(world, family, family.current, [await refreshIn(real, family.current)])
  }
  toString = () => `refreshCurrent(family ${this.familyIndex})`
}

class AdvanceCommand implements fc.AsyncCommand<World, Real, true> {
  constructor(readonly millis: number) {}
  check = async () => true
  async run(world: World, real: Real) {
    await real.runtime.runPromise(TestClock.adjust(this.millis))
    world.now += this.millis
  }
  toString = () => `advance(${this.millis} ms)`
}

class LogoutCommand implements fc.AsyncCommand<World, Real, true> {
  constructor(readonly familyIndex: number, readonly pick: number) {}
  check = async () => true
  async run(world: World, real: Real) {
    const family = world.families[this.familyIndex]!
    const token = family.tokens[this.pick % family.tokens.length]!
    await real.runtime.runPromise(Auth.use((auth) => auth.logout(redact(token))))
    family.revoked = true
  }
  toString = () => `logout(family ${this.familyIndex}, token #${this.pick})`
}

class UnknownTokenCommand implements fc.AsyncCommand<World, Real, true> {
  constructor(readonly token: string) {}
  check = async () => true
  async run(_world: World, real: Real) {
    const exit = await refreshIn(real, this.token)
    assert.strictEqual(failureCode(exit), "InvalidRefreshToken")
    const logout = await real.runtime.runPromiseExit(Auth.use((auth) => auth.logout(redact(this.token))))
    assert.isTrue(Exit.isSuccess(logout))
  }
  toString = () => `unknown(${JSON.stringify(this.token)})`
}

const family = fc.nat(1)
const commands = [
  fc.tuple(family, fc.nat(20), fc.constantFrom(1, 1, 2, 3)).map(([f, pick, n]) => new RefreshCommand(f, pick, n)),
  family.map((f) => new RefreshCurrentCommand(f)),
  fc.constantFrom(0, 1, 2 * SECOND, 5 * SECOND, GRACE - 1, GRACE, GRACE + 1, 60 * SECOND).map((ms) => new AdvanceCommand(ms)),
  fc.tuple(family, fc.nat(20)).map(([f, pick]) => new LogoutCommand(f, pick)),
  fc.string({ minLength: 1, maxLength: 50 }).map((token) => new UnknownTokenCommand(token))
]

describe("refresh-token rotation (model-based)", () => {
  it.live("any sequence of refreshes, replays, clock moves and logouts matches the family model", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: "+1" }), async (cmds) => {
          const runtime = makeRuntime()
          try {
            const families = await runtime.runPromise(Effect.gen(function*() {
              yield* TestClock.setTime(START)
              const auth = yield* Auth
              const ada = yield* auth.signup(signupInput({ email: "ada@example.com", password: "Correct-Horse-9", name: "Ada" }))
              const bob = yield* auth.signup(signupInput({ email: "bob@example.com", password: "Battery-Staple-7", name: "Bob" }))
              return [ada, bob].map((s): FamilyModel => ({
                userId: s.user.userId,
                tokens: [s.tokens.refreshToken],
                current: s.tokens.refreshToken,
                rotatedAt: new Map(),
                revoked: false
              }))
            }))
            await fc.asyncModelRun(() => ({ model: { now: START, families }, real: { runtime } }), cmds)
          } finally {
            await runtime.dispose()
          }
        }),
        { numRuns: 100 }
      )
    ), { timeout: 120_000 })
})
