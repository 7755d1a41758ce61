/**
 * One `/ws/chat` socket: the auth handshake, then any number of room subscriptions, each a fiber
 * running the domain's gap-free `Chat.follow`. A subscription is acknowledged only once its
 * position is fixed (membership checked, and the seq it continues after known), so every message
 * sent after the ack reaches the client, in order, once. A subscription that fails (not a member
 * any more, a store or bus down) sends an error frame naming the room and ends; the client
 * subscribes again with the last seq it saw. Closing the socket ends every subscription.
 */
import { type Actor, type Auth, Chat, type Message, type RoomId } from "@app/domain"
import { Effect, FiberMap, Stream } from "effect"
import {
  type ChatServerFrame,
  decodeChatClientFrame,
  encodeChatServerFrame,
  type RealtimeMessage,
  realtimeError
} from "./RealtimeFrames.js"
import {
  authenticate,
  DEFAULT_MAX_SUBSCRIPTIONS,
  endFailedSubscription,
  type RealtimeConnection,
  type RealtimeSessionOptions,
  subscribeKeyed
} from "./RealtimeSocket.js"

/** A message in the REST shape (the frame encoder renders `sentAt` as ISO-8601). */
export const realtimeMessage = (message: Message): RealtimeMessage => ({
  messageId: message.messageId,
  roomId: message.roomId,
  seq: message.seq,
  senderId: message.senderId,
  body: message.body,
  clientMessageId: message.clientMessageId,
  sentAt: message.sentAt
})

/**
 * Runs the session until the client's frames end (the socket closed) or the handshake fails.
 * Never fails: every problem becomes an error frame (or a close).
 */
export const runChatSession = (
  connection: RealtimeConnection,
  options: RealtimeSessionOptions = {}
): Effect.Effect<void, never, Auth | Chat> =>
  Effect.scoped(Effect.gen(function*() {
    const actor = yield* authenticate(connection, decodeChatClientFrame, options.authTimeout)
    if (actor._tag === "None") return
    const chat = yield* Chat
    const maxSubscriptions = options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS
    const subscriptions = yield* FiberMap.make<RoomId>()
    const send = (frame: ChatServerFrame) => Effect.sync(() => connection.send(encodeChatServerFrame(frame)))

    yield* send({ type: "authenticated", userId: actor.value.userId })

    const follow = (user: Actor, roomId: RoomId, after: number | undefined) =>
      Effect.gen(function*() {
        // Also the membership check: a non-member is refused before any ack.
        const newest = yield* chat.listMessages(user, roomId, { limit: 1 })
        const position = after ?? newest.messages[0]?.seq ?? 0
        yield* send({ type: "subscribed", roomId, after: position })
        yield* chat.follow(user, roomId, position).pipe(
          Stream.runForEach((message) => send({ type: "message", message: realtimeMessage(message) }))
        )
      }).pipe(Effect.catchCause((cause) => endFailedSubscription(cause, { roomId }, send)))

    yield* Stream.fromQueue(connection.incoming).pipe(
      Stream.runForEach((text) =>
        Effect.gen(function*() {
          const decoded = decodeChatClientFrame(text)
          if (decoded._tag === "Failure") return yield* send(decoded.failure)
          const frame = decoded.success
          switch (frame.type) {
            case "ping":
              return yield* send({ type: "pong" })
            case "auth":
              return yield* send(realtimeError("BadFrame", "already authenticated"))
            case "subscribe": {
              // A second subscribe to a room replaces the first (e.g. with a new `after`).
              return yield* subscribeKeyed(
                subscriptions,
                frame.roomId,
                maxSubscriptions,
                send(realtimeError("TooManySubscriptions", `at most ${maxSubscriptions} rooms per socket`, { roomId: frame.roomId })),
                follow(actor.value, frame.roomId, frame.after)
              )
            }
            case "unsubscribe":
              yield* FiberMap.remove(subscriptions, frame.roomId)
              return yield* send({ type: "unsubscribed", roomId: frame.roomId })
          }
        })
      )
    )
  }))
