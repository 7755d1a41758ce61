/**
 * UserRepository in process memory (see TeamRepositoryMemory for why each step is atomic).
 */
import { Effect, Layer, Option } from "effect"
import { Conflict, NotFound } from "../../DomainError.js"
import { type Email, User, type UserId } from "../User.js"
import { UserRecord, UserRepository } from "../UserRepository.js"

export const make = Effect.sync(() => {
  const byId = new Map<UserId, UserRecord>()
  const idByEmail = new Map<Email, UserId>()

  return UserRepository.of({
    insert: (record) =>
      Effect.suspend((): Effect.Effect<void, Conflict> => {
        if (idByEmail.has(record.user.email)) {
          return Effect.fail(new Conflict({ code: "EmailTaken", message: "email is already registered" }))
        }
        if (byId.has(record.user.userId)) {
          return Effect.fail(new Conflict({ code: "UserExists", message: "user already exists" }))
        }
        byId.set(record.user.userId, record)
        idByEmail.set(record.user.email, record.user.userId)
        return Effect.void
      }),
    byId: (userId) => Effect.sync(() => Option.fromUndefinedOr(byId.get(userId))),
    byEmail: (email) =>
      Effect.sync(() => {
        const id = idByEmail.get(email)
        return id === undefined ? Option.none() : Option.fromUndefinedOr(byId.get(id))
      }),
    byIds: (userIds) =>
      Effect.sync(() => {
        const users: Array<User> = []
        for (const id of new Set(userIds)) {
          const record = byId.get(id)
          if (record !== undefined) users.push(record.user)
        }
        return users
      }),
    update: (userId, patch, at) =>
      Effect.suspend((): Effect.Effect<User, NotFound> => {
        const record = byId.get(userId)
        if (record === undefined) return Effect.fail(NotFound.of("user"))
        const user = new User({
          ...record.user,
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.profile === undefined ? {} : { profile: patch.profile }),
          updatedAt: at
        })
        byId.set(userId, new UserRecord({ user, passwordHash: record.passwordHash }))
        return Effect.succeed(user)
      })
  })
})

export const layer = Layer.effect(UserRepository, make)
