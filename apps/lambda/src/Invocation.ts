/**
 * What each invocation carries into its log lines: the AWS request id of the invocation and a
 * correlation id that follows the request across services — the caller's X-Correlation-Id or
 * X-Request-Id when it sent a usable one, else API Gateway's request id, else the AWS request id.
 */
import type { ApiRequest } from "@app/api"

/** The part of Lambda's context object the handlers read (a real Context fits). */
export interface InvocationContext {
  readonly awsRequestId: string
}

/** Ids a client may choose: short, and only characters that need no escaping anywhere. */
const USABLE_ID = /^[A-Za-z0-9._:+=/@-]{1,128}$/

const usable = (value: string | undefined): string | undefined =>
  value !== undefined && USABLE_ID.test(value) ? value : undefined

export const awsRequestIdOf = (context: InvocationContext | undefined): string =>
  typeof context?.awsRequestId === "string" && context.awsRequestId !== "" ? context.awsRequestId : "unknown"

/** A header's first value (headers are lower-case, as the shells deliver them). */
const firstValue = (request: Pick<ApiRequest, "headers">, name: string): string | undefined => {
  const value = request.headers[name]
  return typeof value === "string" ? value : value?.[0]
}

export const correlationIdOf = (
  request: Pick<ApiRequest, "headers"> | undefined,
  gatewayRequestId: string | undefined,
  awsRequestId: string
): string =>
  (request === undefined ? undefined : usable(firstValue(request, "x-correlation-id")) ?? usable(firstValue(request, "x-request-id"))) ??
    usable(gatewayRequestId) ??
    awsRequestId
