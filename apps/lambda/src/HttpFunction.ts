/**
 * One HTTP function: an API Gateway proxy event (REST or HTTP API) in, the contract's handler
 * over the function's routes only, the proxy result out. What it adds around the contract is
 * transport: event translation, the identity the Cognito authorizer vouched for (AUTH_MODE=
 * cognito), CORS, the correlation id (echoed as X-Correlation-Id) and one log line per request
 * with method, path, status and duration. It never throws and never rejects: a malformed event is
 * a 400 problem naming the field, a function that cannot start is a bare 500 problem (the cause is
 * logged), and any other failure the contract already answered as problem+json.
 */
import { type AnyEndpoint, badRequest, makeApiHandler, problem, problemResponse, type ApiResponse } from "@app/api"
import { Effect, Result } from "effect"
import { fromProxyEvent, type PayloadVersion, type ProxyResult, toProxyResult } from "./ApiGatewayEvent.js"
import { type Container, ContainerInitError, makeContainer } from "./Container.js"
import { preflight, withCors } from "./Cors.js"
import { awsRequestIdOf, correlationIdOf, type InvocationContext } from "./Invocation.js"
import type { LambdaStorePorts, WiringOf } from "./FunctionWiring.js"
import { functionLayer } from "./LambdaLayer.js"

export type HttpHandler = (event: unknown, context?: InvocationContext) => Promise<ProxyResult>

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10

const internalError = (): ApiResponse => problemResponse(problem(500))

/** The handler of a function serving `endpoints`; anything else is the contract's 404 (or 405). */
export const makeHttpHandler = <R>(endpoints: ReadonlyArray<AnyEndpoint>, container: Container<R>): HttpHandler => {
  const handleApi = makeApiHandler(endpoints)

  return async (event, context) => {
    const started = performance.now()
    const awsRequestId = awsRequestIdOf(context)
    let version: PayloadVersion = "1.0"
    let ids = { awsRequestId, correlationId: awsRequestId }
    let summary: Record<string, unknown> = {}
    try {
      const parsed = fromProxyEvent(event)
      if (Result.isFailure(parsed)) {
        const { field, message } = parsed.failure
        container.log().write("WARN", "malformed event", { ...ids, field, reason: message, status: 400, durationMs: elapsed(started) })
        return toProxyResult(version, problemResponse(badRequest([{ path: field, message }], "the event is not a valid API Gateway proxy event")))
      }
      version = parsed.success.version
      const base = parsed.success.request
      ids = { awsRequestId, correlationId: correlationIdOf(base, parsed.success.gatewayRequestId, awsRequestId) }
      summary = { method: base.method, path: base.path }

      const config = container.config()
      const cognito = Result.isSuccess(config) && config.success.authMode === "cognito"
      const request = cognito && parsed.success.claims !== undefined ? { ...base, authorizerClaims: parsed.success.claims } : base
      const origins = Result.isSuccess(config) ? config.success.corsOrigins : []

      let response = preflight(request, origins)
      if (response === undefined) {
        const runtime = await container.runtime()
        response = await runtime.runPromise(handleApi(request).pipe(Effect.annotateLogs(ids)))
      }
      response = withCors(request, response, origins)
      response = { ...response, headers: { ...response.headers, "x-correlation-id": ids.correlationId } }

      container.log().write(response.status >= 500 ? "ERROR" : "INFO", "request", {
        ...ids,
        ...summary,
        status: response.status,
        durationMs: elapsed(started)
      })
      return toProxyResult(version, response, request.method)
    } catch (error) {
      // ContainerInitError was logged with its cause where it arose; anything else is a bug here.
      const fields = { ...ids, ...summary, status: 500, durationMs: elapsed(started) }
      if (error instanceof ContainerInitError) container.log().write("ERROR", "request", fields)
      else container.log().write("ERROR", "request failed unexpectedly", { ...fields, error: String(error) })
      return toProxyResult(version, internalError())
    }
  }
}

/**
 * A deployed HTTP function's handler (the entry files export it as `handler`): its routes over its
 * own wiring (FunctionWiring), on DynamoDB, configured from the environment.
 */
export const httpFunction = <A, P extends LambdaStorePorts>(
  functionName: string,
  endpoints: ReadonlyArray<AnyEndpoint>,
  wiring: WiringOf<A, P>
): HttpHandler => makeHttpHandler(endpoints, makeContainer({ functionName, layer: (config) => functionLayer(config, wiring) }))
