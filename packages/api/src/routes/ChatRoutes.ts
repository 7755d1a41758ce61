/**
 * Chat rooms and message history over HTTP (API.md "Chat"). Live delivery is the realtime
 * transport's (WebSocket on the server, AppSync on Lambda); sending here publishes to it.
 */
import { Chat, CreateRoomInput, Message, MessageSeq, RoomId, RoomName, SendMessageInput, TeamId } from "@app/domain"
import { Effect, Schema } from "effect"
import { endpoint, withStatus } from "../Endpoint.js"
import { CursorFromQuery, Instant, IntFromQuery } from "../Wire.js"

export const RoomBody = Schema.Struct({ roomId: RoomId, teamId: TeamId, name: RoomName, createdAt: Instant })

/**
 * A chat message on the wire: the domain's Message with `sentAt` in ISO-8601. The one definition
 * of it — the history and send routes answer with it, and the `/ws/chat` message frame carries it.
 */
export const ChatMessageBody = Schema.Struct({ ...Message.fields, sentAt: Instant })

export const MessagePageBody = Schema.Struct({
  messages: Schema.Array(ChatMessageBody),
  nextCursor: Schema.NullOr(MessageSeq)
})

const RoomParams = Schema.Struct({ roomId: RoomId })

export const MessagesQuery = Schema.Struct({
  before: Schema.optionalKey(CursorFromQuery),
  after: Schema.optionalKey(CursorFromQuery),
  limit: Schema.optionalKey(IntFromQuery.check(Schema.isBetween({ minimum: 1, maximum: 100 })))
})

export const createRoom = endpoint({
  name: "chat.createRoom",
  method: "POST",
  path: "/api/chat/rooms",
  tag: "chat",
  summary: "Create a room in a team the caller belongs to",
  auth: "bearer",
  body: CreateRoomInput,
  status: 201,
  response: RoomBody,
  errors: [400, 401, 404],
  handle: ({ actor, body }) => Chat.use((chat) => chat.createRoom(actor, body))
})

export const listRooms = endpoint({
  name: "chat.listRooms",
  method: "GET",
  path: "/api/chat/rooms",
  tag: "chat",
  summary: "Rooms of the caller's teams, or of one team",
  auth: "bearer",
  query: Schema.Struct({ teamId: Schema.optionalKey(TeamId) }),
  response: Schema.Array(RoomBody),
  errors: [400, 401, 404],
  handle: ({ actor, query }) => Chat.use((chat) => chat.listRooms(actor, query))
})

export const listMessages = endpoint({
  name: "chat.listMessages",
  method: "GET",
  path: "/api/chat/rooms/{roomId}/messages",
  tag: "chat",
  summary: "A page of history: newest first, or oldest first with `after`",
  auth: "bearer",
  params: RoomParams,
  query: MessagesQuery,
  response: MessagePageBody,
  errors: [400, 401, 404],
  handle: ({ actor, params, query }) => Chat.use((chat) => chat.listMessages(actor, params.roomId, query))
})

export const sendMessage = endpoint({
  name: "chat.sendMessage",
  method: "POST",
  path: "/api/chat/rooms/{roomId}/messages",
  tag: "chat",
  summary: "Send a message; a repeated clientMessageId answers 200 with the original",
  auth: "bearer",
  params: RoomParams,
  body: SendMessageInput,
  status: 201,
  alternateStatuses: [200],
  response: ChatMessageBody,
  errors: [400, 401, 404],
  handle: ({ actor, body, params }) =>
    Chat.use((chat) => chat.send(actor, params.roomId, body)).pipe(
      Effect.map(({ created, message }) => (created ? message : withStatus(200, message)))
    )
})

/**
 * This module's routes in API.md's order: the contract's list and each Lambda function's group
 * are made of these. A function, so a bundle that never calls it can leave the routes out.
 */
export const all = () => [createRoom, listRooms, listMessages, sendMessage] as const
