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
import { handlerFetch } from "./HandlerFetch.js"

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
  const fetch = handlerFetch(handle)
  return { runtime, handle, fetch, dispose: () => runtime.dispose() }
}
