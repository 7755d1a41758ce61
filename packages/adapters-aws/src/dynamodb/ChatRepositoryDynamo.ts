/**
 * ChatRepository on the chat-rooms and chat-messages tables. What the chat rules hinge on is
 * `append`: a gapless per-room seq and one message per (room, sender, clientMessageId). Both come
 * from one TransactWriteItems per attempt, so a seq is never taken without its message being
 * stored (no gaps, whatever fails):
 *   0. UpdateItem of the room: lastSeq c → c + 1, conditioned on lastSeq = c (the c just read);
 *   1. Put of the message-key guard (roomId "MSGKEY#<room>#<sender>#<clientMessageId>" → seq),
 *      conditioned on attribute_not_exists: the idempotency key;
 *   2. Put of the message at (roomId, c + 1), conditioned on attribute_not_exists (a backstop).
 * Items 0 and 1 return the stored item when their condition fails: a stored guard means the key
 * was sent before, so the original message is read and returned (created: false, the counter did
 * not move); a moved counter alone means another append won the race, so the attempt is repeated
 * with the counter it returned — each round of racing appends commits exactly one of them.
 *
 * Round trips: createRoom 1 PutItem; room 1 GetItem; roomsOfTeams 1 Query of teamId-index per
 * distinct team (in parallel; more pages only past 1 MB); append 1 BatchGetItem (room and guard)
 * + 1 TransactWriteItems for a new message, + 1 TransactWriteItems per race lost to another
 * append of the room; a repeated key 1 BatchGetItem + 1 GetItem (the original message), or, when
 * it lost the race to its own twin, its TransactWriteItems + 1 GetItem; page 1 Query (more only
 * when the window's messages exceed 1 MB).
 */
import {
  ChatRepository,
  ChatRepositoryError,
  type ChatAppendInput,
  type ChatAppendResult,
  Conflict,
  Message,
  type MessagePageQuery,
  NotFound,
  Room,
  type RoomId,
  type TeamId,
  Unavailable,
  Unexpected
} from "@app/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { compositeKey, DynamoClient, type Item } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

const ROOM = "room"
const MESSAGE_KEY = "messageKey"

/**
 * Races one append may lose before it gives up with Unavailable. Each round of racing appends to
 * a room commits one of them, so this bounds how many appends may run on one room at once.
 */
export const MAX_APPEND_ATTEMPTS = 100

/** Rooms read per team at once by roomsOfTeams. */
const TEAM_QUERY_CONCURRENCY = 8

const roomKey = (roomId: RoomId) => ({ roomId })

/** The key of the guard that makes (roomId, senderId, clientMessageId) one message. */
export const messageKeyGuardKey = (input: Pick<ChatAppendInput, "roomId" | "senderId" | "clientMessageId">) =>
  compositeKey("MSGKEY", input.roomId, input.senderId, input.clientMessageId).pipe(Effect.map((roomId) => ({ roomId })))

export const roomToItem = (room: Room): Item => ({
  roomId: room.roomId,
  itemType: ROOM,
  teamId: room.teamId,
  name: room.name,
  createdAt: room.createdAt,
  lastSeq: 0
})

export const messageToItem = (message: Message): Item => ({
  roomId: message.roomId,
  seq: message.seq,
  messageId: message.messageId,
  senderId: message.senderId,
  body: message.body,
  clientMessageId: message.clientMessageId,
  sentAt: message.sentAt
})

const portError = DynamoError.toPortError((reason) => new ChatRepositoryError({ reason }))

const corrupt = (what: string) => new ChatRepositoryError({ reason: new Unexpected({ message: `a stored ${what} does not decode` }) })

const decodeRoom = Schema.decodeUnknownEffect(Room)
const decodeMessage = Schema.decodeUnknownEffect(Message)

const roomOf = (item: Item): Effect.Effect<Room, ChatRepositoryError> =>
  decodeRoom({ roomId: item["roomId"], teamId: item["teamId"], name: item["name"], createdAt: item["createdAt"] }).pipe(
    Effect.mapError(() => corrupt("room"))
  )

const messageOf = (item: Item): Effect.Effect<Message, ChatRepositoryError> =>
  decodeMessage({
    messageId: item["messageId"],
    roomId: item["roomId"],
    seq: item["seq"],
    senderId: item["senderId"],
    body: item["body"],
    clientMessageId: item["clientMessageId"],
    sentAt: item["sentAt"]
  }).pipe(Effect.mapError(() => corrupt("message")))

/** A stored non-negative integer attribute (the counter, a guard's seq), or a corruption error. */
const counterOf = (item: Item | undefined, attribute: string): Effect.Effect<number, ChatRepositoryError> => {
  const value = item?.[attribute]
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0
    ? Effect.succeed(value)
    : Effect.fail(corrupt(`chat ${attribute}`))
}

const roomExists = new Conflict({ code: "RoomExists", message: "room already exists" })

/** The (inclusive) seq range and direction a MessagePageQuery selects; None when it is empty. */
export const pageWindow = (query: MessagePageQuery) => {
  const low = Math.max(1, (query.after ?? 0) + 1)
  const high = query.before === undefined ? Number.MAX_SAFE_INTEGER : query.before - 1
  const limit = Math.floor(query.limit)
  return high < low || !(limit >= 1)
    ? Option.none()
    : Option.some({ low, high, limit, forward: query.after !== undefined })
}

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient

  const createRoom = Effect.fn("ChatRepositoryDynamo.createRoom")(function*(room: Room) {
    yield* dynamo.put("chatRooms", roomToItem(room), { condition: "attribute_not_exists(#roomId)" }).pipe(
      Effect.catchTag("ConditionFailed", () => Effect.fail(roomExists)),
      portError
    )
  })

  const room = Effect.fn("ChatRepositoryDynamo.room")(function*(roomId: RoomId) {
    const found = yield* dynamo.get("chatRooms", roomKey(roomId)).pipe(portError)
    if (Option.isNone(found) || found.value["itemType"] !== ROOM) return Option.none<Room>()
    return Option.some(yield* roomOf(found.value))
  })

  const roomsOfTeams = Effect.fn("ChatRepositoryDynamo.roomsOfTeams")(function*(teamIds: ReadonlyArray<TeamId>) {
    const perTeam = yield* Effect.forEach(
      Array.from(new Set(teamIds)),
      (teamId) => dynamo.queryAll("chatRooms", { index: "teamId-index", partition: teamId }).pipe(portError),
      { concurrency: TEAM_QUERY_CONCURRENCY }
    )
    return yield* Effect.forEach(perTeam.flat(), roomOf)
  })

  /** The message a guard points at: the original of a repeated key. */
  const original = (guard: Item | undefined, roomId: RoomId) =>
    Effect.gen(function*() {
      const seq = yield* counterOf(guard, "seq")
      const found = yield* dynamo.get("chatMessages", { roomId, seq }).pipe(portError)
      if (Option.isNone(found)) return yield* Effect.fail(corrupt("message key guard (its message is missing)"))
      return { message: yield* messageOf(found.value), created: false } satisfies ChatAppendResult
    })

  type Attempt =
    | { readonly _tag: "Done"; readonly result: ChatAppendResult }
    | { readonly _tag: "Retry"; readonly lastSeq: number }

  const append = Effect.fn("ChatRepositoryDynamo.append")(function*(input: ChatAppendInput) {
    const guardKey = yield* messageKeyGuardKey(input).pipe(portError)
    const read = yield* dynamo.batchGet("chatRooms", [roomKey(input.roomId), guardKey]).pipe(portError)
    const stored = read.find((item) => item["roomId"] === input.roomId && item["itemType"] === ROOM)
    if (stored === undefined) return yield* Effect.fail(NotFound.of("room"))
    const guard = read.find((item) => item["roomId"] === guardKey.roomId)
    if (guard !== undefined) return yield* original(guard, input.roomId)

    const attempt = (lastSeq: number): Effect.Effect<Attempt, NotFound | ChatRepositoryError> => {
      const message = new Message({
        messageId: input.messageId,
        roomId: input.roomId,
        seq: lastSeq + 1,
        senderId: input.senderId,
        body: input.body,
        clientMessageId: input.clientMessageId,
        sentAt: input.sentAt
      })
      return dynamo.transactWrite([
        {
          kind: "update",
          table: "chatRooms",
          key: roomKey(input.roomId),
          update: "SET #lastSeq = :seq",
          condition: "#itemType = :room AND #lastSeq = :lastSeq",
          values: { ":seq": message.seq, ":lastSeq": lastSeq, ":room": ROOM },
          returnItemOnConditionFailure: true
        },
        {
          kind: "put",
          table: "chatRooms",
          item: { ...guardKey, itemType: MESSAGE_KEY, seq: message.seq, messageId: message.messageId },
          condition: "attribute_not_exists(#roomId)",
          returnItemOnConditionFailure: true
        },
        { kind: "put", table: "chatMessages", item: messageToItem(message), condition: "attribute_not_exists(#roomId)" }
      ]).pipe(
        Effect.as<Attempt>({ _tag: "Done", result: { message, created: true } }),
        Effect.catchTag("ConditionFailed", (failed): Effect.Effect<Attempt, NotFound | ChatRepositoryError> => {
          if (failed.failedAt(1)) {
            return Effect.map(original(failed.itemAt(1), input.roomId), (result): Attempt => ({ _tag: "Done", result }))
          }
          if (failed.failedAt(0)) {
            const room = failed.itemAt(0)
            if (room === undefined || room["itemType"] !== ROOM) return Effect.fail(NotFound.of("room"))
            return Effect.map(counterOf(room, "lastSeq"), (seq): Attempt => ({ _tag: "Retry", lastSeq: seq }))
          }
          return Effect.fail(corrupt(`chat room counter (message ${message.seq} exists beyond it)`))
        }),
        portError
      )
    }

    let lastSeq = yield* counterOf(stored, "lastSeq")
    for (let n = 0; n < MAX_APPEND_ATTEMPTS; n++) {
      const outcome = yield* attempt(lastSeq)
      if (outcome._tag === "Done") return outcome.result
      lastSeq = outcome.lastSeq
    }
    return yield* Effect.fail(
      new ChatRepositoryError({
        reason: new Unavailable({ message: `append lost ${MAX_APPEND_ATTEMPTS} races for the room's counter` })
      })
    )
  })

  const page = Effect.fn("ChatRepositoryDynamo.page")(function*(roomId: RoomId, query: MessagePageQuery) {
    const window = pageWindow(query)
    if (Option.isNone(window)) return []
    const { forward, high, limit, low } = window.value
    const items = yield* dynamo.queryAll("chatMessages", {
      partition: roomId,
      range: { op: "between", low, high },
      forward,
      limit,
      maxItems: limit
    }).pipe(portError)
    return yield* Effect.forEach(items, messageOf)
  })

  return ChatRepository.of({ createRoom, room, roomsOfTeams, append, page })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<ChatRepository, never, DynamoClient> = Layer.effect(ChatRepository, make)
