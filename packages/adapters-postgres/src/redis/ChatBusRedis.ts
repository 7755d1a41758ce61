/**
 * ChatBus over Redis pub/sub: one channel per room (`<prefix>chat:room:<roomId>`), shared by every
 * follower of the room in this process (one SUBSCRIBE per room per process). Messages travel as
 * JSON of the Message schema. Delivery across processes is at-most-once; a lost subscriber
 * connection fails the followers' streams (the port's "broken connection"), and `Chat.follow` reads
 * any gap back from the ChatRepository.
 */
import { ChatBus, ChatBusError, Message, type RoomId, type StoreFailure } from "@app/domain"
import { Effect, Layer, Schema, Stream } from "effect"
import * as RedisChannels from "./RedisChannels.js"
import { RedisClient } from "./RedisClient.js"

const toError = (reason: StoreFailure) => new ChatBusError({ reason })

export const make = Effect.gen(function*() {
  const client = yield* RedisClient
  const channels = yield* RedisChannels.make({ schema: Schema.fromJsonString(Message) })
  const channelOf = (roomId: RoomId) => client.key(`chat:room:${roomId}`)

  return ChatBus.of({
    publish: Effect.fn("ChatBusRedis.publish")(function*(message: Message) {
      yield* channels.publish(channelOf(message.roomId), message).pipe(Effect.mapError(toError))
    }),
    subscribe: (roomId) =>
      channels.subscribe(channelOf(roomId)).pipe(
        Effect.map(Stream.mapError(toError)),
        Effect.mapError(toError),
        Effect.withSpan("ChatBusRedis.subscribe")
      )
  })
})

export const layer: Layer.Layer<ChatBus, never, RedisClient> = Layer.effect(ChatBus, make)
