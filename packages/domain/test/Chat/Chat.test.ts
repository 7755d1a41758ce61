import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Chat, ListMessagesInput, SendMessageInput } from "../../src/Chat/Chat.js"
import { ChatBus, ChatBusError } from "../../src/Chat/ChatBus.js"
import { ChatBusMemory } from "../../src/Chat/memory/index.js"
import { MessageId } from "../../src/Chat/Message.js"
import { RoomId } from "../../src/Chat/Room.js"
import { Unavailable } from "../../src/StoreFailure.js"
import { TeamId } from "../../src/Teams/Team.js"
import { TeamRepository } from "../../src/Teams/TeamRepository.js"
import { decodeInput } from "../../src/Validation.js"
import { actor, body, cid, join, team, world } from "./fixtures.js"

const alice = actor("alice")
const bob = actor("bob")
const mallory = actor("mallory")

const seqs = (messages: ReadonlyArray<{ readonly seq: number }>) => messages.map((m) => m.seq)

/** A room of a new team owned by alice with bob as a member. */
const room = Effect.gen(function*() {
  const chat = yield* Chat
  const teamId = yield* team(alice, bob)
  return yield* chat.createRoom(alice, { teamId, name: "general" })
})

const sendN = (roomId: RoomId, n: number, from = alice) =>
  Effect.gen(function*() {
    const chat = yield* Chat
    for (let i = 1; i <= n; i++) yield* chat.send(from, roomId, { body: body(`message ${i}`), clientMessageId: cid(`${from.userId}-${i}`) })
  })

describe("Chat inputs", () => {
  it.effect("the body is 1-4000 characters (code points), not only whitespace, and kept as sent", () =>
    Effect.gen(function*() {
      const decode = decodeInput(SendMessageInput)
      const ok = yield* decode({ body: "  indented\n", clientMessageId: "c1" })
      assert.strictEqual(ok.body, "  indented\n")
      assert.strictEqual((yield* decode({ body: "🎉".repeat(4000), clientMessageId: "c1" })).body.length, 8000)
      for (const bad of ["", "   \n\t", "x".repeat(4001)]) {
        const error = yield* decode({ body: bad, clientMessageId: "c1" }).pipe(Effect.flip)
        assert.deepStrictEqual(error.errors.map((e) => e.path), ["body"])
      }
      const badId = yield* decode({ body: "hi", clientMessageId: "has space" }).pipe(Effect.flip)
      assert.deepStrictEqual(badId.errors.map((e) => e.path), ["clientMessageId"])
    }))

  it.effect("a page limit is 1-100 and cursors are non-negative integers", () =>
    Effect.gen(function*() {
      const decode = decodeInput(ListMessagesInput)
      assert.deepStrictEqual(yield* decode({ before: 10, limit: 100 }), { before: 10, limit: 100 })
      const error = yield* decode({ after: -1, limit: 101 }).pipe(Effect.flip)
      assert.deepStrictEqual(error.errors.map((e) => e.path).sort(), ["after", "limit"])
      const zero = yield* decode({ before: 1.5, limit: 0 }).pipe(Effect.flip)
      assert.deepStrictEqual(zero.errors.map((e) => e.path).sort(), ["before", "limit"])
    }))
})

layer(world())("Chat", (it) => {
  describe("rooms", () => {
    it.effect("a member creates a room of the team; anyone else gets NotFound", () =>
      Effect.gen(function*() {
        const chat = yield* Chat
        const teamId = yield* team(alice, bob)
        yield* TestClock.setTime(1_000)
        const created = yield* chat.createRoom(bob, { teamId, name: "random" })
        assert.strictEqual(created.teamId, teamId)
        assert.strictEqual(created.name, "random")
        assert.strictEqual(created.createdAt, 1_000)
        const outsider = yield* chat.createRoom(mallory, { teamId, name: "mine now" }).pipe(Effect.flip)
        assert.strictEqual(outsider._tag, "NotFound")
        const missing = yield* chat.createRoom(alice, { teamId: TeamId.make("no-such-team"), name: "x" }).pipe(Effect.flip)
        assert.strictEqual(missing._tag, "NotFound")
      }))

    it.effect("listRooms lists the rooms of the caller's teams, oldest first; another team is NotFound", () =>
      Effect.gen(function*() {
        const chat = yield* Chat
        const carol = actor("carol-rooms")
        const dave = actor("dave-rooms")
        const first = yield* team(carol)
        const second = yield* team(dave, carol)
        const foreign = yield* team(dave)
        const a = yield* chat.createRoom(carol, { teamId: first, name: "a" })
        yield* TestClock.adjust(1)
        const b = yield* chat.createRoom(dave, { teamId: second, name: "b" })
        yield* TestClock.adjust(1)
        const c = yield* chat.createRoom(carol, { teamId: first, name: "c" })
        yield* chat.createRoom(dave, { teamId: foreign, name: "secret" })
        const ids = (rooms: ReadonlyArray<{ readonly roomId: RoomId }>) => rooms.map((r) => r.roomId)
        assert.deepStrictEqual(ids(yield* chat.listRooms(carol, {})), [a.roomId, b.roomId, c.roomId])
        assert.deepStrictEqual(ids(yield* chat.listRooms(carol, { teamId: first })), [a.roomId, c.roomId])
        const error = yield* chat.listRooms(carol, { teamId: foreign }).pipe(Effect.flip)
        assert.strictEqual(error._tag, "NotFound")
        assert.deepStrictEqual(yield* chat.listRooms(actor("loner"), {}), [])
      }))
  })

  describe("send", () => {
    it.effect("stores the message with the next seq, a ULID and the clock's time", () =>
      Effect.gen(function*() {
        const chat = yield* Chat
        const { roomId } = yield* room
        yield* TestClock.setTime(5_000)
        const first = yield* chat.send(alice, roomId, { body: body("hello"), clientMessageId: cid(1) })
        const second = yield* chat.send(bob, roomId, { body: body("hi"), clientMessageId: cid(1) })
        assert.isTrue(first.created)
        assert.isTrue(second.created)
        assert.deepStrictEqual([first.message.seq, second.message.seq], [1, 2])
        assert.strictEqual(first.message.senderId, alice.userId)
        assert.strictEqual(first.message.sentAt, 5_000)
        assert.isTrue(Schema.is(MessageId)(first.message.messageId))
        assert.isTrue(first.message.messageId < second.message.messageId)
      }))

    it.effect("a repeated clientMessageId returns the original, created=false, and publishes only once", () =>
      Effect.gen(function*() {
        const chat = yield* Chat
        const bus = yield* ChatBus
        const { roomId } = yield* room
        const live = yield* bus.subscribe(roomId)
        const received = yield* live.pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
        const original = yield* chat.send(alice, roomId, { body: body("once"), clientMessageId: cid("x") })
        const again = yield* chat.send(alice, roomId, { body: body("twice?"), clientMessageId: cid("x") })
        assert.isFalse(again.created)
        assert.deepStrictEqual(again.message, original.message)
        yield* chat.send(alice, roomId, { body: body("next"), clientMessageId: cid("y") })
        assert.deepStrictEqual(seqs(yield* Fiber.join(received)), [1, 2])
      }))

    it.effect("non-members and missing rooms get NotFound, also after leaving the team", () =>
      Effect.gen(function*() {
        const chat = yield* Chat
        const teams = yield* TeamRepository
        const created = yield* room
        const input = { body: body("hi"), clientMessageId: cid(1) }
        assert.strictEqual((yield* chat.send(mallory, created.roomId, input).pipe(Effect.flip))._tag, "NotFound")
        assert.strictEqual((yield* chat.send(alice, RoomId.make("no-such-room"), input).pipe(Effect.flip))._tag, "NotFound")
        yield* chat.send(bob, created.roomId, input)
        yield* teams.removeMember(created.teamId, bob.userId, ["member"])
        const error = yield* chat.send(bob, created.roomId, { ...input, clientMessageId: cid(2) }).pipe(Effect.flip)
        assert.strictEqual(error._tag, "NotFound")
        assert.strictEqual((yield* chat.listMessages(bob, created.roomId, {}).pipe(Effect.flip))._tag, "NotFound")
      }))
  })

  describe("listMessages", () => {
    it.effect("pages newest first by `before`, oldest first by `after`, with nextCursor null at the end", () =>
      Effect.gen(function*() {
        const chat = yield* Chat
        const { roomId } = yield* room
        yield* sendN(roomId, 120)
        const first = yield* chat.listMessages(bob, roomId, {})
        assert.strictEqual(first.messages.length, 50)
        assert.strictEqual(first.messages[0]!.seq, 120)
        assert.strictEqual(first.nextCursor, 71)
        const second = yield* chat.listMessages(bob, roomId, { before: 71, limit: 100 })
        assert.deepStrictEqual(seqs(second.messages), Array.from({ length: 70 }, (_, i) => 70 - i))
        assert.strictEqual(second.nextCursor, null)
        const forward = yield* chat.listMessages(bob, roomId, { after: 100, limit: 10 })
        assert.deepStrictEqual(seqs(forward.messages), [101, 102, 103, 104, 105, 106, 107, 108, 109, 110])
        assert.strictEqual(forward.nextCursor, 110)
        const tail = yield* chat.listMessages(bob, roomId, { after: 110, limit: 10 })
        assert.strictEqual(tail.messages.length, 10)
        assert.strictEqual(tail.nextCursor, null)
        assert.deepStrictEqual(yield* chat.listMessages(bob, roomId, { after: 120 }), { messages: [], nextCursor: null })
      }))

    it.effect("non-members get NotFound; a member added later can read", () =>
      Effect.gen(function*() {
        const chat = yield* Chat
        const created = yield* room
        yield* chat.send(alice, created.roomId, { body: body("before erin"), clientMessageId: cid(1) })
        const erin = actor("erin")
        assert.strictEqual((yield* chat.listMessages(erin, created.roomId, {}).pipe(Effect.flip))._tag, "NotFound")
        yield* join(created.teamId, erin)
        assert.deepStrictEqual(seqs((yield* chat.listMessages(erin, created.roomId, {})).messages), [1])
      }))
  })

  describe("follow", () => {
    it.effect("replays everything after `after`, then continues live", () =>
      Effect.gen(function*() {
        const chat = yield* Chat
        const { roomId } = yield* room
        yield* sendN(roomId, 5)
        const followed = yield* chat.follow(bob, roomId, 2).pipe(Stream.take(6), Stream.runCollect, Effect.forkChild)
        yield* Effect.yieldNow
        yield* sendN(roomId, 3, bob)
        assert.deepStrictEqual(seqs(yield* Fiber.join(followed)), [3, 4, 5, 6, 7, 8])
      }))

    it.effect("without `after` it starts at the newest message at subscription time", () =>
      Effect.gen(function*() {
        const chat = yield* Chat
        const { roomId } = yield* room
        yield* sendN(roomId, 4)
        const followed = yield* chat.follow(alice, roomId).pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
        for (let i = 0; i < 5; i++) yield* Effect.yieldNow
        yield* sendN(roomId, 2, bob)
        assert.deepStrictEqual(seqs(yield* Fiber.join(followed)), [5, 6])
      }))

    it.effect("is NotFound for non-members, and ends with NotFound at the next resync after leaving", () =>
      Effect.gen(function*() {
        const chat = yield* Chat
        const teams = yield* TeamRepository
        const created = yield* room
        const refused = yield* chat.follow(mallory, created.roomId, 0).pipe(Stream.runCollect, Effect.flip)
        assert.strictEqual(refused._tag, "NotFound")
        const followed = yield* chat.follow(bob, created.roomId, 0).pipe(Stream.runCollect, Effect.forkChild)
        for (let i = 0; i < 5; i++) yield* Effect.yieldNow
        yield* teams.removeMember(created.teamId, bob.userId, ["member"])
        yield* TestClock.adjust("5 seconds")
        const error = yield* Fiber.join(followed).pipe(Effect.flip)
        assert.strictEqual(error._tag, "NotFound")
      }))
  })
})

/** A bus whose publications all fail: sends must still succeed, followers resync from the store. */
const brokenBus = Layer.effect(
  ChatBus,
  Effect.map(ChatBusMemory.make, (bus) =>
    ChatBus.of({
      publish: () => Effect.fail(new ChatBusError({ reason: new Unavailable({ message: "redis down" }) })),
      subscribe: bus.subscribe
    }))
)

layer(world({}, brokenBus))("Chat with a failing bus", (it) => {
  it.effect("send succeeds and a follower still gets every message from the store", () =>
    Effect.gen(function*() {
      const chat = yield* Chat
      const { roomId } = yield* room
      const followed = yield* chat.follow(bob, roomId, 0).pipe(Stream.take(3), Stream.runCollect, Effect.forkChild)
      yield* Effect.yieldNow
      const sent = yield* chat.send(alice, roomId, { body: body("one"), clientMessageId: cid(1) })
      assert.isTrue(sent.created)
      yield* sendN(roomId, 2, bob)
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(seqs(yield* Fiber.join(followed)), [1, 2, 3])
    }))
})
