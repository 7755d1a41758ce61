/**
 * ChatRepository on DynamoDB Local: the domain's contract suite unchanged, then what only this
 * adapter must show — racing appends to one room stay gapless, racing repeats of one key store one
 * message, a transaction that fails part-way consumes no seq, pages larger than a DynamoDB page
 * are still whole, the round trips of each method, and never a Scan.
 */
import { assert, layer } from "@effect/vitest"
import {
  ChatRepository,
  ClientMessageId,
  type Message,
  MessageBody,
  MessageId,
  Room,
  RoomId,
  TeamId,
  UserId
} from "@app/domain"
import { ChatRepositoryContract, freshScope } from "@app/domain/contract"
import { Effect, Layer, Option } from "effect"
import * as ChatRepositoryDynamo from "../../src/dynamodb/ChatRepositoryDynamo.js"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as DynamoTest from "../support/DynamoTest.js"

const TABLES = ["chatRooms", "chatMessages"] as const

const contract = DynamoTest.make({ tables: TABLES })
ChatRepositoryContract.suite("dynamodb", ChatRepositoryDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: TABLES })

DynamoTest.assertNoScanAfterAll(contract, dynamo)

let counter = 0

/** A ULID-shaped message id, unique in this file. */
const messageId = (): MessageId => MessageId.make(`01J${String(counter++).padStart(23, "0")}`)

const T0 = 1_700_000_000_000

const newRoom = (teamId = freshScope("team")) =>
  Effect.gen(function*() {
    const repo = yield* ChatRepository
    const room = new Room({ roomId: RoomId.make(freshScope("room")), teamId: TeamId.make(teamId), name: "general", createdAt: T0 })
    yield* repo.createRoom(room)
    return room
  })

const send = (roomId: RoomId, sender: string, client: string, text = "hello", sentAt = T0) =>
  ChatRepository.use((repo) =>
    repo.append({
      roomId,
      senderId: UserId.make(sender),
      clientMessageId: ClientMessageId.make(client),
      body: MessageBody.make(text),
      messageId: messageId(),
      sentAt
    })
  )

const seqs = (messages: ReadonlyArray<Message>) => messages.map((m) => m.seq)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const plain = (m: Message) => ({ ...m })

layer(ChatRepositoryDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true, timeout: "120 seconds" })(
  "ChatRepositoryDynamo",
  (it) => {
    it.effect("30 parallel sends into one room get seq 1..30, gapless, each stored once", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const room = yield* newRoom()
        dynamo.recorder.take()
        const results = yield* Effect.all(
          range(1, 30).map((i) => send(room.roomId, `u-${i % 4}`, `c-${i}`, `message ${i}`)),
          { concurrency: "unbounded" }
        )
        assert.isTrue(results.every((r) => r.created))
        assert.deepStrictEqual(seqs(results.map((r) => r.message)).sort((a, b) => a - b), range(1, 30))
        // One read each, then one transaction per attempt: a lost race (a moved counter, or a
        // TransactionConflict the client retries) costs one more.
        const commands = dynamo.recorder.take()
        assert.strictEqual(commands.filter((c) => c === "BatchGetItem").length, 30)
        assert.isAtLeast(commands.filter((c) => c === "TransactWriteItems").length, 30)
        const stored = yield* repo.page(room.roomId, { after: 0, limit: 100 })
        assert.deepStrictEqual(seqs(stored), range(1, 30))
        for (const r of results) assert.deepStrictEqual(plain(stored[r.message.seq - 1]!), plain(r.message))
        const client = yield* DynamoClient
        const counter = yield* client.get("chatRooms", { roomId: room.roomId })
        assert.strictEqual(Option.getOrThrow(counter)["lastSeq"], 30)
      }))

    it.effect("one clientMessageId sent 20 times in parallel stores one message; every caller gets it exactly", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const room = yield* newRoom()
        yield* send(room.roomId, "u-other", "c-first")
        const results = yield* Effect.all(
          range(1, 20).map((i) => send(room.roomId, "u-same", "c-once", `try ${i}`, T0 + i)),
          { concurrency: "unbounded" }
        )
        const created = results.filter((r) => r.created)
        assert.strictEqual(created.length, 1)
        const winner = created[0]!.message
        assert.strictEqual(winner.seq, 2)
        for (const r of results) assert.deepStrictEqual(plain(r.message), plain(winner))
        assert.deepStrictEqual((yield* repo.page(room.roomId, { after: 0, limit: 100 })).map(plain).slice(1), [plain(winner)])
        // A later retry, with another body and messageId, still answers the original.
        const retry = yield* send(room.roomId, "u-same", "c-once", "changed", T0 + 99)
        assert.isFalse(retry.created)
        assert.deepStrictEqual(plain(retry.message), plain(winner))
        assert.strictEqual((yield* send(room.roomId, "u-other", "c-next")).message.seq, 3)
      }))

    it.effect("a transaction that fails part-way consumes no seq: the counter and the log stay in step", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const client = yield* DynamoClient
        const room = yield* newRoom()
        yield* send(room.roomId, "u-1", "c-1")
        // A stray item where message 2 would go makes the message put (and so the whole
        // transaction, counter update included) fail.
        yield* client.put("chatMessages", { roomId: room.roomId, seq: 2, stray: true })
        const failed = yield* send(room.roomId, "u-1", "c-2").pipe(Effect.flip)
        assert.strictEqual(failed._tag, "ChatRepositoryError")
        if (failed._tag === "ChatRepositoryError") assert.strictEqual(failed.reason._tag, "Unexpected")
        assert.strictEqual(Option.getOrThrow(yield* client.get("chatRooms", { roomId: room.roomId }))["lastSeq"], 1)
        const guard = yield* ChatRepositoryDynamo.messageKeyGuardKey({
          roomId: room.roomId,
          senderId: UserId.make("u-1"),
          clientMessageId: ClientMessageId.make("c-2")
        })
        assert.isTrue(Option.isNone(yield* client.get("chatRooms", guard)), "the guard was not written either")
        yield* client.delete("chatMessages", { roomId: room.roomId, seq: 2 })
        const retried = yield* send(room.roomId, "u-1", "c-2")
        assert.isTrue(retried.created)
        assert.strictEqual(retried.message.seq, 2)
        assert.deepStrictEqual(seqs(yield* repo.page(room.roomId, { limit: 10 })), [2, 1])
      }))

    it.effect("a page holding more than DynamoDB's 1 MB per Query is still whole and in order", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const room = yield* newRoom()
        // 4000 four-byte characters: 16 KB a message, 80 messages ≈ 1.3 MB.
        const big = "🎉".repeat(4000)
        for (let i = 1; i <= 80; i++) yield* send(room.roomId, "u-1", `c-${i}`, big)
        dynamo.recorder.take()
        const newest = yield* repo.page(room.roomId, { limit: 100 })
        assert.deepStrictEqual(seqs(newest), range(1, 80).reverse())
        assert.strictEqual(newest[0]!.body, big)
        const queries = dynamo.recorder.take()
        assert.isAbove(queries.length, 1)
        assert.isTrue(queries.every((c) => c === "Query"))
        assert.deepStrictEqual(seqs(yield* repo.page(room.roomId, { after: 10, before: 75, limit: 70 })), range(11, 74))
      }))

    it.effect("each method costs the documented round trips, none of them a Scan", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const { recorder } = dynamo
        const teamId = freshScope("team")
        recorder.take()
        const room = yield* newRoom(teamId)
        assert.deepStrictEqual(recorder.takeDetailed(), [{ command: "PutItem", tables: ["chat-rooms"] }])
        const taken = yield* repo.createRoom(room).pipe(Effect.flip)
        assert.strictEqual(taken._tag, "Conflict")
        assert.deepStrictEqual(recorder.take(), ["PutItem"])

        yield* repo.room(room.roomId)
        assert.deepStrictEqual(recorder.take(), ["GetItem"])
        assert.isTrue(Option.isNone(yield* repo.room(RoomId.make(freshScope("none")))))
        assert.deepStrictEqual(recorder.take(), ["GetItem"])

        const other = yield* newRoom(teamId)
        recorder.take()
        const rooms = yield* repo.roomsOfTeams([TeamId.make(teamId), TeamId.make(teamId), TeamId.make(freshScope("team"))])
        assert.deepStrictEqual(rooms.map((r) => r.roomId).sort(), [room.roomId, other.roomId].sort())
        assert.deepStrictEqual(rooms.find((r) => r.roomId === room.roomId)!.name, "general")
        assert.deepStrictEqual(recorder.take(), ["Query", "Query"])
        assert.deepStrictEqual(yield* repo.roomsOfTeams([]), [])
        assert.deepStrictEqual(recorder.take(), [])

        const first = yield* send(room.roomId, "u-1", "c-1")
        assert.isTrue(first.created)
        assert.deepStrictEqual(recorder.takeDetailed(), [
          { command: "BatchGetItem", tables: ["chat-rooms"] },
          { command: "TransactWriteItems", tables: ["chat-rooms", "chat-messages"] }
        ])
        const repeat = yield* send(room.roomId, "u-1", "c-1")
        assert.isFalse(repeat.created)
        assert.deepStrictEqual(recorder.take(), ["BatchGetItem", "GetItem"])
        const missing = yield* send(RoomId.make(freshScope("none")), "u-1", "c-1").pipe(Effect.flip)
        assert.strictEqual(missing._tag, "NotFound")
        assert.deepStrictEqual(recorder.take(), ["BatchGetItem"])

        yield* repo.page(room.roomId, { limit: 10 })
        assert.deepStrictEqual(recorder.take(), ["Query"])
        yield* repo.page(room.roomId, { after: 0, before: 5, limit: 2 })
        assert.deepStrictEqual(recorder.take(), ["Query"])
        assert.deepStrictEqual(yield* repo.page(room.roomId, { after: 3, before: 4, limit: 2 }), [])
        assert.deepStrictEqual(recorder.take(), [], "an empty window is answered without a request")
      }))

    it.effect("guards never show up as rooms, neither by id nor by team", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const room = yield* newRoom()
        yield* send(room.roomId, "u-1", "c-1")
        const rooms = yield* repo.roomsOfTeams([room.teamId])
        assert.deepStrictEqual(rooms.map((r) => ({ ...r })), [{ ...room }])
        const guard = yield* ChatRepositoryDynamo.messageKeyGuardKey({
          roomId: room.roomId,
          senderId: UserId.make("u-1"),
          clientMessageId: ClientMessageId.make("c-1")
        })
        assert.isTrue(Option.isNone(yield* repo.room(guard.roomId as RoomId)))
      }))
  }
)
