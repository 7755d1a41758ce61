/**
 * API.md "Chat" realtime over a real WebSocket (`/ws/chat`, frames of RealtimeFrames.ts): the auth
 * frame first, subscribe with `after` replays then pushes live, and a client that reconnects with
 * the last seq it saw gets every later message once, in order. Skipped for targets without
 * realtime (the in-process handler).
 */
import { expect, it } from "vitest"
import { roomWithMembers, sendMany } from "./ChatScenarios.js"
import { openSocket, type Frame, type SocketClient } from "../support/RealtimeTestClients.js"
import { expectStatus, isoInstant, unique, type ScenarioKit, type ScenarioUser, type Scenarios } from "./ScenarioKit.js"

const chatSocket = async (kit: ScenarioKit, user?: ScenarioUser): Promise<SocketClient> => {
  const socket = await openSocket(`${kit.target.realtime!.wsUrl.replace(/\/+$/, "")}/ws/chat`)
  if (user !== undefined) {
    socket.send({ type: "auth", token: user.accessToken })
    expect(await socket.next()).toEqual({ type: "authenticated", userId: user.userId })
  }
  return socket
}

/** Message frames until `lastSeq` has arrived; answers their seqs, every other frame failing the test. */
const messagesUntil = async (socket: SocketClient, lastSeq: number) => {
  const seqs: Array<number> = []
  const frames: Array<Frame> = []
  while (seqs[seqs.length - 1] !== lastSeq) {
    const frame = await socket.next()
    expect(frame.type, JSON.stringify(frame)).toBe("message")
    frames.push(frame)
    seqs.push((frame["message"] as { seq: number }).seq)
    if (seqs.length > 1000) throw new Error("runaway stream")
  }
  return { seqs, frames }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

export const chatSocketScenarios = ({ kit }: Scenarios) => {
  it("ws: auth, subscribe with after replays in order, then pushes live messages", async (context) => {
    if (kit().target.realtime === undefined) return context.skip()
    const { member, owner, roomId } = await roomWithMembers(kit())
    await sendMany(owner, roomId, 3)
    const socket = await chatSocket(kit(), member)
    try {
      socket.send({ type: "subscribe", roomId, after: 1 })
      expect(await socket.next()).toEqual({ type: "subscribed", roomId, after: 1 })
      expect((await messagesUntil(socket, 3)).seqs).toEqual([2, 3])

      const clientMessageId = crypto.randomUUID()
      const sent = expectStatus(
        await owner.api.request("chat.sendMessage", { params: { roomId }, body: { body: "live!", clientMessageId } }),
        201
      )
      const live = await socket.next()
      expect(live).toEqual({ type: "message", message: sent })
      expect(live["message"]).toMatchObject({ seq: 4, senderId: owner.userId, sentAt: isoInstant })

      // A repeated send publishes nothing new.
      expectStatus(await owner.api.request("chat.sendMessage", { params: { roomId }, body: { body: "again", clientMessageId } }), 200)
      await sendMany(owner, roomId, 1, "after the repeat")
      expect((await socket.next())["message"]).toMatchObject({ seq: 5, body: "after the repeat 0" })
    } finally {
      await socket.close()
    }
  })

  it("ws: subscribe without after starts at the room's latest seq; ping answers pong", async (context) => {
    if (kit().target.realtime === undefined) return context.skip()
    const { member, roomId } = await roomWithMembers(kit())
    await sendMany(member, roomId, 2)
    const socket = await chatSocket(kit(), member)
    try {
      socket.send({ type: "ping" })
      expect(await socket.next()).toEqual({ type: "pong" })
      socket.send({ type: "subscribe", roomId })
      expect(await socket.next()).toEqual({ type: "subscribed", roomId, after: 2 })
      await sendMany(member, roomId, 1)
      expect((await socket.next())["message"]).toMatchObject({ seq: 3 })
    } finally {
      await socket.close()
    }
  })

  it("ws: reconnecting with the last seq seen gets every later message once, in order", async (context) => {
    if (kit().target.realtime === undefined) return context.skip()
    const { member, owner, roomId } = await roomWithMembers(kit())
    await sendMany(owner, roomId, 3)

    const first = await chatSocket(kit(), member)
    first.send({ type: "subscribe", roomId, after: 0 })
    expect(await first.next()).toEqual({ type: "subscribed", roomId, after: 0 })
    // Messages are sent while the subscription replays: the seam between replay and live.
    const [seen] = await Promise.all([messagesUntil(first, 8), sendMany(owner, roomId, 5, "during")])
    expect(seen.seqs).toEqual(range(1, 8))
    await first.close()

    // Offline: more messages, from both members.
    await sendMany(owner, roomId, 2, "offline")
    await sendMany(member, roomId, 2, "offline")

    const second = await chatSocket(kit(), member)
    try {
      second.send({ type: "subscribe", roomId, after: 8 })
      expect(await second.next()).toEqual({ type: "subscribed", roomId, after: 8 })
      const [caughtUp] = await Promise.all([messagesUntil(second, 15), sendMany(owner, roomId, 3, "back")])
      expect(caughtUp.seqs).toEqual(range(9, 15))
      const bodies = caughtUp.frames.map((f) => (f["message"] as { body: string }).body)
      expect(bodies.slice(0, 4)).toEqual(["offline 0", "offline 1", "offline 0", "offline 1"])
      // Nothing more than what was sent: no duplicate arrives late.
      second.send({ type: "ping" })
      expect(await second.next()).toEqual({ type: "pong" })
      expect(second.drain()).toEqual([])

      // The same history over HTTP.
      const page = expectStatus(await member.api.request("chat.listMessages", { params: { roomId }, query: { after: "8" } }), 200)
      expect(page.messages.map((m) => m.seq)).toEqual(range(9, 15))
    } finally {
      await second.close()
    }
  }, 30_000)

  it("ws: a first frame that is not a valid auth closes the socket with 4401", async (context) => {
    if (kit().target.realtime === undefined) return context.skip()
    const { member, roomId } = await roomWithMembers(kit())

    const early = await chatSocket(kit())
    early.send({ type: "subscribe", roomId })
    expect(await early.next()).toMatchObject({ type: "error", code: "Unauthenticated" })
    expect((await early.closed).code).toBe(4401)

    const forged = await chatSocket(kit())
    const [h, p, s] = member.accessToken.split(".") as [string, string, string]
    forged.send({ type: "auth", token: `${h}.${p}.${s.startsWith("A") ? "B" : "A"}${s.slice(1)}` })
    expect(await forged.next()).toMatchObject({ type: "error", code: "Unauthenticated" })
    expect((await forged.closed).code).toBe(4401)

    const garbage = await chatSocket(kit())
    garbage.sendText("not json")
    expect(await garbage.next()).toMatchObject({ type: "error" })
    expect((await garbage.closed).code).toBe(4401)
  })

  it("ws: a non-member's subscribe is refused with an error frame naming the room; bad frames name the field", async (context) => {
    if (kit().target.realtime === undefined) return context.skip()
    const { outsider, roomId } = await roomWithMembers(kit())
    const socket = await chatSocket(kit(), outsider)
    try {
      socket.send({ type: "subscribe", roomId })
      expect(await socket.next()).toMatchObject({ type: "error", code: "NotFound", roomId })
      socket.send({ type: "subscribe", roomId: unique("room") })
      expect(await socket.next()).toMatchObject({ type: "error", code: "NotFound" })
      socket.send({ type: "subscribe", after: -1 })
      const invalid = await socket.next()
      expect(invalid).toMatchObject({ type: "error", code: "ValidationError" })
      expect((invalid["errors"] as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(["after", "roomId"])
      socket.send({ type: "shout" })
      expect(await socket.next()).toMatchObject({ type: "error", code: "ValidationError", errors: [{ path: "type" }] })
      // The socket stays usable.
      socket.send({ type: "ping" })
      expect(await socket.next()).toEqual({ type: "pong" })
    } finally {
      await socket.close()
    }
  })
}
