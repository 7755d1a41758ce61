/**
 * Live fan-out of new chat messages to the followers of a room: in process over a PubSub, across
 * server instances over Redis pub/sub. Delivery across processes is at-most-once and a follower may
 * join mid-stream, so the bus is a latency optimisation, never the record: `Chat.follow` checks the
 * seq of everything it receives and reads any gap back from the ChatRepository.
 */
import { type Scope, type Stream, Context, Effect, Schema } from "effect"
import { StoreFailure } from "../StoreFailure.js"
import type { Message } from "./Message.js"
import type { RoomId } from "./Room.js"

export class ChatBusError extends Schema.TaggedError<ChatBusError>()("ChatBusError", {
  reason: StoreFailure
}) {}

export class ChatBus extends Context.Service<ChatBus, {
  /** Hands a stored message to every current subscriber of its room (best effort across processes). */
  readonly publish: (message: Message) => Effect.Effect<void, ChatBusError>
  /**
   * Subscribes to a room for the life of the enclosing Scope. When the effect succeeds the
   * subscription is in place: every message published afterwards (through this bus, in this
   * process) is delivered to the returned stream, in publish order, and nothing of another room.
   * The stream ends when the scope closes; a broken connection fails it with ChatBusError.
   */
  readonly subscribe: (roomId: RoomId) => Effect.Effect<Stream.Stream<Message, ChatBusError>, ChatBusError, Scope.Scope>
}>()("@app/domain/Chat/ChatBus") {}
