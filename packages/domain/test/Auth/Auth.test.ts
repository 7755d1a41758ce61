import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Auth, ExternalIdentity } from "../../src/Auth/Auth.js"
import { RefreshTokenStoreMemory } from "../../src/Auth/memory/index.js"
import { hashRefreshToken, type TokenHash } from "../../src/Auth/RefreshToken.js"
import { RefreshTokenStore } from "../../src/Auth/RefreshTokenStore.js"
import { SessionIssuer } from "../../src/Auth/SessionIssuer.js"
import { DAY, HOUR, SECOND } from "../../src/Millis.js"
import { parseHash } from "../../src/node/ScryptPasswordHasher.js"
import { UserRepositoryMemory } from "../../src/Users/memory/index.js"
import { Email, Profile, User, UserId } from "../../src/Users/User.js"
import { UserRecord, UserRepository } from "../../src/Users/UserRepository.js"
import { ADA, authLayer, loginInput, redact, signupAda, signupInput, START, VerifyLog } from "./fixtures.js"

const codeOf = (error: { readonly _tag: string }) => ("code" in error ? String(error.code) : error._tag)

/**
 * The in-memory user store, yielding after every byId so that racing fibers really interleave
 * (in-memory steps are synchronous, so without it each fiber would run to its end in turn).
 * Counts insert attempts.
 */
const interleavingUsers = (inserts: { count: number }) =>
  Layer.effect(
    UserRepository,
    Effect.map(UserRepositoryMemory.make, (repo) =>
      UserRepository.of({
        ...repo,
        byId: (userId) => Effect.tap(repo.byId(userId), () => Effect.yieldNow),
        insert: (record) => Effect.andThen(Effect.sync(() => inserts.count++), repo.insert(record))
      }))
  )

/** The in-memory refresh-token store, where a logout ends the family just before `trigger.hash` is looked up. */
const logoutBeforeLookupOf = (trigger: { hash?: TokenHash }) =>
  Layer.effect(
    RefreshTokenStore,
    Effect.map(RefreshTokenStoreMemory.make, (store) =>
      RefreshTokenStore.of({
        ...store,
        lookup: (tokenHash) =>
          tokenHash !== trigger.hash ? store.lookup(tokenHash) : store.lookup(tokenHash).pipe(
            Effect.tap(Option.match({ onNone: () => Effect.void, onSome: (e) => store.revokeFamily(e.family.familyId, 0) })),
            Effect.andThen(store.lookup(tokenHash))
          )
      }))
  )

describe("Auth", () => {
  describe("signup", () => {
    it.effect("creates the user with a normalised email and answers a working token pair", () =>
      Effect.gen(function*() {
        const auth = yield* Auth
        yield* TestClock.setTime(START)
        const session = yield* auth.signup(signupInput({ email: "  Ada@Example.COM ", password: ADA.password, name: " Ada " }))
        assert.strictEqual(session.user.email, "ada@example.com")
        assert.strictEqual(session.user.name, "Ada")
        assert.isFalse(session.user.emailVerified)
        assert.strictEqual(session.user.createdAt, START)
        assert.strictEqual(session.tokens.expiresIn, 3600)
        const actor = yield* auth.verify(session.tokens.accessToken)
        assert.strictEqual(actor.userId, session.user.userId)
        assert.strictEqual(actor.email, "ada@example.com")
        const pair = yield* auth.refresh(redact(session.tokens.refreshToken))
        assert.notStrictEqual(pair.refreshToken, session.tokens.refreshToken)
      }).pipe(Effect.provide(authLayer())))

    it.effect("stores the password only as a self-describing scrypt hash", () =>
      Effect.gen(function*() {
        const session = yield* signupAda
        const record = Option.getOrThrow(yield* (yield* UserRepository).byId(session.user.userId))
        assert.isNotNull(record.passwordHash)
        assert.match(record.passwordHash!, /^\$scrypt\$ln=\d+,r=8,p=1\$/)
        assert.notInclude(record.passwordHash!, ADA.password)
        assert.isDefined(parseHash(record.passwordHash!))
      }).pipe(Effect.provide(authLayer())))

    it.effect("a weak password is a ValidationError naming each unmet rule, and creates no user", () =>
      Effect.gen(function*() {
        const auth = yield* Auth
        const error = yield* auth.signup(signupInput({ ...ADA, password: "short" })).pipe(Effect.flip)
        assert.strictEqual(error._tag, "ValidationError")
        if (error._tag !== "ValidationError") return
        assert.deepStrictEqual(error.errors.map((e) => e.path), ["password", "password", "password"])
        assert.deepStrictEqual(error.errors.map((e) => e.message), [
          "must be at least 8 characters",
          "must contain an upper-case letter",
          "must contain a digit"
        ])
        assert.isTrue(Option.isNone(yield* (yield* UserRepository).byEmail(Email.make(ADA.email))))
      }).pipe(Effect.provide(authLayer())))

    it.effect("a taken email, in any spelling, is Conflict EmailTaken", () =>
      Effect.gen(function*() {
        yield* signupAda
        const error = yield* (yield* Auth).signup(signupInput({ ...ADA, email: " ADA@example.com" })).pipe(Effect.flip)
        assert.strictEqual(error._tag, "Conflict")
        assert.strictEqual(codeOf(error), "EmailTaken")
      }).pipe(Effect.provide(authLayer())))
  })

  describe("login", () => {
    it.effect("answers the user and a fresh pair for the right password", () =>
      Effect.gen(function*() {
        const signedUp = yield* signupAda
        const session = yield* (yield* Auth).login(loginInput({ email: "ADA@example.com ", password: ADA.password }))
        assert.strictEqual(session.user.userId, signedUp.user.userId)
        assert.notStrictEqual(session.tokens.refreshToken, signedUp.tokens.refreshToken)
      }).pipe(Effect.provide(authLayer())))

    it.effect("an unknown email and a wrong password answer identically, each after one verify at the same cost", () =>
      Effect.gen(function*() {
        yield* signupAda
        const auth = yield* Auth
        const log = yield* VerifyLog
        const wrong = yield* auth.login(loginInput({ email: ADA.email, password: "Wrong-Horse-9" })).pipe(Effect.flip)
        const unknown = yield* auth.login(loginInput({ email: "nobody@example.com", password: ADA.password })).pipe(Effect.flip)
        assert.strictEqual(codeOf(wrong), "InvalidCredentials")
        assert.deepStrictEqual(JSON.stringify(unknown), JSON.stringify(wrong))
        assert.strictEqual(unknown.message, wrong.message)
        assert.strictEqual(log.hashes.length, 2)
        const [real, dummy] = log.hashes.map((h) => parseHash(h)!)
        assert.deepStrictEqual(dummy!.params, real!.params)
        assert.strictEqual(dummy!.key.length, real!.key.length)
      }).pipe(Effect.provide(authLayer())))

    it.effect("a user without a password (Cognito) cannot log in with one", () =>
      Effect.gen(function*() {
        const auth = yield* Auth
        yield* auth.provisionExternal(Schema.decodeUnknownSync(ExternalIdentity)({ sub: "cognito-1", email: ADA.email, name: "Ada" }))
        const error = yield* auth.login(loginInput({ email: ADA.email, password: ADA.password })).pipe(Effect.flip)
        assert.strictEqual(codeOf(error), "InvalidCredentials")
      }).pipe(Effect.provide(authLayer())))
  })

  describe("refresh", () => {
    it.effect("rotates on every use and stores only digests", () =>
      Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        const store = yield* RefreshTokenStore
        const first = yield* auth.refresh(redact(tokens.refreshToken))
        yield* TestClock.adjust(HOUR)
        const second = yield* auth.refresh(redact(first.refreshToken))
        assert.strictEqual(new Set([tokens.refreshToken, first.refreshToken, second.refreshToken]).size, 3)
        const entry = Option.getOrThrow(yield* store.lookup(yield* hashRefreshToken(second.refreshToken)))
        assert.isNull(entry.token.rotatedAt)
        assert.strictEqual(entry.token.issuedAt, START + HOUR)
        assert.strictEqual(entry.token.expiresAt, START + HOUR + 30 * DAY)
        assert.notInclude(JSON.stringify(entry), second.refreshToken)
        const actor = yield* auth.verify(second.accessToken)
        assert.strictEqual(String(actor.email), ADA.email)
      }).pipe(Effect.provide(authLayer())))

    it.effect("replaying the parent within the grace window answers the same child as the first rotation", () =>
      Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        const first = yield* auth.refresh(redact(tokens.refreshToken))
        yield* TestClock.adjust(9 * SECOND)
        const replay = yield* auth.refresh(redact(tokens.refreshToken))
        assert.strictEqual(replay.refreshToken, first.refreshToken)
        // The child is still current: it rotates normally afterwards.
        const next = yield* auth.refresh(redact(first.refreshToken))
        assert.notStrictEqual(next.refreshToken, first.refreshToken)
      }).pipe(Effect.provide(authLayer())))

    it.effect("two tabs refreshing at once both end up with the same token", () =>
      Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        const pairs = yield* Effect.all(Array.from({ length: 4 }, () => auth.refresh(redact(tokens.refreshToken))), {
          concurrency: "unbounded"
        })
        assert.strictEqual(new Set(pairs.map((p) => p.refreshToken)).size, 1)
        const next = yield* auth.refresh(redact(pairs[0]!.refreshToken))
        assert.notStrictEqual(next.refreshToken, pairs[0]!.refreshToken)
      }).pipe(Effect.provide(authLayer())))

    it.effect("within the grace window a replayed parent follows the chain to the current token", () =>
      Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        const first = yield* auth.refresh(redact(tokens.refreshToken))
        yield* TestClock.adjust(2 * SECOND)
        const second = yield* auth.refresh(redact(first.refreshToken))
        yield* TestClock.adjust(2 * SECOND)
        const replay = yield* auth.refresh(redact(tokens.refreshToken))
        assert.strictEqual(replay.refreshToken, second.refreshToken)
      }).pipe(Effect.provide(authLayer())))

    it.effect("a replay that meets a logout half-way is RefreshTokenRevoked, never a pair", () => {
      const trigger: { hash?: TokenHash } = {}
      return Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        const first = yield* auth.refresh(redact(tokens.refreshToken))
        // The replay reads the parent (family alive), then the child after a logout.
        trigger.hash = yield* hashRefreshToken(first.refreshToken)
        const error = yield* auth.refresh(redact(tokens.refreshToken)).pipe(Effect.flip)
        assert.strictEqual(codeOf(error), "RefreshTokenRevoked")
      }).pipe(Effect.provide(authLayer({}, { refreshTokens: logoutBeforeLookupOf(trigger) })))
    })

    it.effect("reuse after the grace window revokes the whole family", () =>
      Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        const first = yield* auth.refresh(redact(tokens.refreshToken))
        yield* TestClock.adjust(10 * SECOND)
        const reuse = yield* auth.refresh(redact(tokens.refreshToken)).pipe(Effect.flip)
        assert.strictEqual(reuse._tag, "Unauthenticated")
        assert.strictEqual(codeOf(reuse), "RefreshTokenReused")
        const child = yield* auth.refresh(redact(first.refreshToken)).pipe(Effect.flip)
        assert.strictEqual(codeOf(child), "RefreshTokenRevoked")
        const again = yield* auth.refresh(redact(tokens.refreshToken)).pipe(Effect.flip)
        assert.strictEqual(codeOf(again), "RefreshTokenRevoked")
      }).pipe(Effect.provide(authLayer())))

    it.effect("the grace window is configurable: with none, any replay revokes", () =>
      Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        const first = yield* auth.refresh(redact(tokens.refreshToken))
        assert.strictEqual(codeOf(yield* auth.refresh(redact(tokens.refreshToken)).pipe(Effect.flip)), "RefreshTokenReused")
        assert.strictEqual(codeOf(yield* auth.refresh(redact(first.refreshToken)).pipe(Effect.flip)), "RefreshTokenRevoked")
      }).pipe(Effect.provide(authLayer({ refreshGraceMillis: 0 }))))

    it.effect("a refresh token expires 30 days after it was issued", () =>
      Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        yield* TestClock.adjust(30 * DAY - 1)
        const fresh = yield* auth.refresh(redact(tokens.refreshToken))
        yield* TestClock.adjust(30 * DAY)
        assert.strictEqual(codeOf(yield* auth.refresh(redact(fresh.refreshToken)).pipe(Effect.flip)), "RefreshTokenExpired")
      }).pipe(Effect.provide(authLayer())))

    it.effect("an unknown token is InvalidRefreshToken", () =>
      Effect.gen(function*() {
        yield* signupAda
        const error = yield* (yield* Auth).refresh(redact("not-a-token")).pipe(Effect.flip)
        assert.strictEqual(codeOf(error), "InvalidRefreshToken")
      }).pipe(Effect.provide(authLayer())))

    it.effect("revoking one family leaves the user's other sessions alone", () =>
      Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        const other = yield* auth.login(loginInput({ email: ADA.email, password: ADA.password }))
        yield* auth.logout(redact(tokens.refreshToken))
        assert.strictEqual(codeOf(yield* auth.refresh(redact(tokens.refreshToken)).pipe(Effect.flip)), "RefreshTokenRevoked")
        yield* auth.refresh(redact(other.tokens.refreshToken))
      }).pipe(Effect.provide(authLayer())))
  })

  describe("logout", () => {
    it.effect("revokes the family, is idempotent, and accepts an unknown or rotated token", () =>
      Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        const first = yield* auth.refresh(redact(tokens.refreshToken))
        yield* auth.logout(redact(tokens.refreshToken))
        yield* auth.logout(redact(tokens.refreshToken))
        yield* auth.logout(redact("never-issued"))
        assert.strictEqual(codeOf(yield* auth.refresh(redact(first.refreshToken)).pipe(Effect.flip)), "RefreshTokenRevoked")
      }).pipe(Effect.provide(authLayer())))
  })

  describe("verify", () => {
    it.effect("an access token expires after one hour", () =>
      Effect.gen(function*() {
        const { tokens } = yield* signupAda
        const auth = yield* Auth
        yield* TestClock.adjust(HOUR - SECOND)
        yield* auth.verify(tokens.accessToken)
        yield* TestClock.adjust(SECOND)
        assert.strictEqual(codeOf(yield* auth.verify(tokens.accessToken).pipe(Effect.flip)), "TokenExpired")
      }).pipe(Effect.provide(authLayer())))
  })

  describe("provisionExternal", () => {
    const identity = Schema.decodeUnknownSync(ExternalIdentity)({
      sub: "3f0c5a8e-1b2c-4d5e-8f90-123456789abc",
      email: "Grace@Example.com",
      name: "Grace",
      emailVerified: true
    })

    it.effect("creates the user on first sight of a sub and returns it afterwards", () =>
      Effect.gen(function*() {
        const auth = yield* Auth
        yield* TestClock.setTime(START)
        const created = yield* auth.provisionExternal(identity)
        assert.strictEqual(created.userId, identity.sub)
        assert.strictEqual(created.email, "grace@example.com")
        assert.isTrue(created.emailVerified)
        yield* TestClock.adjust(DAY)
        const again = yield* auth.provisionExternal({ ...identity, name: "Renamed" })
        assert.deepStrictEqual(again, created)
        const record = Option.getOrThrow(yield* (yield* UserRepository).byId(created.userId))
        assert.isNull(record.passwordHash)
      }).pipe(Effect.provide(authLayer())))

    it.effect("racing first sights create one user and all answer it", () => {
      const inserts = { count: 0 }
      return Effect.gen(function*() {
        const auth = yield* Auth
        yield* TestClock.setTime(START)
        const users = yield* Effect.all(
          Array.from({ length: 5 }, (_, i) => auth.provisionExternal({ ...identity, name: `Grace ${i}` })),
          { concurrency: "unbounded" }
        )
        // Every request saw no user and tried to insert; the losers answer the winner's user.
        assert.strictEqual(inserts.count, 5)
        for (const user of users) assert.deepStrictEqual(user, users[0])
        assert.deepStrictEqual(Option.getOrThrow(yield* (yield* UserRepository).byId(users[0]!.userId)).user, users[0])
      }).pipe(Effect.provide(authLayer({}, { users: interleavingUsers(inserts) })))
    })

    it.effect("an email that belongs to another account is Conflict EmailTaken", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        yield* repo.insert(new UserRecord({
          user: new User({
            userId: UserId.make("password-user"),
            email: Email.make("grace@example.com"),
            name: "Grace",
            emailVerified: false,
            profile: new Profile({}),
            createdAt: 0,
            updatedAt: 0
          }),
          passwordHash: null
        }))
        const error = yield* (yield* Auth).provisionExternal(identity).pipe(Effect.flip)
        assert.strictEqual(codeOf(error), "EmailTaken")
      }).pipe(Effect.provide(authLayer())))
  })

  describe("SessionIssuer.layer", () => {
    it.effect("issues a pair whose refresh token rotates through Auth.refresh", () =>
      Effect.gen(function*() {
        const { user } = yield* signupAda
        const pair = yield* (yield* SessionIssuer).issue(user)
        assert.strictEqual((yield* (yield* Auth).verify(pair.accessToken)).userId, user.userId)
        assert.match(pair.refreshToken, /^[A-Za-z0-9_-]{43}$/)
        const next = yield* (yield* Auth).refresh(Redacted.make(pair.refreshToken))
        assert.match(next.refreshToken, /^[A-Za-z0-9_-]{43}$/)
      }).pipe(Effect.provide(authLayer())))
  })
})
