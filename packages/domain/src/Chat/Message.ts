/**
 * Chat messages (000). A message carries two identities: `seq`, its gapless position in the room
 * (1, 2, 3, … assigned by the store at write), which is what paging and catch-up use as a cursor,
 * and `messageId`, a ULID (time-sortable, globally unique) for clients and logs. `clientMessageId`
 * is the sender's idempotency key: the same (room, sender, clientMessageId) is one message.
 *
 * The body is NOT trimmed: leading indentation and trailing newlines are content (code snippets,
 * ASCII art), and trimming on the way in would make a resend with different whitespace look like
 * the same text. It must contain at least one non-whitespace character and is 1-4000 characters,
 * counted in Unicode code points (what Postgres `char_length` counts), so an emoji is one character.
 */
import { Schema } from "effect"
import { IdString } from "../Identifier.js"
import { ULID_PATTERN } from "../Ids.js"
import { Millis } from "../Millis.js"
import { UserId } from "../Users/User.js"
import { RoomId } from "./Room.js"

export const MessageId = Schema.String.check(
  Schema.isPattern(ULID_PATTERN, { message: "must be a ULID" })
).pipe(Schema.brand("MessageId"))
export type MessageId = typeof MessageId.Type

/** The sender's idempotency key (a UUID or ULID in practice): 1-128 id characters. */
export const ClientMessageId = IdString.pipe(Schema.brand("ClientMessageId"))
export type ClientMessageId = typeof ClientMessageId.Type

/** A message's position in its room: 1 for the first message, then +1 for each, no gaps. */
export const MessageSeq = Schema.Int.check(Schema.isGreaterThan(0))
export type MessageSeq = typeof MessageSeq.Type

/** A cursor: a seq, or 0 for "before the first message". */
export const MessageCursor = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
export type MessageCursor = typeof MessageCursor.Type

export const MAX_MESSAGE_BODY_LENGTH = 4000

/** Length in Unicode code points, the unit of the 1-4000 rule. */
export const messageBodyLength = (body: string): number => {
  let n = 0
  for (const _ of body) n++
  return n
}

export const MessageBody = Schema.String.check(
  Schema.makeFilter((body: string) => {
    const length = messageBodyLength(body)
    if (length < 1 || length > MAX_MESSAGE_BODY_LENGTH) return `must be 1-${MAX_MESSAGE_BODY_LENGTH} characters`
    return /\S/u.test(body) ? undefined : "must not be only whitespace"
  })
)
export type MessageBody = typeof MessageBody.Type

export class Message extends Schema.Class<Message>("@app/domain/Chat/Message")({
  messageId: MessageId,
  roomId: RoomId,
  seq: MessageSeq,
  senderId: UserId,
  body: MessageBody,
  clientMessageId: ClientMessageId,
  sentAt: Millis
}) {}
