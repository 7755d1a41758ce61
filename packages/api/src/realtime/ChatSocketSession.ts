/**
 * One `/ws/chat` socket: the auth handshake, then any number of room subscriptions, each a fiber
 * running the domain's gap-free `Chat.follow`. A subscription is acknowledged only once its
 * position is fixed (membership checked, and the seq it continues after known), so every message
 * sent after the ack reaches the client, in order, once. A subscription that fails (not a member
 * any more, a store or bus down) sends an error frame naming the room and ends; the client
 * subscribes again with the last seq it saw. Closing the socket ends every subscription.
 */
import { type Auth, Chat, type RoomId } from "@app/domain"
import { Effect, Stream } from "effect"
import { type ChatServerFrame, decodeChatClientFrame, encodeChatServerFrame } from "./RealtimeFrames.js"
import { type RealtimeConnection, type RealtimeSessionOptions, runSubscriptionSession } from "./RealtimeSocket.js"

/** Runs the session until the socket closes or the handshake fails; never fails. */
export const runChatSession = (
  connection: RealtimeConnection,
  options: RealtimeSessionOptions = {}
): Effect.Effect<void, never, Auth | Chat> =>
  runSubscriptionSession(connection, options, {
    decode: decodeChatClientFrame,
    encode: encodeChatServerFrame,
    plural: "rooms",
    keyOf: (frame: { readonly roomId: RoomId }) => frame.roomId,
    named: (roomId) => ({ roomId }),
    unsubscribed: (roomId): ChatServerFrame => ({ type: "unsubscribed", roomId }),
    subscribe: (actor, { after, roomId }, send) =>
      Effect.gen(function*() {
        const chat = yield* Chat
        // Also the membership check: a non-member is refused before any ack.
        const newest = yield* chat.listMessages(actor, roomId, { limit: 1 })
        const position = after ?? newest.messages[0]?.seq ?? 0
        yield* send({ type: "subscribed", roomId, after: position })
        yield* chat.follow(actor, roomId, position).pipe(
          // The domain's Message as is: the frame's schema is its wire form (sentAt in ISO-8601).
          Stream.runForEach((message) => send({ type: "message", message }))
        )
      })
  })
