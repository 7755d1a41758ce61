/**
 * QrChallengeStore on DynamoDB Local: the domain's contract suite unchanged, then what only this
 * adapter must show — racing transitions from one status have one winner, the TTL attribute, a
 * challenge kept while retained and gone after, the round trips of each method, and never a Scan.
 */
import { assert, layer } from "@effect/vitest"
import {
  QR_CHALLENGE_RETENTION,
  QrChallenge,
  QrChallengeId,
  QrChallengeStore,
  QrRequester,
  type QrStatus,
  UserId
} from "@app/domain"
import { QrChallengeStoreContract } from "@app/domain/contract"
import { Clock, Effect, Exit, Layer, Option } from "effect"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as QrChallengeStoreDynamo from "../../src/dynamodb/QrChallengeStoreDynamo.js"
import * as DynamoTest from "../support/DynamoTest.js"

const contract = DynamoTest.make({ tables: ["qrChallenges"] })
QrChallengeStoreContract.suite("dynamodb", QrChallengeStoreDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: ["qrChallenges"] })

DynamoTest.assertNoScanAfterAll(contract, dynamo)

let counter = 0
const freshId = () => QrChallengeId.make(`qrdyn${Date.now().toString(36)}x${(counter++).toString(36)}`.padEnd(22, "0"))

const challengeAt = (createdAt: number, status: QrStatus = "pending") =>
  new QrChallenge({
    challengeId: freshId(),
    scanKeyHash: "a".repeat(64),
    pollSecretHash: "b".repeat(64),
    status,
    createdAt,
    expiresAt: createdAt + 120_000,
    updatedAt: createdAt,
    requester: new QrRequester({ ip: "203.0.113.9", userAgent: "test", createdAt }),
    scannedBy: status === "pending" ? null : UserId.make("u-ada"),
    approvedBy: null
  })

const plain = (c: QrChallenge) => ({ ...c, requester: { ...c.requester } })

layer(QrChallengeStoreDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true, timeout: "60 seconds" })(
  "QrChallengeStoreDynamo",
  (it) => {
    it.effect("20 parallel transitions from the same expected status: one winner, its write kept, the rest QrStatusChanged", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const now = yield* Clock.currentTimeMillis
        const challenge = challengeAt(now, "scanned")
        yield* store.create(challenge)
        dynamo.recorder.take()
        const exits = yield* Effect.all(
          Array.from({ length: 20 }, (_, i) =>
            Effect.exit(store.transition(challenge.challengeId, "scanned", {
              status: i % 2 === 0 ? "approved" : "rejected",
              updatedAt: now + i,
              approvedBy: UserId.make(`u-${i}`)
            }))),
          { concurrency: "unbounded" }
        )
        const winners = exits.flatMap((exit) => (Exit.isSuccess(exit) ? [exit.value] : []))
        assert.strictEqual(winners.length, 1)
        for (const exit of exits) {
          if (Exit.isFailure(exit)) assert.include(JSON.stringify(exit.cause), "QrStatusChanged")
        }
        assert.deepStrictEqual(plain(Option.getOrThrow(yield* store.get(challenge.challengeId))), plain(winners[0]!))
        // One UpdateItem each, winners and losers alike (then the get).
        assert.deepStrictEqual(dynamo.recorder.take(), [...Array.from({ length: 20 }, () => "UpdateItem"), "GetItem"])
      }))

    it.effect("the item carries ttl = expiresAt + retention in epoch seconds, rounded up", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const client = yield* DynamoClient
        const challenge = new QrChallenge({ ...challengeAt(yield* Clock.currentTimeMillis), expiresAt: 1_900_000_000_001 })
        yield* store.create(challenge)
        const item = Option.getOrThrow(yield* client.get("qrChallenges", { challengeId: challenge.challengeId }))
        assert.strictEqual(item["ttl"], Math.ceil((1_900_000_000_001 + QR_CHALLENGE_RETENTION) / 1000))
        assert.strictEqual(item["ttl"], 1_900_000_601)
        assert.deepStrictEqual(plain(Option.getOrThrow(yield* store.get(challenge.challengeId))), plain(challenge))
      }))

    it.effect("an expired challenge still within its retention is read and moved like any other", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const now = yield* Clock.currentTimeMillis
        // Expired 9 minutes ago: past expiresAt, inside the 10 minutes of retention.
        const challenge = challengeAt(now - 120_000 - 9 * 60_000)
        yield* store.create(challenge)
        assert.deepStrictEqual(plain(Option.getOrThrow(yield* store.get(challenge.challengeId))), plain(challenge))
        const expired = yield* store.transition(challenge.challengeId, "pending", { status: "expired", updatedAt: now })
        assert.strictEqual(expired.status, "expired")
        const again = yield* store.transition(challenge.challengeId, "pending", { status: "expired", updatedAt: now }).pipe(
          Effect.flip
        )
        assert.strictEqual(again._tag === "Conflict" ? again.code : again._tag, "QrStatusChanged")
        const taken = yield* store.create(challenge).pipe(Effect.flip)
        assert.strictEqual(taken._tag === "Conflict" ? taken.code : taken._tag, "QrChallengeExists")
      }))

    it.effect("past its retention a challenge is gone, whether or not DynamoDB's TTL has deleted it yet", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const client = yield* DynamoClient
        const now = yield* Clock.currentTimeMillis
        const stale = challengeAt(now - 120_000 - QR_CHALLENGE_RETENTION - 60_000)
        // Written directly: DynamoDB Local (like DynamoDB, for up to days) still holds it.
        yield* client.put("qrChallenges", QrChallengeStoreDynamo.toItem(stale))
        assert.isTrue(Option.isSome(yield* client.get("qrChallenges", { challengeId: stale.challengeId })))
        assert.isTrue(Option.isNone(yield* store.get(stale.challengeId)))
        const moved = yield* store.transition(stale.challengeId, "pending", { status: "scanned", updatedAt: now }).pipe(Effect.flip)
        assert.strictEqual(moved._tag, "NotFound")
        const moved2 = yield* store.transition(stale.challengeId, "scanned", { status: "approved", updatedAt: now }).pipe(
          Effect.flip
        )
        assert.strictEqual(moved2._tag, "NotFound", "NotFound whatever status is expected")
        // The id is free again, as after Redis's expiry or the in-memory sweep.
        const fresh = new QrChallenge({ ...challengeAt(now), challengeId: stale.challengeId })
        yield* store.create(fresh)
        assert.deepStrictEqual(plain(Option.getOrThrow(yield* store.get(stale.challengeId))), plain(fresh))
      }))

    it.effect("each method costs one round trip, none of them a Scan", () =>
      Effect.gen(function*() {
        const store = yield* QrChallengeStore
        const now = yield* Clock.currentTimeMillis
        const challenge = challengeAt(now)
        dynamo.recorder.take()
        yield* store.create(challenge)
        assert.deepStrictEqual(dynamo.recorder.takeDetailed(), [{ command: "PutItem", tables: ["qr-challenges"] }])
        yield* store.create(challenge).pipe(Effect.flip)
        assert.deepStrictEqual(dynamo.recorder.take(), ["PutItem"])
        yield* store.get(challenge.challengeId)
        assert.deepStrictEqual(dynamo.recorder.take(), ["GetItem"])
        yield* store.get(freshId())
        assert.deepStrictEqual(dynamo.recorder.take(), ["GetItem"])
        yield* store.transition(challenge.challengeId, "pending", { status: "scanned", updatedAt: now + 1, scannedBy: UserId.make("u-1") })
        assert.deepStrictEqual(dynamo.recorder.take(), ["UpdateItem"])
        yield* store.transition(challenge.challengeId, "pending", { status: "scanned", updatedAt: now + 2 }).pipe(Effect.flip)
        assert.deepStrictEqual(dynamo.recorder.take(), ["UpdateItem"])
        yield* store.transition(freshId(), "pending", { status: "scanned", updatedAt: now + 2 }).pipe(Effect.flip)
        assert.deepStrictEqual(dynamo.recorder.take(), ["UpdateItem"])
      }))
  }
)
