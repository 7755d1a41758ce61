import { request } from "node:http"
import type { Socket } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Frame } from "../../../packages/api/test/support/RealtimeTestClients.js"
import {
  roomOf,
  say,
  signUp,
  startRealtimeServer,
  teamOf,
  TestSocket,
  withTimeout,
  type RealtimeTestServer,
  type TestUser
} from "./support/RealtimeTestServer.js"

let server: RealtimeTestServer

beforeAll(async () => {
  server = await startRealtimeServer({ authTimeoutMs: 300, pingIntervalMs: 150 })
})

afterAll(async () => {
  await server?.close()
})

const seqOf = (frame: Frame) => (frame["message"] as { readonly seq: number }).seq
const bodyOf = (frame: Frame) => (frame["message"] as { readonly body: string }).body
const paths = (frame: Frame) => (frame["errors"] as Array<{ readonly path: string }>).map((e) => e.path).sort()

const chatAs = (user: TestUser) => TestSocket.as(server, "/ws/chat", user)

const setup = async () => {
  const alice = await signUp(server, "alice")
  const bob = await signUp(server, "bob")
  const teamId = await teamOf(server, alice, bob)
  const roomId = await roomOf(server, alice, teamId)
  return { alice, bob, teamId, roomId }
}

describe("/ws/chat over a real socket", () => {
  it("replays the messages after a seq in order, then pushes live ones in the REST shape", async () => {
    const { alice, bob, roomId } = await setup()
    await say(server, alice, roomId, "one", "two", "three", "four")
    const socket = await chatAs(bob)
    socket.send({ type: "subscribe", roomId, after: 1 })
    expect(await socket.expect("subscribed")).toEqual({ type: "subscribed", roomId, after: 1 })
    const replayed = [await socket.expect("message"), await socket.expect("message"), await socket.expect("message")]
    expect(replayed.map(seqOf)).toEqual([2, 3, 4])
    expect(replayed[0]!["message"]).toEqual({
      messageId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      roomId,
      seq: 2,
      senderId: alice.actor.userId,
      body: "two",
      clientMessageId: expect.any(String),
      sentAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    })
    await say(server, alice, roomId, "five")
    const live = await socket.expect("message")
    expect([seqOf(live), bodyOf(live)]).toEqual([5, "five"])
    expect(await socket.quietFor(150)).toEqual([])
    socket.close()
  })

  it("a reconnect with the last seen seq continues with no duplicates and no gaps", async () => {
    const { alice, bob, roomId } = await setup()
    const first = await chatAs(bob)
    first.send({ type: "subscribe", roomId, after: 0 })
    await first.expect("subscribed")
    await say(server, alice, roomId, "a", "b", "c")
    const seen = [seqOf(await first.expect("message")), seqOf(await first.expect("message"))]
    first.socket.terminate()
    await say(server, alice, roomId, "d", "e")

    const second = await chatAs(bob)
    second.send({ type: "subscribe", roomId, after: seen.at(-1) })
    await second.expect("subscribed")
    for (let i = 0; i < 3; i++) seen.push(seqOf(await second.expect("message")))
    await say(server, alice, roomId, "f")
    seen.push(seqOf(await second.expect("message")))
    expect(seen).toEqual([1, 2, 3, 4, 5, 6])
    expect(await second.quietFor(150)).toEqual([])
    second.close()
  })

  it("a non-member gets NotFound naming the room, and nothing of the room", async () => {
    const { alice, roomId } = await setup()
    const mallory = await signUp(server, "mallory")
    const socket = await chatAs(mallory)
    socket.send({ type: "subscribe", roomId, after: 0 })
    const error = await socket.expect("error")
    expect(error).toMatchObject({ code: "NotFound", roomId })
    await say(server, alice, roomId, "secret")
    expect(await socket.quietFor(150)).toEqual([])
    socket.close()
  })

  it("several rooms share one socket; unsubscribe stops one", async () => {
    const { alice, bob, roomId, teamId } = await setup()
    const other = await roomOf(server, alice, teamId, "random")
    const socket = await chatAs(bob)
    socket.send({ type: "subscribe", roomId, after: 0 })
    socket.send({ type: "subscribe", roomId: other, after: 0 })
    const acks = [await socket.expect("subscribed"), await socket.expect("subscribed")]
    expect(acks.map((a) => a["roomId"]).sort()).toEqual([roomId, other].sort())
    await say(server, alice, roomId, "to general")
    await say(server, alice, other, "to random")
    const both = [await socket.expect("message"), await socket.expect("message")]
    expect(both.map((f) => [(f["message"] as { roomId: string }).roomId, bodyOf(f)])).toEqual([
      [roomId, "to general"],
      [other, "to random"]
    ])

    socket.send({ type: "unsubscribe", roomId })
    expect(await socket.expect("unsubscribed")).toEqual({ type: "unsubscribed", roomId })
    await say(server, alice, roomId, "unheard")
    await say(server, alice, other, "heard")
    expect(bodyOf(await socket.expect("message"))).toBe("heard")
    expect(await socket.quietFor(150)).toEqual([])
    socket.close()
  })

  it("bad frames get an error naming the field and the socket stays open", async () => {
    const { bob } = await setup()
    const socket = await chatAs(bob)
    socket.sendText("{oops")
    expect(await socket.expect("error")).toMatchObject({ code: "BadFrame" })
    socket.send({ type: "subscribe", roomId: "white space", after: "3" })
    const invalid = await socket.expect("error")
    expect(invalid["code"]).toBe("ValidationError")
    expect(paths(invalid)).toEqual(["after", "roomId"])
    socket.send({ kind: "subscribe" })
    expect(paths(await socket.expect("error"))).toEqual(["type"])
    socket.socket.send(Buffer.from([0xff, 0x00, 0x01]), { binary: true })
    expect(await socket.expect("error")).toMatchObject({ code: "BadFrame" })
    socket.send({ type: "ping" })
    await socket.expect("pong")
    socket.close()
  })

  it("an invalid token gets an error frame and close 4401", async () => {
    const socket = await TestSocket.open(`${server.wsUrl}/ws/chat`)
    socket.send({ type: "auth", token: "not-a-jwt" })
    expect(await socket.expect("error")).toMatchObject({ code: "Unauthenticated" })
    expect((await withTimeout(socket.closed)).code).toBe(4401)
  })

  it("a socket that sends no auth frame is closed with 4401", async () => {
    const socket = await TestSocket.open(`${server.wsUrl}/ws/chat`)
    expect(await socket.expect("error")).toMatchObject({ code: "Unauthenticated" })
    expect((await withTimeout(socket.closed)).code).toBe(4401)
  })

  it("a first frame other than auth is refused with 4401", async () => {
    const { roomId } = await setup()
    const socket = await TestSocket.open(`${server.wsUrl}/ws/chat`)
    socket.send({ type: "subscribe", roomId })
    expect(await socket.expect("error")).toMatchObject({ code: "Unauthenticated" })
    expect((await withTimeout(socket.closed)).code).toBe(4401)
  })

  it("a client that stops answering pings is dropped", async () => {
    const { bob } = await setup()
    // A raw peer: it completes the upgrade and authenticates, then never answers a ping.
    const socket = await new Promise<Socket>((resolve, reject) => {
      const req = request({
        host: "127.0.0.1",
        port: Number(new URL(server.wsUrl).port),
        path: "/ws/chat",
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-key": Buffer.from("0123456789abcdef").toString("base64"),
          "sec-websocket-version": "13"
        }
      })
      req.on("upgrade", (_response, upgraded) => resolve(upgraded))
      req.on("error", reject)
      req.end()
    })
    let received = Buffer.alloc(0)
    socket.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk])))
    socket.write(maskedTextFrame(JSON.stringify({ type: "auth", token: bob.token })))
    await withTimeout(new Promise((resolve) => socket.on("close", resolve)), 5_000, "dropping the silent peer")
    // It was authenticated (so not the auth timeout) and pinged before being dropped.
    expect(received.includes(Buffer.from("\"type\":\"authenticated\""))).toBe(true)
    expect(received.includes(Buffer.from([0x89, 0x00]))).toBe(true)
  })
})

/** A client → server text frame (clients must mask), for payloads under 64 KiB. */
const maskedTextFrame = (text: string): Buffer => {
  const payload = Buffer.from(text, "utf8")
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78])
  const header = payload.length < 126
    ? Buffer.from([0x81, 0x80 | payload.length])
    : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!))
  return Buffer.concat([header, mask, masked])
}
