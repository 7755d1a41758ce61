/**
 * The behaviour every ChatBus must show within one process (in memory; Redis pub/sub through one
 * layer instance): once `subscribe` has returned, every later publication to that room reaches the
 * subscriber, in publish order, and nothing of other rooms does; every subscriber of a room gets
 * its own copy; closing the scope ends the subscription. Absence is observed with a marker message
 * published last (ordering makes it a barrier), so no test depends on timing.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, Fiber, type Layer, Queue, Scope, Stream } from "effect"
import * as fc from "fast-check"
import { freshScope, modelRun, type PortCommand } from "../../contract/ModelRun.js"
import { ChatBus } from "../ChatBus.js"
import { Message } from "../Message.js"
import type { RoomId } from "../Room.js"
import * as ChatBusMemory from "../memory/ChatBusMemory.js"
import { body, clientId, freshMessageId, roomId, userId } from "./ContractIds.js"

type Port = ChatBus["Service"]

const WAIT = "5 seconds"

let counter = 0
/** A message of `room` with a unique seq, so received lists compare by seq. */
const messageOf = (room: RoomId, text = "hello") => {
  const seq = ++counter
  return new Message({
    messageId: freshMessageId(),
    roomId: room,
    seq,
    senderId: userId("bus", "sender"),
    body: body(text),
    clientMessageId: clientId(seq),
    sentAt: 1_700_000_000_000
  })
}

/** Publishes a marker to `room`: publish order makes it a barrier behind everything sent before. */
const publishMarker = (bus: Port, room: RoomId) => {
  const marker = messageOf(room, "marker")
  return Effect.as(bus.publish(marker), marker)
}

interface Subscriber {
  readonly scope: Scope.Closeable
  readonly received: Queue.Queue<Message>
}

/** Subscribes in a scope of its own and collects into a queue until the scope closes. */
const open = (bus: Port, room: RoomId) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const received = yield* Queue.unbounded<Message>()
    const stream = yield* bus.subscribe(room).pipe(Scope.provide(scope))
    yield* Stream.runForEach(stream, (message) => Queue.offer(received, message)).pipe(Effect.forkIn(scope))
    return { scope, received } satisfies Subscriber
  })

/** Everything received up to and including `marker` (fails after WAIT if it never comes). */
const until = (subscriber: Subscriber, marker: Message) =>
  Effect.gen(function*() {
    const out: Array<Message> = []
    while (true) {
      const message = yield* Queue.take(subscriber.received)
      out.push(message)
      if (message.messageId === marker.messageId) return out
    }
  }).pipe(Effect.timeout(WAIT))

const seqs = (messages: ReadonlyArray<Message>) => messages.map((m) => m.seq)

// ---------------------------------------------------------------------------------------------
// Model run: subscribe / unsubscribe / publish / drain on the port and on the in-memory model.

interface Pair {
  readonly room: RoomId
  readonly model: Subscriber
  readonly real: Subscriber
}

/** Real subscriptions still open when a run ends; the suite closes them afterwards. */
const leftovers: Array<Scope.Closeable> = []

const pairs = (memory: Map<string, unknown>): Array<Pair> => {
  let list = memory.get("pairs") as Array<Pair> | undefined
  if (list === undefined) {
    list = []
    memory.set("pairs", list)
  }
  return list
}

const ROOMS = 3

const subscribeCommand = fc.nat(ROOMS - 1).map((room): PortCommand<Port> => ({
  check: async () => true,
  run: async (m, real) => {
    const id = roomId(m.scope, room)
    const model = await Effect.runPromise(open(m.port, id))
    const mine = await Effect.runPromise(open(real, id))
    leftovers.push(mine.scope)
    pairs(m.memory).push({ room: id, model, real: mine })
  },
  toString: () => `subscribe(${room})`
}))

const unsubscribeCommand = fc.nat(10).map((index): PortCommand<Port> => ({
  check: async (m) => pairs(m.memory).length > 0,
  run: async (m) => {
    const list = pairs(m.memory)
    const [pair] = list.splice(index % list.length, 1)
    await Effect.runPromise(Scope.close(pair!.model.scope, Exit.void))
    await Effect.runPromise(Scope.close(pair!.real.scope, Exit.void))
  },
  toString: () => `unsubscribe(#${index})`
}))

const publishCommand = fc.nat(ROOMS - 1).map((room): PortCommand<Port> => ({
  check: async () => true,
  run: async (m, real) => {
    const message = messageOf(roomId(m.scope, room))
    await Effect.runPromise(m.port.publish(message))
    await Effect.runPromise(real.publish(message))
  },
  toString: () => `publish(${room})`
}))

/** Publishes a marker to a subscriber's room and compares what each side received up to it. */
const drainCommand = fc.nat(10).map((index): PortCommand<Port> => ({
  check: async (m) => pairs(m.memory).length > 0,
  run: async (m, real) => {
    const list = pairs(m.memory)
    const pair = list[index % list.length]!
    const marker = messageOf(pair.room, "marker")
    await Effect.runPromise(m.port.publish(marker))
    await Effect.runPromise(real.publish(marker))
    const expected = seqs(await Effect.runPromise(until(pair.model, marker)))
    const actual = seqs(await Effect.runPromise(until(pair.real, marker)))
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      throw new Error(`model and bus disagree\n  model: ${JSON.stringify(expected)}\n  bus:   ${JSON.stringify(actual)}`)
    }
  },
  toString: () => `drain(#${index})`
}))

const commands: ReadonlyArray<fc.Arbitrary<PortCommand<Port>>> = [
  subscribeCommand,
  subscribeCommand,
  unsubscribeCommand,
  publishCommand,
  publishCommand,
  publishCommand,
  drainCommand,
  drainCommand
]

// ---------------------------------------------------------------------------------------------

export const suite = (name: string, busLayer: Layer.Layer<ChatBus, unknown>) =>
  layer(busLayer, { excludeTestServices: true })(`ChatBus contract (${name})`, (it) => {
    it.effect("agrees with the in-memory model on random subscribe/publish sequences", () =>
      Effect.gen(function*() {
        const real = yield* ChatBus
        yield* modelRun({ real, makeModel: ChatBusMemory.make, commands, numRuns: 20, maxCommands: 25 }).pipe(
          Effect.ensuring(Effect.forEach(leftovers.splice(0), (scope) => Scope.close(scope, Exit.void), { discard: true }))
        )
      }), 60_000)

    it.effect("a subscriber gets every later message of its room, in publish order, and none of others", () =>
      Effect.gen(function*() {
        const bus = yield* ChatBus
        const scope = freshScope("bus")
        const room = roomId(scope, "a")
        const other = roomId(scope, "b")
        const subscriber = yield* open(bus, room)
        const sent = [messageOf(room), messageOf(other), messageOf(room), messageOf(room), messageOf(other)]
        for (const message of sent) yield* bus.publish(message)
        const marker = yield* publishMarker(bus, room)
        const received = yield* until(subscriber, marker)
        assert.deepStrictEqual(seqs(received), [sent[0]!.seq, sent[2]!.seq, sent[3]!.seq, marker.seq])
        yield* Scope.close(subscriber.scope, Exit.void)
      }))

    it.effect("publishing to a room without subscribers succeeds", () =>
      Effect.gen(function*() {
        const bus = yield* ChatBus
        yield* bus.publish(messageOf(roomId(freshScope("bus"), "nobody")))
      }))

    it.effect("every subscriber of a room gets its own copy", () =>
      Effect.gen(function*() {
        const bus = yield* ChatBus
        const room = roomId(freshScope("bus"), "fan")
        const first = yield* open(bus, room)
        const second = yield* open(bus, room)
        const message = messageOf(room)
        yield* bus.publish(message)
        const marker = yield* publishMarker(bus, room)
        assert.deepStrictEqual(seqs(yield* until(first, marker)), [message.seq, marker.seq])
        assert.deepStrictEqual(seqs(yield* until(second, marker)), [message.seq, marker.seq])
        yield* Scope.close(first.scope, Exit.void)
        // The remaining subscriber is unaffected by the other leaving.
        const later = messageOf(room)
        yield* bus.publish(later)
        const marker2 = yield* publishMarker(bus, room)
        assert.deepStrictEqual(seqs(yield* until(second, marker2)), [later.seq, marker2.seq])
        yield* Scope.close(second.scope, Exit.void)
      }))

    it.effect("closing the scope ends the subscription's stream", () =>
      Effect.gen(function*() {
        const bus = yield* ChatBus
        const room = roomId(freshScope("bus"), "closing")
        const scope = yield* Scope.make()
        const stream = yield* bus.subscribe(room).pipe(Scope.provide(scope))
        const collected = yield* Stream.runCollect(stream).pipe(Effect.forkChild)
        const message = messageOf(room)
        yield* bus.publish(message)
        // Re-subscribing later works, and the closed subscriber receives nothing more.
        const watcher = yield* open(bus, room)
        yield* Effect.yieldNow
        yield* Scope.close(scope, Exit.void)
        const marker = yield* publishMarker(bus, room)
        assert.deepStrictEqual(seqs(yield* until(watcher, marker)), [marker.seq])
        const exit = yield* Fiber.await(collected).pipe(Effect.timeout(WAIT))
        assert.isTrue(Exit.isSuccess(exit) || Exit.hasInterrupts(exit))
        if (Exit.isSuccess(exit)) assert.isFalse(seqs(exit.value).includes(marker.seq))
        yield* Scope.close(watcher.scope, Exit.void)
      }))

    it.effect("concurrent publishers to one room: the subscriber gets every message once", () =>
      Effect.gen(function*() {
        const bus = yield* ChatBus
        const room = roomId(freshScope("bus"), "busy")
        const subscriber = yield* open(bus, room)
        const sent = Array.from({ length: 30 }, () => messageOf(room))
        yield* Effect.all(sent.map((message) => bus.publish(message)), { concurrency: "unbounded" })
        const marker = yield* publishMarker(bus, room)
        const received = yield* until(subscriber, marker)
        assert.deepStrictEqual(seqs(received).sort((a, b) => a - b), [...seqs(sent), marker.seq].sort((a, b) => a - b))
        yield* Scope.close(subscriber.scope, Exit.void)
      }))
  })
