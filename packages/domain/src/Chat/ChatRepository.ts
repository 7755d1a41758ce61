/**
 * Storage of rooms and messages. `append` is the one operation the chat rules hinge on, so it is a
 * single atomic call: the store assigns the room's next sequence number and inserts the message
 * together, and it is idempotent by (roomId, senderId, clientMessageId).
 *
 * How stores make `append` race-free and gapless:
 * - Postgres: one transaction — `UPDATE chat_rooms SET last_seq = last_seq + 1 … RETURNING last_seq`
 *   (the row lock serialises appends per room), then look the key up under that lock; found → roll
 *   back (no seq is burnt) and return the original; else insert, with a unique constraint on
 *   (room_id, sender_id, client_message_id) and on (room_id, seq) as the backstop.
 * - DynamoDB: read the room's counter c, then one TransactWriteItems: the counter c → c+1 with
 *   condition `lastSeq = c`, the message put with `attribute_not_exists`, and an idempotency guard
 *   item (room#sender#clientMessageId → seq) put with `attribute_not_exists`; on a failed condition
 *   re-read: the guard exists → return the original, else the counter moved → retry with the new c.
 * The loser of two identical racing sends therefore always gets the winner's message.
 */
import { type Option, Context, Effect, Schema } from "effect"
import type { Conflict, NotFound } from "../DomainError.js"
import { StoreFailure } from "../StoreFailure.js"
import type { TeamId } from "../Teams/Team.js"
import type { UserId } from "../Users/User.js"
import type { ClientMessageId, Message, MessageBody, MessageId, MessageCursor } from "./Message.js"
import type { Room, RoomId } from "./Room.js"

export class ChatRepositoryError extends Schema.TaggedError<ChatRepositoryError>()("ChatRepositoryError", {
  reason: StoreFailure
}) {}

/** A new message as the use case hands it over: everything but its `seq`, which the store assigns. */
export interface ChatAppendInput {
  readonly roomId: RoomId
  readonly senderId: UserId
  readonly clientMessageId: ClientMessageId
  readonly body: MessageBody
  /** Used only when the message is new; a repeated key keeps the original id. */
  readonly messageId: MessageId
  readonly sentAt: number
}

export interface ChatAppendResult {
  /** The stored message: the new one, or the original for a repeated key. */
  readonly message: Message
  /** false when (roomId, senderId, clientMessageId) was already stored. */
  readonly created: boolean
}

/**
 * A window of a room's history, by seq: `after < seq < before` (each bound optional), at most
 * `limit` messages (limit ≥ 1). Without `after` the newest of the window come first; with `after`
 * the oldest first, which is how catch-up reads forward from the last seq a client saw.
 */
export interface MessagePageQuery {
  readonly before?: MessageCursor
  readonly after?: MessageCursor
  readonly limit: number
}

export class ChatRepository extends Context.Service<ChatRepository, {
  /** Stores a new room (with its sequence counter at 0). Conflict "RoomExists" for a taken roomId. */
  readonly createRoom: (room: Room) => Effect.Effect<void, Conflict | ChatRepositoryError>
  readonly room: (roomId: RoomId) => Effect.Effect<Option.Option<Room>, ChatRepositoryError>
  /** The rooms of any of these teams, in no particular order. */
  readonly roomsOfTeams: (teamIds: ReadonlyArray<TeamId>) => Effect.Effect<ReadonlyArray<Room>, ChatRepositoryError>
  /**
   * Atomically assigns the room's next seq (last + 1) and stores the message, unless the key
   * (roomId, senderId, clientMessageId) is stored already: then the original, `created: false`,
   * and no seq is consumed. NotFound "room" when the room does not exist.
   */
  readonly append: (input: ChatAppendInput) => Effect.Effect<ChatAppendResult, NotFound | ChatRepositoryError>
  /** See MessagePageQuery. A room without messages, or a missing room, yields []. */
  readonly page: (roomId: RoomId, query: MessagePageQuery) => Effect.Effect<ReadonlyArray<Message>, ChatRepositoryError>
}>()("@app/domain/Chat/ChatRepository") {}
