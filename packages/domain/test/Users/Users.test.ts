import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Actor } from "../../src/Actor.js"
import { TeamRepositoryMemory } from "../../src/Teams/memory/index.js"
import { Invitation, InvitationId, Membership, Team, TeamId } from "../../src/Teams/Team.js"
import { TeamRepository } from "../../src/Teams/TeamRepository.js"
import { UserRepositoryMemory } from "../../src/Users/memory/index.js"
import { Email, Profile, User, UserId, UserSummary } from "../../src/Users/User.js"
import { UserRecord, UserRepository } from "../../src/Users/UserRepository.js"
import { UpdateUserInput, Users } from "../../src/Users/Users.js"
import { decodeInput } from "../../src/Validation.js"
import { property } from "../Auth/fixtures.js"

const START = 1_700_000_000_000
const names = ["ada", "bob", "cyd", "dan", "eve"] as const
const idOf = (name: string) => UserId.make(`u-${name}`)
const actorOf = (name: string) => new Actor({ userId: idOf(name), email: Email.make(`${name}@example.com`) })
const userOf = (name: string) =>
  new User({
    userId: idOf(name),
    email: Email.make(`${name}@example.com`),
    name: name.toUpperCase(),
    emailVerified: true,
    profile: new Profile({ bio: `${name}'s bio` }),
    createdAt: START,
    updatedAt: START
  })

/** Team memberships as data, stored in the real in-memory TeamRepository. */
interface Memberships {
  readonly teams: ReadonlyArray<ReadonlyArray<string>>
}

const teamsLayer = (memberships: Memberships) =>
  Layer.effect(
    TeamRepository,
    Effect.gen(function*() {
      const repo = yield* TeamRepositoryMemory.make
      for (const [i, members] of memberships.teams.entries()) {
        const teamId = TeamId.make(`t-${i}`)
        const [first, ...rest] = members.map((m) => UserId.make(m))
        if (first === undefined) continue
        yield* repo.create(
          new Team({ teamId, name: `Team ${i}`, createdAt: START, updatedAt: START }),
          new Membership({ teamId, userId: first, role: "owner", invitedBy: null, joinedAt: START })
        )
        for (const userId of rest) {
          const invitation = new Invitation({
            invitationId: InvitationId.make(`i-${i}-${userId}`), teamId, email: Email.make(`${userId}@example.com`),
            role: "member", invitedBy: first, status: "pending", createdAt: START, expiresAt: START + 1_000
          })
          yield* repo.addInvitation(invitation)
          yield* repo.acceptInvitation(invitation, new Membership({ teamId, userId, role: "member", invitedBy: first, joinedAt: START }))
        }
      }
      return repo
    }).pipe(Effect.orDie)
  )

const usersLayer = (memberships: Memberships) =>
  Users.layer.pipe(
    Layer.provideMerge(UserRepositoryMemory.layer),
    Layer.provideMerge(teamsLayer(memberships))
  )

const seed = Effect.gen(function*() {
  const repo = yield* UserRepository
  for (const name of names) yield* repo.insert(new UserRecord({ user: userOf(name), passwordHash: null }))
})

/** ada and bob share team 0, bob and cyd team 1; dan is alone in team 2; eve has no team. */
const fixed: Memberships = { teams: [[idOf("ada"), idOf("bob")], [idOf("bob"), idOf("cyd")], [idOf("dan")]] }

describe("Users", () => {
  it.effect("me answers the caller's own user, NotFound for an account that does not exist", () =>
    Effect.gen(function*() {
      yield* seed
      const users = yield* Users
      assert.deepStrictEqual({ ...(yield* users.me(actorOf("ada"))) }, { ...userOf("ada") })
      const error = yield* users.me(actorOf("zed")).pipe(Effect.flip)
      assert.strictEqual(error._tag, "NotFound")
    }).pipe(Effect.provide(usersLayer(fixed))))

  it.effect("get: self sees the full user, a teammate only {userId, name}, anyone else NotFound", () =>
    Effect.gen(function*() {
      yield* seed
      const users = yield* Users
      const self = yield* users.get(actorOf("ada"), idOf("ada"))
      assert.instanceOf(self, User)
      const teammate = yield* users.get(actorOf("ada"), idOf("bob"))
      assert.instanceOf(teammate, UserSummary)
      assert.deepStrictEqual({ ...teammate }, { userId: idOf("bob"), name: "BOB" })
      assert.notProperty(teammate, "email")
      // cyd shares a team with bob, not with ada: teammates are not transitive.
      assert.strictEqual((yield* users.get(actorOf("ada"), idOf("cyd")).pipe(Effect.flip))._tag, "NotFound")
      assert.strictEqual((yield* users.get(actorOf("ada"), idOf("dan")).pipe(Effect.flip))._tag, "NotFound")
      assert.strictEqual((yield* users.get(actorOf("ada"), idOf("nobody")).pipe(Effect.flip))._tag, "NotFound")
    }).pipe(Effect.provide(usersLayer(fixed))))

  it.effect("update changes the caller's name and profile at the Clock's time", () =>
    Effect.gen(function*() {
      yield* seed
      const users = yield* Users
      yield* TestClock.setTime(START + 5_000)
      const input = yield* decodeInput(UpdateUserInput)({ name: "  Ada King ", profile: { title: "Countess" } })
      const updated = yield* users.update(actorOf("ada"), idOf("ada"), input)
      assert.strictEqual(updated.name, "Ada King")
      assert.deepStrictEqual({ ...updated.profile }, { title: "Countess" })
      assert.strictEqual(updated.updatedAt, START + 5_000)
      assert.strictEqual(updated.email, "ada@example.com")
      assert.deepStrictEqual(yield* users.me(actorOf("ada")), updated)
      const onlyName = yield* users.update(actorOf("ada"), idOf("ada"), { name: "Ada" })
      assert.deepStrictEqual({ ...onlyName.profile }, { title: "Countess" })
    }).pipe(Effect.provide(usersLayer(fixed))))

  it.effect("updating another user is Forbidden and changes nothing, teammate or not", () =>
    Effect.gen(function*() {
      yield* seed
      const users = yield* Users
      for (const target of ["bob", "cyd", "nobody"]) {
        const error = yield* users.update(actorOf("ada"), idOf(target), { name: "Hacked" }).pipe(Effect.flip)
        assert.strictEqual(error._tag, "Forbidden")
        assert.strictEqual(error._tag === "Forbidden" ? error.code : "", "NotSelf")
      }
      const bob = Option.getOrThrow(yield* (yield* UserRepository).byId(idOf("bob")))
      assert.strictEqual(bob.user.name, "BOB")
    }).pipe(Effect.provide(usersLayer(fixed))))

  it.effect("UpdateUserInput names each bad field", () =>
    Effect.gen(function*() {
      const error = yield* decodeInput(UpdateUserInput)({ name: "   ", profile: { bio: 5 } }).pipe(Effect.flip)
      assert.deepStrictEqual(error.errors.map((e) => e.path).sort(), ["name", "profile.bio"])
      assert.deepStrictEqual(yield* decodeInput(UpdateUserInput)({}), {})
    }))

  it.effect("property: visibility is full for self, summary iff the two share a team, NotFound otherwise", () =>
    Effect.gen(function*() {
      const arbitrary = fc.record({
        teams: fc.array(fc.subarray(names.map(idOf) as Array<string>), { maxLength: 4 }),
        viewer: fc.constantFrom(...names),
        target: fc.constantFrom(...names, "ghost")
      })
      yield* property(arbitrary, ({ teams, viewer, target }) =>
        Effect.gen(function*() {
          yield* seed
          const users = yield* Users
          const exit = yield* Effect.exit(users.get(actorOf(viewer), idOf(target)))
          const shareTeam = teams.some((members) => members.includes(idOf(viewer)) && members.includes(idOf(target)))
          if (viewer === target) {
            assert.isTrue(exit._tag === "Success" && exit.value instanceof User)
          } else if (shareTeam && target !== "ghost") {
            assert.isTrue(exit._tag === "Success" && exit.value instanceof UserSummary)
            if (exit._tag === "Success") assert.deepStrictEqual(Object.keys(exit.value).sort(), ["name", "userId"])
          } else {
            assert.isTrue(exit._tag === "Failure")
            assert.include(JSON.stringify(exit), "NotFound")
          }
          const update = yield* Effect.exit(users.update(actorOf(viewer), idOf(target), { name: "Changed" }))
          assert.strictEqual(update._tag === "Success", viewer === target)
          if (viewer !== target) assert.include(JSON.stringify(update), "Forbidden")
        }).pipe(Effect.provide(usersLayer({ teams }))))
    }))
})
