import { assert, layer } from "@effect/vitest"
import { AuthConfig, ChatBus, ChatBusError, Unavailable } from "@app/domain"
import * as Memory from "@app/domain/memory"
import { InProcess, LocalEnvelopeCipher, ScryptPasswordHasher } from "@app/domain/node"
import { Effect, Fiber, Layer } from "effect"
import { runChatSession } from "../../src/realtime/ChatSocketSession.js"
import { decodeChatServerFrame, RealtimeCloseCode } from "../../src/realtime/RealtimeFrames.js"
import { openFakeSocket } from "./FakeSocket.js"
import { roomOf, say, signUp, teamOf, type TestUser } from "./ProductFixtures.js"

/** A socket with a running session; the session fiber is returned to check that it ends. */
const connect = (options: Parameters<typeof runChatSession>[1] = {}) =>
  Effect.gen(function*() {
    const socket = yield* openFakeSocket(decodeChatServerFrame)
    const session = yield* Effect.forkChild(runChatSession(socket.connection, options))
    return { ...socket, session }
  })

/** A socket that has authenticated as `user`. */
const connectAs = (user: TestUser) =>
  Effect.gen(function*() {
    const socket = yield* connect()
    yield* socket.send({ type: "auth", token: user.token })
    const ack = yield* socket.expect("authenticated")
    assert.strictEqual(ack["userId"], user.actor.userId)
    return socket
  })

const seqOf = (frame: Record<string, unknown>) => (frame["message"] as { readonly seq: number }).seq

/** Alice and Bob in a team with one room. */
const setup = Effect.gen(function*() {
  const alice = yield* signUp("alice")
  const bob = yield* signUp("bob")
  const teamId = yield* teamOf(alice, bob)
  const roomId = yield* roomOf(alice, teamId)
  return { alice, bob, teamId, roomId }
})

layer(InProcess.layerTest, { excludeTestServices: true })("ChatSocketSession", (it) => {
  it.effect("replays every message after `after`, in order, then pushes live ones", () =>
    Effect.gen(function*() {
      const { alice, bob, roomId } = yield* setup
      yield* say(alice, roomId, "one", "two", "three", "four", "five")
      const socket = yield* connectAs(bob)
      yield* socket.send({ type: "subscribe", roomId, after: 2 })
      const ack = yield* socket.expect("subscribed")
      assert.deepStrictEqual(ack, { type: "subscribed", roomId, after: 2 })
      const replayed = [yield* socket.expect("message"), yield* socket.expect("message"), yield* socket.expect("message")]
      assert.deepStrictEqual(replayed.map(seqOf), [3, 4, 5])
      const third = replayed[0]!["message"] as Record<string, unknown>
      assert.strictEqual(third["body"], "three")
      assert.strictEqual(third["senderId"], alice.actor.userId)
      assert.strictEqual(third["roomId"], roomId)
      assert.match(String(third["sentAt"]), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      assert.deepStrictEqual(Object.keys(third).sort(), ["body", "clientMessageId", "messageId", "roomId", "senderId", "sentAt", "seq"])

      yield* say(alice, roomId, "six")
      const live = yield* socket.expect("message")
      assert.strictEqual(seqOf(live), 6)
      assert.deepStrictEqual(yield* socket.quietFor(150), [])
      assert.deepStrictEqual(socket.malformed, [])
    }))

  it.effect("without `after` the ack carries the room's latest seq and only later messages follow", () =>
    Effect.gen(function*() {
      const { alice, bob, roomId } = yield* setup
      yield* say(alice, roomId, "old 1", "old 2")
      const socket = yield* connectAs(bob)
      yield* socket.send({ type: "subscribe", roomId })
      assert.deepStrictEqual(yield* socket.expect("subscribed"), { type: "subscribed", roomId, after: 2 })
      // Sent right after the ack: must arrive (the ack means the position is fixed).
      yield* say(alice, roomId, "new")
      assert.strictEqual(seqOf(yield* socket.expect("message")), 3)
    }))

  it.effect("a client that reconnects with the last seq it saw gets every message once, none missing", () =>
    Effect.gen(function*() {
      const { alice, bob, roomId } = yield* setup
      const first = yield* connectAs(bob)
      yield* first.send({ type: "subscribe", roomId, after: 0 })
      yield* first.expect("subscribed")
      yield* say(alice, roomId, "a", "b", "c")
      const seen = [seqOf(yield* first.expect("message")), seqOf(yield* first.expect("message"))]
      // The client drops after two messages (the third may be in flight and is lost with it).
      yield* first.end
      yield* Fiber.join(first.session).pipe(Effect.timeout("5 seconds"))
      yield* say(alice, roomId, "d", "e")

      const second = yield* connectAs(bob)
      yield* second.send({ type: "subscribe", roomId, after: seen[seen.length - 1] })
      yield* second.expect("subscribed")
      for (let i = 0; i < 3; i++) seen.push(seqOf(yield* second.expect("message")))
      yield* say(bob, roomId, "f")
      seen.push(seqOf(yield* second.expect("message")))
      assert.deepStrictEqual(seen, [1, 2, 3, 4, 5, 6])
      assert.deepStrictEqual(yield* second.quietFor(150), [])
    }))

  it.effect("a non-member is refused with NotFound naming the room, and no ack", () =>
    Effect.gen(function*() {
      const { roomId } = yield* setup
      const mallory = yield* signUp("mallory")
      const socket = yield* connectAs(mallory)
      yield* socket.send({ type: "subscribe", roomId, after: 0 })
      const error = yield* socket.expect("error")
      assert.strictEqual(error["code"], "NotFound")
      assert.strictEqual(error["roomId"], roomId)
      // A room that does not exist looks the same.
      yield* socket.send({ type: "subscribe", roomId: "01JNOSUCHROOM0000000000000" })
      const missing = yield* socket.expect("error")
      assert.strictEqual(missing["code"], "NotFound")
      assert.strictEqual(yield* socket.isClosed, false)
    }))

  it.effect("several rooms on one socket, and unsubscribe stops one of them", () =>
    Effect.gen(function*() {
      const { alice, bob, roomId, teamId } = yield* setup
      const other = yield* roomOf(alice, teamId, "random")
      const socket = yield* connectAs(bob)
      yield* socket.send({ type: "subscribe", roomId, after: 0 })
      yield* socket.expect("subscribed")
      yield* socket.send({ type: "subscribe", roomId: other, after: 0 })
      yield* socket.expect("subscribed")
      yield* say(alice, roomId, "in general")
      yield* say(alice, other, "in random")
      const frames = [yield* socket.expect("message"), yield* socket.expect("message")]
      assert.deepStrictEqual(
        frames.map((f) => (f["message"] as { readonly body: string }).body).sort(),
        ["in general", "in random"]
      )

      yield* socket.send({ type: "unsubscribe", roomId })
      assert.deepStrictEqual(yield* socket.expect("unsubscribed"), { type: "unsubscribed", roomId })
      yield* say(alice, roomId, "unheard")
      yield* say(alice, other, "heard")
      const next = yield* socket.expect("message")
      assert.strictEqual((next["message"] as { readonly body: string }).body, "heard")
      assert.deepStrictEqual(yield* socket.quietFor(200), [])
    }))

  it.effect("subscribing to a room again replaces the subscription (no duplicates)", () =>
    Effect.gen(function*() {
      const { alice, bob, roomId } = yield* setup
      yield* say(alice, roomId, "1", "2")
      const socket = yield* connectAs(bob)
      yield* socket.send({ type: "subscribe", roomId, after: 0 })
      yield* socket.expect("subscribed")
      assert.deepStrictEqual([seqOf(yield* socket.expect("message")), seqOf(yield* socket.expect("message"))], [1, 2])
      yield* socket.send({ type: "subscribe", roomId, after: 1 })
      yield* socket.expect("subscribed")
      assert.strictEqual(seqOf(yield* socket.expect("message")), 2)
      yield* say(alice, roomId, "3")
      assert.strictEqual(seqOf(yield* socket.expect("message")), 3)
      assert.deepStrictEqual(yield* socket.quietFor(150), [])
    }))

  it.effect("bad frames are answered with an error naming the field, and the socket stays usable", () =>
    Effect.gen(function*() {
      const { bob } = yield* setup
      const socket = yield* connectAs(bob)

      yield* socket.send("not json {")
      assert.strictEqual((yield* socket.expect("error"))["code"], "BadFrame")
      yield* socket.send("[1, 2]")
      assert.strictEqual((yield* socket.expect("error"))["code"], "BadFrame")

      yield* socket.send({ type: "shout" })
      const badType = yield* socket.expect("error")
      assert.strictEqual(badType["code"], "ValidationError")
      assert.deepStrictEqual((badType["errors"] as Array<{ path: string }>).map((e) => e.path), ["type"])

      yield* socket.send({ type: "subscribe", roomId: "no spaces allowed", after: -1 })
      const badFields = yield* socket.expect("error")
      assert.strictEqual(badFields["code"], "ValidationError")
      assert.deepStrictEqual((badFields["errors"] as Array<{ path: string }>).map((e) => e.path).sort(), ["after", "roomId"])

      yield* socket.send({ type: "unsubscribe" })
      const missing = yield* socket.expect("error")
      assert.deepStrictEqual((missing["errors"] as Array<{ path: string }>).map((e) => e.path), ["roomId"])

      yield* socket.send("x".repeat(20_000))
      assert.strictEqual((yield* socket.expect("error"))["code"], "BadFrame")

      yield* socket.send({ type: "auth", token: bob.token })
      assert.strictEqual((yield* socket.expect("error"))["code"], "BadFrame")

      yield* socket.send({ type: "ping" })
      yield* socket.expect("pong")
      assert.strictEqual(yield* socket.isClosed, false)
      assert.deepStrictEqual(socket.malformed, [])
    }))

  it.effect("an invalid token gets an error frame and close 4401", () =>
    Effect.gen(function*() {
      const socket = yield* connect()
      yield* socket.send({ type: "auth", token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." })
      const error = yield* socket.expect("error")
      assert.strictEqual(error["code"], "Unauthenticated")
      assert.strictEqual((yield* socket.closed).code, RealtimeCloseCode.Unauthenticated)
      yield* Fiber.join(socket.session).pipe(Effect.timeout("5 seconds"))
    }))

  it.effect("a first frame that is not a valid auth frame gets an error frame and close 4401", () =>
    Effect.gen(function*() {
      const { roomId } = yield* setup
      const early = yield* connect()
      yield* early.send({ type: "subscribe", roomId })
      assert.strictEqual((yield* early.expect("error"))["code"], "Unauthenticated")
      assert.strictEqual((yield* early.closed).code, 4401)

      const empty = yield* connect()
      yield* empty.send({ type: "auth", token: "" })
      const invalid = yield* empty.expect("error")
      assert.deepStrictEqual((invalid["errors"] as Array<{ path: string }>).map((e) => e.path), ["token"])
      assert.strictEqual((yield* empty.closed).code, 4401)
    }))

  it.effect("no auth frame in time closes with 4401", () =>
    Effect.gen(function*() {
      const socket = yield* connect({ authTimeout: "100 millis" })
      const error = yield* socket.expect("error")
      assert.strictEqual(error["code"], "Unauthenticated")
      assert.strictEqual((yield* socket.closed).code, 4401)
      yield* Fiber.join(socket.session).pipe(Effect.timeout("5 seconds"))
    }))

  it.effect("when the client goes away the session ends, with its subscriptions", () =>
    Effect.gen(function*() {
      const { alice, bob, roomId } = yield* setup
      const socket = yield* connectAs(bob)
      yield* socket.send({ type: "subscribe", roomId, after: 0 })
      yield* socket.expect("subscribed")
      yield* socket.end
      yield* Fiber.join(socket.session).pipe(Effect.timeout("5 seconds"))
      // Nothing is sent to a gone client (a leaked follower would still push this).
      yield* say(alice, roomId, "after close")
      assert.deepStrictEqual(yield* socket.quietFor(150), [])
    }))

  it.effect("a socket holds a bounded number of subscriptions", () =>
    Effect.gen(function*() {
      const { alice, bob, roomId, teamId } = yield* setup
      const other = yield* roomOf(alice, teamId, "second")
      const socket = yield* openFakeSocket(decodeChatServerFrame)
      yield* Effect.forkChild(runChatSession(socket.connection, { maxSubscriptions: 1 }))
      yield* socket.send({ type: "auth", token: bob.token })
      yield* socket.expect("authenticated")
      yield* socket.send({ type: "subscribe", roomId })
      yield* socket.expect("subscribed")
      yield* socket.send({ type: "subscribe", roomId: other })
      const error = yield* socket.expect("error")
      assert.strictEqual(error["code"], "TooManySubscriptions")
      assert.strictEqual(error["roomId"], other)
    }))
})

// ---------------------------------------------------------------------------------------------

/** The product with a chat bus that can be switched off, to see a follow fail. */
let busDown = false
const switchableBus = Layer.effect(
  ChatBus,
  Effect.gen(function*() {
    const inner = yield* Memory.ChatBusMemory.make
    return ChatBus.of({
      publish: inner.publish,
      subscribe: (roomId) =>
        busDown
          ? Effect.fail(new ChatBusError({ reason: new Unavailable({ message: "bus switched off by the test" }) }))
          : inner.subscribe(roomId)
    })
  })
)

const withSwitchableBus = InProcess.make({
  stores: Layer.mergeAll(Memory.layer, switchableBus),
  authConfig: AuthConfig.layerTest(),
  cipher: LocalEnvelopeCipher.layerTest,
  passwordHasher: ScryptPasswordHasher.layerTest
})

layer(withSwitchableBus, { excludeTestServices: true })("ChatSocketSession when the bus fails", (it) => {
  it.effect("a failed follow sends Unavailable naming the room; resubscribing with the last seq resumes", () =>
    Effect.gen(function*() {
      const { alice, bob, roomId } = yield* setup
      yield* say(alice, roomId, "1", "2")
      const socket = yield* connectAs(bob)
      busDown = true
      yield* socket.send({ type: "subscribe", roomId, after: 1 })
      yield* socket.expect("subscribed")
      const error = yield* socket.expect("error")
      assert.deepStrictEqual([error["code"], error["roomId"]], ["Unavailable", roomId])
      assert.notInclude(String(error["message"]), "switched off")

      busDown = false
      yield* socket.send({ type: "subscribe", roomId, after: 1 })
      yield* socket.expect("subscribed")
      assert.strictEqual(seqOf(yield* socket.expect("message")), 2)
      yield* say(alice, roomId, "3")
      assert.strictEqual(seqOf(yield* socket.expect("message")), 3)
    }).pipe(Effect.ensuring(Effect.sync(() => (busDown = false)))))
})
