/**
 * Status changes of QR challenges, fanned out to whoever watches one (the desktop's SSE stream):
 * Redis pub/sub on the server, an Effect PubSub in memory. Delivery is at-most-once and only to
 * subscribers present at publish time; the store stays the source of truth, so watchers re-read it.
 */
import { Context, Effect, Schema, type Scope, type Stream } from "effect"
import { Millis } from "../Millis.js"
import { StoreFailure } from "../StoreFailure.js"
import { QrChallengeId, QrStatus } from "./QrChallenge.js"

export class QrEventsError extends Schema.TaggedError<QrEventsError>()("QrEventsError", {
  reason: StoreFailure
}) {}

export class QrStatusEvent extends Schema.Class<QrStatusEvent>("@app/domain/QrLogin/QrStatusEvent")({
  challengeId: QrChallengeId,
  status: QrStatus,
  expiresAt: Millis
}) {}

export class QrEvents extends Context.Service<QrEvents, {
  readonly publish: (event: QrStatusEvent) => Effect.Effect<void, QrEventsError>
  /**
   * Subscribes to one challenge's events. When the effect succeeds the subscription is live: every
   * event published afterwards reaches the stream, in publish order per publisher. The subscription
   * lasts until the scope closes; the stream never ends on its own.
   */
  readonly subscribe: (
    challengeId: QrChallengeId
  ) => Effect.Effect<Stream.Stream<QrStatusEvent, QrEventsError>, QrEventsError, Scope.Scope>
}>()("@app/domain/QrLogin/QrEvents") {}
