/**
 * Two server instances, each a real process running the built `dist/main.js` with its own pools,
 * Redis connections and port, on one Postgres schema and one Redis key prefix (STORE=postgres):
 * what one instance does, the other sees — chat messages reach WebSocket subscribers on the other
 * instance (live and replayed), a QR login started and watched on one is approved and exchanged
 * (exactly once) on the other, and the login rate limit counts across both. Both instances start
 * at once on an empty schema, so their migrations also race.
 *
 * MQTT ingest across instances is not tested here: the instances join the fixed share group
 * `sensors-ingest` on the shared broker, which other test files' instances may join too, so a
 * reading could be delivered to a process on another database.
 */
import { randomBytes } from "node:crypto"
import { makeApiClient, type ApiClient } from "@app/api"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as InstanceProcess from "./support/InstanceProcess.js"
import { within } from "../../../packages/api/test/support/RealtimeTestClients.js"
import { openChat, openEventStream } from "./support/InstanceRealtime.js"
import * as InstanceStores from "./support/InstanceStores.js"

const LOGIN_LIMIT = 4

let stores: InstanceStores.SharedStores
let a: InstanceProcess.ServerInstance
let b: InstanceProcess.ServerInstance
let apiA: ApiClient
let apiB: ApiClient

beforeAll(async () => {
  stores = await InstanceStores.create("multi")
  const env = { ...stores.env, RATE_LIMIT_LOGIN: `${LOGIN_LIMIT}/60` }
  // Spawned together: both run the migrations of the empty schema at the same moment.
  const [first, second] = await Promise.allSettled([InstanceProcess.start("a", env), InstanceProcess.start("b", env)])
  if (first.status === "fulfilled") a = first.value
  if (second.status === "fulfilled") b = second.value
  if (first.status === "rejected") throw first.reason
  if (second.status === "rejected") throw second.reason
  apiA = makeApiClient({ baseUrl: a.baseUrl })
  apiB = makeApiClient({ baseUrl: b.baseUrl })
}, 180_000)

afterAll(async () => {
  for (const instance of [a, b]) instance?.kill()
  await stores?.drop()
}, 60_000)

const run = randomBytes(4).toString("hex")
let counter = 0
const PASSWORD = "Correct-horse-1"

const signUp = async (api: ApiClient, label: string) => {
  const email = `${label}-${run}-${++counter}@example.com`
  const session = await api.call("auth.signup", { body: { email, password: PASSWORD, name: label } })
  return { email, userId: session.user.userId, accessToken: session.accessToken }
}

const roomFor = async (api: ApiClient, accessToken: string) => {
  const team = await api.call("teams.create", { body: { name: `multi ${run}` }, accessToken })
  const room = await api.call("chat.createRoom", { body: { teamId: team.teamId, name: "general" }, accessToken })
  return room.roomId
}

const sendMessage = (api: ApiClient, accessToken: string, roomId: string, body: string) =>
  api.call("chat.sendMessage", {
    params: { roomId },
    body: { body, clientMessageId: `cid-${run}-${++counter}` },
    accessToken
  })

describe("two server processes on one Postgres and Redis", () => {
  it("both are up on the same schema and answer as separate processes", async () => {
    expect(a.port).not.toBe(b.port)
    expect(a.process.pid).not.toBe(b.process.pid)
    // The migrations ran once: each table exists once in the shared schema.
    const tables = await stores.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'chat_messages'",
      [stores.schema]
    )
    expect(tables).toHaveLength(1)
    // A token issued by A is accepted by B.
    const user = await signUp(apiA, "token")
    expect((await apiB.call("users.me", { accessToken: user.accessToken })).userId).toBe(user.userId)
  })

  it("a message posted over HTTP to A reaches a WebSocket subscriber on B, and the other way round", async () => {
    const user = await signUp(apiA, "chat")
    const roomId = await roomFor(apiA, user.accessToken)

    const onB = await openChat(b.wsUrl, user.accessToken)
    const onA = await openChat(a.wsUrl, user.accessToken)
    try {
      onB.send({ type: "subscribe", roomId })
      expect(await onB.nextOfType("subscribed")).toMatchObject({ roomId, after: 0 })
      onA.send({ type: "subscribe", roomId })
      expect(await onA.nextOfType("subscribed")).toMatchObject({ roomId, after: 0 })

      const viaA = await sendMessage(apiA, user.accessToken, roomId, "hello from A")
      const viaB = await sendMessage(apiB, user.accessToken, roomId, "hello from B")
      expect([viaA.seq, viaB.seq]).toEqual([1, 2])

      // Each subscriber gets both, in order, whichever instance took the POST.
      for (const socket of [onB, onA]) {
        const first = await socket.nextOfType("message")
        const second = await socket.nextOfType("message")
        expect(first["message"]).toMatchObject({ messageId: viaA.messageId, seq: 1, body: "hello from A" })
        expect(second["message"]).toMatchObject({ messageId: viaB.messageId, seq: 2, body: "hello from B" })
      }
    } finally {
      await onA.close()
      await onB.close()
    }
  })

  it("a subscriber on B replays with `after` the messages sent through A, then gets live ones", async () => {
    const user = await signUp(apiB, "replay")
    const roomId = await roomFor(apiB, user.accessToken)
    const sent = []
    for (let i = 1; i <= 5; i++) sent.push(await sendMessage(apiA, user.accessToken, roomId, `message ${i} via A`))

    const onB = await openChat(b.wsUrl, user.accessToken)
    try {
      onB.send({ type: "subscribe", roomId, after: sent[1]!.seq })
      expect(await onB.nextOfType("subscribed")).toMatchObject({ roomId, after: sent[1]!.seq })
      const replayed = []
      for (let i = 0; i < 3; i++) replayed.push((await onB.nextOfType("message"))["message"] as { messageId: string; seq: number })
      expect(replayed.map((m) => m.messageId)).toEqual(sent.slice(2).map((m) => m.messageId))

      const live = await sendMessage(apiA, user.accessToken, roomId, "live via A")
      expect((await onB.nextOfType("message"))["message"]).toMatchObject({ messageId: live.messageId, seq: 6 })
    } finally {
      await onB.close()
    }

    // The REST history agrees on both instances.
    const [historyA, historyB] = await Promise.all([
      apiA.call("chat.listMessages", { params: { roomId }, query: { after: "0" }, accessToken: user.accessToken }),
      apiB.call("chat.listMessages", { params: { roomId }, query: { after: "0" }, accessToken: user.accessToken })
    ])
    expect(historyA.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect(historyB).toEqual(historyA)
  })

  it("a QR login started and streamed on A, scanned and approved on B, is exchanged exactly once", async () => {
    const phone = await signUp(apiB, "phone")
    const challenge = await apiA.call("qr.init")
    const scanKey = new URL(challenge.qrPayload).searchParams.get("k")
    expect(scanKey).not.toBeNull()
    const input = { challengeId: challenge.challengeId, scanKey: scanKey! }

    const stream = await openEventStream(`${a.baseUrl}/api/qr/sse/${challenge.challengeId}`)
    try {
      expect(stream.status).toBe(200)
      expect(await stream.nextStatus()).toMatchObject({ status: "pending" })

      expect(await apiB.call("qr.scan", { body: input, accessToken: phone.accessToken })).toMatchObject({ status: "scanned" })
      expect(await stream.nextStatus()).toMatchObject({ status: "scanned" })
      expect(await apiB.call("qr.approve", { body: input, accessToken: phone.accessToken })).toEqual({ status: "approved" })
      expect(await stream.nextStatus()).toMatchObject({ status: "approved" })

      // The browser on A and a replayed request on B exchange at the same moment: one wins.
      const exchange = { body: { challengeId: challenge.challengeId, pollSecret: challenge.pollSecret } }
      const answers = await Promise.all([apiA.request("qr.exchange", exchange), apiB.request("qr.exchange", exchange)])
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409])
      const winner = answers.find((answer) => answer.status === 200)!.body as { accessToken: string }
      // A third attempt, on either instance, is refused too.
      expect((await apiA.request("qr.exchange", exchange)).status).toBe(409)
      expect((await apiB.request("qr.exchange", exchange)).status).toBe(409)

      // The session is the phone user's, on both instances.
      expect((await apiA.call("users.me", { accessToken: winner.accessToken })).userId).toBe(phone.userId)
      expect((await apiB.call("users.me", { accessToken: winner.accessToken })).userId).toBe(phone.userId)

      // The stream on A reports the terminal state and ends.
      expect(await stream.nextStatus()).toMatchObject({ status: "consumed" })
      expect(await within(stream.finished, 10_000, "the SSE stream ending")).toBe("ended")
    } finally {
      stream.close()
    }
  })

  it("the login rate limit counts across both instances: the (limit+1)-th login is 429 with Retry-After on either", async () => {
    const user = await signUp(apiA, "limited")
    // Behind the load balancer (one trusted hop) the client is the X-Forwarded-For address.
    const client = `198.51.100.${1 + Math.floor(Math.random() * 250)}`
    const other = `203.0.113.${1 + Math.floor(Math.random() * 250)}`
    const login = (api: ApiClient, from: string, password: string) =>
      api.request("auth.login", { body: { email: user.email, password }, headers: { "x-forwarded-for": from } })

    const allowed = []
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      // Alternating instances; right and wrong passwords count alike.
      allowed.push((await login(i % 2 === 0 ? apiA : apiB, client, i === 1 ? "Wrong-horse-1" : PASSWORD)).status)
    }
    expect(allowed).toEqual([200, 401, 200, 200].slice(0, LOGIN_LIMIT))

    for (const api of [apiA, apiB]) {
      const limited = await login(api, client, PASSWORD)
      expect(limited.status).toBe(429)
      expect(limited.headers.get("content-type")).toMatch(/^application\/problem\+json/)
      const retryAfter = Number(limited.headers.get("retry-after"))
      expect(Number.isInteger(retryAfter)).toBe(true)
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(retryAfter).toBeLessThanOrEqual(60)
    }

    // The limit is the client's, not the instances': another client still logs in on both.
    expect((await login(apiA, other, PASSWORD)).status).toBe(200)
    expect((await login(apiB, other, PASSWORD)).status).toBe(200)
  })

  it("both shut down on SIGTERM with exit 0", async () => {
    const exits = await within(Promise.all([a.stop(), b.stop()]), 30_000, "both instances exiting")
    expect(exits.map((exit) => exit.code)).toEqual([0, 0])
  })
})
