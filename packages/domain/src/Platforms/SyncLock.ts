/**
 * A lease so that one campaign sync per user and platform runs at a time, across processes:
 * Redis `SET key token NX PX ttl` with a compare-and-delete release, or a DynamoDB conditional put
 * (attribute_not_exists(key) OR expiresAt < now). A lease expires by itself after its ttl, so a
 * crashed holder cannot block syncs forever; only the holder's token releases it.
 */
import { type Option, Context, Effect, Schema } from "effect"
import { StoreFailure } from "../StoreFailure.js"

export const LeaseToken = Schema.String.pipe(Schema.brand("LeaseToken"))
export type LeaseToken = typeof LeaseToken.Type

export class SyncLockError extends Schema.TaggedError<SyncLockError>()("SyncLockError", {
  reason: StoreFailure
}) {}

export class SyncLock extends Context.Service<SyncLock, {
  /**
   * Atomically takes the lease on `key` for `ttlMs` if nobody holds it or the holder's lease has
   * expired: Some(a token unique to this lease), else None.
   */
  readonly tryAcquire: (key: string, ttlMs: number) => Effect.Effect<Option.Option<LeaseToken>, SyncLockError>
  /**
   * Releases the lease if `token` still holds it (true). Otherwise false and nothing changes: a
   * stale token never releases a later holder's lease, and an expired lease is no longer held.
   */
  readonly release: (key: string, token: LeaseToken) => Effect.Effect<boolean, SyncLockError>
}>()("@app/domain/Platforms/SyncLock") {}
