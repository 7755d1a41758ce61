/**
 * Helpers shared by the chat contract suites. Test code, not domain code: message ids come from
 * one process-wide `Ids` on the live clock and Web Crypto, so suites can run against shared,
 * long-lived stores.
 */
import { Effect, Layer } from "effect"
import { Ids } from "../../Ids.js"
import { Randomness } from "../../Randomness.js"
import { TeamId } from "../../Teams/Team.js"
import { UserId } from "../../Users/User.js"
import { ClientMessageId, Message, MessageBody, MessageId } from "../Message.js"
import { RoomId } from "../Room.js"

let ids: Ids["Service"] | undefined

/** A fresh ULID from the same generator the use cases use. */
export const freshMessageId = (): MessageId => {
  ids ??= Effect.runSync(Effect.provide(Effect.service(Ids), Ids.layer.pipe(Layer.provide(Randomness.layer))))
  return MessageId.make(Effect.runSync(ids.next))
}

export const roomId = (scope: string, label: string | number): RoomId => RoomId.make(`${scope}-room-${label}`)
export const teamId = (scope: string, label: string | number): TeamId => TeamId.make(`${scope}-team-${label}`)
export const userId = (scope: string, label: string | number): UserId => UserId.make(`${scope}-user-${label}`)
export const clientId = (label: string | number): ClientMessageId => ClientMessageId.make(`c-${label}`)
export const body = (text: string): MessageBody => MessageBody.make(text)

/** A message as plain data, for comparing outcomes of two stores. */
export const plain = (message: Message) => ({
  messageId: message.messageId,
  roomId: message.roomId,
  seq: message.seq,
  senderId: message.senderId,
  body: message.body,
  clientMessageId: message.clientMessageId,
  sentAt: message.sentAt
})

