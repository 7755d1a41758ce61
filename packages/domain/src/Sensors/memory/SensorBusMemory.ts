/**
 * SensorBus in process memory: one sliding PubSub of reading batches per team with subscribers,
 * created by the first subscriber and shut down with the last. Publishing is a synchronous offer
 * that never waits for a slow dashboard: a subscriber more than SUBSCRIBER_BACKLOG batches behind
 * loses the oldest ones (live data is worthless late). It is the bus of a single-process deployment
 * and the model the Redis bus is checked against.
 */
import { Effect, Layer, PubSub, Stream } from "effect"
import type { TeamId } from "../../Teams/Team.js"
import type { Reading } from "../Reading.js"
import { SensorBus } from "../SensorBus.js"

/** Batches a subscriber may lag behind before the oldest are dropped. */
export const SUBSCRIBER_BACKLOG = 1_024

interface Topic {
  readonly pubsub: PubSub.PubSub<ReadonlyArray<Reading>>
  subscribers: number
}

export const make = Effect.sync(() => {
  const topics = new Map<TeamId, Topic>()

  /** Joins the team's topic, creating it if needed: the lookup and the count are one step. */
  const join = (teamId: TeamId) =>
    Effect.flatMap(PubSub.sliding<ReadonlyArray<Reading>>(SUBSCRIBER_BACKLOG), (candidate) =>
      Effect.sync(() => {
        let topic = topics.get(teamId)
        if (topic === undefined) {
          topic = { pubsub: candidate, subscribers: 0 }
          topics.set(teamId, topic)
        }
        topic.subscribers++
        return { topic, unused: topic.pubsub === candidate ? undefined : candidate }
      }))

  const leave = (teamId: TeamId, topic: Topic) =>
    Effect.suspend(() => {
      topic.subscribers--
      if (topic.subscribers > 0) return Effect.void
      if (topics.get(teamId) === topic) topics.delete(teamId)
      return PubSub.shutdown(topic.pubsub)
    })

  return SensorBus.of({
    publish: (teamId, readings) =>
      Effect.sync(() => {
        const topic = topics.get(teamId)
        if (topic !== undefined && readings.length > 0) PubSub.publishUnsafe(topic.pubsub, readings)
      }),
    subscribe: (teamId) =>
      Effect.gen(function*() {
        const { topic } = yield* Effect.acquireRelease(
          join(teamId).pipe(
            Effect.tap(({ unused }) => (unused === undefined ? Effect.void : PubSub.shutdown(unused)))
          ),
          ({ topic }) => leave(teamId, topic)
        )
        const subscription = yield* PubSub.subscribe(topic.pubsub)
        return Stream.fromSubscription(subscription).pipe(Stream.flattenIterable)
      })
  })
})

export const layer = Layer.effect(SensorBus, make)
