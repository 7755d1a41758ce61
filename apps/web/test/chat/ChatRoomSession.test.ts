/**
 * A room session against the real contract in process: history over HTTP, live messages over the
 * real chat socket session (InProcessChatSockets), sends over HTTP. Drops the sockets to check
 * that a reconnect catches up without gaps or duplicates, and fails sends to check that they are
 * retried with the same clientMessageId and stored once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { makeChatConnection, type ChatConnection } from "../../src/features/chat/ChatConnection"
import type { ChatMessage } from "../../src/features/chat/ChatMessage"
import { makeChatRoomSession, type ChatRoomApi, type ChatRoomConnection, type ChatRoomSession } from "../../src/features/chat/ChatRoomSession"
import { makeTestApi, type TestApi } from "../support/TestApi"
import { signUp, teamWith, type TestUser } from "../teams/TeamFixtures"
import { makeInProcessChatSockets, type InProcessChatSockets } from "./InProcessChatSockets"
import { message } from "./ScriptedChatServer"

let testApi: TestApi
let sockets: InProcessChatSockets
let connection: ChatConnection | undefined
beforeEach(() => {
  testApi = makeTestApi()
  sockets = makeInProcessChatSockets(testApi)
})
afterEach(async () => {
  connection?.stop()
  await testApi.dispose()
})

const setUp = async () => {
  const ada = await signUp(testApi, "Ada")
  const bob = await signUp(testApi, "Bob")
  const teamId = await teamWith(ada, "Team", [{ user: bob, role: "member" }])
  const room = await ada.call("chat.createRoom", { body: { teamId, name: "general" } })
  return { ada, bob, roomId: room.roomId }
}

let said = 0
const say = async (user: TestUser, roomId: string, ...bodies: ReadonlyArray<string>) => {
  for (const body of bodies) {
    await user.call("chat.sendMessage", { params: { roomId }, body: { body, clientMessageId: `said-${++said}` } })
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** The HTTP side of a session, as `user`, with every send attempt recorded. */
const roomApi = (user: TestUser) => {
  const sends: Array<{ readonly body: string; readonly clientMessageId: string }> = []
  /** "reach": the server stores the message but the answer is lost; "unreachable": it never arrives. */
  let failure: "none" | "reach" | "unreachable" = "none"
  const api: ChatRoomApi = {
    listMessages: (roomId, query) =>
      user.call("chat.listMessages", {
        params: { roomId },
        query: { limit: String(query.limit), ...(query.before === undefined ? {} : { before: String(query.before) }) }
      }),
    sendMessage: async (roomId, body) => {
      sends.push(body)
      if (failure === "unreachable") throw new TypeError("Failed to fetch")
      const answer = await user.call("chat.sendMessage", { params: { roomId }, body })
      if (failure === "reach") throw new TypeError("Failed to fetch")
      return answer
    }
  }
  return { api, sends, fail: (mode: typeof failure) => void (failure = mode) }
}

const openSession = (user: TestUser, roomId: string, api: ChatRoomApi, ids: () => string = () => crypto.randomUUID()) => {
  connection = makeChatConnection({
    url: "ws://chat.test/ws/chat",
    openSocket: sockets.open,
    accessToken: async () => user.accessToken,
    // Short real waits: the in-process server runs on the same event loop.
    reconnectDelay: () => 5,
    pingIntervalMs: 0
  })
  const session = makeChatRoomSession({ roomId, myUserId: user.userId, api, connection, newClientMessageId: ids, pageSize: 20 })
  session.start()
  connection.start()
  return session
}

const seqsOf = (session: ChatRoomSession) => session.getSnapshot().messages.map((m: ChatMessage) => m.seq)
const live = (session: ChatRoomSession) => vi.waitFor(() => expect(session.getSnapshot().live.status).toBe("subscribed"))

describe("ChatRoomSession", () => {
  it("shows the newest page, pages back to the first message, and adds live messages in order", async () => {
    const { ada, bob, roomId } = await setUp()
    await say(ada, roomId, ...range(1, 45).map((n) => `m${n}`))
    const session = openSession(bob, roomId, roomApi(bob).api)
    await vi.waitFor(() => expect(session.getSnapshot().history.status).toBe("ready"))
    expect(seqsOf(session)).toEqual(range(26, 45))
    expect(session.getSnapshot().hasOlder).toBe(true)
    await live(session)

    await say(ada, roomId, "m46", "m47")
    await vi.waitFor(() => expect(seqsOf(session)).toEqual(range(26, 47)))

    session.loadOlder()
    session.loadOlder() // ignored while a page is loading
    await vi.waitFor(() => expect(seqsOf(session)).toEqual(range(6, 47)))
    session.loadOlder()
    await vi.waitFor(() => expect(seqsOf(session)).toEqual(range(1, 47)))
    expect(session.getSnapshot().hasOlder).toBe(false)
    expect(session.getSnapshot().messages.map((m) => m.body)).toEqual(range(1, 47).map((n) => `m${n}`))
    expect(testApi.calls(`GET /api/chat/rooms/${roomId}/messages`)).toBe(3)
  })

  it("catches up after the connection drops: every message sent meanwhile, once, in order", async () => {
    const { ada, bob, roomId } = await setUp()
    await say(ada, roomId, "one", "two", "three")
    const session = openSession(bob, roomId, roomApi(bob).api)
    await live(session)
    await say(ada, roomId, "four")
    await vi.waitFor(() => expect(seqsOf(session)).toEqual([1, 2, 3, 4]))

    sockets.refuseConnections(true)
    sockets.dropAll()
    await vi.waitFor(() => expect(connection?.getState().status).toBe("waiting"))
    await say(ada, roomId, "five", "six", "seven")
    await vi.waitFor(() => expect(sockets.opened()).toBeGreaterThanOrEqual(3))
    expect(seqsOf(session)).toEqual([1, 2, 3, 4])

    sockets.refuseConnections(false)
    await vi.waitFor(() => expect(seqsOf(session)).toEqual([1, 2, 3, 4, 5, 6, 7]))
    // The reconnect asked for everything after the last seq it had seen.
    const subscribes = sockets.clientFrames.filter((f) => f["type"] === "subscribe")
    expect(subscribes[0]).toEqual({ type: "subscribe", roomId, after: 3 })
    expect(subscribes.at(-1)).toEqual({ type: "subscribe", roomId, after: 4 })

    await say(ada, roomId, "eight")
    await vi.waitFor(() => expect(seqsOf(session)).toEqual(range(1, 8)))
    expect(session.getSnapshot().messages.map((m) => m.body)).toEqual(["one", "two", "three", "four", "five", "six", "seven", "eight"])
  })

  it("retries a failed send on reconnect with the same clientMessageId, and the server stores it once", async () => {
    const { ada, bob, roomId } = await setUp()
    const { api, fail, sends } = roomApi(bob)
    const session = openSession(bob, roomId, api, () => "client-id-1")
    await live(session)

    // The server stores the message but its answer is lost, and the socket is down too.
    sockets.refuseConnections(true)
    sockets.dropAll()
    fail("reach")
    session.send("hello")
    expect(session.getSnapshot().outgoing).toMatchObject([{ clientMessageId: "client-id-1", body: "hello", status: "sending" }])
    await vi.waitFor(() => expect(session.getSnapshot().outgoing).toMatchObject([{ status: "failed", retryable: true }]))

    fail("none")
    sockets.refuseConnections(false)
    await vi.waitFor(() => expect(session.getSnapshot().outgoing).toEqual([]))
    expect(sends.map((s) => s.clientMessageId)).toEqual(["client-id-1", "client-id-1"])
    expect(session.getSnapshot().messages.map((m) => m.body)).toEqual(["hello"])
    const stored = await ada.call("chat.listMessages", { params: { roomId } })
    expect(stored.messages.map((m) => [m.body, m.clientMessageId])).toEqual([["hello", "client-id-1"]])
  })

  it("retries a failed send when asked, with the same clientMessageId; a refused one is not retried by itself", async () => {
    const { ada, bob, roomId } = await setUp()
    const { api, fail, sends } = roomApi(bob)
    let n = 0
    const session = openSession(bob, roomId, api, () => `id-${++n}`)
    await live(session)

    fail("unreachable")
    const first = session.send("first")
    await vi.waitFor(() => expect(session.getSnapshot().outgoing).toMatchObject([{ clientMessageId: first, status: "failed" }]))
    fail("none")
    session.retry(first)
    await vi.waitFor(() => expect(session.getSnapshot().messages.map((m) => m.body)).toEqual(["first"]))
    expect(sends.map((s) => s.clientMessageId)).toEqual([first, first])

    // Whitespace only: the server refuses it (400), which no retry can change.
    const refused = session.send("   ")
    await vi.waitFor(() => expect(session.getSnapshot().outgoing).toMatchObject([{ clientMessageId: refused, status: "failed", retryable: false }]))
    expect(session.getSnapshot().outgoing[0]?.error).toMatchObject({ name: "ApiProblem", status: 400 })
    sockets.dropAll()
    await vi.waitFor(() => expect(sockets.opened()).toBe(2))
    await vi.waitFor(() => expect(connection?.getState().status).toBe("open"))
    expect(sends.filter((s) => s.clientMessageId === refused)).toHaveLength(1)
    session.discard(refused)
    expect(session.getSnapshot().outgoing).toEqual([])
    const stored = await ada.call("chat.listMessages", { params: { roomId } })
    expect(stored.messages.map((m) => m.body)).toEqual(["first"])
  })

  it("shows this user's message once when its live copy arrives before the answer to the send", async () => {
    const { bob, roomId } = await setUp()
    const { api } = roomApi(bob)
    let release: () => void = () => undefined
    const held: ChatRoomApi = {
      ...api,
      // The answer is held back until the live copy has been shown.
      sendMessage: async (id, body) => {
        const answer = await api.sendMessage(id, body)
        await new Promise<void>((resolve) => (release = resolve))
        return answer
      }
    }
    const session = openSession(bob, roomId, held)
    await live(session)
    session.send("mine")
    await vi.waitFor(() => expect(session.getSnapshot().messages.map((m) => m.body)).toEqual(["mine"]))
    expect(session.getSnapshot().outgoing).toEqual([])
    release()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(session.getSnapshot().messages.map((m) => m.body)).toEqual(["mine"])
  })

  it("reports a room the user may not read as a history error (404), and does not subscribe to it", async () => {
    const { roomId } = await setUp()
    const mallory = await signUp(testApi, "Mallory")
    const session = openSession(mallory, roomId, roomApi(mallory).api)
    await vi.waitFor(() => expect(session.getSnapshot().history.status).toBe("error"))
    expect(session.getSnapshot().history).toMatchObject({ status: "error", error: { name: "ApiProblem", status: 404 } })
    await vi.waitFor(() => expect(connection?.getState().status).toBe("open"))
    expect(sockets.clientFrames.filter((f) => f["type"] === "subscribe")).toEqual([])
  })

  it("follows again (after a stop and start) from the last seq seen without a gap, not from a send's answer", async () => {
    const watches: Array<{ after: number; onMessage: (m: ChatMessage) => void }> = []
    const fake: ChatRoomConnection = {
      watchRoom: (_roomId, after, handlers) => {
        watches.push({ after, onMessage: handlers.onMessage })
        return () => undefined
      },
      getState: () => ({ status: "open" }),
      subscribeState: () => () => undefined
    }
    const api: ChatRoomApi = {
      listMessages: async () => ({ messages: [message("r", 3), message("r", 2), message("r", 1)], nextCursor: null }),
      // Messages 4 and 5 are still on their way live when the answer (seq 6) arrives.
      sendMessage: async (roomId, body) => ({ ...message(roomId, 6, { senderId: "me" }), ...body })
    }
    const session = makeChatRoomSession({ roomId: "r", myUserId: "me", api, connection: fake, newClientMessageId: () => "c1" })
    session.start()
    await vi.waitFor(() => expect(watches).toHaveLength(1))
    expect(watches[0]?.after).toBe(3)
    session.send("hello")
    await vi.waitFor(() => expect(session.getSnapshot().messages.map((m) => m.seq)).toEqual([1, 2, 3, 6]))
    session.stop()
    session.start()
    expect(watches.map((w) => w.after)).toEqual([3, 3])
    watches[1]?.onMessage(message("r", 4))
    session.stop()
    session.start()
    expect(watches.map((w) => w.after)).toEqual([3, 3, 4])
    expect(session.getSnapshot().messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 6])
  })
})
