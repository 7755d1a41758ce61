/**
 * ChatRepository on Postgres. `append` is one statement: bump the room's `last_seq` (the row lock
 * serialises every append to that room) and insert the message with the new seq. If the
 * idempotency key (room, sender, clientMessageId) is already stored, the insert violates
 * `chat_messages_client_key`, the whole statement — the bump included — is undone, so no seq is
 * burnt, and the original message is read back. Seqs are therefore gapless under any concurrency,
 * and the common case (a new message) costs one round trip.
 */
import {
  type ChatAppendResult,
  ChatRepository,
  ChatRepositoryError,
  type ClientMessageId,
  Conflict,
  Message,
  type MessageBody,
  type MessageId,
  NotFound,
  Room,
  type RoomId,
  type TeamId,
  Unexpected,
  type UserId
} from "@app/domain"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "./SqlClient.js"
import { conflictOrFailure, isUniqueViolation, type SqlError } from "./SqlError.js"

interface RoomRow {
  readonly [column: string]: unknown
  readonly room_id: string
  readonly team_id: string
  readonly name: string
  readonly created_at: number
}

interface MessageRow {
  readonly [column: string]: unknown
  readonly room_id: string
  readonly seq: number
  readonly message_id: string
  readonly sender_id: string
  readonly client_message_id: string
  readonly body: string
  readonly sent_at: number
}

const ROOM_COLUMNS = "room_id, team_id, name, created_at"
const MESSAGE_COLUMNS = "room_id, seq, message_id, sender_id, client_message_id, body, sent_at"

/** The idempotency key's constraint (migration 005). */
export const CLIENT_KEY_CONSTRAINT = "chat_messages_client_key"

/** $1 room, $2 message id, $3 sender, $4 client message id, $5 body, $6 sent at. */
export const APPEND_SQL = `
  WITH bumped AS (
    UPDATE chat_rooms SET last_seq = last_seq + 1 WHERE room_id = $1 RETURNING last_seq
  )
  INSERT INTO chat_messages (${MESSAGE_COLUMNS})
  SELECT $1::text, last_seq, $2::text, $3::text, $4::text, $5::text, $6::bigint FROM bumped
  RETURNING ${MESSAGE_COLUMNS}`

/** $1 room, $2 sender, $3 client message id. */
export const BY_CLIENT_KEY_SQL =
  `SELECT ${MESSAGE_COLUMNS} FROM chat_messages WHERE room_id = $1 AND sender_id = $2 AND client_message_id = $3`

/** $1 room, $2 after (exclusive), $3 before (exclusive), $4 limit: the newest of the window first. */
export const PAGE_NEWEST_FIRST_SQL = `SELECT ${MESSAGE_COLUMNS} FROM chat_messages
  WHERE room_id = $1 AND seq > $2 AND seq < $3 ORDER BY seq DESC LIMIT $4`

/** Same parameters: the oldest of the window first (catch-up after a cursor). */
export const PAGE_OLDEST_FIRST_SQL = `SELECT ${MESSAGE_COLUMNS} FROM chat_messages
  WHERE room_id = $1 AND seq > $2 AND seq < $3 ORDER BY seq ASC LIMIT $4`

const roomOf = (row: RoomRow) =>
  new Room({ roomId: row.room_id as RoomId, teamId: row.team_id as TeamId, name: row.name, createdAt: row.created_at })

// Rows were validated on the way in; re-running the body's code-point filter on every read of a
// page is wasted work.
const messageOf = (row: MessageRow) =>
  new Message({
    messageId: row.message_id as MessageId,
    roomId: row.room_id as RoomId,
    seq: row.seq,
    senderId: row.sender_id as UserId,
    body: row.body as MessageBody,
    clientMessageId: row.client_message_id as ClientMessageId,
    sentAt: row.sent_at
  }, { disableChecks: true })

const failure = (error: SqlError) => new ChatRepositoryError({ reason: error.reason })

/** Beyond any seq a room will reach: the "no upper bound" of a page query. */
const NO_BOUND = Number.MAX_SAFE_INTEGER

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient

  const original = (roomId: RoomId, senderId: UserId, clientMessageId: ClientMessageId) =>
    sql.query<MessageRow>(BY_CLIENT_KEY_SQL, [roomId, senderId, clientMessageId]).pipe(
      Effect.mapError(failure),
      Effect.flatMap((rows) =>
        rows[0] === undefined
          // Only reachable if a message could be deleted, which nothing does.
          ? Effect.fail(new ChatRepositoryError({ reason: new Unexpected({ message: "chat: idempotency key vanished" }) }))
          : Effect.succeed<ChatAppendResult>({ message: messageOf(rows[0]), created: false })
      )
    )

  return ChatRepository.of({
    createRoom: Effect.fn("ChatRepositoryPostgres.createRoom")(function*(room) {
      yield* sql.query(
        `INSERT INTO chat_rooms (${ROOM_COLUMNS}) VALUES ($1, $2, $3, $4)`,
        [room.roomId, room.teamId, room.name, room.createdAt]
      ).pipe(
        Effect.mapError(conflictOrFailure(failure, (constraint) =>
          constraint === "chat_rooms_pkey" ? new Conflict({ code: "RoomExists", message: "room already exists" }) : undefined
        ))
      )
    }),
    room: (roomId) =>
      sql.query<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM chat_rooms WHERE room_id = $1`, [roomId]).pipe(
        Effect.map((rows) => Option.map(Option.fromUndefinedOr(rows[0]), roomOf)),
        Effect.mapError(failure)
      ),
    roomsOfTeams: (teamIds) =>
      teamIds.length === 0
        ? Effect.succeed([])
        : sql.query<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM chat_rooms WHERE team_id = ANY($1::text[])`, [[...new Set(teamIds)]]).pipe(
          Effect.map((rows) => rows.map(roomOf)),
          Effect.mapError(failure)
        ),
    append: Effect.fn("ChatRepositoryPostgres.append")(function*(input) {
      const inserted = yield* sql.query<MessageRow>(APPEND_SQL, [
        input.roomId,
        input.messageId,
        input.senderId,
        input.clientMessageId,
        input.body,
        input.sentAt
      ]).pipe(
        Effect.map(Option.some),
        Effect.catchIf(
          (error) => isUniqueViolation(error, CLIENT_KEY_CONSTRAINT),
          () => Effect.succeed(Option.none())
        ),
        Effect.mapError(failure)
      )
      if (Option.isNone(inserted)) return yield* original(input.roomId, input.senderId, input.clientMessageId)
      const row = inserted.value[0]
      if (row === undefined) return yield* Effect.fail(NotFound.of("room"))
      return { message: messageOf(row), created: true }
    }),
    page: (roomId, query) => {
      const limit = Math.max(0, Math.floor(query.limit))
      if (limit === 0) return Effect.succeed([])
      return sql.query<MessageRow>(
        query.after === undefined ? PAGE_NEWEST_FIRST_SQL : PAGE_OLDEST_FIRST_SQL,
        [roomId, query.after ?? 0, query.before ?? NO_BOUND, limit]
      ).pipe(
        Effect.map((rows) => rows.map(messageOf)),
        Effect.mapError(failure)
      )
    }
  })
})

export const layer: Layer.Layer<ChatRepository, never, SqlClient> = Layer.effect(ChatRepository, make)
