/**
 * The realtime routes of the long-lived server, as a Fastify plugin: the QR status event stream
 * (`GET /api/qr/sse/:challengeId`) and the chat and live-coordinates WebSockets (`/ws/chat`,
 * `/ws/coordinates`). All protocol logic lives in @app/api's transport-neutral sessions and event
 * stream; this file only moves bytes between them and Node: a socket's frames into the session's
 * queue, the session's frames out, one fiber per socket or stream, interrupted when the client
 * goes away. It also keeps the connections alive (WebSocket pings, dropping sockets that stop
 * answering) and ends every one of them when `shutdownSignal` aborts — sockets with 1012
 * ("service restart") so clients reconnect, likely to another instance.
 *
 * Register after @fastify/websocket: `app.register(realtimeRoutes, { runtime, shutdownSignal })`.
 */
import {
  openQrStatusEvents,
  problem,
  problemResponse,
  QR_STATUS_EVENTS_HEADERS,
  RealtimeCloseCode,
  type RealtimeConnection,
  type RealtimeSessionOptions,
  runChatSession,
  runCoordinatesSession
} from "@app/api"
import type { Auth, Chat, QrLogin, Sensors } from "@app/domain"
import { Cause, Duration, Effect, type Fiber, type ManagedRuntime, Queue, Stream } from "effect"
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify"
import fastifyPlugin from "fastify-plugin"
import { PassThrough } from "node:stream"
import type { RawData, WebSocket } from "ws"
import { endUpgradeSocket, isUpgradeRequest } from "./ApiBridge.js"

declare module "fastify" {
  interface FastifyInstance {
    /** How many realtime connections (SSE streams and WebSockets) are open now: for metrics and tests. */
    realtimeConnections: () => number
  }
}

/** The use cases the realtime routes run. */
export type RealtimeServices = Auth | Chat | QrLogin | Sensors

export interface RealtimeRoutesOptions {
  readonly runtime: ManagedRuntime.ManagedRuntime<RealtimeServices, unknown>
  /** Aborted when the server begins to shut down: every stream ends and every socket closes with 1012. */
  readonly shutdownSignal: AbortSignal
  /** How often an SSE stream sends a `: keep-alive` comment (default 15 000 ms). */
  readonly heartbeatMs?: number
  /** How often each WebSocket is pinged; one that has not answered the previous ping is dropped (default 30 000 ms). */
  readonly pingIntervalMs?: number
  /** How long a new WebSocket may take to send its auth frame (default 10 000 ms). */
  readonly authTimeoutMs?: number
}

/** Frames a client may have waiting before it is dropped as a flood. */
const MAX_QUEUED_FRAMES = 256
/** Bytes the server may have queued for a client that does not read before it is dropped. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024

type Session = (
  connection: RealtimeConnection,
  options: RealtimeSessionOptions
) => Effect.Effect<void, never, RealtimeServices>

const textOf = (data: RawData): string =>
  Array.isArray(data)
    ? Buffer.concat(data).toString("utf8")
    : Buffer.isBuffer(data)
    ? data.toString("utf8")
    : Buffer.from(data).toString("utf8")

const sendProblem = (reply: FastifyReply, response: { status: number; headers: Readonly<Record<string, string>>; body: string | undefined }) =>
  reply.code(response.status).headers(response.headers).send(response.body)

const plugin: FastifyPluginAsync<RealtimeRoutesOptions> = async (app: FastifyInstance, options) => {
  const { runtime, shutdownSignal } = options
  const heartbeat = Duration.millis(options.heartbeatMs ?? 15_000)
  const pingIntervalMs = options.pingIntervalMs ?? 30_000
  const sessionOptions: RealtimeSessionOptions = { authTimeout: Duration.millis(options.authTimeoutMs ?? 10_000) }

  /** Ends every open stream and socket; each entry removes itself when its connection ends. */
  const open = new Set<{ readonly end: () => void; readonly kill: () => void }>()
  const endAll = () => {
    for (const connection of [...open]) connection.end()
  }
  app.decorate("realtimeConnections", () => open.size)
  shutdownSignal.addEventListener("abort", endAll, { once: true })
  app.addHook("preClose", async () => endAll())
  app.addHook("onClose", async () => {
    shutdownSignal.removeEventListener("abort", endAll)
    // Whatever did not finish its close handshake: no fiber may outlive the app.
    for (const connection of [...open]) connection.kill()
    open.clear()
  })

  // An upgrade request answered over HTTP (refused by a hook, routed to a plain route) ends with
  // its answer: see endUpgradeSocket. @fastify/websocket does this only when its own onRequest
  // hook ran, which a hook answering first (a CORS preflight) skips.
  app.addHook("onResponse", (request, _reply, done) => {
    if (isUpgradeRequest(request)) endUpgradeSocket(request)
    done()
  })

  // ---- QR status events

  // The stream is plain HTTP: @fastify/websocket would otherwise take an upgrade request on this
  // route (its routes are every route declared after it) and answer 101 or its own text/html 400.
  const refuseUpgrade = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!isUpgradeRequest(request)) return done()
    void sendProblem(reply, problemResponse(problem(400, { detail: "the QR status stream is an event stream, not a WebSocket", code: "NotAWebSocket" })))
  }

  app.get<{ Params: { challengeId: string } }>("/api/qr/sse/:challengeId", { onRequest: refuseUpgrade }, async (request, reply) => {
    if (shutdownSignal.aborted) {
      return sendProblem(reply, problemResponse(problem(503, { detail: "the server is restarting; reconnect" })))
    }
    const lastEventId = request.headers["last-event-id"]
    const opening = await runtime.runPromise(openQrStatusEvents(request.params.challengeId, {
      lastEventId: Array.isArray(lastEventId) ? lastEventId[0] : lastEventId,
      heartbeat
    }))
    if (opening._tag === "Refused") return sendProblem(reply, opening.response)
    // Gone while the challenge was being checked: nothing to stream to.
    if (request.raw.socket.destroyed) return reply
    // Whatever body came with the GET is read and dropped: left unread, it stops the socket being
    // read, and a client that then goes away is never noticed (its stream would stay open).
    request.raw.resume()

    const body = new PassThrough()
    const fiber = runtime.runFork(
      opening.body.pipe(
        Stream.runForEach((chunk) => Effect.sync(() => body.write(chunk))),
        Effect.ensuring(Effect.sync(() => body.end()))
      )
    )
    const entry = { end: () => fiber.interruptUnsafe(), kill: () => fiber.interruptUnsafe() }
    open.add(entry)
    fiber.addObserver(() => open.delete(entry))
    // The client went away (or the response finished): stop watching.
    reply.raw.on("close", () => fiber.interruptUnsafe())
    return reply.code(200).headers(QR_STATUS_EVENTS_HEADERS).send(body)
  })

  // ---- WebSockets

  const attach = (socket: WebSocket, session: Session, log: FastifyBaseLogger) => {
    if (shutdownSignal.aborted) {
      socket.close(RealtimeCloseCode.ServiceRestart, "service restart")
      return
    }
    // Gone during the upgrade: its close event has passed, so nothing would clean up after it.
    if (socket.readyState !== socket.OPEN) return
    const incoming = Effect.runSync(Queue.unbounded<string, Cause.Done>())
    const connection: RealtimeConnection = {
      incoming,
      send: (text) => {
        if (socket.readyState !== socket.OPEN) return
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          log.warn("realtime: dropping a socket that does not read its frames")
          socket.terminate()
          return
        }
        socket.send(text)
      },
      close: (code, reason) => socket.close(code, reason)
    }
    socket.on("message", (data: RawData) => {
      if (Queue.sizeUnsafe(incoming) >= MAX_QUEUED_FRAMES) {
        socket.close(RealtimeCloseCode.PolicyViolation, "too many frames")
        return
      }
      Queue.offerUnsafe(incoming, textOf(data))
    })
    socket.on("error", (error) => log.warn({ err: error }, "realtime: socket error"))

    const fiber: Fiber.Fiber<void, unknown> = runtime.runFork(session(connection, sessionOptions))
    fiber.addObserver((exit) => {
      if (exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause)) {
        log.error("realtime: a session ended unexpectedly")
        socket.close(1011, "internal error")
      }
    })

    // A socket that misses a ping round is dead (a vanished client, a silent proxy): drop it.
    let answered = true
    socket.on("pong", () => {
      answered = true
    })
    const pinger = setInterval(() => {
      if (!answered) {
        socket.terminate()
        return
      }
      answered = false
      socket.ping()
    }, pingIntervalMs)

    const entry = {
      end: () => socket.close(RealtimeCloseCode.ServiceRestart, "service restart"),
      kill: () => {
        fiber.interruptUnsafe()
        socket.terminate()
      }
    }
    open.add(entry)
    socket.on("close", () => {
      clearInterval(pinger)
      open.delete(entry)
      Queue.endUnsafe(incoming)
      fiber.interruptUnsafe()
    })
  }

  // Long-lived connections: exempt from the per-request rate limit (an upgrade is one request).
  const wsRoute = { websocket: true, config: { rateLimit: false } } as const

  app.get("/ws/chat", wsRoute, (socket, request) => attach(socket, runChatSession, request.log))
  app.get("/ws/coordinates", wsRoute, (socket, request) => attach(socket, runCoordinatesSession, request.log))
}

/** The realtime routes; register after @fastify/websocket. */
export const realtimeRoutes = fastifyPlugin(plugin, {
  name: "realtime-routes",
  fastify: "5.x",
  dependencies: ["@fastify/websocket"]
})
