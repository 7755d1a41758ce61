/**
 * A minimal real server for the realtime tests — Fastify, @fastify/websocket and the realtime
 * plugin over the whole product in memory, listening on a free port — plus clients that speak
 * to it over real sockets: a WebSocket that queues the frames it receives, and an SSE reader that
 * parses the event stream as a browser would. State is built through the product's use cases.
 */
import websocket from "@fastify/websocket"
import { type ClientRequest, get, type IncomingHttpHeaders, type IncomingMessage } from "node:http"
import {
  Actor,
  Auth,
  Chat,
  ClientMessageId,
  CreateTeamInput,
  DeviceName,
  Email,
  MessageBody,
  QrLogin,
  RoomName,
  Sensors,
  SignupInput,
  Teams,
  type DeviceId,
  type RoomId,
  type TeamId
} from "@app/domain"
import { InProcess } from "@app/domain/node"
import { type Effect, type Layer, ManagedRuntime, Schema } from "effect"
import Fastify, { type FastifyInstance } from "fastify"
import WebSocket from "ws"
import { realtimeRoutes, type RealtimeRoutesOptions } from "../../src/RealtimeRoutes.js"

/** Every use case of the product. */
export type ProductServices = Layer.Success<typeof InProcess.layerTest>

export interface RealtimeTestServer {
  readonly app: FastifyInstance
  readonly runtime: ManagedRuntime.ManagedRuntime<ProductServices, unknown>
  readonly shutdown: AbortController
  readonly httpUrl: string
  readonly wsUrl: string
  readonly run: <A, E>(effect: Effect.Effect<A, E, ProductServices>) => Promise<A>
  readonly close: () => Promise<void>
}

export const startRealtimeServer = async (
  options: Omit<RealtimeRoutesOptions, "runtime" | "shutdownSignal"> = {}
): Promise<RealtimeTestServer> => {
  const runtime = ManagedRuntime.make(InProcess.layerTest)
  const shutdown = new AbortController()
  const app = Fastify({ logger: false })
  await app.register(websocket)
  await app.register(realtimeRoutes, { runtime, shutdownSignal: shutdown.signal, ...options })
  await app.listen({ host: "127.0.0.1", port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  return {
    app,
    runtime,
    shutdown,
    httpUrl: `http://127.0.0.1:${address.port}`,
    wsUrl: `ws://127.0.0.1:${address.port}`,
    run: (effect) => runtime.runPromise(effect),
    close: async () => {
      shutdown.abort()
      await app.close()
      await runtime.dispose()
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Product state

const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
let counter = 0

export interface TestUser {
  readonly actor: Actor
  readonly token: string
}

export const signUp = (server: RealtimeTestServer, name: string): Promise<TestUser> =>
  server.run(Auth.use((auth) =>
    auth.signup(Schema.decodeUnknownSync(SignupInput)({
      email: `srv-${name}-${run}-${++counter}@example.com`,
      password: "Realtime-Passw0rd",
      name
    }))
  )).then((session) => ({
    actor: new Actor({ userId: session.user.userId, email: session.user.email }),
    token: session.tokens.accessToken
  }))

export const teamOf = async (server: RealtimeTestServer, owner: TestUser, ...members: ReadonlyArray<TestUser>): Promise<TeamId> => {
  const team = await server.run(Teams.use((teams) =>
    teams.create(owner.actor, Schema.decodeUnknownSync(CreateTeamInput)({ name: `team ${++counter}` }))
  ))
  for (const member of members) {
    const invitation = await server.run(Teams.use((teams) =>
      teams.invite(owner.actor, team.teamId, { email: Schema.decodeUnknownSync(Email)(member.actor.email), role: "member" })
    ))
    await server.run(Teams.use((teams) => teams.accept(member.actor, invitation.invitationId)))
  }
  return team.teamId
}

export const roomOf = (server: RealtimeTestServer, member: TestUser, teamId: TeamId, name = "general"): Promise<RoomId> =>
  server.run(Chat.use((chat) => chat.createRoom(member.actor, { teamId, name: Schema.decodeUnknownSync(RoomName)(name) })))
    .then((room) => room.roomId)

export const say = async (server: RealtimeTestServer, from: TestUser, roomId: RoomId, ...bodies: ReadonlyArray<string>) => {
  for (const body of bodies) {
    await server.run(Chat.use((chat) =>
      chat.send(from.actor, roomId, { body: MessageBody.make(body), clientMessageId: ClientMessageId.make(`cid-${run}-${++counter}`) })
    ))
  }
}

export const deviceOf = (server: RealtimeTestServer, owner: TestUser, teamId: TeamId, name = "tracker") =>
  server.run(Sensors.use((sensors) =>
    sensors.createDevice(owner.actor, { teamId, name: Schema.decodeUnknownSync(DeviceName)(name) })
  )).then((created) => ({ deviceId: created.device.deviceId, ingestKey: created.ingestKey }))

export const reportPosition = (
  server: RealtimeTestServer,
  device: { readonly deviceId: DeviceId; readonly ingestKey: string },
  position: { readonly x: number; readonly y: number; readonly ts: number }
) => server.run(Sensors.use((sensors) => sensors.ingest(device.deviceId, device.ingestKey, { readings: [position] })))

export const startQrChallenge = (server: RealtimeTestServer) =>
  server.run(QrLogin.use((qr) => qr.init({ ip: "203.0.113.7", userAgent: "realtime test" }))).then((init) => ({
    challengeId: init.challengeId,
    scanKey: new URL(init.qrPayload).searchParams.get("k")!,
    pollSecret: init.pollSecret,
    expiresAt: init.expiresAt
  }))

// ---------------------------------------------------------------------------------------------
// Clients

export type Frame = Record<string, unknown> & { readonly type: string }

export interface Closed {
  readonly code: number
  readonly reason: string
}

/** A `ws` client that queues every frame it receives. */
export class TestSocket {
  private readonly frames: Array<Frame> = []
  private waiter: (() => void) | undefined
  readonly closed: Promise<Closed>

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame)
      this.waiter?.()
    })
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString("utf8") })
        this.waiter?.()
      })
    })
  }

  static open(url: string): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      const client = new TestSocket(socket)
      socket.once("open", () => resolve(client))
      socket.once("error", reject)
    })
  }

  /** Opens a socket and authenticates it as `user`. */
  static async as(server: RealtimeTestServer, path: string, user: TestUser): Promise<TestSocket> {
    const client = await TestSocket.open(`${server.wsUrl}${path}`)
    client.send({ type: "auth", token: user.token })
    const ack = await client.expect("authenticated")
    if (ack["userId"] !== user.actor.userId) throw new Error("authenticated as someone else")
    return client
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame))
  }

  /** The next frame; rejects after `timeoutMs` or when the socket closes with none left. */
  async next(timeoutMs = 5_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs
    while (this.frames.length === 0) {
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error("the socket closed")
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.waiter = undefined
    }
    return this.frames.shift()!
  }

  /** The next frame, which must be of `type`. */
  async expect(type: string, timeoutMs?: number): Promise<Frame> {
    const frame = await this.next(timeoutMs)
    if (frame.type !== type) throw new Error(`expected a ${type} frame, got ${JSON.stringify(frame)}`)
    return frame
  }

  /** Every frame that arrives within `millis`. */
  async quietFor(millis: number): Promise<Array<Frame>> {
    await new Promise((resolve) => setTimeout(resolve, millis))
    return this.frames.splice(0)
  }

  close(): void {
    this.socket.close()
  }
}

export const withTimeout = <A>(promise: Promise<A>, millis = 5_000, what = "the operation"): Promise<A> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${millis} ms`)), millis))
  ])

/** Polls until `condition` holds (rejects after `millis`). */
export const eventually = async (condition: () => boolean, millis = 5_000): Promise<void> => {
  const deadline = Date.now() + millis
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the condition did not hold in time")
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export interface SseEvent {
  readonly comment?: string
  readonly id?: string
  readonly event?: string
  readonly data?: unknown
}

export interface HttpAnswer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/**
 * A GET on its own connection (no keep-alive pool: a pooled client may hold a spare connection
 * that makes the server's close wait for the headers timeout).
 */
export const httpGet = (url: string, headers: Record<string, string> = {}): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const req = get(url, { headers, agent: false }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
    })
    req.on("error", reject)
  })

/** An event-stream reader on its own connection, parsing blocks as they arrive, as a browser does. */
export class SseReader {
  private buffer = ""
  private readonly events: Array<SseEvent> = []
  private ended = false
  private waiter: (() => void) | undefined

  private constructor(readonly response: IncomingMessage, private readonly request: ClientRequest) {
    response.setEncoding("utf8")
    response.on("data", (chunk: string) => {
      this.buffer += chunk
      const blocks = this.buffer.split("\n\n")
      this.buffer = blocks.pop() ?? ""
      for (const block of blocks) this.events.push(parseBlock(block))
      this.waiter?.()
    })
    const end = () => {
      this.ended = true
      this.waiter?.()
    }
    response.on("end", end)
    response.on("close", end)
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    return new Promise((resolve, reject) => {
      const request = get(url, { headers: { accept: "text/event-stream", ...headers }, agent: false }, (response) =>
        resolve(new SseReader(response, request)))
      request.on("error", reject)
    })
  }

  get status(): number {
    return this.response.statusCode ?? 0
  }

  header(name: string): string | undefined {
    const value = this.response.headers[name.toLowerCase()]
    return Array.isArray(value) ? value[0] : value
  }

  /** The next event or comment; undefined once the server has ended the stream. */
  async next(timeoutMs = 5_000): Promise<SseEvent | undefined> {
    const deadline = Date.now() + timeoutMs
    while (this.events.length === 0 && !this.ended) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no SSE event within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.waiter = undefined
    }
    return this.events.shift()
  }

  /** The next `event: status`, skipping comments; undefined when the stream ended first. */
  async nextStatus(timeoutMs = 5_000): Promise<SseEvent | undefined> {
    for (;;) {
      const event = await this.next(timeoutMs)
      if (event === undefined || event.event === "status") return event
    }
  }

  /** Everything until the server ends the stream (rejects if it does not within `timeoutMs`). */
  async rest(timeoutMs = 5_000): Promise<Array<SseEvent>> {
    const all: Array<SseEvent> = []
    for (;;) {
      const event = await this.next(timeoutMs)
      if (event === undefined) return all
      all.push(event)
    }
  }

  /** The client goes away. */
  cancel(): void {
    this.request.destroy()
  }
}

const parseBlock = (block: string): SseEvent => {
  const event: Record<string, unknown> = {}
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) {
      event["comment"] = line.slice(1).trim()
      continue
    }
    const at = line.indexOf(":")
    const field = at < 0 ? line : line.slice(0, at)
    const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "")
    event[field] = field === "data" ? JSON.parse(value) : value
  }
  return event as SseEvent
}
