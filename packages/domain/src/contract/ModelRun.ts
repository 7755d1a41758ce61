/**
 * The harness for model-based contract runs: fast-check generates command sequences, each command
 * runs against the port under test and against a fresh in-memory instance (the model), and the
 * two must agree on every outcome. Ports under test are shared across runs (a real database is
 * not recreated per run), so every run gets its own `scope` string to build unique keys from.
 */
import { Effect, Exit } from "effect"
import * as fc from "fast-check"

export interface ModelState<S> {
  /** The in-memory reference instance, fresh for this run. */
  readonly port: S
  /** Unique per run: prefix every id with it so runs never see each other's data. */
  readonly scope: string
  /** Free space for commands to remember what they created (ids, versions). */
  readonly memory: Map<string, unknown>
}

export type PortCommand<S> = fc.AsyncCommand<ModelState<S>, S, true>

/** What an outcome is compared by: the success value as normalised, or the error tag and code. */
const outcome = <A>(exit: Exit.Exit<A, unknown>, normalize: (a: A) => unknown): unknown => {
  if (Exit.isSuccess(exit)) return { ok: normalize(exit.value) }
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (error === undefined) return { defect: String(exit.cause) }
  const e = (error as { error: { _tag?: string; code?: string } }).error
  return { error: e._tag, ...(e.code === undefined ? {} : { code: e.code }) }
}

/**
 * Runs the same operation on the model and on the port under test and fails (with both outcomes
 * in the message) when they differ. Returns the model's outcome for commands that remember it.
 */
export const agree = async <A, E>(
  model: Effect.Effect<A, E>,
  real: Effect.Effect<A, E>,
  normalize: (a: A) => unknown = (a) => a
): Promise<Exit.Exit<A, E>> => {
  const modelExit = await Effect.runPromise(Effect.exit(model))
  const realExit = await Effect.runPromise(Effect.exit(real))
  const expected = JSON.stringify(outcome(modelExit, normalize))
  const actual = JSON.stringify(outcome(realExit, normalize))
  if (expected !== actual) {
    throw new Error(`model and port disagree\n  model: ${expected}\n  port:  ${actual}`)
  }
  return modelExit
}

/**
 * Several commands as one step: a model run only finds a bug when the operations that expose it
 * meet in one run, so for ports with many operations each step runs a small batch.
 */
export const batchOf = <S>(commands: ReadonlyArray<fc.Arbitrary<PortCommand<S>>>): fc.Arbitrary<PortCommand<S>> =>
  fc.array(fc.oneof(...commands), { minLength: 1, maxLength: 8 }).map((batch): PortCommand<S> => ({
    check: async () => true,
    run: async (m, r) => {
      for (const command of batch) {
        if (await command.check(m)) await command.run(m, r)
      }
    },
    toString: () => batch.map(String).join("; ")
  }))

let runCounter = 0

/** A unique scope (per model run, per example test), so suites run against shared, non-empty stores. */
export const freshScope = (label: string): string =>
  `${label}${Date.now().toString(36)}${(runCounter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`

/**
 * Checks `commands` sequences on `real` against fresh models from `makeModel`. Runs inside an
 * Effect so suites call it from `it.effect`.
 */
export const modelRun = <S>(options: {
  readonly real: S
  readonly makeModel: Effect.Effect<S>
  readonly commands: ReadonlyArray<fc.Arbitrary<PortCommand<S>>>
  readonly numRuns?: number
  readonly maxCommands?: number
  /** fast-check's size for the command sequences; "medium" averages longer runs than the default. */
  readonly size?: fc.SizeForArbitrary
  readonly seed?: number
}): Effect.Effect<void> =>
  Effect.promise(() =>
    fc.assert(
      fc.asyncProperty(fc.commands([...options.commands], {
        maxCommands: options.maxCommands ?? 30,
        size: options.size ?? "medium"
      }), async (cmds) => {
        const port = await Effect.runPromise(options.makeModel)
        await fc.asyncModelRun(() => ({ model: { port, scope: freshScope("m"), memory: new Map() }, real: options.real }), cmds)
      }),
      { numRuns: options.numRuns ?? 25, ...(options.seed === undefined ? {} : { seed: options.seed }) }
    )
  )
