/**
 * Storage of QR login challenges (Redis with a TTL, a DynamoDB table with a TTL attribute, memory).
 * The one rule-critical operation is `transition`: a compare-and-set on the status (a Lua script or
 * WATCH/MULTI on Redis, a ConditionExpression on DynamoDB), so of two racing approvals or exchanges
 * exactly one wins. The use case decides which moves are legal; the store only guarantees that the
 * status it was shown is still the status it overwrites.
 */
import { type Option, Context, Effect, Schema } from "effect"
import type { Conflict, NotFound } from "../DomainError.js"
import { MINUTE } from "../Millis.js"
import { StoreFailure } from "../StoreFailure.js"
import type { QrChallenge, QrChallengeId, QrStatus, QrTransition } from "./QrChallenge.js"

export class QrChallengeStoreError extends Schema.TaggedError<QrChallengeStoreError>()("QrChallengeStoreError", {
  reason: StoreFailure
}) {}

/**
 * How long after `expiresAt` a store must still answer `get` for a challenge (so a late poll learns
 * "expired" rather than "not found"). Stores that garbage-collect may drop an entry after
 * `expiresAt + QR_CHALLENGE_RETENTION` (Redis `PEXPIREAT`, the DynamoDB TTL attribute).
 */
export const QR_CHALLENGE_RETENTION = 10 * MINUTE

export class QrChallengeStore extends Context.Service<QrChallengeStore, {
  /** Inserts a new challenge; Conflict "QrChallengeExists" if the id is taken (never overwrites). */
  readonly create: (challenge: QrChallenge) => Effect.Effect<void, Conflict | QrChallengeStoreError>
  readonly get: (challengeId: QrChallengeId) => Effect.Effect<Option.Option<QrChallenge>, QrChallengeStoreError>
  /**
   * Atomically: if the challenge's status is `expected`, writes `next` (status, updatedAt and the
   * fields it carries) and returns the updated challenge; otherwise Conflict "QrStatusChanged" and
   * nothing is written. NotFound when there is no such challenge.
   */
  readonly transition: (
    challengeId: QrChallengeId,
    expected: QrStatus,
    next: QrTransition
  ) => Effect.Effect<QrChallenge, Conflict | NotFound | QrChallengeStoreError>
}>()("@app/domain/QrLogin/QrChallengeStore") {}
