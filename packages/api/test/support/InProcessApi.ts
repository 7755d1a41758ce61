/**
 * The contract over the in-memory product, without any transport: a `fetch` that hands each
 * Request to the api handler. Lets the typed client and the handler be tested together in one
 * process; the shells' own suites go over real sockets.
 */
import { InProcess } from "@app/domain/node"
import { Layer, ManagedRuntime } from "effect"
import {
  apiHandler,
  ApiSettings,
  Authenticator,
  defaultApiSettings,
  Readiness,
  type ApiRequest,
  type ApiResponse,
  type ApiServices,
  type ApiSettingsShape
} from "../../src/index.js"

export interface InProcessApi {
  /** Runs effects against the product (every service the handler needs, and more). */
  readonly runtime: ManagedRuntime.ManagedRuntime<ApiServices, never>
  readonly handle: (request: ApiRequest) => Promise<ApiResponse>
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
  readonly dispose: () => Promise<void>
}

export const makeInProcessApi = (settings: Partial<ApiSettingsShape> = {}): InProcessApi => {
  const product = InProcess.layerTest
  const layer = Layer.mergeAll(Authenticator.bearer, Readiness.layerNone).pipe(
    Layer.provideMerge(product),
    Layer.provideMerge(Layer.succeed(ApiSettings, { ...defaultApiSettings, ...settings }))
  )
  const runtime = ManagedRuntime.make(layer)
  const handle = (request: ApiRequest) => runtime.runPromise(apiHandler(request))
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const query: Record<string, Array<string>> = {}
    url.searchParams.forEach((value, name) => (query[name] ??= []).push(value))
    const headers: Record<string, string> = {}
    request.headers.forEach((value, name) => (headers[name] = value))
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text()
    const answer = await handle({
      method: request.method,
      path: url.pathname,
      query,
      headers,
      body: body === "" ? undefined : body,
      remoteAddress: headers["x-test-ip"] ?? "127.0.0.1"
    })
    return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers })
  }
  return { runtime, handle, fetch, dispose: () => runtime.dispose() }
}
