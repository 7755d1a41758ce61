/**
 * The fan-out shared by the in-memory buses (chat rooms, teams' sensor readings, QR challenges):
 * one PubSub per key that has subscribers, created by the first subscriber and shut down with the
 * last, so publishing to a key nobody follows costs a map lookup and nothing is kept for it.
 * Joining, leaving and publishing are each one synchronous step, so the topic count stays right
 * under any interleaving of fibers. Internal to the memory adapters (not in the barrel).
 */
import { Effect, PubSub, type Scope, Stream } from "effect"

interface Topic<A> {
  readonly pubsub: PubSub.PubSub<A>
  subscribers: number
}

export interface KeyedPubSub<K, A> {
  /** Hands `value` to every current subscriber of `key`; honours the PubSub's strategy (sliding drops the oldest). */
  readonly publish: (key: K, value: A) => Effect.Effect<void>
  /** Subscribed once this succeeds; the stream ends when the enclosing scope closes. */
  readonly subscribe: (key: K) => Effect.Effect<Stream.Stream<A>, never, Scope.Scope>
}

/** `create` makes the PubSub of a key that gets its first subscriber (unbounded, sliding, …). */
export const makeKeyedPubSub = <K, A>(create: Effect.Effect<PubSub.PubSub<A>>): KeyedPubSub<K, A> => {
  const topics = new Map<K, Topic<A>>()

  /**
   * Joins the key's topic, creating it if needed. A PubSub can only be made by an effect, so a
   * candidate is made first and the lookup-and-count is one step; a candidate that lost is shut down.
   */
  const join = (key: K) =>
    Effect.flatMap(create, (candidate) =>
      Effect.suspend(() => {
        let topic = topics.get(key)
        if (topic === undefined) {
          topic = { pubsub: candidate, subscribers: 0 }
          topics.set(key, topic)
        }
        topic.subscribers++
        return topic.pubsub === candidate ? Effect.succeed(topic) : Effect.as(PubSub.shutdown(candidate), topic)
      }))

  const leave = (key: K, topic: Topic<A>) =>
    Effect.suspend(() => {
      topic.subscribers--
      if (topic.subscribers > 0) return Effect.void
      if (topics.get(key) === topic) topics.delete(key)
      return PubSub.shutdown(topic.pubsub)
    })

  return {
    publish: (key, value) =>
      Effect.suspend(() => {
        const topic = topics.get(key)
        return topic === undefined ? Effect.void : Effect.asVoid(PubSub.publish(topic.pubsub, value))
      }),
    subscribe: (key) =>
      Effect.gen(function*() {
        const topic = yield* Effect.acquireRelease(join(key), (topic) => leave(key, topic))
        return Stream.fromSubscription(yield* PubSub.subscribe(topic.pubsub))
      })
  }
}
