/**
 * The authentication use cases (002, 004): signup, login, refresh with rotation and reuse
 * detection, logout, access-token verification, and provisioning of users known from a Cognito
 * authorizer. Secrets arrive Redacted and are never stored or echoed: passwords only as slow
 * hashes, refresh tokens only as digests.
 */
import { Clock, Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import type { Actor } from "../Actor.js"
import { type Conflict, Unauthenticated, type ValidationError } from "../DomainError.js"
import { IdString } from "../Identifier.js"
import { Ids } from "../Ids.js"
import { base64url, Randomness } from "../Randomness.js"
import { Email, Profile, User, UserId, UserName } from "../Users/User.js"
import { UserRecord, UserRepository, type UserRepositoryError } from "../Users/UserRepository.js"
import { AccessTokens, type AccessTokensError } from "./AccessTokens.js"
import { AuthConfig } from "./AuthConfig.js"
import { type PasswordHasherError, PasswordHasher } from "./PasswordHasher.js"
import { PASSWORD_MAX_LENGTH, validatePassword } from "./PasswordPolicy.js"
import { deriveChildToken, hashRefreshToken, type RefreshTokenEntry, type RefreshTokenRecord } from "./RefreshToken.js"
import { RefreshTokenStore, type RefreshTokenStoreError } from "./RefreshTokenStore.js"
import { type SessionIssuerError, SessionIssuer, TokenPair } from "./SessionIssuer.js"

/** A password as it arrives: any string up to 1024 characters, Redacted at once. */
export const Password = Schema.RedactedFromValue(Schema.String.check(Schema.isMaxLength(PASSWORD_MAX_LENGTH)))

/** An opaque refresh token as it arrives, Redacted at once. */
export const RefreshTokenInput = Schema.RedactedFromValue(
  Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(512))
)

/** POST /api/auth/signup. The password policy is checked by the use case (one error per unmet rule). */
export const SignupInput = Schema.Struct({
  email: Email,
  password: Password,
  name: UserName
})
export type SignupInput = typeof SignupInput.Type

/** POST /api/auth/login. */
export const LoginInput = Schema.Struct({
  email: Email,
  password: Password
})
export type LoginInput = typeof LoginInput.Type

/** POST /api/auth/refresh and /api/auth/logout. */
export const RefreshInput = Schema.Struct({
  refreshToken: RefreshTokenInput
})
export type RefreshInput = typeof RefreshInput.Type

/** The identity a Cognito authorizer vouches for: its `sub`, `email`, a name and `email_verified`. */
export const ExternalIdentity = Schema.Struct({
  sub: IdString,
  email: Email,
  name: UserName,
  emailVerified: Schema.optionalKey(Schema.Boolean)
})
export type ExternalIdentity = typeof ExternalIdentity.Type

/** What signup and login answer: the user and a fresh token pair. */
export class AuthSession extends Schema.Class<AuthSession>("@app/domain/Auth/AuthSession")({
  user: User,
  tokens: TokenPair
}) {}

/** How far a replayed parent is followed to the family's current token (a longer chain is refused). */
const MAX_REPLAY_CHAIN = 32

const invalidCredentials = () => new Unauthenticated({ code: "InvalidCredentials", message: "invalid email or password" })
const invalidRefresh = () => new Unauthenticated({ code: "InvalidRefreshToken", message: "the refresh token is not valid" })
const revokedRefresh = () => new Unauthenticated({ code: "RefreshTokenRevoked", message: "the session has ended" })
const expiredRefresh = () => new Unauthenticated({ code: "RefreshTokenExpired", message: "the refresh token has expired" })
const reusedRefresh = () =>
  new Unauthenticated({ code: "RefreshTokenReused", message: "the refresh token was already used; the session has ended" })

export class Auth extends Context.Service<Auth, {
  /** ValidationError for a weak password (one error per unmet rule); Conflict "EmailTaken". */
  readonly signup: (
    input: SignupInput
  ) => Effect.Effect<AuthSession, ValidationError | Conflict | UserRepositoryError | PasswordHasherError | SessionIssuerError>
  /** Unauthenticated "InvalidCredentials" alike for an unknown email and a wrong password. */
  readonly login: (
    input: LoginInput
  ) => Effect.Effect<AuthSession, Unauthenticated | UserRepositoryError | PasswordHasherError | SessionIssuerError>
  /**
   * A new pair, rotating the refresh token. Replaying an already rotated token within the grace
   * window answers with the family's current token; after it, the family is revoked and the answer
   * is Unauthenticated "RefreshTokenReused". Other refusals: "InvalidRefreshToken",
   * "RefreshTokenRevoked", "RefreshTokenExpired".
   */
  readonly refresh: (
    refreshToken: Redacted.Redacted<string>
  ) => Effect.Effect<TokenPair, Unauthenticated | RefreshTokenStoreError | AccessTokensError | UserRepositoryError>
  /** Revokes the token's family; idempotent, and an unknown token is not an error. */
  readonly logout: (refreshToken: Redacted.Redacted<string>) => Effect.Effect<void, RefreshTokenStoreError>
  /** The caller an access token speaks for. */
  readonly verify: (accessToken: string) => Effect.Effect<Actor, Unauthenticated | AccessTokensError>
  /**
   * The user of a Cognito identity, created on its first sight (userId = sub, no password).
   * Conflict "EmailTaken" when the email belongs to another account.
   */
  readonly provisionExternal: (identity: ExternalIdentity) => Effect.Effect<User, Conflict | UserRepositoryError>
}>()("@app/domain/Auth/Auth") {
  /**
   * Needs UserRepository, PasswordHasher, AccessTokens, RefreshTokenStore, SessionIssuer,
   * AuthConfig, Ids and Randomness.
   */
  static readonly layer = Layer.effect(
    Auth,
    Effect.gen(function*() {
      const users = yield* UserRepository
      const hasher = yield* PasswordHasher
      const accessTokens = yield* AccessTokens
      const store = yield* RefreshTokenStore
      const sessions = yield* SessionIssuer
      const config = yield* AuthConfig
      const ids = yield* Ids
      const randomness = yield* Randomness
      const refreshSecret = Redacted.value(config.refreshTokenSecret)

      /**
       * A hash of a random password at the hasher's current cost, made once on first need: an
       * unknown email is verified against it so it takes as long as a wrong password.
       */
      let dummyHash: string | undefined
      const getDummyHash = Effect.suspend(() =>
        dummyHash !== undefined
          ? Effect.succeed(dummyHash)
          : randomness.bytes(32).pipe(
            Effect.flatMap((bytes) => hasher.hash(Redacted.make(base64url(bytes)))),
            Effect.tap((hash) => Effect.sync(() => void (dummyHash = hash)))
          )
      )

      /** A new account as of now, with an empty profile. */
      const newUser = (fields: Pick<User, "userId" | "email" | "name" | "emailVerified">) =>
        Effect.map(Clock.currentTimeMillis, (now) =>
          new User({ ...fields, profile: new Profile({}), createdAt: now, updatedAt: now }))

      const signup = Effect.fn("Auth.signup")(function*(input: SignupInput) {
        yield* validatePassword(input.password)
        const passwordHash = yield* hasher.hash(input.password)
        const user = yield* newUser({
          userId: UserId.make(yield* ids.next),
          email: input.email,
          name: input.name,
          emailVerified: false
        })
        yield* users.insert(new UserRecord({ user, passwordHash }))
        const tokens = yield* sessions.issue(user)
        return new AuthSession({ user, tokens })
      })

      const login = Effect.fn("Auth.login")(function*(input: LoginInput) {
        const record = yield* users.byEmail(input.email)
        if (Option.isNone(record) || record.value.passwordHash === null) {
          yield* hasher.verify(input.password, yield* getDummyHash)
          return yield* invalidCredentials()
        }
        const matches = yield* hasher.verify(input.password, record.value.passwordHash)
        if (!matches) return yield* invalidCredentials()
        const tokens = yield* sessions.issue(record.value.user)
        return new AuthSession({ user: record.value.user, tokens })
      })

      /** Refuses a token whose family has ended (logout, reuse) or which has expired. */
      const ensureUsable = (entry: RefreshTokenEntry, now: number): Effect.Effect<void, Unauthenticated> =>
        entry.family.revokedAt !== null
          ? Effect.fail(revokedRefresh())
          : now >= entry.token.expiresAt
          ? Effect.fail(expiredRefresh())
          : Effect.void

      const pairFor = Effect.fnUntraced(function*(userId: UserId, refreshToken: string) {
        const user = yield* users.byId(userId)
        if (Option.isNone(user)) return yield* invalidRefresh()
        const access = yield* accessTokens.issue({ userId: user.value.user.userId, email: user.value.user.email })
        return new TokenPair({ accessToken: access.token, refreshToken, expiresIn: access.expiresIn })
      })

      /**
       * `token` (stored as `record`) was rotated already. Within the grace window, follow the chain
       * of children, each derived from its parent, to the family's current token; after it, revoke
       * the family.
       */
      const replay = Effect.fnUntraced(function*(token: string, record: RefreshTokenRecord, now: number) {
        if (record.rotatedAt === null || now - record.rotatedAt >= config.refreshGraceMillis) {
          yield* store.revokeFamily(record.familyId, now)
          return yield* reusedRefresh()
        }
        let current = token
        for (let hop = 0; hop < MAX_REPLAY_CHAIN; hop++) {
          current = yield* deriveChildToken(refreshSecret, current)
          const next = yield* store.lookup(yield* hashRefreshToken(current))
          // None when the refresh secret changed since the rotation: refuse, revoke nothing.
          if (Option.isNone(next)) return yield* invalidRefresh()
          // The family may have ended (a logout) since the replayed token was read.
          yield* ensureUsable(next.value, now)
          if (next.value.token.rotatedAt === null) return yield* pairFor(next.value.family.userId, current)
        }
        return yield* invalidRefresh()
      })

      const refresh: Auth["Service"]["refresh"] = Effect.fn("Auth.refresh")(function*(refreshToken: Redacted.Redacted<string>) {
        const token = Redacted.value(refreshToken)
        const now = yield* Clock.currentTimeMillis
        const tokenHash = yield* hashRefreshToken(token)
        const found = yield* store.lookup(tokenHash)
        if (Option.isNone(found)) return yield* invalidRefresh()
        const entry = found.value
        yield* ensureUsable(entry, now)
        if (entry.token.rotatedAt !== null) return yield* replay(token, entry.token, now)

        const child = yield* deriveChildToken(refreshSecret, token)
        // The parent as just read: the store re-checks it and everything that may have changed since.
        const rotated = yield* store.rotate({
          parent: entry.token,
          childHash: yield* hashRefreshToken(child),
          at: now,
          expiresAt: now + config.refreshTokenTtlMillis
        }).pipe(
          Effect.as(true),
          Effect.catchTag("Conflict", (conflict) =>
            conflict.code === "AlreadyRotated" ? Effect.succeed(false) : Effect.fail(conflict))
        )
        // Lost a race to another rotation of the same token: asked again, it answers as a replay.
        if (!rotated) return yield* refresh(refreshToken)
        return yield* pairFor(entry.family.userId, child)
      }, Effect.catchTags({
        Conflict: (conflict) => Effect.fail(conflict.code === "FamilyRevoked" ? revokedRefresh() : invalidRefresh()),
        NotFound: () => Effect.fail(invalidRefresh())
      }))

      const logout = Effect.fn("Auth.logout")(function*(refreshToken: Redacted.Redacted<string>) {
        const found = yield* store.lookup(yield* hashRefreshToken(Redacted.value(refreshToken)))
        if (Option.isNone(found)) return
        yield* store.revokeFamily(found.value.family.familyId, yield* Clock.currentTimeMillis)
      })

      const verify = Effect.fn("Auth.verify")(function*(accessToken: string) {
        return yield* accessTokens.verify(accessToken)
      })

      const provisionExternal = Effect.fn("Auth.provisionExternal")(function*(identity: ExternalIdentity) {
        const userId = UserId.make(identity.sub)
        const existing = yield* users.byId(userId)
        if (Option.isSome(existing)) return existing.value.user
        const user = yield* newUser({
          userId,
          email: identity.email,
          name: identity.name,
          emailVerified: identity.emailVerified ?? false
        })
        return yield* users.insert(new UserRecord({ user, passwordHash: null })).pipe(
          Effect.as(user),
          // A racing first sight of the same sub won: answer its user. Otherwise the email is taken.
          Effect.catchTag("Conflict", (conflict) =>
            Effect.flatMap(users.byId(userId), (winner) =>
              Option.isSome(winner) ? Effect.succeed(winner.value.user) : Effect.fail(conflict)))
        )
      })

      return Auth.of({ signup, login, refresh, logout, verify, provisionExternal })
    })
  )
}
