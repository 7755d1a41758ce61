/**
 * A minimal real server for the realtime tests — Fastify, @fastify/websocket and the realtime
 * plugin over the whole product in memory, listening on a free port — plus packages/api's
 * realtime test clients bound to it: a WebSocket authenticated as a test user, and an SSE reader
 * that also hands out the heartbeat comments. State is built through the product's use cases.
 */
import websocket from "@fastify/websocket"
import { get, type IncomingHttpHeaders } from "node:http"
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
import {
  openSocket,
  openSse,
  within,
  type SocketClient,
  type SseBlock,
  type SseClient
} from "../../../../packages/api/test/support/RealtimeTestClients.js"
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

/** A client WebSocket on this server (packages/api's test client; 5 s deadlines). */
export type TestSocket = SocketClient

export const TestSocket = {
  open: (url: string): Promise<TestSocket> => openSocket(url),

  /** Opens a socket on `path` and authenticates it as `user`. */
  as: async (server: RealtimeTestServer, path: string, user: TestUser): Promise<TestSocket> => {
    const client = await openSocket(`${server.wsUrl}${path}`)
    client.send({ type: "auth", token: user.token })
    const ack = await client.expect("authenticated")
    if (ack["userId"] !== user.actor.userId) throw new Error("authenticated as someone else")
    return client
  }
}

export const withTimeout = <A>(promise: Promise<A>, millis = 5_000, what = "the operation"): Promise<A> =>
  within(promise, millis, what)

/** Polls until `condition` holds (rejects after `millis`). */
export const eventually = async (condition: () => boolean, millis = 5_000): Promise<void> => {
  const deadline = Date.now() + millis
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the condition did not hold in time")
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** An SSE block as these tests compare it: `data` parsed as JSON (the QR stream sends JSON). */
export interface SseEvent {
  readonly comment?: string
  readonly id?: string
  readonly event?: string
  readonly data?: unknown
}

const withParsedData = (block: SseBlock): SseEvent =>
  block.data === undefined ? block : { ...block, data: JSON.parse(block.data) as unknown }

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

/** An event-stream reader (packages/api's test client) that hands out comments too and parses data. */
export class SseReader {
  private constructor(private readonly stream: SseClient) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    return new SseReader(await openSse(url, { headers }))
  }

  get status(): number {
    return this.stream.status
  }

  header(name: string): string | undefined {
    return this.stream.headers.get(name) ?? undefined
  }

  /** The next event or comment; undefined once the server has ended the stream. */
  async next(timeoutMs?: number): Promise<SseEvent | undefined> {
    const block = await this.stream.nextBlock(timeoutMs)
    return block === undefined ? undefined : withParsedData(block)
  }

  /** The next `event: status`, skipping comments; undefined when the stream ended first. */
  async nextStatus(timeoutMs?: number): Promise<SseEvent | undefined> {
    for (;;) {
      const event = await this.next(timeoutMs)
      if (event === undefined || event.event === "status") return event
    }
  }

  /** Everything until the server ends the stream (rejects if it does not within `timeoutMs`). */
  async rest(timeoutMs?: number): Promise<Array<SseEvent>> {
    return (await this.stream.rest(timeoutMs)).map(withParsedData)
  }

  /** The client goes away. */
  cancel(): void {
    this.stream.close()
  }
}
