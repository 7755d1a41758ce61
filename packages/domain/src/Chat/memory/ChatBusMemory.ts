/**
 * ChatBus in process memory: one unbounded PubSub per room with subscribers (KeyedPubSub).
 * Publishing is a synchronous offer, so it never blocks a sender on a slow follower and, within
 * the process, drops or reorders nothing. It is the bus of a single-process deployment and the
 * model the Redis bus is checked against.
 */
import { Effect, Layer, PubSub } from "effect"
import { ChatBus } from "../ChatBus.js"
import type { Message } from "../Message.js"
import type { RoomId } from "../Room.js"
import { makeKeyedPubSub } from "../../KeyedPubSub.js"

export const make = Effect.sync(() => {
  const rooms = makeKeyedPubSub<RoomId, Message>(PubSub.unbounded())
  return ChatBus.of({
    publish: (message) => rooms.publish(message.roomId, message),
    subscribe: rooms.subscribe
  })
})

export const layer = Layer.effect(ChatBus, make)
