/**
 * QrChallengeStore on the qr-challenges table: one item per challenge (its fields, the requester
 * as a map), and `transition` is one UpdateItem whose ConditionExpression compares the status, so
 * of racing approvals or exchanges exactly one is written.
 *
 * Retention: a challenge is kept for QR_CHALLENGE_RETENTION after expiresAt — until then it is
 * read and moved like any other (a late poll learns "expired", as with the in-memory and Redis
 * stores) — and is gone after it. DynamoDB's TTL (attribute `ttl`, epoch seconds, rounded up)
 * deletes such items only eventually, up to days late, so the store itself treats a challenge
 * whose expiresAt + QR_CHALLENGE_RETENTION lies before the Clock's now as absent, as Redis's exact
 * expiry does: get answers none, transition NotFound, and create may take the id over.
 *
 * Round trips: create 1 PutItem; get 1 GetItem; transition 1 UpdateItem (the stored item comes
 * back with a failed condition, which tells NotFound from QrStatusChanged).
 */
import {
  Conflict,
  NotFound,
  QR_CHALLENGE_RETENTION,
  QrChallenge,
  type QrChallengeId,
  QrChallengeStore,
  QrChallengeStoreError,
  type QrStatus,
  type QrTransition,
  Unexpected
} from "@app/domain"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { DynamoClient, type Item } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

/** The TTL of a challenge: expiresAt + QR_CHALLENGE_RETENTION in epoch seconds, rounded up. */
export const ttlOf = (expiresAt: number): number => Math.ceil((expiresAt + QR_CHALLENGE_RETENTION) / 1000)

export const toItem = (challenge: QrChallenge): Item => ({
  challengeId: challenge.challengeId,
  scanKeyHash: challenge.scanKeyHash,
  pollSecretHash: challenge.pollSecretHash,
  status: challenge.status,
  createdAt: challenge.createdAt,
  expiresAt: challenge.expiresAt,
  updatedAt: challenge.updatedAt,
  requester: {
    ip: challenge.requester.ip,
    userAgent: challenge.requester.userAgent,
    createdAt: challenge.requester.createdAt
  },
  scannedBy: challenge.scannedBy,
  approvedBy: challenge.approvedBy,
  ttl: ttlOf(challenge.expiresAt)
})

const decodeChallenge = Schema.decodeUnknownEffect(QrChallenge)

export const fromItem = (item: Item): Effect.Effect<QrChallenge, QrChallengeStoreError> => {
  const requester = (item["requester"] ?? {}) as Record<string, unknown>
  return decodeChallenge({
    challengeId: item["challengeId"],
    scanKeyHash: item["scanKeyHash"],
    pollSecretHash: item["pollSecretHash"],
    status: item["status"],
    createdAt: item["createdAt"],
    expiresAt: item["expiresAt"],
    updatedAt: item["updatedAt"],
    requester: { ip: requester["ip"], userAgent: requester["userAgent"], createdAt: requester["createdAt"] },
    scannedBy: item["scannedBy"] ?? null,
    approvedBy: item["approvedBy"] ?? null
  }).pipe(
    Effect.mapError(() =>
      new QrChallengeStoreError({ reason: new Unexpected({ message: "a stored QR challenge does not decode" }) })
    )
  )
}

const portError = DynamoError.toPortError((reason) => new QrChallengeStoreError({ reason }))

/** The oldest expiresAt a challenge may have and still be kept at `now`. */
const retainedSince = (now: number) => now - QR_CHALLENGE_RETENTION

/** Whether a stored item is still within its retention at `now` (an item past it is gone). */
const isRetained = (item: Item, now: number): boolean =>
  typeof item["expiresAt"] === "number" && item["expiresAt"] >= retainedSince(now)

const challengeExists = new Conflict({ code: "QrChallengeExists", message: "challenge id is taken" })

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient
  const keyOf = (challengeId: QrChallengeId) => ({ challengeId })

  const create = Effect.fn("QrChallengeStoreDynamo.create")(function*(challenge: QrChallenge) {
    const now = yield* Clock.currentTimeMillis
    yield* dynamo.put("qrChallenges", toItem(challenge), {
      condition: "attribute_not_exists(#challengeId) OR #expiresAt < :retainedSince",
      values: { ":retainedSince": retainedSince(now) }
    }).pipe(
      Effect.catchTag("ConditionFailed", () => Effect.fail(challengeExists)),
      portError
    )
  })

  const get = Effect.fn("QrChallengeStoreDynamo.get")(function*(challengeId: QrChallengeId) {
    const found = yield* dynamo.get("qrChallenges", keyOf(challengeId)).pipe(portError)
    const now = yield* Clock.currentTimeMillis
    if (Option.isNone(found) || !isRetained(found.value, now)) return Option.none<QrChallenge>()
    return Option.some(yield* fromItem(found.value))
  })

  const transition = Effect.fn("QrChallengeStoreDynamo.transition")(
    function*(challengeId: QrChallengeId, expected: QrStatus, next: QrTransition) {
      const now = yield* Clock.currentTimeMillis
      const sets = ["#status = :next", "#updatedAt = :updatedAt"]
      const values: Record<string, unknown> = {
        ":next": next.status,
        ":updatedAt": next.updatedAt,
        ":expected": expected,
        ":retainedSince": retainedSince(now)
      }
      if (next.scannedBy !== undefined) {
        sets.push("#scannedBy = :scannedBy")
        values[":scannedBy"] = next.scannedBy
      }
      if (next.approvedBy !== undefined) {
        sets.push("#approvedBy = :approvedBy")
        values[":approvedBy"] = next.approvedBy
      }
      const updated = yield* dynamo.update("qrChallenges", keyOf(challengeId), {
        update: `SET ${sets.join(", ")}`,
        condition: "attribute_exists(#challengeId) AND #expiresAt >= :retainedSince AND #status = :expected",
        values,
        returnItemOnConditionFailure: true
      }).pipe(
        Effect.catchTag("ConditionFailed", (failed): Effect.Effect<never, Conflict | NotFound> => {
          const stored = failed.itemAt(0)
          if (stored === undefined || !isRetained(stored, now)) return Effect.fail(NotFound.of("qr challenge"))
          return Effect.fail(
            new Conflict({ code: "QrStatusChanged", message: `challenge is ${String(stored["status"])}, not ${expected}` })
          )
        }),
        portError
      )
      if (Option.isNone(updated)) {
        return yield* Effect.fail(
          new QrChallengeStoreError({ reason: new Unexpected({ message: "UpdateItem answered no attributes" }) })
        )
      }
      return yield* fromItem(updated.value)
    }
  )

  return QrChallengeStore.of({ create, get, transition })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<QrChallengeStore, never, DynamoClient> = Layer.effect(QrChallengeStore, make)
