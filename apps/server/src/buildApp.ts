/**
 * The Fastify app, ready but not listening (main.ts listens; tests inject or listen on port 0):
 * every `/api/*` request goes to the contract's handler, the realtime routes (SSE, WebSockets)
 * and MQTT ingest are plugged in, the web app is served at `/`, with security headers, CORS
 * from an allow-list, request ids and JSON logs. Closing the app ends the realtime connections
 * (WebSocket close 1012), lets requests in flight finish, stops MQTT ingest and disposes the
 * runtime (pools, Redis, PGlite).
 */
import { randomUUID } from "node:crypto"
import type { IncomingMessage } from "node:http"
import cors from "@fastify/cors"
import websocket from "@fastify/websocket"
import Fastify, { type FastifyInstance } from "fastify"
import { clientErrorReply, errorReply, frameworkErrorReply, handleApiRequest, notFoundProblem } from "./ApiBridge.js"
import { type MqttIngest, startMqttIngest } from "./MqttIngest.js"
import { realtimeRoutes } from "./RealtimeRoutes.js"
import type { ServerConfig } from "./ServerConfig.js"
import * as SecurityHeaders from "./SecurityHeaders.js"
import type { ServerRuntime } from "./ServerLayer.js"
import * as WebApp from "./WebApp.js"

export interface BuildAppOptions {
  /** The process's one runtime; the app disposes it when it closes. */
  readonly runtime: ServerRuntime
  readonly config: Pick<
    ServerConfig,
    | "trustProxy"
    | "apiSettings"
    | "corsOrigins"
    | "keepAliveTimeoutMs"
    | "webRoot"
    | "mqttUrl"
    | "mqttTopic"
    | "logLevel"
    | "publicUrl"
  >
  /** Where Fastify's JSON log lines go (stdout by default; tests pass a collector). */
  readonly logStream?: { readonly write: (line: string) => unknown }
}

/** The largest WebSocket message accepted (chat bodies are at most 4000 characters). */
const MAX_WEBSOCKET_MESSAGE_BYTES = 64 * 1024

/** Header values that may name a request in logs: no spaces or control characters, bounded. */
const REQUEST_ID = /^[A-Za-z0-9._:;=/+-]{1,200}$/

const firstHeader = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** X-Request-Id from the client or X-Amzn-Trace-Id from the ALB when usable, else a fresh UUID. */
export const requestIdOf = (request: IncomingMessage): string => {
  for (const name of ["x-request-id", "x-amzn-trace-id"]) {
    const value = firstHeader(request, name)
    if (value !== undefined && REQUEST_ID.test(value)) return value
  }
  return randomUUID()
}

/** Headers that carry credentials: never written to a log, even by a serializer added later. */
const redactedPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers[\"x-device-key\"]",
  "res.headers[\"set-cookie\"]",
  "headers.authorization",
  "headers.cookie",
  "headers[\"x-device-key\"]"
]

/** A hop count as Fastify applies it (its types only list the other forms). */
const fastifyTrustProxy = (trust: ServerConfig["trustProxy"]) =>
  typeof trust === "number"
    ? (_address: string, hop: number) => hop < trust
    : typeof trust === "boolean"
    ? trust
    : [...trust]

/** connect-src for the SPA: its own origin, and WebSockets to it. */
const webSocketOrigin = (publicUrl: string): string => {
  const url = new URL(publicUrl)
  return `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}`
}

export const buildApp = async (options: BuildAppOptions): Promise<FastifyInstance> => {
  const { config, runtime } = options
  const app: FastifyInstance = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: redactedPaths, censor: "[redacted]" },
      ...(options.logStream === undefined ? {} : { stream: options.logStream })
    },
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: config.apiSettings.maxBodyBytes,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    genReqId: requestIdOf,
    // A request that reaches a connection already open while closing is answered normally (and
    // the connection closed after it, see onSend): Fastify's own 503 would not be problem+json.
    return503OnClosing: false,
    forceCloseConnections: "idle",
    // Refusals before any route or hook (a path that is not percent-encoded UTF-8, a request Node
    // cannot parse, headers too large) as problem+json too, not Fastify's own JSON.
    frameworkErrors: frameworkErrorReply,
    clientErrorHandler: clientErrorReply
  })
  // Above the keep-alive timeout, as Node requires, so a reused connection is not cut mid-headers.
  app.server.headersTimeout = config.keepAliveTimeoutMs + 1_000

  const shutdown = new AbortController()
  let mqtt: MqttIngest | undefined

  // The per-request hooks take callbacks rather than being async: no promise per hook per request.
  app.addHook("onRequest", (request, reply, done) => {
    void reply.header("x-request-id", request.id)
    done()
  })
  app.addHook("preClose", async () => {
    shutdown.abort()
  })
  // Node's server.close() only closes the connections idle at that moment; a keep-alive connection
  // whose request was in flight would stay open (and the close pending) until its idle timeout.
  // So while closing, every answer says Connection: close, and the socket ends with it.
  // A stream that began before (SSE) had its headers sent already: its socket is closed once idle.
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (shutdown.signal.aborted) void reply.header("connection", "close")
    done(null, payload)
  })
  app.addHook("onResponse", (_request, _reply, done) => {
    if (shutdown.signal.aborted) setImmediate(() => app.server.closeIdleConnections())
    done()
  })
  app.addHook("onClose", async () => {
    // MQTT first: its ingests in flight still need the runtime.
    if (mqtt !== undefined) await mqtt.close().catch((error: unknown) => app.log.error({ err: error }, "closing MQTT ingest failed"))
    await runtime.dispose()
  })

  // Every body reaches the contract as raw text: it decides 415 and 400, and parses JSON itself.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body))

  SecurityHeaders.register(app, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        // React's style props are set through the CSSOM (allowed); chart and QR libraries may
        // still add inline <style>, which cannot run code.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:"],
        fontSrc: ["'self'", "data:"],
        connectSrc: ["'self'", webSocketOrigin(config.publicUrl)],
        workerSrc: ["'self'", "blob:"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        ...(config.publicUrl.startsWith("https:") ? { upgradeInsecureRequests: [] } : {})
      }
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: "deny" },
    // QR approve links carry the scan key in their query: never hand URLs to other sites.
    referrerPolicy: { policy: "no-referrer" }
  })

  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...config.corsOrigins],
      methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
      allowedHeaders: ["authorization", "content-type", "x-device-key", "x-request-id"],
      exposedHeaders: ["retry-after", "x-request-id", "location"],
      credentials: false,
      maxAge: 600,
      // An OPTIONS without Origin or Access-Control-Request-Method gets the preflight answer
      // (204) rather than the plugin's text/plain 400.
      strictPreflight: false
    })
  }

  app.setErrorHandler(errorReply)

  app.route({
    method: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    url: "/api/*",
    handler: handleApiRequest(runtime)
  })

  await app.register(websocket, {
    options: { maxPayload: MAX_WEBSOCKET_MESSAGE_BYTES },
    // Instead of the plugin's plain close: tell clients it is a restart (1012) so they reconnect
    // to another instance. The realtime routes close their own sockets on `shutdown` first.
    preClose: function(done) {
      shutdown.abort()
      for (const client of this.websocketServer.clients) client.close(1012, "service restart")
      done()
    }
  })
  await app.register(realtimeRoutes, { runtime, shutdownSignal: shutdown.signal })

  const web = await WebApp.register(app, config.webRoot)
  app.setNotFoundHandler((request, reply) => {
    if (web.answerDeepLink(request, reply)) return reply
    return notFoundProblem(request, reply)
  })

  if (config.mqttUrl !== undefined) {
    const url = config.mqttUrl
    const topic = config.mqttTopic
    // Started with the app (listen or ready); a broker it cannot reach stops the start-up.
    app.addHook("onReady", async () => {
      mqtt = await startMqttIngest({ url, runtime, logger: app.log, ...(topic === undefined ? {} : { topic }) })
    })
  }

  return app
}
