/**
 * Storage of users. Email uniqueness is the store's job (a unique index, a guard item in the same
 * transaction), never a read-then-write in the use case.
 */
import { type Option, Context, Effect, Schema } from "effect"
import type { Conflict, NotFound } from "../DomainError.js"
import { StoreFailure } from "../StoreFailure.js"
import { type Email, User, type UserId } from "./User.js"

export class UserRepositoryError extends Schema.TaggedError<UserRepositoryError>()("UserRepositoryError", {
  reason: StoreFailure
}) {}

/** A user with the secret half of its account: the password hash (null for Cognito-managed users). */
export class UserRecord extends Schema.Class<UserRecord>("@app/domain/Users/UserRecord")({
  user: User,
  passwordHash: Schema.NullOr(Schema.String)
}) {}

/** The fields a user may change; the ones left out stay as they are. */
export type UserPatch = Partial<Pick<User, "name" | "profile">>

export class UserRepository extends Context.Service<UserRepository, {
  /**
   * Stores a new user atomically, or nothing: Conflict "EmailTaken" when the normalised email
   * exists, "UserExists" when the id does (when both do, either code). Of racing inserts of one
   * email or one id exactly one wins. Cognito provisioning relies on it: a lost race of two first
   * sights of one sub is a Conflict, after which byId finds the winner.
   */
  readonly insert: (record: UserRecord) => Effect.Effect<void, Conflict | UserRepositoryError>
  readonly byId: (userId: UserId) => Effect.Effect<Option.Option<UserRecord>, UserRepositoryError>
  readonly byEmail: (email: Email) => Effect.Effect<Option.Option<UserRecord>, UserRepositoryError>
  /** The users of `userIds` that exist, in no particular order. */
  readonly byIds: (userIds: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyArray<User>, UserRepositoryError>
  readonly update: (userId: UserId, patch: UserPatch, at: number) => Effect.Effect<User, NotFound | UserRepositoryError>
}>()("@app/domain/Users/UserRepository") {}
