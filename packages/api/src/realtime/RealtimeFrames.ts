/**
 * Every frame of the two realtime sockets (`/ws/chat`, `/ws/coordinates`) as a Schema, in both
 * directions, so the server sessions and the web client decode and encode the same shapes. A
 * client frame is decoded in two steps — first its `type`, then the frame of that type — so a bad
 * frame is answered with an error frame naming exactly the field at fault ("type", "roomId",
 * "after"), never with a guess among union members.
 */
import { DeviceId, fieldErrors, IsoInstant, MessageCursor, RoomId, TeamId, UserId } from "@app/domain"
import { Result, Schema } from "effect"
import { ChatMessageBody } from "../routes/ChatRoutes.js"

/** Close codes the sockets use besides the standard ones. */
export const RealtimeCloseCode = {
  /** No valid auth frame (missing, malformed, late, or a token that does not verify). */
  Unauthenticated: 4401,
  /** The server is going away; reconnect (to another instance) and resubscribe. */
  ServiceRestart: 1012,
  /** A dependency needed to authenticate is down; reconnect later. */
  TryAgainLater: 1013,
  /** The client broke the protocol badly enough to be dropped (flooding, not reading). */
  PolicyViolation: 1008
} as const

/** Longest text frame a client may send; longer ones are refused with BadFrame. */
export const MAX_CLIENT_FRAME_CHARS = 16_384

// ---------------------------------------------------------------------------------------------
// Client → server

const AccessToken = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(8_192))

/** The first frame on either socket. */
export const RealtimeAuthFrame = Schema.Struct({ type: Schema.Literal("auth"), token: AccessToken })
export type RealtimeAuthFrame = typeof RealtimeAuthFrame.Type

/** An application-level liveness check for clients that cannot send WebSocket pings (browsers). */
export const RealtimePingFrame = Schema.Struct({ type: Schema.Literal("ping") })
export type RealtimePingFrame = typeof RealtimePingFrame.Type

export const ChatSubscribeFrame = Schema.Struct({
  type: Schema.Literal("subscribe"),
  roomId: RoomId,
  /** Replay every message with a greater seq first; without it, only messages from now on. */
  after: Schema.optionalKey(MessageCursor)
})
export type ChatSubscribeFrame = typeof ChatSubscribeFrame.Type

export const ChatUnsubscribeFrame = Schema.Struct({ type: Schema.Literal("unsubscribe"), roomId: RoomId })
export type ChatUnsubscribeFrame = typeof ChatUnsubscribeFrame.Type

export const ChatClientFrame = Schema.Union([RealtimeAuthFrame, RealtimePingFrame, ChatSubscribeFrame, ChatUnsubscribeFrame])
export type ChatClientFrame = typeof ChatClientFrame.Type

export const CoordinatesSubscribeFrame = Schema.Struct({ type: Schema.Literal("subscribe"), teamId: TeamId })
export type CoordinatesSubscribeFrame = typeof CoordinatesSubscribeFrame.Type

export const CoordinatesUnsubscribeFrame = Schema.Struct({ type: Schema.Literal("unsubscribe"), teamId: TeamId })
export type CoordinatesUnsubscribeFrame = typeof CoordinatesUnsubscribeFrame.Type

export const CoordinatesClientFrame = Schema.Union([
  RealtimeAuthFrame,
  RealtimePingFrame,
  CoordinatesSubscribeFrame,
  CoordinatesUnsubscribeFrame
])
export type CoordinatesClientFrame = typeof CoordinatesClientFrame.Type

// ---------------------------------------------------------------------------------------------
// Server → client

export const RealtimeFieldError = Schema.Struct({ path: Schema.String, message: Schema.String })
export type RealtimeFieldError = typeof RealtimeFieldError.Type

/**
 * A refusal or failure. `code`: "Unauthenticated", "BadFrame", "ValidationError" (with `errors`),
 * "NotFound", "Forbidden", "TooManySubscriptions", "Unavailable" (a store or bus failed: subscribe
 * again — for chat with the last seq seen). `roomId` / `teamId` name the subscription it ended.
 */
export const RealtimeErrorFrame = Schema.Struct({
  type: Schema.Literal("error"),
  code: Schema.String,
  message: Schema.String,
  /** The precise rule, where the domain names one ("TokenExpired", "InvalidToken", …). */
  reason: Schema.optionalKey(Schema.String),
  errors: Schema.optionalKey(Schema.Array(RealtimeFieldError)),
  roomId: Schema.optionalKey(Schema.String),
  teamId: Schema.optionalKey(Schema.String)
})
export type RealtimeErrorFrame = typeof RealtimeErrorFrame.Type

/** The answer to a valid auth frame. */
export const RealtimeAuthenticatedFrame = Schema.Struct({ type: Schema.Literal("authenticated"), userId: UserId })
export type RealtimeAuthenticatedFrame = typeof RealtimeAuthenticatedFrame.Type

export const RealtimePongFrame = Schema.Struct({ type: Schema.Literal("pong") })
export type RealtimePongFrame = typeof RealtimePongFrame.Type

/** A chat message exactly as the REST routes show it (ChatRoutes' ChatMessageBody). */
export const RealtimeMessage = ChatMessageBody
export type RealtimeMessage = typeof RealtimeMessage.Type

/**
 * The subscription is in place: every message with seq > `after` will arrive, in order, once.
 * `after` is the client's own when it sent one, else the room's latest seq at that moment.
 */
export const ChatSubscribedFrame = Schema.Struct({
  type: Schema.Literal("subscribed"),
  roomId: RoomId,
  after: MessageCursor
})
export type ChatSubscribedFrame = typeof ChatSubscribedFrame.Type

export const ChatUnsubscribedFrame = Schema.Struct({ type: Schema.Literal("unsubscribed"), roomId: RoomId })
export type ChatUnsubscribedFrame = typeof ChatUnsubscribedFrame.Type

export const ChatMessageFrame = Schema.Struct({ type: Schema.Literal("message"), message: RealtimeMessage })
export type ChatMessageFrame = typeof ChatMessageFrame.Type

export const ChatServerFrame = Schema.Union([
  RealtimeAuthenticatedFrame,
  RealtimePongFrame,
  RealtimeErrorFrame,
  ChatSubscribedFrame,
  ChatUnsubscribedFrame,
  ChatMessageFrame
])
export type ChatServerFrame = typeof ChatServerFrame.Type

/** The subscription is in place: positions measured from now on will be pushed. */
export const CoordinatesSubscribedFrame = Schema.Struct({ type: Schema.Literal("subscribed"), teamId: TeamId })
export type CoordinatesSubscribedFrame = typeof CoordinatesSubscribedFrame.Type

export const CoordinatesUnsubscribedFrame = Schema.Struct({ type: Schema.Literal("unsubscribed"), teamId: TeamId })
export type CoordinatesUnsubscribedFrame = typeof CoordinatesUnsubscribedFrame.Type

/** A device's newest position, at most once a second per device; `ts` is when it was measured. */
export const CoordinatesFrame = Schema.Struct({
  type: Schema.Literal("coordinates"),
  teamId: TeamId,
  deviceId: DeviceId,
  x: Schema.Finite,
  y: Schema.Finite,
  ts: IsoInstant
})
export type CoordinatesFrame = typeof CoordinatesFrame.Type

export const CoordinatesServerFrame = Schema.Union([
  RealtimeAuthenticatedFrame,
  RealtimePongFrame,
  RealtimeErrorFrame,
  CoordinatesSubscribedFrame,
  CoordinatesUnsubscribedFrame,
  CoordinatesFrame
])
export type CoordinatesServerFrame = typeof CoordinatesServerFrame.Type

// ---------------------------------------------------------------------------------------------
// Decoding and encoding

export const realtimeError = (
  code: string,
  message: string,
  extra: Omit<RealtimeErrorFrame, "type" | "code" | "message"> = {}
): RealtimeErrorFrame => ({ type: "error", code, message, ...extra })

const badFrame = (message: string) => realtimeError("BadFrame", message)

type FrameSchema = Schema.Codec<{ readonly type: string }, unknown, never, never>

/**
 * A decoder of text frames into the frames of `byType`: JSON, then `type`, then the frame of
 * that type with every failing field. Failures are the error frame to send back.
 */
const clientFrameDecoder = <const Frames extends Record<string, FrameSchema>>(byType: Frames) => {
  const types = Object.keys(byType)
  const decodeType = Schema.decodeUnknownResult(Schema.Struct({ type: Schema.Literals(types) }))
  const decoders = new Map(
    types.map((type) => [type, Schema.decodeUnknownResult(byType[type]!, { errors: "all", onExcessProperty: "ignore" })])
  )
  type Frame = Frames[keyof Frames]["Type"]
  return (text: string): Result.Result<Frame, RealtimeErrorFrame> => {
    if (text.length > MAX_CLIENT_FRAME_CHARS) return Result.fail(badFrame(`frames are limited to ${MAX_CLIENT_FRAME_CHARS} characters`))
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return Result.fail(badFrame("a frame must be a JSON object"))
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      return Result.fail(badFrame("a frame must be a JSON object"))
    }
    const invalid = (error: Schema.SchemaError) =>
      Result.fail(realtimeError("ValidationError", "the frame is not valid", { errors: fieldErrors(error).map(plainField) }))
    const typed = decodeType(json)
    if (Result.isFailure(typed)) {
      return Result.fail(realtimeError("ValidationError", "the frame is not valid", {
        errors: [{ path: "type", message: `must be one of ${types.map((t) => JSON.stringify(t)).join(", ")}` }]
      }))
    }
    const decoded = decoders.get(typed.success.type)!(json)
    return Result.isFailure(decoded) ? invalid(decoded.failure) : Result.succeed(decoded.success as Frame)
  }
}

const plainField = (error: { readonly path: string; readonly message: string }): RealtimeFieldError => ({
  path: error.path,
  message: error.message
})

/** Decodes a text frame of `/ws/chat`; a failure is the error frame to answer with. */
export const decodeChatClientFrame = clientFrameDecoder({
  auth: RealtimeAuthFrame,
  ping: RealtimePingFrame,
  subscribe: ChatSubscribeFrame,
  unsubscribe: ChatUnsubscribeFrame
})

/** Decodes a text frame of `/ws/coordinates`; a failure is the error frame to answer with. */
export const decodeCoordinatesClientFrame = clientFrameDecoder({
  auth: RealtimeAuthFrame,
  ping: RealtimePingFrame,
  subscribe: CoordinatesSubscribeFrame,
  unsubscribe: CoordinatesUnsubscribeFrame
})

const errorJson = Schema.encodeSync(Schema.fromJsonString(RealtimeErrorFrame))

/** The text of an error frame (the same on both sockets). */
export const encodeRealtimeErrorFrame = (frame: RealtimeErrorFrame): string => errorJson(frame)

const chatServerJson = Schema.encodeSync(Schema.fromJsonString(ChatServerFrame))
const coordinatesServerJson = Schema.encodeSync(Schema.fromJsonString(CoordinatesServerFrame))

/** The text of a `/ws/chat` server frame (instants as ISO-8601). */
export const encodeChatServerFrame = (frame: ChatServerFrame): string => chatServerJson(frame)

/** The text of a `/ws/coordinates` server frame (instants as ISO-8601). */
export const encodeCoordinatesServerFrame = (frame: CoordinatesServerFrame): string => coordinatesServerJson(frame)

/** Decodes a `/ws/chat` server frame, as a client does. */
export const decodeChatServerFrame = Schema.decodeUnknownResult(Schema.fromJsonString(ChatServerFrame))

/** Decodes a `/ws/coordinates` server frame, as a client does. */
export const decodeCoordinatesServerFrame = Schema.decodeUnknownResult(Schema.fromJsonString(CoordinatesServerFrame))
