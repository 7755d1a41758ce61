import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  deviceOf,
  reportPosition,
  signUp,
  startRealtimeServer,
  teamOf,
  TestSocket,
  withTimeout,
  type RealtimeTestServer
} from "./support/RealtimeTestServer.js"

let server: RealtimeTestServer

beforeAll(async () => {
  server = await startRealtimeServer()
})

afterAll(async () => {
  await server?.close()
})

let tick = 0
/** A measured time well inside the accepted clock skew, distinct per call. */
const measuredAt = () => Date.now() - 60_000 + ++tick

const setup = async () => {
  const owner = await signUp(server, "owner")
  const viewer = await signUp(server, "viewer")
  const teamId = await teamOf(server, owner, viewer)
  const device = await deviceOf(server, owner, teamId)
  return { owner, viewer, teamId, device }
}

describe("/ws/coordinates over a real socket", () => {
  it("pushes real readings' positions, thinned to the newest per device per second", async () => {
    const { device, owner, teamId, viewer } = await setup()
    const second = await deviceOf(server, owner, teamId, "second tracker")
    const socket = await TestSocket.as(server, "/ws/coordinates", viewer)
    socket.send({ type: "subscribe", teamId })
    expect(await socket.expect("subscribed")).toEqual({ type: "subscribed", teamId })

    const last = measuredAt() + 100
    for (const x of [1, 2, 3, 4]) await reportPosition(server, device, { x, y: 10, ts: last - 10 + x })
    await reportPosition(server, device, { x: 5, y: 10, ts: last })
    await reportPosition(server, second, { x: 50, y: 60, ts: measuredAt() })

    const frames = [await socket.expect("coordinates"), await socket.expect("coordinates"), ...(await socket.quietFor(2_500))]
    const ofDevice = frames.filter((f) => f["deviceId"] === device.deviceId)
    // Five readings of one device in a few milliseconds straddle at most one one-second flush.
    expect(ofDevice.length).toBeGreaterThanOrEqual(1)
    expect(ofDevice.length).toBeLessThanOrEqual(2)
    expect(ofDevice.at(-1)).toEqual({
      type: "coordinates",
      teamId,
      deviceId: device.deviceId,
      x: 5,
      y: 10,
      ts: new Date(last).toISOString()
    })
    expect(frames.filter((f) => f["deviceId"] === second.deviceId).map((f) => [f["x"], f["y"]])).toEqual([[50, 60]])
    socket.close()
  })

  it("a non-member is refused with NotFound naming the team", async () => {
    const { device, teamId } = await setup()
    const outsider = await signUp(server, "outsider")
    const socket = await TestSocket.as(server, "/ws/coordinates", outsider)
    socket.send({ type: "subscribe", teamId })
    expect(await socket.expect("error")).toMatchObject({ code: "NotFound", teamId })
    await reportPosition(server, device, { x: 1, y: 1, ts: measuredAt() })
    expect(await socket.quietFor(1_500)).toEqual([])
    socket.close()
  })

  it("a bad subscribe names the field; a bad token closes with 4401", async () => {
    const { viewer } = await setup()
    const socket = await TestSocket.as(server, "/ws/coordinates", viewer)
    socket.send({ type: "subscribe", teamId: 42 })
    const error = await socket.expect("error")
    expect(error["code"]).toBe("ValidationError")
    expect((error["errors"] as Array<{ path: string }>).map((e) => e.path)).toEqual(["teamId"])
    socket.close()

    const intruder = await TestSocket.open(`${server.wsUrl}/ws/coordinates`)
    intruder.send({ type: "auth", token: `${viewer.token}x` })
    expect(await intruder.expect("error")).toMatchObject({ code: "Unauthenticated" })
    expect((await withTimeout(intruder.closed)).code).toBe(4401)
  })
})
