import { assert, layer } from "@effect/vitest"
import { InProcess } from "@app/domain/node"
import { Effect, Fiber } from "effect"
import { runCoordinatesSession } from "../../src/realtime/CoordinatesSocketSession.js"
import { decodeCoordinatesServerFrame } from "../../src/realtime/RealtimeFrames.js"
import { openFakeSocket } from "./FakeSocket.js"
import { deviceOf, reportPosition, signUp, teamOf, type TestUser } from "./ProductFixtures.js"

const connectAs = (user: TestUser) =>
  Effect.gen(function*() {
    const socket = yield* openFakeSocket(decodeCoordinatesServerFrame)
    const session = yield* Effect.forkChild(runCoordinatesSession(socket.connection))
    yield* socket.send({ type: "auth", token: user.token })
    yield* socket.expect("authenticated")
    return { ...socket, session }
  })

const setup = Effect.gen(function*() {
  const owner = yield* signUp("owner")
  const viewer = yield* signUp("viewer")
  const teamId = yield* teamOf(owner, viewer)
  const device = yield* deviceOf(owner, teamId)
  return { owner, viewer, teamId, device }
})

/** Well inside the accepted clock skew, and distinct per call. */
let tick = 0
const now = () => Date.now() - 60_000 + ++tick

layer(InProcess.layerTest, { excludeTestServices: true })("CoordinatesSocketSession", (it) => {
  it.effect("pushes a device's newest position after the ack, with the measured time in ISO", () =>
    Effect.gen(function*() {
      const { device, teamId, viewer } = yield* setup
      const socket = yield* connectAs(viewer)
      yield* socket.send({ type: "subscribe", teamId })
      assert.deepStrictEqual(yield* socket.expect("subscribed"), { type: "subscribed", teamId })
      const ts = now()
      const result = yield* reportPosition(device, { x: 12.5, y: 7, ts })
      assert.strictEqual(result.accepted, 1)
      const frame = yield* socket.expect("coordinates")
      assert.deepStrictEqual(frame, {
        type: "coordinates",
        teamId,
        deviceId: device.deviceId,
        x: 12.5,
        y: 7,
        ts: new Date(ts).toISOString()
      })
      assert.deepStrictEqual(socket.malformed, [])
    }))

  it.effect("several readings of one device within a second are thinned to the newest", () =>
    Effect.gen(function*() {
      const { device, teamId, viewer } = yield* setup
      const socket = yield* connectAs(viewer)
      yield* socket.send({ type: "subscribe", teamId })
      yield* socket.expect("subscribed")
      for (const x of [1, 2, 3, 4, 5]) yield* reportPosition(device, { x, y: 0, ts: now() })
      const frames = [yield* socket.expect("coordinates"), ...(yield* socket.quietFor(2_500))]
      // Unthinned, five frames would come; five quick readings can straddle at most one flush.
      assert.isAtMost(frames.length, 2)
      assert.strictEqual(frames[frames.length - 1]!["x"], 5)
    }))

  it.effect("each device is pushed on its own; an older late reading is not pushed", () =>
    Effect.gen(function*() {
      const { device, owner, teamId, viewer } = yield* setup
      const second = yield* deviceOf(owner, teamId, "second")
      const socket = yield* connectAs(viewer)
      yield* socket.send({ type: "subscribe", teamId })
      yield* socket.expect("subscribed")
      const newest = now()
      yield* reportPosition(device, { x: 1, y: 1, ts: newest })
      yield* reportPosition(second, { x: 2, y: 2, ts: now() })
      const frames = [yield* socket.expect("coordinates"), yield* socket.expect("coordinates")]
      assert.deepStrictEqual(frames.map((f) => f["deviceId"]).sort(), [device.deviceId, second.deviceId].sort())

      yield* reportPosition(device, { x: 9, y: 9, ts: newest - 10_000 })
      assert.deepStrictEqual(yield* socket.quietFor(2_200), [])
    }))

  it.effect("a non-member is refused with NotFound naming the team", () =>
    Effect.gen(function*() {
      const { teamId } = yield* setup
      const outsider = yield* signUp("outsider")
      const socket = yield* connectAs(outsider)
      yield* socket.send({ type: "subscribe", teamId })
      const error = yield* socket.expect("error")
      assert.deepStrictEqual([error["code"], error["teamId"]], ["NotFound", teamId])
    }))

  it.effect("unsubscribe stops the pushes; bad frames name the field", () =>
    Effect.gen(function*() {
      const { device, teamId, viewer } = yield* setup
      const socket = yield* connectAs(viewer)
      yield* socket.send({ type: "subscribe" })
      const bad = yield* socket.expect("error")
      assert.deepStrictEqual((bad["errors"] as Array<{ path: string }>).map((e) => e.path), ["teamId"])

      yield* socket.send({ type: "subscribe", teamId })
      yield* socket.expect("subscribed")
      yield* socket.send({ type: "unsubscribe", teamId })
      yield* socket.expect("unsubscribed")
      yield* reportPosition(device, { x: 3, y: 3, ts: now() })
      assert.deepStrictEqual(yield* socket.quietFor(1_800), [])
    }))

  it.effect("when the client goes away the session ends", () =>
    Effect.gen(function*() {
      const { teamId, viewer } = yield* setup
      const socket = yield* connectAs(viewer)
      yield* socket.send({ type: "subscribe", teamId })
      yield* socket.expect("subscribed")
      yield* socket.end
      yield* Fiber.join(socket.session).pipe(Effect.timeout("5 seconds"))
    }))
})
