/**
 * CredentialRepository on the platform-credentials table (002: partition userPlatform =
 * "<userId>#<platform>", sort key accountId). The item holds the secret only as the
 * EncryptedSecret's fields (a map: algorithm, keyId, encryptedDataKey, iv, ciphertext) — this
 * adapter is never given a plaintext — beside status, createdAt, updatedAt and lastSyncAt (absent
 * until the first sync). `list` projects the summary's attributes only, so the ciphertext does not
 * even leave DynamoDB for a read that answers summaries.
 *
 * put is one UpdateItem with if_not_exists on createdAt (and on status when none is given), so
 * racing puts of a new account agree on one createdAt and a replacement keeps createdAt,
 * lastSyncAt and the status. recordSync and delete are conditioned on the item existing: neither
 * ever creates one, so a sync racing a delete cannot bring a credential back.
 *
 * Round trips: put 1 UpdateItem; list 1 Query (one per 1 MB page); get 1 GetItem; delete 1
 * DeleteItem; recordSync 1 UpdateItem.
 */
import {
  type AccountId,
  CredentialRecord,
  CredentialRepository,
  CredentialRepositoryError,
  type CredentialStatus,
  CredentialSummary,
  NotFound,
  type Platform,
  type PutCredential,
  Unexpected,
  type UserId
} from "@app/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { compositeKey, DynamoClient, type Item } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

const TABLE = "platformCredentials"

const SUMMARY_ATTRIBUTES = ["accountId", "status", "createdAt", "lastSyncAt"] as const

const decodeSummary = Schema.decodeUnknownEffect(CredentialSummary)
const decodeRecord = Schema.decodeUnknownEffect(CredentialRecord)

const malformed = () =>
  new CredentialRepositoryError({ reason: new Unexpected({ message: "a stored credential does not decode" }) })

/** The summary of a stored item (Schema-checked: a corrupt item is Unexpected). */
export const summaryOf = (item: Item): Effect.Effect<CredentialSummary, CredentialRepositoryError> =>
  decodeSummary({
    accountId: item["accountId"],
    status: item["status"],
    createdAt: item["createdAt"],
    lastSyncAt: item["lastSyncAt"] ?? null
  }).pipe(Effect.mapError(malformed))

/** The record of a stored item; userId and platform are those of the key it was read by. */
export const recordOf = (
  userId: UserId,
  platform: Platform,
  item: Item
): Effect.Effect<CredentialRecord, CredentialRepositoryError> =>
  decodeRecord({
    userId,
    platform,
    accountId: item["accountId"],
    secret: item["secret"],
    status: item["status"],
    createdAt: item["createdAt"],
    updatedAt: item["updatedAt"],
    lastSyncAt: item["lastSyncAt"] ?? null
  }).pipe(Effect.mapError(malformed))

const portError = DynamoError.toPortError((reason) => new CredentialRepositoryError({ reason }))

const notFound = () => Effect.fail(NotFound.of("credentials"))

const ACTIVE: CredentialStatus = "active"

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient

  const partitionOf = (userId: UserId, platform: Platform) => compositeKey(userId, platform).pipe(portError)
  const keyOf = (userId: UserId, platform: Platform, accountId: AccountId) =>
    Effect.map(partitionOf(userId, platform), (userPlatform) => ({ userPlatform, accountId }))

  const put = Effect.fn("CredentialRepositoryDynamo.put")(function*(input: PutCredential) {
    const key = yield* keyOf(input.userId, input.platform, input.accountId)
    const { algorithm, ciphertext, encryptedDataKey, iv, keyId } = input.secret
    const stored = yield* dynamo.update(TABLE, key, {
      update: `SET #secret = :secret, #updatedAt = :at, #createdAt = if_not_exists(#createdAt, :at), #status = ${
        input.status === undefined ? "if_not_exists(#status, :status)" : ":status"
      }`,
      values: {
        ":secret": { algorithm, keyId, encryptedDataKey, iv, ciphertext },
        ":at": input.at,
        ":status": input.status ?? ACTIVE
      },
      returnValues: "ALL_NEW"
    }).pipe(portError)
    if (Option.isNone(stored)) return yield* malformed()
    return yield* summaryOf(stored.value)
  })

  const list = Effect.fn("CredentialRepositoryDynamo.list")(function*(userId: UserId, platform: Platform) {
    const partition = yield* partitionOf(userId, platform)
    const items = yield* dynamo.queryAll(TABLE, { partition, attributes: SUMMARY_ATTRIBUTES }).pipe(portError)
    return yield* Effect.forEach(items, summaryOf)
  })

  const get = Effect.fn("CredentialRepositoryDynamo.get")(
    function*(userId: UserId, platform: Platform, accountId: AccountId) {
      const found = yield* dynamo.get(TABLE, yield* keyOf(userId, platform, accountId)).pipe(portError)
      return Option.isNone(found) ? Option.none() : Option.some(yield* recordOf(userId, platform, found.value))
    }
  )

  const remove = Effect.fn("CredentialRepositoryDynamo.delete")(
    function*(userId: UserId, platform: Platform, accountId: AccountId) {
      yield* dynamo.delete(TABLE, yield* keyOf(userId, platform, accountId), {
        condition: "attribute_exists(#accountId)"
      }).pipe(Effect.catchTag("ConditionFailed", notFound), portError)
    }
  )

  const recordSync = Effect.fn("CredentialRepositoryDynamo.recordSync")(
    function*(userId: UserId, platform: Platform, accountId: AccountId, at: number) {
      yield* dynamo.update(TABLE, yield* keyOf(userId, platform, accountId), {
        update: "SET #lastSyncAt = :at",
        condition: "attribute_exists(#accountId)",
        values: { ":at": at },
        returnValues: "NONE"
      }).pipe(Effect.catchTag("ConditionFailed", notFound), portError)
    }
  )

  return CredentialRepository.of({ put, list, get, delete: remove, recordSync })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<CredentialRepository, never, DynamoClient> = Layer.effect(CredentialRepository, make)
