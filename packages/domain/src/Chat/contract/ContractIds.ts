/**
 * Helpers shared by the chat contract suites. Test code, not domain code: fresh ULIDs come
 * from the wall clock and Web Crypto so suites can run against shared, long-lived stores.
 */
import { TeamId } from "../../Teams/Team.js"
import { UserId } from "../../Users/User.js"
import { ClientMessageId, Message, MessageBody, MessageId } from "../Message.js"
import { RoomId } from "../Room.js"

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/** A fresh ULID (not monotonic; unique by its 80 random bits). */
export const freshMessageId = (): MessageId => {
  let time = ""
  let n = Date.now()
  for (let i = 0; i < 10; i++) {
    time = alphabet[n % 32]! + time
    n = Math.floor(n / 32)
  }
  const random = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) => alphabet[b & 31]!).join("")
  return MessageId.make(time + random)
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

