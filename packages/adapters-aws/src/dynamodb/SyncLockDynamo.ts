/**
 * SyncLock on the sync-locks table: a lease is one item { lockKey, token, expiresAt, ttl }.
 * tryAcquire is a PutItem conditioned on `attribute_not_exists(#lockKey) OR #expiresAt <= :now`,
 * so of any number of racing callers exactly one takes a free or expired lease; release is a
 * DeleteItem conditioned on the holder's token, so a stale token never releases a later holder's
 * lease. `ttl` (epoch seconds, rounded up past expiresAt) lets DynamoDB's TTL sweep abandoned
 * leases; it is only cleanup — an expired lease is free by its expiresAt whether or not the sweep
 * has run. "now" is the caller's Effect Clock, so processes sharing a lease should have clocks
 * within a small fraction of the ttl of each other. Tokens are 128 random bits.
 *
 * Round trips: tryAcquire 1 PutItem; release 1 DeleteItem.
 */
import { type LeaseToken, randomToken, Randomness, SyncLock, SyncLockError } from "@app/domain"
import { Clock, Effect, Layer, Option } from "effect"
import { DynamoClient } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

const TABLE = "syncLocks"
const TOKEN_BYTES = 16

/** The TTL attribute's value for a lease expiring at `expiresAt`: epoch seconds, never before it. */
export const ttlSeconds = (expiresAt: number): number => Math.ceil(expiresAt / 1000)

const portError = DynamoError.toPortError((reason) => new SyncLockError({ reason }))

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient
  const randomness = yield* Randomness

  const tryAcquire = Effect.fn("SyncLockDynamo.tryAcquire")(function*(key: string, ttlMs: number) {
    const token = (yield* Effect.provideService(randomToken(TOKEN_BYTES), Randomness, randomness)) as LeaseToken
    const now = yield* Clock.currentTimeMillis
    const expiresAt = now + Math.max(0, ttlMs)
    return yield* dynamo.put(TABLE, { lockKey: key, token, expiresAt, ttl: ttlSeconds(expiresAt) }, {
      condition: "attribute_not_exists(#lockKey) OR #expiresAt <= :now",
      values: { ":now": now }
    }).pipe(
      Effect.as(Option.some(token)),
      Effect.catchTag("ConditionFailed", () => Effect.succeed(Option.none<LeaseToken>())),
      portError
    )
  })

  const release = Effect.fn("SyncLockDynamo.release")(function*(key: string, token: LeaseToken) {
    // The holder's lease is deleted even when it has expired (tidier than waiting for the TTL
    // sweep), but only one still running counts as released.
    const old = yield* dynamo.delete(TABLE, { lockKey: key }, {
      condition: "#token = :token",
      values: { ":token": token },
      returnOld: true
    }).pipe(
      Effect.catchTag("ConditionFailed", () => Effect.succeed(Option.none())),
      portError
    )
    if (Option.isNone(old)) return false
    const expiresAt = old.value["expiresAt"]
    return typeof expiresAt === "number" && expiresAt > (yield* Clock.currentTimeMillis)
  })

  return SyncLock.of({ tryAcquire, release })
})

/** Needs DynamoClient; tokens come from the platform's CSPRNG. */
export const layer: Layer.Layer<SyncLock, never, DynamoClient> = Layer.effect(SyncLock, make).pipe(
  Layer.provide(Randomness.layer)
)
