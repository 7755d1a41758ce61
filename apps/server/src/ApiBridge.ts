/**
 * Fastify on one side, the contract's transport-neutral handler on the other: a request becomes
 * an ApiRequest (raw body text, lower-case headers, the client address as trustProxy decided it),
 * the handler's ApiResponse becomes the reply. Fastify's own refusals (body too large, a broken
 * Content-Length, a path that is not valid percent-encoding, a request Node's parser cannot read
 * or whose headers are too large, …) come out as the same problem+json the contract writes.
 */
import { STATUS_CODES } from "node:http"
import type { Socket } from "node:net"
import { apiHandler, type ApiRequest, type ApiResponse, problem, problemResponse } from "@app/api"
import { Effect } from "effect"
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import type { ServerRuntime } from "./ServerLayer.js"

export const toApiRequest = (request: FastifyRequest): ApiRequest => {
  const url = request.url
  const queryStart = url.indexOf("?")
  return {
    method: request.method,
    path: queryStart === -1 ? url : url.slice(0, queryStart),
    query: (request.query ?? {}) as ApiRequest["query"],
    headers: request.headers,
    body: typeof request.body === "string" ? request.body : undefined,
    remoteAddress: request.ip
  }
}

export const sendApiResponse = (reply: FastifyReply, response: ApiResponse): FastifyReply =>
  reply.code(response.status).headers(response.headers).send(response.body)

/** Runs the contract for one request, with the request id on every log line it writes. */
export const handleApiRequest = (runtime: ServerRuntime) => async (request: FastifyRequest, reply: FastifyReply) => {
  const response = await runtime.runPromise(
    apiHandler(toApiRequest(request)).pipe(Effect.annotateLogs({ reqId: request.id }))
  )
  return sendApiResponse(reply, response)
}

/** Fastify's error codes that have a code of the contract's own. */
const contractCodes: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "BodyTooLarge",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UnsupportedMediaType",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "InvalidContentLength"
}

/**
 * Any error Fastify raised before or around the contract: its status when it is a client error
 * (with Fastify's message, which never holds request data beyond a header it names), else a bare
 * 500 — the cause is logged, never sent.
 */
export const errorReply = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  const status = typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
  if (status >= 500) {
    request.log.error({ err: error }, "request failed")
    return sendApiResponse(reply, problemResponse(problem(status === 503 ? 503 : 500)))
  }
  const code = contractCodes[error.code]
  return sendApiResponse(
    reply,
    problemResponse(problem(status, { detail: error.message, ...(code === undefined ? {} : { code }) }))
  )
}

export const notFoundProblem = (request: FastifyRequest, reply: FastifyReply) => {
  const path = toApiRequest(request).path
  return sendApiResponse(
    reply,
    problemResponse(problem(404, { detail: `no route for ${request.method} ${path}`, code: "RouteNotFound" }))
  )
}

/** Node marks a request it hands to 'upgrade' listeners (the flag is missing from its types). */
export const isUpgradeRequest = (request: FastifyRequest): boolean => (request.raw as { upgrade?: unknown }).upgrade === true

/**
 * An upgrade request answered over HTTP instead (refused, routed to a plain route, a bad path)
 * holds a socket Node's HTTP server has let go of: no keep-alive handling, not closed by close().
 * It has to end with the answer, or it stays open, holding up shutdown, as long as the client
 * keeps it. Call once the answer is written.
 */
export const endUpgradeSocket = (request: FastifyRequest): void => {
  const socket = request.raw.socket
  socket.end(() => socket.destroy())
}

/**
 * Fastify's `frameworkErrors`: refusals made while routing, before any hook runs (so also before
 * the one that ends a refused upgrade's socket). Their messages quote the path, so a fixed detail
 * is sent instead.
 */
export const frameworkErrorReply = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  if (isUpgradeRequest(request)) reply.raw.once("finish", () => endUpgradeSocket(request))
  if (error.code === "FST_ERR_BAD_URL") {
    return sendApiResponse(reply, problemResponse(problem(400, { detail: "the path is not valid percent-encoded UTF-8", code: "BadPath" })))
  }
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    return sendApiResponse(reply, problemResponse(problem(414, { detail: "a path segment is too long", code: "PathTooLong" })))
  }
  return errorReply(error, request, reply)
}

/**
 * Fastify's `clientErrorHandler`: Node's parser could not read the request (a malformed request
 * line or header, broken framing, headers past its size limit) or it did not arrive in time. As
 * Fastify's default, but the answer is problem+json; the connection cannot be reused, so it ends.
 * A request that visibly began with HEAD gets no body.
 */
export function clientErrorReply(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return
  const status = error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400
  const detail = status === 408
    ? "the request did not arrive in time"
    : status === 431
    ? "the request line or headers are too large"
    : "the request is not valid HTTP/1.1"
  this.log.debug({ err: error }, "client error")
  if (socket.writable) {
    const body = JSON.stringify(problem(status, { detail }))
    const packet = error.rawPacket as unknown
    const head = Buffer.isBuffer(packet) && packet.subarray(0, 5).toString("latin1") === "HEAD "
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/problem+json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${head ? "" : body}`
    )
  }
  socket.destroy(error)
}
