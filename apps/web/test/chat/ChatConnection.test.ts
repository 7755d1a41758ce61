/**
 * ChatConnection against a scripted server (any frame, in any order, including what a correct
 * server never sends) and a manual clock: the handshake, resubscribing from the last seq after a
 * reconnect, merging replays and duplicates, closing gaps, backoff, pings, room failures.
 */
import { describe, expect, it } from "vitest"
import { CLOSE_NO_PONG, makeChatConnection, type ChatConnectionOptions } from "../../src/features/chat/ChatConnection"
import type { ChatMessage } from "../../src/features/chat/ChatMessage"
import { chatSocketUrl } from "../../src/features/chat/ChatSocket"
import { reconnectDelayMs } from "../../src/features/chat/ReconnectDelay"
import { makeFakeClock } from "../support/FakeClock"
import { makeScriptedChatServer, message, settle } from "./ScriptedChatServer"

const ROOM = "room-1"

const setUp = (options: Partial<ChatConnectionOptions> = {}) => {
  const server = makeScriptedChatServer()
  const clock = makeFakeClock(1_000_000)
  let tokenCounter = 0
  const tokens: Array<string | undefined> = []
  const connection = makeChatConnection({
    url: "ws://chat.test/ws/chat",
    openSocket: server.open,
    accessToken: async () => {
      const token = `token-${++tokenCounter}`
      tokens.push(token)
      return token
    },
    schedule: clock.schedule,
    now: clock.now,
    // 1 s, 2 s, 4 s, …: exact, so the test can step over each wait.
    reconnectDelay: (attempt) => 1000 * 2 ** attempt,
    pingIntervalMs: 0,
    ...options
  })
  const received: Array<ChatMessage> = []
  const seqs = () => received.map((m) => m.seq)
  /** Opens the newest socket and completes its handshake. */
  const handshake = async () => {
    await settle()
    const socket = server.last()
    socket.open()
    socket.say({ type: "authenticated", userId: "user-1" })
    return socket
  }
  return { server, clock, connection, received, seqs, handshake, tokens }
}

describe("ChatConnection", () => {
  it("authenticates with the first frame, then subscribes each watched room after the seq it has", async () => {
    const { connection, received, server, tokens } = setUp()
    connection.watchRoom(ROOM, 5, { onMessage: (m) => received.push(m) })
    connection.start()
    expect(connection.getState()).toEqual({ status: "connecting", attempt: 0 })
    await settle()
    const socket = server.last()
    expect(socket.url).toBe("ws://chat.test/ws/chat")
    socket.open()
    expect(socket.sent).toEqual([{ type: "auth", token: tokens[0] }])
    socket.say({ type: "authenticated", userId: "user-1" })
    expect(connection.getState()).toEqual({ status: "open" })
    expect(socket.sent.slice(1)).toEqual([{ type: "subscribe", roomId: ROOM, after: 5 }])

    // A room watched while open is subscribed at once; unwatching unsubscribes.
    const unwatch = connection.watchRoom("room-2", 0, { onMessage: () => undefined })
    expect(socket.sent.at(-1)).toEqual({ type: "subscribe", roomId: "room-2", after: 0 })
    unwatch()
    expect(socket.sent.at(-1)).toEqual({ type: "unsubscribe", roomId: "room-2" })
  })

  it("hands each seq to the room once and in order, dropping replays and duplicates", async () => {
    const { connection, handshake, seqs, received } = setUp()
    connection.watchRoom(ROOM, 3, { onMessage: (m) => received.push(m) })
    connection.start()
    const socket = await handshake()
    socket.say({ type: "subscribed", roomId: ROOM, after: 3 })
    for (const seq of [2, 3, 4, 4, 5, 3, 6, 6]) socket.say({ type: "message", message: message(ROOM, seq) })
    expect(seqs()).toEqual([4, 5, 6])
    expect(connection.lastSeq(ROOM)).toBe(6)
    // Messages of rooms not watched, and frames that are not of the protocol, are ignored.
    socket.say({ type: "message", message: message("another-room", 7) })
    socket.sayRaw("not json")
    socket.say({ type: "message", message: { ...message(ROOM, 7), seq: "seven" } })
    expect(seqs()).toEqual([4, 5, 6])
  })

  it("reconnects after a backoff with a fresh token and resubscribes from the last seq it delivered", async () => {
    const { clock, connection, handshake, received, seqs, server, tokens } = setUp()
    connection.watchRoom(ROOM, 0, { onMessage: (m) => received.push(m) })
    connection.start()
    const first = await handshake()
    for (const seq of [1, 2, 3]) first.say({ type: "message", message: message(ROOM, seq) })

    first.drop()
    expect(connection.getState()).toEqual({ status: "waiting", attempt: 1, retryAt: clock.now() + 1000 })
    clock.advance(999)
    expect(server.sockets).toHaveLength(1)
    clock.advance(1)
    expect(connection.getState().status).toBe("connecting")
    const second = await handshake()
    expect(second).not.toBe(first)
    expect(second.sent).toEqual([
      { type: "auth", token: tokens[1] },
      { type: "subscribe", roomId: ROOM, after: 3 }
    ])
    expect(tokens).toEqual(["token-1", "token-2"])
    // The server replays from 3; anything the old socket still delivers is ignored.
    first.say({ type: "message", message: message(ROOM, 4) })
    second.say({ type: "subscribed", roomId: ROOM, after: 3 })
    for (const seq of [4, 5]) second.say({ type: "message", message: message(ROOM, seq) })
    expect(seqs()).toEqual([1, 2, 3, 4, 5])
  })

  it("backs off longer after each failed attempt and starts over after a handshake", async () => {
    const { clock, connection, handshake, server } = setUp()
    connection.start()
    await settle()
    server.last().drop()
    expect(connection.getState()).toMatchObject({ status: "waiting", attempt: 1, retryAt: clock.now() + 1000 })
    clock.advance(1000)
    await settle()
    server.last().drop()
    expect(connection.getState()).toMatchObject({ status: "waiting", attempt: 2, retryAt: clock.now() + 2000 })
    clock.advance(2000)
    await settle()
    server.last().drop(4401)
    expect(connection.getState()).toMatchObject({ status: "waiting", attempt: 3, retryAt: clock.now() + 4000 })
    clock.advance(4000)
    await handshake()
    server.last().drop()
    expect(connection.getState()).toMatchObject({ status: "waiting", attempt: 1, retryAt: clock.now() + 1000 })
    expect(server.sockets).toHaveLength(4)

    // reconnectNow skips what is left of the wait (the browser came back online).
    connection.reconnectNow()
    await settle()
    expect(server.sockets).toHaveLength(5)
  })

  it("closes a gap by subscribing again from the last seq delivered", async () => {
    const { connection, handshake, received, seqs } = setUp()
    connection.watchRoom(ROOM, 0, { onMessage: (m) => received.push(m) })
    connection.start()
    const socket = await handshake()
    socket.say({ type: "subscribed", roomId: ROOM, after: 0 })
    socket.say({ type: "message", message: message(ROOM, 1) })
    socket.say({ type: "message", message: message(ROOM, 3) })
    socket.say({ type: "message", message: message(ROOM, 4) })
    expect(seqs()).toEqual([1])
    // One resubscribe for the gap, not one per message after it.
    expect(socket.sent.filter((f) => f["type"] === "subscribe")).toEqual([
      { type: "subscribe", roomId: ROOM, after: 0 },
      { type: "subscribe", roomId: ROOM, after: 1 }
    ])
    socket.say({ type: "subscribed", roomId: ROOM, after: 1 })
    for (const seq of [2, 3, 4]) socket.say({ type: "message", message: message(ROOM, seq) })
    expect(seqs()).toEqual([1, 2, 3, 4])
  })

  it("subscribes a room again after a backoff when the server's subscription failed, and gives up on a refusal", async () => {
    const { clock, connection, handshake, received } = setUp()
    const refusals: Array<unknown> = []
    connection.watchRoom(ROOM, 7, { onMessage: (m) => received.push(m) })
    connection.watchRoom("gone", 0, { onMessage: () => undefined, onRefused: (r) => refusals.push(r) })
    connection.start()
    const socket = await handshake()
    socket.say({ type: "subscribed", roomId: ROOM, after: 7 })
    socket.say({ type: "message", message: message(ROOM, 8) })
    socket.say({ type: "error", code: "Unavailable", message: "a service is not answering", roomId: ROOM })
    socket.say({ type: "error", code: "NotFound", message: "room not found", roomId: "gone" })
    expect(refusals).toEqual([{ code: "NotFound", message: "room not found" }])
    const subscribes = () => socket.sent.filter((f) => f["type"] === "subscribe")
    expect(subscribes()).toHaveLength(2)
    clock.advance(1000)
    expect(subscribes().at(-1)).toEqual({ type: "subscribe", roomId: ROOM, after: 8 })
    expect(subscribes()).toHaveLength(3)
    expect(connection.lastSeq("gone")).toBeUndefined()
  })

  it("gives up on a socket that does not answer a ping, and reconnects", async () => {
    const { clock, connection, handshake, server } = setUp({ pingIntervalMs: 25_000, pongTimeoutMs: 10_000 })
    connection.start()
    const socket = await handshake()
    clock.advance(25_000)
    expect(socket.sent.at(-1)).toEqual({ type: "ping" })
    socket.say({ type: "pong" })
    clock.advance(25_000)
    expect(socket.sent.filter((f) => f["type"] === "ping")).toHaveLength(2)
    clock.advance(10_000)
    expect(socket.closedByClient?.code).toBe(CLOSE_NO_PONG)
    expect(connection.getState().status).toBe("waiting")
    clock.advance(1000)
    await settle()
    expect(server.sockets).toHaveLength(2)
  })

  it("stops reconnecting when logged out, and after stop()", async () => {
    const server = makeScriptedChatServer()
    const clock = makeFakeClock(1_000_000)
    let token: string | undefined = "token"
    const connection = makeChatConnection({
      url: "ws://chat.test/ws/chat",
      openSocket: server.open,
      accessToken: async () => token,
      schedule: clock.schedule,
      now: clock.now,
      reconnectDelay: () => 1000,
      pingIntervalMs: 0
    })
    connection.start()
    await settle()
    token = undefined
    server.last().drop()
    clock.advance(1000)
    await settle()
    expect(connection.getState()).toEqual({ status: "signedOut" })
    expect(server.sockets).toHaveLength(1)

    token = "again"
    connection.stop()
    connection.start()
    await settle()
    expect(server.sockets).toHaveLength(2)
    connection.stop()
    expect(server.last().closedByClient?.code).toBe(1000)
    expect(connection.getState()).toEqual({ status: "stopped" })
    server.last().drop()
    clock.advance(60_000)
    expect(server.sockets).toHaveLength(2)
    expect(clock.pending()).toEqual([])
  })
})

describe("reconnectDelayMs", () => {
  it("grows from half a second to at most 30 s, with up to half of it random", () => {
    expect([0, 1, 2, 3].map((n) => reconnectDelayMs(n, () => 1))).toEqual([500, 1000, 2000, 4000])
    expect(reconnectDelayMs(0, () => 0)).toBe(250)
    expect(reconnectDelayMs(50, () => 1)).toBe(30_000)
    expect(reconnectDelayMs(50, () => 0)).toBe(15_000)
  })
})

describe("chatSocketUrl", () => {
  it("uses the page's origin by default and the API's when configured, with ws: or wss:", () => {
    expect(chatSocketUrl("", "http://localhost:3000/chat/t/r")).toBe("ws://localhost:3000/ws/chat")
    expect(chatSocketUrl("", "https://app.example.com/chat")).toBe("wss://app.example.com/ws/chat")
    expect(chatSocketUrl("https://api.example.com", "https://app.example.com/chat")).toBe("wss://api.example.com/ws/chat")
  })
})
