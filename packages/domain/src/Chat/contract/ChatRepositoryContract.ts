/**
 * The behaviour every ChatRepository must show, run unchanged against the in-memory adapter,
 * Postgres and DynamoDB: room storage, gapless per-room sequences assigned at write, idempotent
 * appends by (roomId, senderId, clientMessageId) — also under real concurrency — and paging in both
 * directions. Every id is built from a fresh scope, so the store may be shared and non-empty.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { freshScope, modelRun, agree, type PortCommand } from "../../contract/ModelRun.js"
import { ChatRepository, type ChatAppendInput, type MessagePageQuery } from "../ChatRepository.js"
import type { ClientMessageId } from "../Message.js"
import { Room, type RoomId } from "../Room.js"
import * as ChatRepositoryMemory from "../memory/ChatRepositoryMemory.js"
import { body, clientId, freshMessageId, plain, roomId, teamId, userId } from "./ContractIds.js"

type Port = ChatRepository["Service"]

const T0 = 1_700_000_000_000

const makeRoom = (scope: string, room: string | number, team: string | number = 0) =>
  new Room({ roomId: roomId(scope, room), teamId: teamId(scope, team), name: `room ${room}`, createdAt: T0 })

/** Stores a new room of `scope` and returns it. */
const newRoom = (repo: Port, scope: string, label: string | number) => {
  const room = makeRoom(scope, label)
  return Effect.as(repo.createRoom(room), room)
}

const input = (
  scope: string,
  room: RoomId,
  sender: string | number,
  client: ClientMessageId,
  text = "hello",
  sentAt = T0
): ChatAppendInput => ({
  roomId: room,
  senderId: userId(scope, sender),
  clientMessageId: client,
  body: body(text),
  messageId: freshMessageId(),
  sentAt
})

const seqs = (messages: ReadonlyArray<{ readonly seq: number }>) => messages.map((m) => m.seq)
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)

/** A room with `n` messages from one sender, seq 1..n. */
const seeded = (repo: Port, scope: string, n: number) =>
  Effect.gen(function*() {
    const room = yield* newRoom(repo, scope, "seeded")
    for (let i = 1; i <= n; i++) yield* repo.append(input(scope, room.roomId, "a", clientId(i), `message ${i}`))
    return room.roomId
  })

// ---------------------------------------------------------------------------------------------
// Model run: random command sequences agree with the in-memory model on every outcome.

const ROOMS = 2
const TEAMS = 2
const SENDERS = 3
const CLIENT_IDS = 4

const appendCommand = fc
  .record({
    room: fc.nat(ROOMS - 1),
    sender: fc.nat(SENDERS - 1),
    client: fc.nat(CLIENT_IDS - 1),
    text: fc.constantFrom("hi", "  indented", "second\nline", "ünïcödé 🎉")
  })
  .map(({ client, room, sender, text }): PortCommand<Port> => ({
    check: async () => true,
    run: async (m, real) => {
      const appended = input(m.scope, roomId(m.scope, room), sender, clientId(client), text)
      await agree(m.port.append(appended), real.append(appended), (r) => ({ message: plain(r.message), created: r.created }))
    },
    toString: () => `append(room ${room}, sender ${sender}, client ${client}, ${JSON.stringify(text)})`
  }))

const createRoomCommand = fc
  .record({ room: fc.nat(ROOMS - 1), team: fc.nat(TEAMS - 1) })
  .map(({ room, team }): PortCommand<Port> => ({
    check: async () => true,
    run: async (m, real) => {
      const created = makeRoom(m.scope, room, team)
      await agree(m.port.createRoom(created), real.createRoom(created))
    },
    toString: () => `createRoom(${room}, team ${team})`
  }))

const roomCommand = fc.nat(ROOMS - 1).map((room): PortCommand<Port> => ({
  check: async () => true,
  run: async (m, real) => {
    const id = roomId(m.scope, room)
    await agree(m.port.room(id), real.room(id), (found) =>
      Option.match(found, { onNone: () => null, onSome: (r) => ({ ...r }) }))
  },
  toString: () => `room(${room})`
}))

const roomsOfTeamsCommand = fc.subarray(range(0, TEAMS - 1)).map((teams): PortCommand<Port> => ({
  check: async () => true,
  run: async (m, real) => {
    const ids = teams.map((t) => teamId(m.scope, t))
    await agree(m.port.roomsOfTeams(ids), real.roomsOfTeams(ids), (rooms) =>
      rooms.map((r) => ({ ...r })).sort((a, b) => (a.roomId < b.roomId ? -1 : 1)))
  },
  toString: () => `roomsOfTeams([${teams.join(", ")}])`
}))

const pageCommand = fc
  .record({
    room: fc.nat(ROOMS - 1),
    before: fc.option(fc.nat(10), { nil: undefined }),
    after: fc.option(fc.nat(6), { nil: undefined }),
    limit: fc.integer({ min: 1, max: 6 })
  })
  .map(({ after, before, limit, room }): PortCommand<Port> => ({
    check: async () => true,
    run: async (m, real) => {
      const query: MessagePageQuery = {
        ...(before === undefined ? {} : { before }),
        ...(after === undefined ? {} : { after }),
        limit
      }
      const id = roomId(m.scope, room)
      await agree(m.port.page(id, query), real.page(id, query), (page) => page.map(plain))
    },
    toString: () => `page(${room}, ${JSON.stringify({ before, after, limit })})`
  }))

const commands: ReadonlyArray<fc.Arbitrary<PortCommand<Port>>> = [
  createRoomCommand,
  createRoomCommand,
  appendCommand,
  appendCommand,
  appendCommand,
  appendCommand,
  appendCommand,
  roomCommand,
  roomsOfTeamsCommand,
  pageCommand,
  pageCommand,
  pageCommand
]

// ---------------------------------------------------------------------------------------------

export const suite = (name: string, repositoryLayer: Layer.Layer<ChatRepository, unknown>) =>
  layer(repositoryLayer)(`ChatRepository contract (${name})`, (it) => {
    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* ChatRepository
        yield* modelRun({ real, makeModel: ChatRepositoryMemory.make, commands, numRuns: 40, maxCommands: 60 })
      }), 60_000)

    it.effect("createRoom stores a room that room() returns; a taken roomId is a Conflict", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const scope = freshScope("chatroom")
        const room = makeRoom(scope, 1)
        assert.isTrue(Option.isNone(yield* repo.room(room.roomId)))
        yield* repo.createRoom(room)
        const found = yield* repo.room(room.roomId)
        assert.deepStrictEqual(Option.map(found, (r) => ({ ...r })), Option.some({ ...room }))
        const again = yield* repo.createRoom(new Room({ ...room, name: "other" })).pipe(Effect.flip)
        assert.strictEqual(again._tag, "Conflict")
        assert.strictEqual(again._tag === "Conflict" ? again.code : "", "RoomExists")
        assert.strictEqual(Option.getOrThrow(yield* repo.room(room.roomId)).name, room.name)
      }))

    it.effect("roomsOfTeams returns exactly the rooms of the given teams", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const scope = freshScope("chatteams")
        const rooms = [makeRoom(scope, 1, "a"), makeRoom(scope, 2, "a"), makeRoom(scope, 3, "b"), makeRoom(scope, 4, "c")]
        for (const room of rooms) yield* repo.createRoom(room)
        const ids = (found: ReadonlyArray<Room>) => found.map((r) => r.roomId).sort()
        assert.deepStrictEqual(ids(yield* repo.roomsOfTeams([teamId(scope, "a")])), [rooms[0]!.roomId, rooms[1]!.roomId].sort())
        assert.deepStrictEqual(
          ids(yield* repo.roomsOfTeams([teamId(scope, "a"), teamId(scope, "c")])),
          [rooms[0]!.roomId, rooms[1]!.roomId, rooms[3]!.roomId].sort()
        )
        assert.deepStrictEqual(yield* repo.roomsOfTeams([teamId(scope, "none")]), [])
        assert.deepStrictEqual(yield* repo.roomsOfTeams([]), [])
      }))

    it.effect("append assigns seq 1, 2, 3 … per room and returns the stored message", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const scope = freshScope("chatappend")
        const a = yield* newRoom(repo, scope, "a")
        const b = yield* newRoom(repo, scope, "b")
        const first = yield* repo.append(input(scope, a.roomId, 1, clientId(1), "first", T0 + 1))
        assert.isTrue(first.created)
        assert.deepStrictEqual(plain(first.message), {
          messageId: first.message.messageId,
          roomId: a.roomId,
          seq: 1,
          senderId: userId(scope, 1),
          body: "first",
          clientMessageId: clientId(1),
          sentAt: T0 + 1
        })
        const second = yield* repo.append(input(scope, a.roomId, 2, clientId(2), "second"))
        const other = yield* repo.append(input(scope, b.roomId, 1, clientId(3), "elsewhere"))
        assert.strictEqual(second.message.seq, 2)
        assert.strictEqual(other.message.seq, 1)
      }))

    it.effect("append is idempotent by (room, sender, clientMessageId): the original, created=false, no seq used", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const scope = freshScope("chatidem")
        const a = yield* newRoom(repo, scope, "a")
        const b = yield* newRoom(repo, scope, "b")
        const original = yield* repo.append(input(scope, a.roomId, 1, clientId("x"), "original", T0))
        const repeated = yield* repo.append(input(scope, a.roomId, 1, clientId("x"), "changed", T0 + 5))
        assert.isFalse(repeated.created)
        assert.deepStrictEqual(plain(repeated.message), plain(original.message))
        // The same clientMessageId from another sender, or in another room, is another message.
        const otherSender = yield* repo.append(input(scope, a.roomId, 2, clientId("x"), "mine"))
        const otherRoom = yield* repo.append(input(scope, b.roomId, 1, clientId("x"), "there"))
        assert.isTrue(otherSender.created)
        assert.strictEqual(otherSender.message.seq, 2)
        assert.isTrue(otherRoom.created)
        assert.strictEqual(otherRoom.message.seq, 1)
        assert.deepStrictEqual(seqs(yield* repo.page(a.roomId, { limit: 10 })), [2, 1])
      }))

    it.effect("append to a missing room is NotFound and stores nothing", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const scope = freshScope("chatmissing")
        const missing = roomId(scope, "missing")
        const error = yield* repo.append(input(scope, missing, 1, clientId(1))).pipe(Effect.flip)
        assert.strictEqual(error._tag, "NotFound")
        assert.deepStrictEqual(yield* repo.page(missing, { limit: 10 }), [])
      }))

    it.effect("page: newest first by default and with before, oldest first with after, windows with both", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const scope = freshScope("chatpage")
        const room = yield* seeded(repo, scope, 7)
        assert.deepStrictEqual(seqs(yield* repo.page(room, { limit: 3 })), [7, 6, 5])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { limit: 100 })), [7, 6, 5, 4, 3, 2, 1])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { before: 5, limit: 3 })), [4, 3, 2])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { before: 2, limit: 3 })), [1])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { before: 1, limit: 3 })), [])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { after: 0, limit: 3 })), [1, 2, 3])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { after: 5, limit: 3 })), [6, 7])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { after: 7, limit: 3 })), [])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { after: 1, before: 6, limit: 10 })), [2, 3, 4, 5])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { after: 1, before: 6, limit: 2 })), [2, 3])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { after: 3, before: 4, limit: 2 })), [])
        assert.deepStrictEqual(seqs(yield* repo.page(room, { before: 100, limit: 2 })), [7, 6])
        assert.deepStrictEqual(yield* repo.page(roomId(scope, "empty"), { limit: 5 }), [])
      }))

    it.effect("50 concurrent appends to one room get exactly seqs 1..50", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const scope = freshScope("chatrace")
        const room = yield* newRoom(repo, scope, "race")
        const results = yield* Effect.all(
          range(1, 50).map((i) => repo.append(input(scope, room.roomId, i % 5, clientId(i), `message ${i}`))),
          { concurrency: "unbounded" }
        )
        assert.isTrue(results.every((r) => r.created))
        assert.deepStrictEqual(seqs(results.map((r) => r.message)).sort((x, y) => x - y), range(1, 50))
        const stored = yield* repo.page(room.roomId, { after: 0, limit: 100 })
        assert.deepStrictEqual(seqs(stored), range(1, 50))
        assert.strictEqual(new Set(stored.map((m) => m.messageId)).size, 50)
      }))

    it.effect("10 concurrent appends with one key store one message and all get it", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const scope = freshScope("chatdup")
        const room = yield* newRoom(repo, scope, "dup")
        const results = yield* Effect.all(
          range(1, 10).map((i) => repo.append(input(scope, room.roomId, "same", clientId("once"), `try ${i}`))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter((r) => r.created).length, 1)
        const winner = results.find((r) => r.created)!.message
        for (const r of results) assert.deepStrictEqual(plain(r.message), plain(winner))
        assert.strictEqual(winner.seq, 1)
        assert.deepStrictEqual((yield* repo.page(room.roomId, { limit: 100 })).map(plain), [plain(winner)])
        // The counter did not move for the losers: the next message is seq 2.
        const next = yield* repo.append(input(scope, room.roomId, "other", clientId("next")))
        assert.strictEqual(next.message.seq, 2)
      }))

    it.effect("concurrent appends mixing repeats and new keys stay gapless with one message per key", () =>
      Effect.gen(function*() {
        const repo = yield* ChatRepository
        const scope = freshScope("chatmix")
        const room = yield* newRoom(repo, scope, "mix")
        const keys = range(0, 39).map((i) => ({ sender: i % 3, client: clientId(i % 13) }))
        const results = yield* Effect.all(
          keys.map(({ client, sender }) => repo.append(input(scope, room.roomId, sender, client))),
          { concurrency: "unbounded" }
        )
        const distinct = new Set(keys.map(({ client, sender }) => `${sender}/${client}`)).size
        assert.strictEqual(results.filter((r) => r.created).length, distinct)
        const stored = yield* repo.page(room.roomId, { after: 0, limit: 100 })
        assert.deepStrictEqual(seqs(stored), range(1, distinct))
        for (const [i, r] of results.entries()) {
          const key = keys[i]!
          assert.strictEqual(r.message.senderId, userId(scope, key.sender))
          assert.strictEqual(r.message.clientMessageId, key.client)
          assert.deepStrictEqual(plain(stored[r.message.seq - 1]!), plain(r.message))
        }
      }))
  })
