/**
 * ChatRepository in process memory: the reference model the other stores are tested against and
 * the single-process default. Each operation is one synchronous step, so `append` (read the
 * counter, check the idempotency key, insert) is atomic with respect to every other fiber — the
 * guarantee Postgres gets from the counter row's lock and DynamoDB from its conditional writes.
 */
import { Effect, Layer, Option } from "effect"
import { Conflict, NotFound } from "../../DomainError.js"
import type { TeamId } from "../../Teams/Team.js"
import { type ChatAppendResult, ChatRepository, type MessagePageQuery } from "../ChatRepository.js"
import { Message } from "../Message.js"
import type { Room, RoomId } from "../Room.js"

interface RoomLog {
  /** messages[i] has seq i + 1. */
  readonly messages: Array<Message>
  /** JSON [senderId, clientMessageId] → message */
  readonly byKey: Map<string, Message>
}

/** The slice of `messages` (seq i + 1 at index i) a MessagePageQuery selects, in the order it asks for. */
export const selectPage = (messages: ReadonlyArray<Message>, query: MessagePageQuery): ReadonlyArray<Message> => {
  const lo = Math.max(0, query.after ?? 0)
  const hi = Math.min(messages.length, query.before === undefined ? messages.length : query.before - 1)
  const limit = Math.max(0, Math.floor(query.limit))
  if (hi <= lo || limit === 0) return []
  return query.after === undefined
    ? messages.slice(Math.max(lo, hi - limit), hi).reverse()
    : messages.slice(lo, Math.min(hi, lo + limit))
}

export const make = Effect.sync(() => {
  const rooms = new Map<RoomId, Room>()
  const logs = new Map<RoomId, RoomLog>()

  return ChatRepository.of({
    createRoom: (room) =>
      Effect.suspend((): Effect.Effect<void, Conflict> => {
        if (rooms.has(room.roomId)) {
          return Effect.fail(new Conflict({ code: "RoomExists", message: "room already exists" }))
        }
        rooms.set(room.roomId, room)
        logs.set(room.roomId, { messages: [], byKey: new Map() })
        return Effect.void
      }),
    room: (roomId) => Effect.sync(() => Option.fromUndefinedOr(rooms.get(roomId))),
    roomsOfTeams: (teamIds) =>
      Effect.sync(() => {
        const wanted = new Set<TeamId>(teamIds)
        return Array.from(rooms.values()).filter((room) => wanted.has(room.teamId))
      }),
    append: (input) =>
      Effect.suspend((): Effect.Effect<ChatAppendResult, NotFound> => {
        const log = logs.get(input.roomId)
        if (log === undefined || !rooms.has(input.roomId)) return Effect.fail(NotFound.of("room"))
        const key = JSON.stringify([input.senderId, input.clientMessageId])
        const original = log.byKey.get(key)
        if (original !== undefined) return Effect.succeed({ message: original, created: false })
        const message = new Message({
          messageId: input.messageId,
          roomId: input.roomId,
          seq: log.messages.length + 1,
          senderId: input.senderId,
          body: input.body,
          clientMessageId: input.clientMessageId,
          sentAt: input.sentAt
        })
        log.messages.push(message)
        log.byKey.set(key, message)
        return Effect.succeed({ message, created: true })
      }),
    page: (roomId, query) => Effect.sync(() => selectPage(logs.get(roomId)?.messages ?? [], query))
  })
})

export const layer = Layer.effect(ChatRepository, make)
