/**
 * The contract's scenario suite pointed at the Lambda functions, as API Gateway would call them:
 * each fetch Request becomes a synthetic REST (1.0) or HTTP API (2.0) event, goes to the function
 * whose routes have its path (FunctionGroups; the health function is the catch-all), is handled
 * with a fake Lambda context, and its proxy result becomes the Response. One container per
 * function, each with its own runtime, as in a deployment. No realtime (no sockets: AppSync and
 * polling take their place), like the in-process run.
 */
import type { Layer } from "effect"
import type { ScenarioTarget } from "../../../../packages/api/test/scenario/ScenarioSuite.js"
import {
  type Container,
  functionForPath,
  functionGroupNames,
  functionGroups,
  type FunctionGroup,
  type HttpHandler,
  type LambdaStorePorts,
  makeHttpHandler
} from "../../src/index.js"
import { fakeContext, generousRateLimits, LogCollector, type ServicesOf, testContainer } from "./LambdaTest.js"
import { eventFromRequest, type FromRequestOptions, responseFromResult } from "./ProxyEvents.js"

export interface LambdaTargetOptions extends FromRequestOptions {
  readonly environment: Record<string, string>
  /** DynamoDB from the environment when absent. */
  readonly stores?: () => Layer.Layer<LambdaStorePorts, unknown>
  readonly cleanup?: () => Promise<void>
}

export interface LambdaFunctions {
  readonly containers: Readonly<Record<FunctionGroup, Container<ServicesOf<FunctionGroup>>>>
  readonly handlers: Readonly<Record<FunctionGroup, HttpHandler>>
  readonly logs: LogCollector
  /** A fetch that goes through API Gateway's routing to the functions. */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
  readonly dispose: () => Promise<void>
}

/** Every HTTP function of the template, each in its own container. */
export const lambdaFunctions = (options: LambdaTargetOptions): LambdaFunctions => {
  const environment = { ...generousRateLimits, LOG_LEVEL: "warn", ...options.environment }
  const logs = new LogCollector()
  const containers = Object.fromEntries(
    functionGroupNames.map((name) => [
      name,
      testContainer(name, environment, { logs, ...(options.stores === undefined ? {} : { stores: options.stores() }) })
    ])
  ) as Record<FunctionGroup, Container<ServicesOf<FunctionGroup>>>
  const handlers = Object.fromEntries(
    functionGroupNames.map((name) => [name, makeHttpHandler(functionGroups[name], containers[name])])
  ) as Record<FunctionGroup, HttpHandler>
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const event = await eventFromRequest(request, options)
    const handler = handlers[functionForPath(new URL(request.url).pathname)]
    return responseFromResult(await handler(event, fakeContext()))
  }
  const dispose = async () => {
    await Promise.all(Object.values(containers).map((c) => c.dispose()))
    await options.cleanup?.()
  }
  return { containers, handlers, logs, fetch, dispose }
}

export const lambdaTarget = async (options: LambdaTargetOptions): Promise<ScenarioTarget> => {
  const functions = lambdaFunctions(options)
  const secret = options.environment["AUTH_ACCESS_TOKEN_SECRET"]
  return {
    baseUrl: "https://api.lambda.test",
    fetch: functions.fetch as typeof fetch,
    ...(secret === undefined ? {} : { accessTokenSecret: secret }),
    dispose: functions.dispose
  }
}
