/**
 * The chat use cases (000): rooms of a team, history by cursor, idempotent sends and a gap-free
 * follow stream. Access rule for everything: the caller must be a member of the room's team, and
 * anyone else — including for a room that does not exist — gets NotFound "room" (or "team" when
 * naming a team), so a room's existence is never revealed to outsiders.
 *
 * The store is the record and the bus only a fast path: `send` publishes only what it newly
 * stored and never fails because the bus did, and `follow` treats the bus as hints, checking every
 * live message's seq against the last one it emitted and reading any gap back from the store.
 */
import { Clock, Context, Duration, Effect, Layer, Option, Schema, Stream } from "effect"
import { NotFound } from "../DomainError.js"
import type { Actor } from "../Actor.js"
import { Ids } from "../Ids.js"
import { TeamId } from "../Teams/Team.js"
import { requireMembership, TeamRepository, type TeamRepositoryError } from "../Teams/TeamRepository.js"
import { type ChatBusError, ChatBus } from "./ChatBus.js"
import { type ChatAppendResult, type ChatRepositoryError, ChatRepository } from "./ChatRepository.js"
import { ClientMessageId, type Message, MessageBody, MessageId, type MessageSeq, MessageCursor } from "./Message.js"
import { Room, RoomId, RoomName } from "./Room.js"

export const CHAT_DEFAULT_PAGE_LIMIT = 50
export const CHAT_MAX_PAGE_LIMIT = 100

export const CreateRoomInput = Schema.Struct({
  teamId: TeamId,
  name: RoomName
})
export type CreateRoomInput = typeof CreateRoomInput.Type

export const ListRoomsInput = Schema.Struct({
  teamId: Schema.optionalKey(TeamId)
})
export type ListRoomsInput = typeof ListRoomsInput.Type

export const MessagePageLimit = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: CHAT_MAX_PAGE_LIMIT }))

/** Query of a history page: at most one direction is usual; both give the window after < seq < before. */
export const ListMessagesInput = Schema.Struct({
  before: Schema.optionalKey(MessageCursor),
  after: Schema.optionalKey(MessageCursor),
  limit: Schema.optionalKey(MessagePageLimit)
})
export type ListMessagesInput = typeof ListMessagesInput.Type

export const SendMessageInput = Schema.Struct({
  body: MessageBody,
  clientMessageId: ClientMessageId
})
export type SendMessageInput = typeof SendMessageInput.Type

/** The realtime subscribe frame's parameters (`{type:"subscribe", roomId, after?}`). */
export const FollowRoomInput = Schema.Struct({
  roomId: RoomId,
  after: Schema.optionalKey(MessageCursor)
})
export type FollowRoomInput = typeof FollowRoomInput.Type

export interface MessagePage {
  /** Newest first, or oldest first when the query had `after`. */
  readonly messages: ReadonlyArray<Message>
  /**
   * The cursor for the next page in the same direction — pass it as `before` (newest-first) or
   * `after` (oldest-first), keeping the other parameters — or null when there is nothing more now.
   */
  readonly nextCursor: MessageSeq | null
}

export type SendMessageResult = ChatAppendResult

export interface ChatOptions {
  /**
   * How often a follower re-reads the store past its last seq (and re-checks membership), so a
   * message whose publication was lost arrives even when no later message reveals the gap.
   */
  readonly resyncInterval?: Duration.Input
}

/** Messages read from the store per request while catching up. */
const CATCH_UP_PAGE = 100

type FollowEvent =
  | { readonly _tag: "Live"; readonly message: Message }
  | { readonly _tag: "Resync" }

const resync: FollowEvent = { _tag: "Resync" }

/**
 * The run of `page` that continues seamlessly from `last` (last + 1, last + 2, …). A store never
 * shows seq n + 1 without n, but should one lag, stopping at the hole keeps the order; the next
 * event reads again from there.
 */
const contiguousAfter = (last: number, page: ReadonlyArray<Message>): Array<Message> => {
  const run: Array<Message> = []
  for (const message of page) {
    if (message.seq <= last + run.length) continue
    if (message.seq !== last + run.length + 1) break
    run.push(message)
  }
  return run
}

const byCreation = (a: Room, b: Room) =>
  a.createdAt - b.createdAt || (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0)

const make = (options: ChatOptions = {}) =>
  Effect.gen(function*() {
    const repo = yield* ChatRepository
    const bus = yield* ChatBus
    const teams = yield* TeamRepository
    const ids = yield* Ids
    const resyncInterval = Duration.fromInputUnsafe(options.resyncInterval ?? "5 seconds")

    /** The room, if the caller may see it; NotFound "room" otherwise, whatever the reason. */
    const accessibleRoom = (actor: Actor, roomId: RoomId) =>
      Effect.gen(function*() {
        const room = yield* repo.room(roomId)
        if (Option.isNone(room)) return yield* Effect.fail(NotFound.of("room"))
        yield* requireMembership(teams, room.value.teamId, actor.userId, "room")
        return room.value
      })

    const createRoom = Effect.fn("Chat.createRoom")(function*(actor: Actor, input: CreateRoomInput) {
      yield* requireMembership(teams, input.teamId, actor.userId)
      const room = new Room({
        roomId: RoomId.make(yield* ids.next),
        teamId: input.teamId,
        name: input.name,
        createdAt: yield* Clock.currentTimeMillis
      })
      // A fresh ULID cannot be taken; should a store still say so, it is a bug, not a user error.
      yield* repo.createRoom(room).pipe(Effect.catchTag("Conflict", (conflict) => Effect.die(conflict)))
      return room
    })

    const listRooms = Effect.fn("Chat.listRooms")(function*(actor: Actor, input: ListRoomsInput) {
      const mine = (yield* teams.teamsOf(actor.userId)).map(({ team }) => team.teamId)
      if (input.teamId !== undefined && !mine.includes(input.teamId)) {
        return yield* Effect.fail(NotFound.of("team"))
      }
      const teamIds = input.teamId === undefined ? mine : [input.teamId]
      if (teamIds.length === 0) return []
      const rooms = yield* repo.roomsOfTeams(teamIds)
      return [...rooms].sort(byCreation)
    })

    const listMessages = Effect.fn("Chat.listMessages")(function*(actor: Actor, roomId: RoomId, input: ListMessagesInput) {
      const limit = input.limit ?? CHAT_DEFAULT_PAGE_LIMIT
      yield* accessibleRoom(actor, roomId)
      // One more than asked tells whether another page exists without a second query.
      const found = yield* repo.page(roomId, {
        ...(input.before === undefined ? {} : { before: input.before }),
        ...(input.after === undefined ? {} : { after: input.after }),
        limit: limit + 1
      })
      const messages = found.slice(0, limit)
      const last = messages[messages.length - 1]
      const page: MessagePage = {
        messages,
        nextCursor: found.length > limit && last !== undefined ? last.seq : null
      }
      return page
    })

    const send = Effect.fn("Chat.send")(function*(actor: Actor, roomId: RoomId, input: SendMessageInput) {
      yield* accessibleRoom(actor, roomId)
      const result = yield* repo.append({
        roomId,
        senderId: actor.userId,
        clientMessageId: input.clientMessageId,
        body: input.body,
        messageId: MessageId.make(yield* ids.next),
        sentAt: yield* Clock.currentTimeMillis
      })
      if (result.created) {
        yield* bus.publish(result.message).pipe(
          Effect.catchTag("ChatBusError", (error) =>
            Effect.logWarning("chat: publishing a stored message failed; followers will read it from the store", error.reason._tag))
        )
      }
      return result
    })

    const follow = (actor: Actor, roomId: RoomId, after?: number) =>
      Stream.unwrap(Effect.gen(function*() {
        yield* accessibleRoom(actor, roomId)
        // Subscribe before reading the store: whatever is stored after this point is either in the
        // backlog read below or arrives live (or, if the bus loses it, is found by a later read).
        const live = yield* bus.subscribe(roomId)
        // `last` is the seq of the last message emitted (or skipped by `after`): the follower's state.
        let last = after !== undefined
          ? Math.max(0, Math.floor(after))
          : yield* repo.page(roomId, { limit: 1 }).pipe(Effect.map((newest) => newest[0]?.seq ?? 0))

        /** Every stored message after `last`, page by page, advancing `last` as it goes. */
        const catchUp = Stream.paginate(undefined, () =>
          repo.page(roomId, { after: last, limit: CATCH_UP_PAGE }).pipe(
            Effect.map((page) => {
              const fresh = contiguousAfter(last, page)
              const next = fresh[fresh.length - 1]
              if (next !== undefined) last = next.seq
              const more = page.length === CATCH_UP_PAGE && fresh.length === page.length
              return [fresh, more ? Option.some(undefined) : Option.none()] as const
            })
          ))

        const events: Stream.Stream<FollowEvent, ChatBusError> = Stream.concat(
          Stream.succeed(resync),
          Stream.merge(
            live.pipe(
              Stream.filter((message) => message.roomId === roomId),
              Stream.map((message): FollowEvent => ({ _tag: "Live", message }))
            ),
            Stream.tick(resyncInterval).pipe(Stream.drop(1), Stream.as(resync))
          )
        )

        let first = true
        return events.pipe(
          Stream.flatMap((event) => {
            if (event._tag === "Live") {
              const seq = event.message.seq
              if (seq <= last) return Stream.empty
              if (seq === last + 1) {
                last = seq
                return Stream.succeed(event.message)
              }
              return catchUp
            }
            if (first) {
              first = false
              return catchUp
            }
            return Stream.concat(Stream.fromEffect(accessibleRoom(actor, roomId)).pipe(Stream.drain), catchUp)
          })
        )
      }))

    return Chat.of({ createRoom, listRooms, listMessages, send, follow })
  })

export class Chat extends Context.Service<Chat, {
  /** A new room of `teamId`; the caller must be a member (any role), else NotFound "team". */
  readonly createRoom: (actor: Actor, input: CreateRoomInput) => Effect.Effect<Room, NotFound | ChatRepositoryError | TeamRepositoryError>
  /**
   * The rooms of the caller's teams, oldest first; with `teamId`, only that team's, and NotFound
   * "team" when the caller is not a member of it (the same answer as for a team that does not exist).
   */
  readonly listRooms: (actor: Actor, input: ListRoomsInput) => Effect.Effect<ReadonlyArray<Room>, NotFound | ChatRepositoryError | TeamRepositoryError>
  /** One page of history (default 50; the input schema caps `limit` at 100). */
  readonly listMessages: (
    actor: Actor,
    roomId: RoomId,
    input: ListMessagesInput
  ) => Effect.Effect<MessagePage, NotFound | ChatRepositoryError | TeamRepositoryError>
  /**
   * Stores a message with the room's next seq and publishes it to the room's followers; the same
   * clientMessageId from the same sender again returns the original with `created: false` (and
   * publishes nothing). A failing bus is logged, not reported: the message is stored, and
   * followers read it from the store.
   */
  readonly send: (
    actor: Actor,
    roomId: RoomId,
    input: SendMessageInput
  ) => Effect.Effect<SendMessageResult, NotFound | ChatRepositoryError | TeamRepositoryError>
  /**
   * Every message of the room with seq > `after`, in seq order, each exactly once, then live ones
   * as they are sent; without `after`, only messages after the room's latest at subscription time.
   * Never ends by itself. Fails with NotFound "room" when the caller is not (or no longer, checked
   * at every resync) a member, and with a store or bus error when one fails: the client reconnects
   * with the last seq it saw.
   */
  readonly follow: (
    actor: Actor,
    roomId: RoomId,
    after?: number
  ) => Stream.Stream<Message, NotFound | ChatRepositoryError | ChatBusError | TeamRepositoryError>
}>()("@app/domain/Chat/Chat") {
  static readonly layerWith = (options: ChatOptions) => Layer.effect(Chat, make(options))
  static readonly layer = Chat.layerWith({})
}
