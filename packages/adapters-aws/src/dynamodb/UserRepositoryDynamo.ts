/**
 * UserRepository on the users table (002: partition key userId). Email uniqueness is a guard item
 * in the same table — userId "EMAIL#<normalised email>", pointing at its owner — put in the same
 * TransactWriteItems as the user, both conditioned on attribute_not_exists: of racing inserts of
 * one email (or one id) exactly one transaction commits, and a loser leaves nothing behind. No
 * UserId can contain '#', so a guard never collides with a user.
 *
 * Round trips: insert 1 (TransactWriteItems); byId 1 (GetItem); byEmail 2 (GetItem of the guard,
 * then of the user — both strongly consistent, unlike a GSI); byIds ⌈n/100⌉ BatchGetItem (more
 * only when DynamoDB leaves keys unprocessed); update 1 (UpdateItem, conditioned on the user
 * existing, answering the new item).
 */
import {
  Conflict,
  type Email,
  NotFound,
  Unexpected,
  User,
  type UserId,
  UserRecord,
  UserRepository,
  UserRepositoryError,
  type UserPatch
} from "@app/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { DynamoClient, type Item } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

const USER = "user"
const EMAIL_GUARD = "emailGuard"

/** The key of the guard item that reserves `email`. */
export const emailGuardKey = (email: Email) => ({ userId: `EMAIL#${email}` })

const userKey = (userId: UserId) => ({ userId })

/** The stored form of a record: the user's fields at the top level, instants as epoch millis. */
export const toItem = (record: UserRecord): Item => {
  const { user } = record
  return {
    userId: user.userId,
    itemType: USER,
    email: user.email,
    name: user.name,
    emailVerified: user.emailVerified,
    profile: { ...user.profile },
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    passwordHash: record.passwordHash
  }
}

const decodeRecord = Schema.decodeUnknownEffect(UserRecord)

const malformed = () =>
  new UserRepositoryError({ reason: new Unexpected({ message: "a stored user item does not decode" }) })

/** The record of a stored user item (Schema-checked: a corrupt item is Unexpected, never a bad User). */
export const fromItem = (item: Item): Effect.Effect<UserRecord, UserRepositoryError> =>
  decodeRecord({
    user: {
      userId: item["userId"],
      email: item["email"],
      name: item["name"],
      emailVerified: item["emailVerified"],
      profile: item["profile"],
      createdAt: item["createdAt"],
      updatedAt: item["updatedAt"]
    },
    passwordHash: item["passwordHash"] ?? null
  }).pipe(Effect.mapError(malformed))

const portError = DynamoError.toPortError((reason) => new UserRepositoryError({ reason }))

const emailTaken = new Conflict({ code: "EmailTaken", message: "email is already registered" })
const userExists = new Conflict({ code: "UserExists", message: "user already exists" })

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient

  const userItem = (found: Option.Option<Item>) =>
    Option.filter(found, (item) => item["itemType"] === USER)

  const insert = Effect.fn("UserRepositoryDynamo.insert")(function*(record: UserRecord) {
    yield* dynamo.transactWrite([
      { kind: "put", table: "users", item: toItem(record), condition: "attribute_not_exists(#userId)" },
      {
        kind: "put",
        table: "users",
        item: { ...emailGuardKey(record.user.email), itemType: EMAIL_GUARD, ownerId: record.user.userId },
        condition: "attribute_not_exists(#userId)"
      }
    ]).pipe(
      Effect.catchTag("ConditionFailed", (failed) => Effect.fail(failed.failedAt(1) ? emailTaken : userExists)),
      portError
    )
  })

  const byId = Effect.fn("UserRepositoryDynamo.byId")(function*(userId: UserId) {
    const found = userItem(yield* dynamo.get("users", userKey(userId)).pipe(portError))
    return Option.isNone(found) ? Option.none() : Option.some(yield* fromItem(found.value))
  })

  const byEmail = Effect.fn("UserRepositoryDynamo.byEmail")(function*(email: Email) {
    const guard = yield* dynamo.get("users", emailGuardKey(email)).pipe(portError)
    const ownerId = Option.flatMap(guard, (item) =>
      item["itemType"] === EMAIL_GUARD && typeof item["ownerId"] === "string"
        ? Option.some(item["ownerId"] as UserId)
        : Option.none())
    if (Option.isNone(ownerId)) return Option.none()
    const record = yield* byId(ownerId.value)
    return Option.filter(record, (r) => r.user.email === email)
  })

  const byIds = Effect.fn("UserRepositoryDynamo.byIds")(function*(userIds: ReadonlyArray<UserId>) {
    const items = yield* dynamo.batchGet("users", userIds.map(userKey)).pipe(portError)
    const users: Array<User> = []
    for (const item of items) {
      if (item["itemType"] === USER) users.push((yield* fromItem(item)).user)
    }
    return users
  })

  const update = Effect.fn("UserRepositoryDynamo.update")(
    function*(userId: UserId, patch: UserPatch, at: number) {
      const sets = ["#updatedAt = :updatedAt"]
      const values: Record<string, unknown> = { ":updatedAt": at, ":user": USER }
      if (patch.name !== undefined) {
        sets.push("#name = :name")
        values[":name"] = patch.name
      }
      if (patch.profile !== undefined) {
        sets.push("#profile = :profile")
        values[":profile"] = { ...patch.profile }
      }
      const updated = yield* dynamo.update("users", userKey(userId), {
        update: `SET ${sets.join(", ")}`,
        condition: "attribute_exists(#userId) AND #itemType = :user",
        values
      }).pipe(
        Effect.catchTag("ConditionFailed", () => Effect.fail(NotFound.of("user"))),
        portError
      )
      if (Option.isNone(updated)) return yield* malformed()
      return (yield* fromItem(updated.value)).user
    }
  )

  return UserRepository.of({ insert, byId, byEmail, byIds, update })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<UserRepository, never, DynamoClient> = Layer.effect(UserRepository, make)
