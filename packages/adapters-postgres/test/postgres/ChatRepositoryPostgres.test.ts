/**
 * ChatRepository on a real Postgres server and on PGlite: the contract suite unchanged on both,
 * then appends racing over real pool connections (gapless seqs, one message per idempotency key)
 * and the plans of the request-path queries (index scans, never a sequential scan).
 */
import { ChatRepositoryContract, freshScope } from "@app/domain/contract"
import { ChatRepository, ClientMessageId, Ids, MessageBody, MessageId, Randomness, Room, RoomId, TeamId, UserId } from "@app/domain"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as ChatRepositoryPostgres from "../../src/postgres/ChatRepositoryPostgres.js"
import { SqlClient } from "../../src/postgres/SqlClient.js"
import * as PostgresTest from "../support/PostgresTest.js"
import * as QueryPlans from "../support/QueryPlans.js"

PostgresTest.openPgliteBeforeAll()

ChatRepositoryContract.suite("postgres", ChatRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layer())))
ChatRepositoryContract.suite("pglite", ChatRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layerPglite)))

const N = 50
const T0 = 1_700_000_000_000
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

const withSql = (sql: Layer.Layer<SqlClient>) =>
  Layer.mergeAll(
    ChatRepositoryPostgres.layer.pipe(Layer.provideMerge(sql)),
    Ids.layer.pipe(Layer.provide(Randomness.layer))
  )

const newRoom = (scope: string, label: string) =>
  Effect.gen(function*() {
    const repo = yield* ChatRepository
    const room = new Room({ roomId: RoomId.make(`${scope}-${label}`), teamId: TeamId.make(`${scope}-team`), name: label, createdAt: T0 })
    yield* repo.createRoom(room)
    return room.roomId
  })

const send = (roomId: RoomId, sender: string, client: string, text: string) =>
  Effect.gen(function*() {
    const repo = yield* ChatRepository
    const messageId = MessageId.make(yield* (yield* Ids).next)
    return yield* repo.append({
      roomId,
      senderId: UserId.make(sender),
      clientMessageId: ClientMessageId.make(client),
      body: MessageBody.make(text),
      messageId,
      sentAt: T0
    })
  })

const lastSeq = (roomId: RoomId) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    const rows = yield* sql.query<{ last_seq: number }>("SELECT last_seq FROM chat_rooms WHERE room_id = $1", [roomId])
    return rows[0]?.last_seq
  })

const concurrency = (name: string, sql: Layer.Layer<SqlClient>) =>
  layer(withSql(sql), { excludeTestServices: true })(`ChatRepositoryPostgres under concurrency (${name})`, (it) => {
    it.effect(`${N} parallel sends into one room get seqs 1..${N}, gapless, each message once`, () =>
      Effect.gen(function*() {
        const scope = freshScope("chatpar")
        const room = yield* newRoom(scope, "room")
        const results = yield* Effect.all(
          range(N).map((i) => send(room, `${scope}-u${i % 7}`, `c-${i}`, `message ${i}`)),
          { concurrency: "unbounded" }
        )
        assert.isTrue(results.every((r) => r.created))
        assert.deepStrictEqual(results.map((r) => r.message.seq).sort((a, b) => a - b), range(N))
        const stored = yield* (yield* ChatRepository).page(room, { after: 0, limit: 2 * N })
        assert.deepStrictEqual(stored.map((m) => m.seq), range(N))
        assert.strictEqual(new Set(stored.map((m) => m.messageId)).size, N)
        assert.strictEqual(new Set(stored.map((m) => m.clientMessageId)).size, N)
        assert.strictEqual(yield* lastSeq(room), N)
      }))

    it.effect(`one clientMessageId sent ${N} times in parallel is one message, returned to every sender`, () =>
      Effect.gen(function*() {
        const scope = freshScope("chatonce")
        const room = yield* newRoom(scope, "room")
        const results = yield* Effect.all(
          range(N).map((i) => send(room, `${scope}-u`, "same", `attempt ${i}`)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter((r) => r.created).length, 1)
        const winner = results.find((r) => r.created)!.message
        assert.strictEqual(winner.seq, 1)
        for (const r of results) {
          assert.strictEqual(r.message.messageId, winner.messageId)
          assert.strictEqual(r.message.body, winner.body)
        }
        const stored = yield* (yield* ChatRepository).page(room, { limit: 2 * N })
        assert.deepStrictEqual(stored.map((m) => m.messageId), [winner.messageId])
        // No seq was burnt by the repeats.
        assert.strictEqual(yield* lastSeq(room), 1)
        assert.strictEqual((yield* send(room, `${scope}-u`, "next", "next")).message.seq, 2)
      }))

    it.effect("parallel sends into several rooms keep each room's sequence gapless", () =>
      Effect.gen(function*() {
        const scope = freshScope("chatrooms")
        const rooms = yield* Effect.all(range(5).map((r) => newRoom(scope, `room${r}`)))
        const sends = rooms.flatMap((room) => range(20).map((i) => send(room, `${scope}-u${i % 3}`, `c-${i % 15}`, `m ${i}`)))
        yield* Effect.all(sends, { concurrency: "unbounded" })
        for (const room of rooms) {
          const stored = yield* (yield* ChatRepository).page(room, { after: 0, limit: 100 })
          // 20 sends over 15 distinct (sender, client) keys: i and i + 15 share a key only when
          // their senders match too (i % 3), which 15 guarantees.
          assert.deepStrictEqual(stored.map((m) => m.seq), range(15))
          assert.strictEqual(yield* lastSeq(room), 15)
        }
      }))
  })

concurrency("postgres", PostgresTest.layer({ maxConnections: 20 }))
concurrency("pglite", PostgresTest.layerPglite)

layer(withSql(PostgresTest.layer()), { excludeTestServices: true })("ChatRepositoryPostgres query plans", (it) => {
  it.effect("paging by room and seq, the idempotency lookup and rooms of teams use indexes", () =>
    Effect.gen(function*() {
      const scope = freshScope("chatplan")
      const room = yield* newRoom(scope, "room")
      for (const i of range(30)) yield* send(room, `${scope}-u`, `c-${i}`, `m ${i}`)
      const pageParams = [room, 0, 20, 10]
      const newest = yield* QueryPlans.explain(ChatRepositoryPostgres.PAGE_NEWEST_FIRST_SQL, pageParams)
      const oldest = yield* QueryPlans.explain(ChatRepositoryPostgres.PAGE_OLDEST_FIRST_SQL, pageParams)
      const byKey = yield* QueryPlans.explain(ChatRepositoryPostgres.BY_CLIENT_KEY_SQL, [room, `${scope}-u`, "c-1"])
      const teams = yield* QueryPlans.explain("SELECT room_id FROM chat_rooms WHERE team_id = ANY($1::text[])", [[`${scope}-team`]])
      const append = yield* QueryPlans.explain(ChatRepositoryPostgres.APPEND_SQL, [room, "x", "u", "c", "b", T0])
      QueryPlans.assertUsesIndexes(newest, "chat_messages_pkey")
      QueryPlans.assertUsesIndexes(oldest, "chat_messages_pkey")
      QueryPlans.assertUsesIndexes(byKey, "chat_messages_client_key")
      QueryPlans.assertUsesIndexes(teams, "chat_rooms_team_idx")
      QueryPlans.assertUsesIndexes(append, "chat_rooms_pkey")
    }))
})
