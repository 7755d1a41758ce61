/**
 * ChatBus in process memory: one unbounded PubSub per room with subscribers, created by the first
 * subscriber and shut down with the last. Publishing is a synchronous offer, so it never blocks a
 * sender on a slow follower and, within the process, drops or reorders nothing. It is the bus of a
 * single-process deployment and the model the Redis bus is checked against.
 */
import { Effect, Layer, PubSub, Stream } from "effect"
import { ChatBus } from "../ChatBus.js"
import type { Message } from "../Message.js"
import type { RoomId } from "../Room.js"

interface Topic {
  readonly pubsub: PubSub.PubSub<Message>
  subscribers: number
}

export const make = Effect.sync(() => {
  const topics = new Map<RoomId, Topic>()

  /** Joins the room's topic, creating it if needed: the lookup and the count are one step. */
  const join = (roomId: RoomId) =>
    Effect.flatMap(PubSub.unbounded<Message>(), (candidate) =>
      Effect.sync(() => {
        let topic = topics.get(roomId)
        if (topic === undefined) {
          topic = { pubsub: candidate, subscribers: 0 }
          topics.set(roomId, topic)
        }
        topic.subscribers++
        return { topic, unused: topic.pubsub === candidate ? undefined : candidate }
      }))

  const leave = (roomId: RoomId, topic: Topic) =>
    Effect.suspend(() => {
      topic.subscribers--
      if (topic.subscribers > 0) return Effect.void
      if (topics.get(roomId) === topic) topics.delete(roomId)
      return PubSub.shutdown(topic.pubsub)
    })

  return ChatBus.of({
    publish: (message) =>
      Effect.sync(() => {
        const topic = topics.get(message.roomId)
        if (topic !== undefined) PubSub.publishUnsafe(topic.pubsub, message)
      }),
    subscribe: (roomId) =>
      Effect.gen(function*() {
        const { topic } = yield* Effect.acquireRelease(
          join(roomId).pipe(
            Effect.tap(({ unused }) => (unused === undefined ? Effect.void : PubSub.shutdown(unused)))
          ),
          ({ topic }) => leave(roomId, topic)
        )
        const subscription = yield* PubSub.subscribe(topic.pubsub)
        return Stream.fromSubscription(subscription)
      })
  })
})

export const layer = Layer.effect(ChatBus, make)
