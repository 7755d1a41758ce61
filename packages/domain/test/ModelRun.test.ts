/**
 * The contract suites are only as strong as their harness: this shows `agree` and `modelRun` fail
 * when a port under test departs from its model, so a green contract run means something.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun, type PortCommand } from "../src/contract/ModelRun.js"
import { Conflict, NotFound } from "../src/DomainError.js"

interface Counter {
  readonly increment: (key: string) => Effect.Effect<number>
  readonly get: (key: string) => Effect.Effect<number, NotFound>
}

/** A counter that is right, or one that silently drops the fourth increment of a key. */
const makeCounter = (faulty: boolean): Effect.Effect<Counter> =>
  Effect.sync(() => {
    const counts = new Map<string, number>()
    return {
      increment: (key) =>
        Effect.sync(() => {
          const next = (counts.get(key) ?? 0) + 1
          if (!(faulty && next === 4)) counts.set(key, next)
          return counts.get(key)!
        }),
      get: (key) => {
        const count = counts.get(key)
        return count === undefined ? Effect.fail(NotFound.of("counter")) : Effect.succeed(count)
      }
    }
  })

const commands: ReadonlyArray<fc.Arbitrary<PortCommand<Counter>>> = [
  fc.constantFrom("a", "b").map((key): PortCommand<Counter> => ({
    check: async () => true,
    run: async (m, real) => void (await agree(m.port.increment(`${m.scope}${key}`), real.increment(`${m.scope}${key}`))),
    toString: () => `increment(${key})`
  })),
  fc.constantFrom("a", "b", "c").map((key): PortCommand<Counter> => ({
    check: async () => true,
    run: async (m, real) => void (await agree(m.port.get(`${m.scope}${key}`), real.get(`${m.scope}${key}`))),
    toString: () => `get(${key})`
  }))
]

describe("model-run harness", () => {
  it.effect("agree accepts equal outcomes and rejects a different value, error tag or code", () =>
    Effect.gen(function*() {
      yield* Effect.promise(() => agree(Effect.succeed(1), Effect.succeed(1)))
      yield* Effect.promise(() => agree(Effect.fail(NotFound.of("x")), Effect.fail(NotFound.of("x"))))
      const conflict = (code: string) => new Conflict({ code, message: code })
      for (const [model, real] of [
        [Effect.succeed(1), Effect.succeed(2)],
        [Effect.succeed(1), Effect.fail(NotFound.of("x"))],
        [Effect.fail(conflict("A")), Effect.fail(conflict("B"))],
        [Effect.fail(conflict("A")), Effect.fail(NotFound.of("x"))]
      ] as const) {
        const exit = yield* Effect.exit(Effect.promise(() => agree<number, unknown>(model, real)))
        assert.isTrue(Exit.isFailure(exit))
      }
    }))

  it.effect("modelRun passes a correct port and fails a port that departs from the model", () =>
    Effect.gen(function*() {
      const real = yield* makeCounter(false)
      yield* modelRun({ real, makeModel: makeCounter(false), commands, numRuns: 50 })
      const faulty = yield* makeCounter(true)
      const exit = yield* Effect.exit(modelRun({ real: faulty, makeModel: makeCounter(false), commands, numRuns: 50 }))
      assert.isTrue(Exit.isFailure(exit))
    }))

  it("freshScope never repeats", () => {
    const scopes = Array.from({ length: 1000 }, () => freshScope("s"))
    assert.strictEqual(new Set(scopes).size, scopes.length)
  })
})
