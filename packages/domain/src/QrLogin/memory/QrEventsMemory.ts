/**
 * QrEvents in process memory: one unbounded PubSub for all challenges, each subscription filtered
 * to its challenge. Unbounded, because a dropped terminal event would leave a watcher waiting for
 * its deadline; a subscription's queue lives only as long as its scope.
 */
import { Effect, Layer, PubSub, Stream } from "effect"
import { QrEvents, type QrStatusEvent } from "../QrEvents.js"

const fromPubSub = (pubsub: PubSub.PubSub<QrStatusEvent>) =>
  QrEvents.of({
    publish: (event) => PubSub.publish(pubsub, event).pipe(Effect.asVoid),
    subscribe: (challengeId) =>
      PubSub.subscribe(pubsub).pipe(
        Effect.map((subscription) =>
          Stream.fromSubscription(subscription).pipe(Stream.filter((event) => event.challengeId === challengeId))
        )
      )
  })

export const make = Effect.map(PubSub.unbounded<QrStatusEvent>(), fromPubSub)

/** Shuts the PubSub down (ending every subscription) when the layer is released. */
export const layer = Layer.effect(
  QrEvents,
  Effect.map(Effect.acquireRelease(PubSub.unbounded<QrStatusEvent>(), PubSub.shutdown), fromPubSub)
)
