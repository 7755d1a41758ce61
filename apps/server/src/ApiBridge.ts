/**
 * Fastify on one side, the contract's transport-neutral handler on the other: a request becomes
 * an ApiRequest (raw body text, lower-case headers, the client address as trustProxy decided it),
 * the handler's ApiResponse becomes the reply. Fastify's own refusals (body too large, a broken
 * Content-Length, …) come out as the same problem+json the contract writes.
 */
import { apiHandler, type ApiRequest, type ApiResponse, problem, problemResponse } from "@app/api"
import { Effect } from "effect"
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify"
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
