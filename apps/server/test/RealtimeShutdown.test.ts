import { describe, expect, it } from "vitest"
import {
  eventually,
  httpGet,
  roomOf,
  signUp,
  SseReader,
  startQrChallenge,
  startRealtimeServer,
  teamOf,
  TestSocket,
  withTimeout,
  type RealtimeTestServer
} from "./support/RealtimeTestServer.js"

/** One of every kind of realtime connection on `server`. */
const openEverything = async (server: RealtimeTestServer) => {
  const alice = await signUp(server, "alice")
  const teamId = await teamOf(server, alice)
  const roomId = await roomOf(server, alice, teamId)
  const chat = await TestSocket.as(server, "/ws/chat", alice)
  chat.send({ type: "subscribe", roomId })
  await chat.expect("subscribed")
  const coordinates = await TestSocket.as(server, "/ws/coordinates", alice)
  coordinates.send({ type: "subscribe", teamId })
  await coordinates.expect("subscribed")
  const unauthenticated = await TestSocket.open(`${server.wsUrl}/ws/chat`)
  const challenge = await startQrChallenge(server)
  const stream = await SseReader.open(`${server.httpUrl}/api/qr/sse/${challenge.challengeId}`)
  expect(await stream.nextStatus()).toMatchObject({ id: "pending" })
  return { chat, coordinates, unauthenticated, stream, challenge }
}

describe("realtime shutdown", () => {
  it("the shutdown signal closes every socket with 1012, ends every SSE stream and refuses newcomers", async () => {
    const server = await startRealtimeServer({ heartbeatMs: 60_000 })
    try {
      const { chat, coordinates, unauthenticated, stream, challenge } = await openEverything(server)
      await eventually(() => server.app.realtimeConnections() === 4)

      server.shutdown.abort()
      for (const socket of [chat, coordinates, unauthenticated]) {
        expect(await withTimeout(socket.closed, 5_000, "closing a socket")).toEqual({ code: 1012, reason: "service restart" })
      }
      expect(await stream.rest()).toEqual([])
      await eventually(() => server.app.realtimeConnections() === 0)

      const late = await TestSocket.open(`${server.wsUrl}/ws/chat`)
      expect((await withTimeout(late.closed)).code).toBe(1012)
      const lateStream = await httpGet(`${server.httpUrl}/api/qr/sse/${challenge.challengeId}`)
      expect(lateStream.status).toBe(503)
      expect(lateStream.headers["content-type"]).toMatch(/^application\/problem\+json/)
    } finally {
      await withTimeout(server.close(), 10_000, "closing the app")
    }
  })

  it("closing the app ends open streams and sockets without waiting for clients", async () => {
    const server = await startRealtimeServer({ heartbeatMs: 60_000 })
    const { chat, stream } = await openEverything(server)
    // No abort first: the app's own close must not hang on a long-lived response.
    await withTimeout(server.app.close(), 10_000, "closing the app")
    expect(await stream.rest()).toEqual([])
    await withTimeout(chat.closed, 5_000, "closing the chat socket")
    expect(server.app.realtimeConnections()).toBe(0)
    await server.runtime.dispose()
  })

  it("connections that end are forgotten (no fiber outlives its client)", async () => {
    const server = await startRealtimeServer({ heartbeatMs: 60_000 })
    try {
      const { chat, coordinates, unauthenticated, stream } = await openEverything(server)
      await eventually(() => server.app.realtimeConnections() === 4)
      stream.cancel()
      chat.close()
      coordinates.socket.terminate()
      unauthenticated.close()
      await eventually(() => server.app.realtimeConnections() === 0)
    } finally {
      await server.close()
    }
  })
})
