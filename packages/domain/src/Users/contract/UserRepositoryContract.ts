/**
 * The behaviour every UserRepository must show (memory now, Postgres and DynamoDB later): what is
 * inserted reads back unchanged by id and by email, an email or an id is never taken twice — of two
 * racing inserts exactly one wins and the loser leaves no trace — and updates touch only name,
 * profile and updatedAt. Every id and email comes from a fresh scope, so shared stores are fine.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { agree, batchOf, freshScope, modelRun, type PortCommand } from "../../contract/ModelRun.js"
import * as UserRepositoryMemory from "../memory/UserRepositoryMemory.js"
import { Email, Profile, User, UserId } from "../User.js"
import { UserRecord, UserRepository } from "../UserRepository.js"

const BASE_TIME = 1_700_000_000_000

const idIn = (scope: string, label: string) => UserId.make(`${scope}-${label}`)
const emailIn = (scope: string, label: string) => Email.make(`${scope}.${label}@example.com`.toLowerCase())

/** A user as signup would write it. */
const sampleUser = (
  userId: UserId,
  email: Email,
  overrides: Partial<{ name: string; profile: Profile; at: number }> = {}
): User =>
  new User({
    userId,
    email,
    name: overrides.name ?? "Ada Lovelace",
    emailVerified: false,
    profile: overrides.profile ?? new Profile({}),
    createdAt: overrides.at ?? BASE_TIME,
    updatedAt: overrides.at ?? BASE_TIME
  })

/** Objects with sorted keys, so two stores returning fields in another order still compare equal. */
const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])])
    )
  }
  return value
}

const plainUser = (user: User): unknown =>
  canonical({
    userId: user.userId,
    email: user.email,
    name: user.name,
    emailVerified: user.emailVerified,
    profile: { ...user.profile },
    createdAt: user.createdAt,
    updatedAt: user.updatedAt
  })

const plainRecord = (record: UserRecord): unknown => ({ user: plainUser(record.user), passwordHash: record.passwordHash })
const plainRecordOption = (found: Option.Option<UserRecord>) => Option.match(found, { onNone: () => null, onSome: plainRecord })
const plainUsers = (users: ReadonlyArray<User>) =>
  [...users].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)).map(plainUser)

type Model = UserRepository["Service"]

const SLOTS = 3
const names = ["Ada", "Grace Hopper", "Linus"] as const
const profiles = [
  new Profile({}),
  new Profile({ bio: "engineer", competencies: ["typescript", "effect"] }),
  new Profile({ title: "CTO", avatarUrl: "https://example.com/a.png" })
] as const

/** Which id and email slots the model holds, so an insert never collides on both at once (the order is not pinned). */
const taken = (memory: Map<string, unknown>, kind: "id" | "email"): Set<number> => {
  let set = memory.get(kind) as Set<number> | undefined
  if (set === undefined) {
    set = new Set()
    memory.set(kind, set)
  }
  return set
}

const insertCommand = fc.record({
  idSlot: fc.nat(SLOTS - 1),
  emailSlot: fc.nat(SLOTS - 1),
  name: fc.constantFrom(...names),
  profile: fc.nat(profiles.length - 1),
  hasPassword: fc.boolean(),
  tick: fc.nat(1_000_000)
}).map(({ idSlot, emailSlot, name, profile, hasPassword, tick }): PortCommand<Model> => ({
  check: async (m) => !(taken(m.memory, "id").has(idSlot) && taken(m.memory, "email").has(emailSlot)),
  run: async (m, r) => {
    const user = sampleUser(idIn(m.scope, `u${idSlot}`), emailIn(m.scope, `e${emailSlot}`), {
      name,
      profile: profiles[profile]!,
      at: BASE_TIME + tick
    })
    const record = new UserRecord({ user, passwordHash: hasPassword ? `$scrypt$ln=1,r=1,p=1$c2FsdA$${idSlot}` : null })
    const exit = await agree(m.port.insert(record), r.insert(record))
    if (Exit.isSuccess(exit)) {
      taken(m.memory, "id").add(idSlot)
      taken(m.memory, "email").add(emailSlot)
    }
  },
  toString: () => `insert(u${idSlot}, e${emailSlot}, ${name}, profile${profile}, password=${hasPassword})`
}))

const byIdCommand = fc.nat(SLOTS - 1).map((slot): PortCommand<Model> => ({
  check: async () => true,
  run: async (m, r) => {
    const id = idIn(m.scope, `u${slot}`)
    await agree(m.port.byId(id), r.byId(id), plainRecordOption)
  },
  toString: () => `byId(u${slot})`
}))

const byEmailCommand = fc.nat(SLOTS - 1).map((slot): PortCommand<Model> => ({
  check: async () => true,
  run: async (m, r) => {
    const email = emailIn(m.scope, `e${slot}`)
    await agree(m.port.byEmail(email), r.byEmail(email), plainRecordOption)
  },
  toString: () => `byEmail(e${slot})`
}))

const byIdsCommand = fc.array(fc.nat(SLOTS), { maxLength: 6 }).map((slots): PortCommand<Model> => ({
  check: async () => true,
  run: async (m, r) => {
    const ids = slots.map((slot) => idIn(m.scope, `u${slot}`))
    await agree(m.port.byIds(ids), r.byIds(ids), plainUsers)
  },
  toString: () => `byIds(${slots.map((s) => `u${s}`).join(", ")})`
}))

const updateCommand = fc.record({
  slot: fc.nat(SLOTS - 1),
  name: fc.option(fc.constantFrom(...names), { nil: undefined }),
  profile: fc.option(fc.nat(profiles.length - 1), { nil: undefined }),
  tick: fc.nat(1_000_000)
}).map(({ slot, name, profile, tick }): PortCommand<Model> => ({
  check: async () => true,
  run: async (m, r) => {
    const id = idIn(m.scope, `u${slot}`)
    const patch = {
      ...(name === undefined ? {} : { name }),
      ...(profile === undefined ? {} : { profile: profiles[profile]! })
    }
    await agree(m.port.update(id, patch, BASE_TIME + tick), r.update(id, patch, BASE_TIME + tick), plainUser)
  },
  toString: () => `update(u${slot}, name=${name}, profile=${profile})`
}))

export const suite = (name: string, repositoryLayer: Layer.Layer<UserRepository, unknown>) =>
  layer(repositoryLayer, { excludeTestServices: true, timeout: "60 seconds" })(`UserRepository contract: ${name}`, (it) => {
    it.effect("insert then byId and byEmail return the record unchanged", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const scope = freshScope("ur")
        const user = sampleUser(idIn(scope, "a"), emailIn(scope, "a"), {
          profile: new Profile({ bio: "hi", title: "Dr", competencies: ["x", "y"], avatarUrl: "https://e.x/a" })
        })
        const record = new UserRecord({ user, passwordHash: "$scrypt$ln=17,r=8,p=1$c2FsdA$a2V5" })
        yield* repo.insert(record)
        assert.deepStrictEqual(plainRecordOption(yield* repo.byId(user.userId)), plainRecord(record))
        assert.deepStrictEqual(plainRecordOption(yield* repo.byEmail(user.email)), plainRecord(record))
      }))

    it.effect("a user without a password (Cognito) keeps a null hash", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const scope = freshScope("ur")
        const record = new UserRecord({ user: sampleUser(idIn(scope, "c"), emailIn(scope, "c")), passwordHash: null })
        yield* repo.insert(record)
        const found = yield* repo.byId(record.user.userId)
        assert.isTrue(Option.isSome(found))
        assert.isNull(Option.getOrThrow(found).passwordHash)
      }))

    it.effect("byId and byEmail of unknown keys are none", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const scope = freshScope("ur")
        assert.isTrue(Option.isNone(yield* repo.byId(idIn(scope, "missing"))))
        assert.isTrue(Option.isNone(yield* repo.byEmail(emailIn(scope, "missing"))))
      }))

    it.effect("a taken email is Conflict EmailTaken and the second user is not stored", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const scope = freshScope("ur")
        const email = emailIn(scope, "same")
        yield* repo.insert(new UserRecord({ user: sampleUser(idIn(scope, "a"), email), passwordHash: null }))
        const error = yield* repo.insert(new UserRecord({ user: sampleUser(idIn(scope, "b"), email), passwordHash: null })).pipe(
          Effect.flip
        )
        assert.deepInclude(error, { _tag: "Conflict", code: "EmailTaken" })
        assert.isTrue(Option.isNone(yield* repo.byId(idIn(scope, "b"))))
        assert.strictEqual(Option.getOrThrow(yield* repo.byEmail(email)).user.userId, idIn(scope, "a"))
      }))

    it.effect("a taken id is Conflict UserExists and the second email is not registered", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const scope = freshScope("ur")
        const id = idIn(scope, "same")
        yield* repo.insert(new UserRecord({ user: sampleUser(id, emailIn(scope, "a")), passwordHash: null }))
        const error = yield* repo.insert(new UserRecord({ user: sampleUser(id, emailIn(scope, "b")), passwordHash: null })).pipe(
          Effect.flip
        )
        assert.deepInclude(error, { _tag: "Conflict", code: "UserExists" })
        assert.isTrue(Option.isNone(yield* repo.byEmail(emailIn(scope, "b"))))
        assert.strictEqual(Option.getOrThrow(yield* repo.byId(id)).user.email, emailIn(scope, "a"))
      }))

    it.effect("byIds returns the existing users once each, ignoring unknown ids", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const scope = freshScope("ur")
        const a = sampleUser(idIn(scope, "a"), emailIn(scope, "a"))
        const b = sampleUser(idIn(scope, "b"), emailIn(scope, "b"), { name: "Bob" })
        yield* repo.insert(new UserRecord({ user: a, passwordHash: null }))
        yield* repo.insert(new UserRecord({ user: b, passwordHash: null }))
        const found = yield* repo.byIds([a.userId, idIn(scope, "missing"), b.userId, a.userId])
        assert.deepStrictEqual(plainUsers(found), plainUsers([a, b]))
        assert.deepStrictEqual(yield* repo.byIds([]), [])
      }))

    it.effect("update changes name, profile and updatedAt only, and keeps the password hash", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const scope = freshScope("ur")
        const user = sampleUser(idIn(scope, "a"), emailIn(scope, "a"))
        yield* repo.insert(new UserRecord({ user, passwordHash: "$scrypt$ln=17,r=8,p=1$c2FsdA$a2V5" }))
        const renamed = yield* repo.update(user.userId, { name: "Ada King" }, BASE_TIME + 5)
        assert.deepStrictEqual(plainUser(renamed), plainUser(new User({ ...user, name: "Ada King", updatedAt: BASE_TIME + 5 })))
        const profile = new Profile({ bio: "mathematician" })
        const updated = yield* repo.update(user.userId, { profile }, BASE_TIME + 9)
        const expected = new User({ ...user, name: "Ada King", profile, updatedAt: BASE_TIME + 9 })
        assert.deepStrictEqual(plainUser(updated), plainUser(expected))
        const stored = Option.getOrThrow(yield* repo.byId(user.userId))
        assert.deepStrictEqual(plainUser(stored.user), plainUser(expected))
        assert.strictEqual(stored.passwordHash, "$scrypt$ln=17,r=8,p=1$c2FsdA$a2V5")
      }))

    it.effect("update of an unknown user is NotFound", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const error = yield* repo.update(idIn(freshScope("ur"), "missing"), { name: "X" }, BASE_TIME).pipe(Effect.flip)
        assert.strictEqual(error._tag, "NotFound")
      }))

    it.effect("two racing inserts of one email: exactly one wins", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const scope = freshScope("ur")
        const email = emailIn(scope, "race")
        const contenders = Array.from({ length: 6 }, (_, i) => sampleUser(idIn(scope, `r${i}`), email))
        const exits = yield* Effect.all(
          contenders.map((user) => Effect.exit(repo.insert(new UserRecord({ user, passwordHash: null })))),
          { concurrency: "unbounded" }
        )
        const winners = contenders.filter((_, i) => Exit.isSuccess(exits[i]!))
        assert.strictEqual(winners.length, 1)
        for (const exit of exits) {
          if (Exit.isFailure(exit)) assert.include(JSON.stringify(exit.cause), "EmailTaken")
        }
        assert.strictEqual(Option.getOrThrow(yield* repo.byEmail(email)).user.userId, winners[0]!.userId)
        const stored = yield* repo.byIds(contenders.map((u) => u.userId))
        assert.deepStrictEqual(stored.map((u) => u.userId), [winners[0]!.userId])
      }))

    it.effect("two racing inserts of one id: exactly one wins and only its email is registered", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const scope = freshScope("ur")
        const id = idIn(scope, "race")
        const contenders = Array.from({ length: 6 }, (_, i) => sampleUser(id, emailIn(scope, `r${i}`)))
        const exits = yield* Effect.all(
          contenders.map((user) => Effect.exit(repo.insert(new UserRecord({ user, passwordHash: null })))),
          { concurrency: "unbounded" }
        )
        const winners = contenders.filter((_, i) => Exit.isSuccess(exits[i]!))
        assert.strictEqual(winners.length, 1)
        for (const user of contenders) {
          const found = yield* repo.byEmail(user.email)
          assert.strictEqual(Option.isSome(found), user === winners[0])
        }
      }))

    it.effect("model run: the port agrees with the in-memory model", () =>
      Effect.gen(function*() {
        const real = yield* UserRepository
        yield* modelRun({
          real,
          makeModel: UserRepositoryMemory.make,
          commands: [batchOf([insertCommand, byIdCommand, byEmailCommand, byIdsCommand, updateCommand])],
          numRuns: 50
        })
      }))
  })
