/**
 * QrEvents in process memory: one unbounded PubSub per watched challenge (KeyedPubSub).
 * Unbounded, because a dropped terminal event would leave a watcher waiting for its deadline; a
 * challenge's PubSub lives only while someone watches it.
 */
import { Effect, Layer, PubSub } from "effect"
import { makeKeyedPubSub } from "../../KeyedPubSub.js"
import type { QrChallengeId } from "../QrChallenge.js"
import { QrEvents, type QrStatusEvent } from "../QrEvents.js"

export const make = Effect.sync(() => {
  const challenges = makeKeyedPubSub<QrChallengeId, QrStatusEvent>(PubSub.unbounded())
  return QrEvents.of({
    publish: (event) => challenges.publish(event.challengeId, event),
    subscribe: challenges.subscribe
  })
})

export const layer = Layer.effect(QrEvents, make)
