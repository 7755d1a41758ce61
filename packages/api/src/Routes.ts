/**
 * Every route of API.md, in one list: the handler, the OpenAPI document and the typed client
 * are built from it. (The SSE stream and the WebSockets are in `realtime/`.)
 */
import { Schema, Effect } from "effect"
import { endpoint, type Endpoint, type NoInput } from "./Endpoint.js"
import { openApiDocument } from "./OpenApi.js"
import * as AuthRoutes from "./routes/AuthRoutes.js"
import * as ChatRoutes from "./routes/ChatRoutes.js"
import * as HealthRoutes from "./routes/HealthRoutes.js"
import * as PlatformRoutes from "./routes/PlatformRoutes.js"
import * as QrRoutes from "./routes/QrRoutes.js"
import * as SensorRoutes from "./routes/SensorRoutes.js"
import * as TeamRoutes from "./routes/TeamRoutes.js"
import * as UserRoutes from "./routes/UserRoutes.js"

const contractRoutes = [
  ...HealthRoutes.all(),
  ...AuthRoutes.all(),
  ...UserRoutes.all(),
  ...TeamRoutes.all(),
  ...PlatformRoutes.all(),
  ...ChatRoutes.all(),
  ...QrRoutes.all(),
  ...SensorRoutes.all()
] as const

/** The OpenAPI document is itself a route; computed once, on first request. */
let document: unknown
export const openApi: Endpoint<"openapi", "none", NoInput, NoInput, NoInput, typeof Schema.Unknown, never, never> = endpoint({
  name: "openapi",
  method: "GET",
  path: "/api/openapi.json",
  tag: "health",
  summary: "The OpenAPI 3.1 document of this contract",
  auth: "none",
  response: Schema.Unknown,
  handle: (): Effect.Effect<unknown> => Effect.sync(() => (document ??= openApiDocument([...contractRoutes, openApi])))
})

export const routes = [...contractRoutes, openApi] as const
export type Routes = typeof routes
