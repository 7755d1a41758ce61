/**
 * Shared setup of the Teams tests: the Teams service over fresh in-memory stores, registered users
 * as Actors, and a "slow" repository that yields before every operation so concurrent use cases
 * really interleave between their checks and their writes.
 */
import { Effect, Exit, Layer, Option, Schema } from "effect"
import { Actor } from "../../src/Actor.js"
import { Ids } from "../../src/Ids.js"
import { Randomness } from "../../src/Randomness.js"
import * as TeamRepositoryMemory from "../../src/Teams/memory/TeamRepositoryMemory.js"
import { TeamRepository } from "../../src/Teams/TeamRepository.js"
import { Teams } from "../../src/Teams/Teams.js"
import * as UserRepositoryMemory from "../../src/Users/memory/UserRepositoryMemory.js"
import { Email, Profile, User, UserId } from "../../src/Users/User.js"
import { UserRecord, UserRepository } from "../../src/Users/UserRepository.js"

export const T0 = 1_700_000_000_000

const decodeEmail = Schema.decodeSync(Email)

/** The memory repository with an Effect.yieldNow before each call: other fibers run in between. */
export const slowRepositoryLayer = Layer.effect(
  TeamRepository,
  Effect.map(TeamRepositoryMemory.make, (repo) => {
    const slow = {} as Record<string, unknown>
    for (const [name, op] of Object.entries(repo)) {
      slow[name] = (...args: Array<unknown>) =>
        Effect.andThen(Effect.yieldNow, () => (op as (...a: Array<unknown>) => Effect.Effect<unknown>)(...args))
    }
    return TeamRepository.of(slow as unknown as TeamRepository["Service"])
  })
)

/** Teams over fresh stores; the repositories stay visible to the test. */
export const teamsLayer = (repository: Layer.Layer<TeamRepository> = TeamRepositoryMemory.layer) =>
  Teams.layer.pipe(
    Layer.provideMerge(Layer.mergeAll(repository, UserRepositoryMemory.layer, Ids.layer)),
    Layer.provide(Randomness.layerTest())
  )

export const emailOf = (name: string) => decodeEmail(`${name}@example.com`)

/** Registers a user named `name` (email name@example.com) and returns them as an Actor. */
export const register = (name: string) =>
  Effect.gen(function*() {
    const users = yield* UserRepository
    const userId = UserId.make(`user-${name}`)
    const email = emailOf(name)
    yield* users.insert(
      new UserRecord({
        user: new User({ userId, email, name, emailVerified: true, profile: new Profile({}), createdAt: T0, updatedAt: T0 }),
        passwordHash: null
      })
    )
    return new Actor({ userId, email })
  })

/** The outcome of `effect` as `{ tag, code?, resource? }`: `{ tag: "ok" }` on success, to compare with the expected one. */
export const refusal = <A, E>(effect: Effect.Effect<A, E>) => Effect.map(Effect.exit(effect), describeExit)

export const describeExit = (exit: Exit.Exit<unknown, unknown>): Record<string, string> => {
  if (Exit.isSuccess(exit)) return { tag: "ok" }
  const found = Exit.findErrorOption(exit)
  if (Option.isNone(found)) return { tag: "defect", detail: String(exit.cause) }
  const error = found.value as { _tag: string; code?: string; resource?: string }
  return {
    tag: error._tag,
    ...(error.code === undefined ? {} : { code: error.code }),
    ...(error.resource === undefined ? {} : { resource: error.resource })
  }
}
