/**
 * Keyed pub/sub over Redis, shared by the buses (QR challenge events, chat rooms, teams'
 * readings). Publishing is a PUBLISH on the command connection. Subscribing joins a local topic
 * per channel: the first local subscriber of a channel sends one SUBSCRIBE on the shared
 * subscriber connection, later ones just add their queue, and the last to leave sends UNSUBSCRIBE,
 * so a busy room costs Redis one subscription per process, not one per follower.
 *
 * Like the in-memory buses, a subscriber gets every message published after its `subscribe`
 * succeeded and none published before it was called, in the order Redis delivers them (each
 * publisher's order). Redis sends a connection its
 * messages and replies in one ordered stream, so each subscriber waits for a marker in that stream
 * before it takes messages: the first subscriber of a channel for the SUBSCRIBE's acknowledgement
 * (what comes before belongs to an older subscription of the channel), a later one for the reply
 * to a PING sent when it joined (what comes before was published before it joined, and may still
 * be on its way when the PUBLISH has already been answered). Values are decoded once per message
 * and fanned out to each subscriber's queue; a message that does not decode is dropped (the buses
 * are best effort, the stores are the record).
 *
 * When the subscriber connection is lost, the messages sent meanwhile are lost too, so every live
 * subscription's stream fails with the loss (Unavailable or TimedOut): the followers re-subscribe
 * and re-read the store, which they do anyway to fill gaps. New subscriptions work again as soon
 * as the connection is back.
 */
import type { StoreFailure } from "@app/domain"
import { Unavailable, Unexpected } from "@app/domain"
import { Cause, Deferred, Effect, Exit, Queue, Schema, type Scope, Stream } from "effect"
import { RedisClient } from "./RedisClient.js"

export interface RedisChannels<A> {
  readonly publish: (channel: string, value: A) => Effect.Effect<void, StoreFailure>
  /** Subscribed once this succeeds; the stream ends when the scope closes and fails if the connection is lost. */
  readonly subscribe: (channel: string) => Effect.Effect<Stream.Stream<A, StoreFailure>, StoreFailure, Scope.Scope>
}

export interface RedisChannelsOptions<A> {
  /** How a value travels as a message. */
  readonly schema: Schema.Codec<A, string>
  /** A subscriber more than this many messages behind loses the oldest; unbounded when absent. */
  readonly backlog?: number | undefined
}

interface Subscriber<A> {
  readonly queue: Queue.Queue<A, StoreFailure | Cause.Done>
  /** Its marker has come by: messages from now on are for it. */
  active: boolean
}

interface Topic<A> {
  readonly channel: string
  readonly subscribers: Set<Subscriber<A>>
  /** Settled by the SUBSCRIBE's reply. */
  readonly subscribed: Deferred.Deferred<void, StoreFailure>
}

export const make = <A>(options: RedisChannelsOptions<A>): Effect.Effect<RedisChannels<A>, never, RedisClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* RedisClient
    const scope = yield* Effect.scope
    const topics = new Map<string, Topic<A>>()
    const encode = Schema.encodeEffect(options.schema)
    const decode = Schema.decodeUnknownExit(options.schema)

    const failTopic = (topic: Topic<A>, failure: StoreFailure) => {
      Deferred.doneUnsafe(topic.subscribed, Effect.fail(failure))
      for (const subscriber of topic.subscribers) Queue.failCauseUnsafe(subscriber.queue, Cause.fail(failure))
    }

    yield* Effect.acquireRelease(
      Effect.sync(() => [
        client.subscriber.onMessage((channel, message) => {
          const topic = topics.get(channel)
          if (topic === undefined) return
          let decoded: Exit.Exit<A, unknown> | undefined
          for (const subscriber of topic.subscribers) {
            if (!subscriber.active) continue
            decoded ??= decode(message)
            if (Exit.isFailure(decoded)) return
            Queue.offerUnsafe(subscriber.queue, decoded.value)
          }
        }),
        client.subscriber.onLost((failure) => {
          const lost = [...topics.values()]
          topics.clear()
          for (const topic of lost) failTopic(topic, failure)
        })
      ]),
      // Closing the layer ends every subscription still open, as a lost connection does.
      (removers) =>
        Effect.sync(() => {
          for (const remove of removers) remove()
          const open = [...topics.values()]
          topics.clear()
          for (const topic of open) failTopic(topic, new Unavailable({ message: "Redis bus closed" }))
        })
    )

    // Started at once (startImmediately) so SUBSCRIBE and UNSUBSCRIBE reach the connection in the
    // order topics are joined and left; they run in the channels' scope, not the caller's, so an
    // interrupted caller cannot leave a topic half made.
    const background = <X, E>(effect: Effect.Effect<X, E>) =>
      Effect.asVoid(Effect.forkIn(effect, scope, { startImmediately: true }))

    const unsubscribe = (channel: string) =>
      Effect.ignore(client.subscriber.run("UNSUBSCRIBE", (redis) => redis.unsubscribe(channel)))

    const subscribeTopic = (topic: Topic<A>) =>
      client.subscriber.run("SUBSCRIBE", (redis) => redis.subscribe(topic.channel)).pipe(
        Effect.exit,
        Effect.flatMap((exit) =>
          Effect.suspend(() => {
            if (Exit.isSuccess(exit)) {
              Deferred.doneUnsafe(topic.subscribed, Effect.void)
              return Effect.void
            }
            const failure = exit.cause.reasons.find(Cause.isFailReason)?.error ??
              new Unexpected({ message: "Redis SUBSCRIBE: interrupted" })
            if (topics.get(topic.channel) === topic) topics.delete(topic.channel)
            failTopic(topic, failure)
            // A SUBSCRIBE that timed out may still be applied by the server.
            return unsubscribe(topic.channel)
          })
        )
      )

    /**
     * Adds a subscriber to the channel's topic, making the topic (and its SUBSCRIBE) if it is the
     * first. Resolves with the marker the subscriber must wait for before it is activated.
     */
    const join = (channel: string, subscriber: Subscriber<A>) =>
      Effect.suspend(() => {
        const existing = topics.get(channel)
        if (existing !== undefined) {
          existing.subscribers.add(subscriber)
          const marker = Deferred.makeUnsafe<void, StoreFailure>()
          const ping = client.subscriber.run("PING", (redis) => redis.ping()).pipe(
            Effect.exit,
            Effect.flatMap((exit) => Effect.sync(() => Deferred.doneUnsafe(marker, exit)))
          )
          return Effect.as(background(ping), { topic: existing, marker })
        }
        const topic: Topic<A> = { channel, subscribers: new Set([subscriber]), subscribed: Deferred.makeUnsafe() }
        topics.set(channel, topic)
        return Effect.as(background(subscribeTopic(topic)), { topic, marker: topic.subscribed })
      })

    const leave = (topic: Topic<A>, subscriber: Subscriber<A>) =>
      Effect.suspend(() => {
        Queue.endUnsafe(subscriber.queue)
        if (!topic.subscribers.delete(subscriber) || topic.subscribers.size > 0 || topics.get(topic.channel) !== topic) {
          return Effect.void
        }
        topics.delete(topic.channel)
        return background(unsubscribe(topic.channel))
      })

    return {
      publish: (channel, value) =>
        encode(value).pipe(
          Effect.mapError((error) => new Unexpected({ message: `Redis PUBLISH: cannot encode the message: ${error.message}` })),
          Effect.flatMap((message) => client.command("PUBLISH", (redis) => redis.publish(channel, message))),
          Effect.asVoid
        ),
      subscribe: (channel) =>
        Effect.gen(function*() {
          const queue = yield* Queue.make<A, StoreFailure | Cause.Done>(
            options.backlog === undefined ? undefined : { capacity: options.backlog, strategy: "sliding" }
          )
          const subscriber: Subscriber<A> = { queue, active: false }
          const { topic, marker } = yield* Effect.acquireRelease(
            join(channel, subscriber),
            ({ topic }) => leave(topic, subscriber)
          )
          yield* Deferred.await(topic.subscribed)
          yield* Deferred.await(marker)
          subscriber.active = true
          return Stream.fromQueue(queue)
        })
    } satisfies RedisChannels<A>
  })
