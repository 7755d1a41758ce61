/**
 * The user use cases (API.md "Users"): read yourself, read another user (in full for yourself, only
 * `{userId, name}` for a teammate, NotFound for anyone else so strangers cannot probe ids), and
 * update your own name and profile.
 */
import { Clock, Context, Effect, Layer, Option, Schema } from "effect"
import { type Actor, requireSelf } from "../Actor.js"
import { Forbidden, NotFound } from "../DomainError.js"
import { TeamRepository, type TeamRepositoryError } from "../Teams/TeamRepository.js"
import { Profile, type User, type UserId, UserName, UserSummary } from "./User.js"
import { UserRepository, type UserRepositoryError } from "./UserRepository.js"

/** PUT /api/users/{userId}: either field may be left out. */
export const UpdateUserInput = Schema.Struct({
  name: Schema.optionalKey(UserName),
  profile: Schema.optionalKey(Profile)
})
export type UpdateUserInput = typeof UpdateUserInput.Type

export class Users extends Context.Service<Users, {
  /** The caller's own user; NotFound if the account no longer exists. */
  readonly me: (actor: Actor) => Effect.Effect<User, NotFound | UserRepositoryError>
  /** Self: the full user. A teammate (shares a team): the summary. Anyone else: NotFound. */
  readonly get: (
    actor: Actor,
    userId: UserId
  ) => Effect.Effect<User | UserSummary, NotFound | UserRepositoryError | TeamRepositoryError>
  /** Updates the caller's own name and profile; Forbidden "NotSelf" for another user. */
  readonly update: (
    actor: Actor,
    userId: UserId,
    input: UpdateUserInput
  ) => Effect.Effect<User, Forbidden | NotFound | UserRepositoryError>
}>()("@app/domain/Users/Users") {
  /** Needs UserRepository and TeamRepository. */
  static readonly layer = Layer.effect(
    Users,
    Effect.gen(function*() {
      const users = yield* UserRepository
      const teams = yield* TeamRepository

      const me = Effect.fn("Users.me")(function*(actor: Actor) {
        const record = yield* users.byId(actor.userId)
        if (Option.isNone(record)) return yield* NotFound.of("user")
        return record.value.user
      })

      const areTeammates = Effect.fnUntraced(function*(a: UserId, b: UserId) {
        const [mine, theirs] = yield* Effect.all([teams.teamsOf(a), teams.teamsOf(b)], { concurrency: 2 })
        const myTeams = new Set(mine.map((t) => t.team.teamId))
        return theirs.some((t) => myTeams.has(t.team.teamId))
      })

      const get = Effect.fn("Users.get")(function*(actor: Actor, userId: UserId) {
        if (userId === actor.userId) return yield* me(actor)
        if (!(yield* areTeammates(actor.userId, userId))) return yield* NotFound.of("user")
        const record = yield* users.byId(userId)
        if (Option.isNone(record)) return yield* NotFound.of("user")
        return new UserSummary({ userId: record.value.user.userId, name: record.value.user.name })
      })

      const update = Effect.fn("Users.update")(function*(actor: Actor, userId: UserId, input: UpdateUserInput) {
        yield* requireSelf(actor, userId)
        return yield* users.update(userId, input, yield* Clock.currentTimeMillis)
      })

      return Users.of({ me, get, update })
    })
  )
}
