/**
 * SIGTERM in the middle of steady load, as a load balancer's target sees it: dozens of clients on
 * keep-alive connections looping GET /api/users/me, POST chat messages and (slow, scrypt) logins,
 * chat WebSockets and a QR event stream open. The server process (the built `dist/main.js`) must
 * answer every request it had taken, tell the WebSockets to reconnect elsewhere (1012), end the
 * event stream, exit 0 within SHUTDOWN_GRACE_MS — also when some keep-alive connections go quiet
 * while still open, as a draining load balancer's do — and have lost none of the chat messages it
 * acknowledged. Run on both stores a single process can use: PostgreSQL + Redis (read back from
 * Postgres) and the embedded PGlite (read back by a restart on the same DATA_DIR).
 *
 * What a request may get during the shutdown is sorted by ShutdownLoad.judge; refused new
 * connections and requests the server never read are expected and only counted.
 */
import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeApiClient, type ApiClient } from "@app/api"
import { afterAll, describe, expect, it } from "vitest"
import * as InstanceProcess from "./support/InstanceProcess.js"
import { within } from "../../../packages/api/test/support/RealtimeTestClients.js"
import { type ChatSocket, type EventStream, openChat, openEventStream } from "./support/InstanceRealtime.js"
import * as InstanceStores from "./support/InstanceStores.js"
import * as ShutdownLoad from "./support/ShutdownLoad.js"

const SHUTDOWN_GRACE_MS = 10_000
const WORKERS = 40
const ROOMS = 4
const PASSWORD = "Correct-horse-1"

const run = randomBytes(4).toString("hex")
const cleanups: Array<() => Promise<void> | void> = []
const instances: Array<InstanceProcess.ServerInstance> = []

afterAll(async () => {
  for (const instance of instances) instance.kill()
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => undefined)
}, 60_000)

/** The environment every instance of these tests shares beyond its store's. */
const baseEnv = {
  LOG_LEVEL: "info", // "incoming request" lines are how ShutdownLoad knows what the server took
  SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
  KEEP_ALIVE_TIMEOUT_MS: "65000", // longer than an ALB's idle timeout, as recommended
  RATE_LIMIT_LOGIN: "1000000/60",
  RATE_LIMIT_SIGNUP: "1000000/60"
}

interface Fixture {
  readonly api: ApiClient
  readonly email: string
  readonly accessToken: string
  readonly roomIds: ReadonlyArray<string>
}

const prepare = async (instance: InstanceProcess.ServerInstance): Promise<Fixture> => {
  const api = makeApiClient({ baseUrl: instance.baseUrl })
  const email = `shutdown-${run}-${instance.name}@example.com`
  const session = await api.call("auth.signup", { body: { email, password: PASSWORD, name: "shutdown" } })
  const accessToken = session.accessToken
  const team = await api.call("teams.create", { body: { name: `shutdown ${run}` }, accessToken })
  const roomIds: Array<string> = []
  for (let i = 0; i < ROOMS; i++) {
    roomIds.push((await api.call("chat.createRoom", { body: { teamId: team.teamId, name: `room ${i}` }, accessToken })).roomId)
  }
  return { api, email, accessToken, roomIds }
}

/** What worker `w` sends: mostly reads and chat messages, and a few slow logins. */
const workload = (fixture: Fixture) => {
  let counter = 0
  const auth = { authorization: `Bearer ${fixture.accessToken}` }
  return (worker: number): ShutdownLoad.LoadRequest => {
    if (worker % 10 === 0) {
      return { route: "login", method: "POST", path: "/api/auth/login", body: { email: fixture.email, password: PASSWORD }, expect: [200] }
    }
    if (worker % 2 === 0) return { route: "me", method: "GET", path: "/api/users/me", headers: auth, expect: [200] }
    const clientMessageId = `cid-${run}-${worker}-${++counter}`
    return {
      route: "send",
      method: "POST",
      path: `/api/chat/rooms/${fixture.roomIds[worker % ROOMS]}/messages`,
      headers: auth,
      body: { body: `load message ${clientMessageId}`, clientMessageId },
      expect: [201],
      key: clientMessageId
    }
  }
}

interface StoredMessage {
  readonly messageId: string
  readonly roomId: string
  readonly seq: number
  readonly body: string
}

interface Scenario {
  readonly name: string
  /** Starts the instance under test. */
  readonly start: () => Promise<InstanceProcess.ServerInstance>
  /** Every chat message of `fixture`'s rooms as the store holds them after the shutdown, by clientMessageId. */
  readonly readBack: (fixture: Fixture) => Promise<Map<string, StoredMessage>>
}

const postgresScenario = (): Scenario => {
  let stores: InstanceStores.SharedStores | undefined
  return {
    name: "postgres",
    start: async () => {
      stores = await InstanceStores.create("shutdown")
      cleanups.push(() => stores!.drop())
      return InstanceProcess.start("postgres", { ...stores.env, ...baseEnv })
    },
    readBack: async () => {
      const rows = await stores!.query<{ message_id: string; room_id: string; seq: string; body: string; client_message_id: string }>(
        "SELECT message_id, room_id, seq, body, client_message_id FROM chat_messages"
      )
      return new Map(rows.map((row) => [row.client_message_id, { messageId: row.message_id, roomId: row.room_id, seq: Number(row.seq), body: row.body }]))
    }
  }
}

const embeddedScenario = (): Scenario => {
  let dataDir = ""
  return {
    name: "embedded",
    start: async () => {
      dataDir = await mkdtemp(join(tmpdir(), "server-shutdown-"))
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
      return InstanceProcess.start("embedded", { STORE: "embedded", DATA_DIR: dataDir, ...baseEnv })
    },
    // A new process on the same DATA_DIR: what the first one acknowledged must be on disk.
    readBack: async (fixture) => {
      const again = await InstanceProcess.start("embedded-again", { STORE: "embedded", DATA_DIR: dataDir, LOG_LEVEL: "warn" })
      instances.push(again)
      const api = makeApiClient({ baseUrl: again.baseUrl })
      const stored = new Map<string, StoredMessage>()
      for (const roomId of fixture.roomIds) {
        let after = 0
        for (;;) {
          const page = await api.call("chat.listMessages", { params: { roomId }, query: { after: String(after), limit: "100" }, accessToken: fixture.accessToken })
          for (const m of page.messages) stored.set(m.clientMessageId, { messageId: m.messageId, roomId: m.roomId, seq: m.seq, body: m.body })
          if (page.messages.length < 100) break
          after = page.messages[page.messages.length - 1]!.seq
        }
      }
      expect((await again.stop()).code).toBe(0)
      return stored
    }
  }
}

const logTime = (records: ReadonlyArray<Record<string, unknown>>, msg: string): number | undefined => {
  const record = records.find((r) => r["msg"] === msg)
  return typeof record?.["time"] === "number" ? record["time"] : undefined
}

describe.each([["postgres", postgresScenario], ["embedded", embeddedScenario]] as const)(
  "SIGTERM under load (STORE=%s)",
  (_name, makeScenario) => {
    it("answers every request it took, closes sockets with 1012, ends SSE, exits 0 in time, loses no acknowledged message", async () => {
      const scenario = makeScenario()
      const instance = await scenario.start()
      instances.push(instance)
      const fixture = await prepare(instance)

      // Realtime clients held open through the shutdown.
      const sockets: Array<ChatSocket> = []
      for (const after of [undefined, 0]) {
        const socket = await openChat(instance.wsUrl, fixture.accessToken)
        socket.send({ type: "subscribe", roomId: fixture.roomIds[0], ...(after === undefined ? {} : { after }) })
        await socket.nextOfType("subscribed")
        sockets.push(socket)
      }
      const challenge = await fixture.api.call("qr.init")
      const stream: EventStream = await openEventStream(`${instance.baseUrl}/api/qr/sse/${challenge.challengeId}`)
      expect(stream.status).toBe(200)
      expect(await stream.nextStatus()).toMatchObject({ status: "pending" })

      // Steady load, then SIGTERM in the middle of it.
      const load = ShutdownLoad.start({ baseUrl: instance.baseUrl, workers: WORKERS, next: workload(fixture) })
      cleanups.push(() => load.release())
      const loadDeadline = Date.now() + 60_000
      while (load.completed() < 400 && Date.now() < loadDeadline) await new Promise((r) => setTimeout(r, 20))
      expect(load.completed()).toBeGreaterThanOrEqual(400)
      const signalledAt = Date.now()
      instance.signal("SIGTERM")
      // Like a draining load balancer: the clients stop sending over the next second and a half,
      // some leaving their keep-alive connections open and quiet.
      load.quietAfter(signalledAt, 1_500)

      const exit = await within(instance.exited, SHUTDOWN_GRACE_MS + 20_000, "the process exiting")
      const attempts = await within(load.finished, 60_000, "the load stopping")
      load.release()
      const closes = await within(Promise.all(sockets.map((socket) => socket.closed)), 10_000, "the WebSockets closing")
      const streamEnd = await within(stream.finished, 10_000, "the SSE stream ending")

      const records = instance.logRecords()
      const verdict = ShutdownLoad.judge(attempts, ShutdownLoad.acceptedRequestIds(records))
      console.log(`[${scenario.name}] ${attempts.length} requests: ${ShutdownLoad.summary(verdict)}; exit ${exit.code} after ${exit.at - signalledAt} ms`)

      // The process: a clean exit, within the grace period (a forced one exits 1).
      expect(exit.code, instance.stderr()).toBe(0)
      expect(exit.at - signalledAt).toBeLessThan(SHUTDOWN_GRACE_MS + 5_000)
      expect(records.some((r) => r["msg"] === "shut down")).toBe(true)
      expect(records.filter((r) => typeof r["level"] === "number" && r["level"] >= 50)).toEqual([])

      // Every request the server took got its proper answer.
      expect(verdict.inFlightFailed, ShutdownLoad.sample(verdict.inFlightFailed)).toEqual([])
      expect(verdict.unexpectedStatus, ShutdownLoad.sample(verdict.unexpectedStatus)).toEqual([])
      // …including requests it was working on when the signal came (the test is not vacuous).
      const shuttingDownAt = logTime(records, "shutting down")
      expect(shuttingDownAt).toBeDefined()
      const takenAt = new Map(
        records.filter((r) => r["msg"] === "incoming request").map((r) => [r["reqId"] as string, r["time"] as number])
      )
      const inFlightAtSignal = verdict.answered.filter((a) => (takenAt.get(a.requestId) ?? Infinity) <= shuttingDownAt! && a.endedAt >= signalledAt)
      expect(inFlightAtSignal.length).toBeGreaterThan(0)
      // The load really used keep-alive connections.
      expect(attempts.filter((a) => a.reusedSocket).length).toBeGreaterThan(attempts.length / 2)

      // Realtime clients were told to reconnect elsewhere; the event stream was ended, not cut.
      expect(closes.map((c) => c.code)).toEqual([1012, 1012])
      expect(streamEnd).toBe("ended")

      // Nothing acknowledged is lost; nothing refused was written.
      const stored = await scenario.readBack(fixture)
      const acknowledged = verdict.answered.filter((a) => a.request.route === "send")
      expect(acknowledged.length).toBeGreaterThan(0)
      const missing = acknowledged.filter((a) => {
        const sent = JSON.parse(a.body!) as StoredMessage
        const found = stored.get(a.request.key!)
        return found === undefined || found.messageId !== sent.messageId || found.seq !== sent.seq || found.body !== sent.body
      })
      expect(missing.map((a) => a.request.key)).toEqual([])
      const neverProcessed = [...verdict.refusedWhileClosing, ...verdict.notAccepted, ...verdict.connectionRefused]
        .filter((a) => a.request.route === "send" && stored.has(a.request.key!))
      expect(neverProcessed.map((a) => a.request.key)).toEqual([])
    }, 180_000)
  }
)
