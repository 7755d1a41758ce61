/**
 * QrEvents over Redis pub/sub: one channel per challenge (`<prefix>qr:events:<challengeId>`), so a
 * desktop's watcher hears the phone's approval whichever server process handled it. Delivery is
 * at-most-once, as the port allows: the watcher also re-reads the store. A lost subscriber
 * connection fails the watcher's stream with the retryable reason, since events may have been
 * missed meanwhile.
 */
import { type QrChallengeId, QrEvents, QrEventsError, QrStatusEvent, type StoreFailure } from "@app/domain"
import { Effect, Layer, Schema, Stream } from "effect"
import * as RedisChannels from "./RedisChannels.js"
import { RedisClient } from "./RedisClient.js"

const toError = (reason: StoreFailure) => new QrEventsError({ reason })

export const make = Effect.gen(function*() {
  const client = yield* RedisClient
  const channels = yield* RedisChannels.make({ schema: Schema.fromJsonString(QrStatusEvent) })
  const channelOf = (challengeId: QrChallengeId) => client.key(`qr:events:${challengeId}`)

  return QrEvents.of({
    publish: Effect.fn("QrEventsRedis.publish")(function*(event: QrStatusEvent) {
      yield* channels.publish(channelOf(event.challengeId), event).pipe(Effect.mapError(toError))
    }),
    subscribe: (challengeId) =>
      channels.subscribe(channelOf(challengeId)).pipe(
        Effect.map(Stream.mapError(toError)),
        Effect.mapError(toError),
        Effect.withSpan("QrEventsRedis.subscribe")
      )
  })
})

export const layer: Layer.Layer<QrEvents, never, RedisClient> = Layer.effect(QrEvents, make)
