/**
 * @app/api — the HTTP contract of API.md, once: every route as an endpoint (Schemas in and out,
 * auth, the use case it runs), the transport-neutral handler both shells call, problem+json, the
 * OpenAPI document and the typed client.
 */
import type { Auth, Campaigns, Chat, PlatformConfigs, PlatformCredentials, QrLogin, RateLimiter, Sensors, Teams, Users } from "@app/domain"
import type { Effect } from "effect"
import { makeApiHandler } from "./ApiHandler.js"
import type { Authenticator } from "./Authenticator.js"
import type { ApiRequest, ApiResponse } from "./HttpExchange.js"
import type { Readiness } from "./Readiness.js"
import { routes } from "./Routes.js"

export * from "./ApiClient.js"
export * from "./ApiHandler.js"
export * from "./ApiSettings.js"
export * from "./Authenticator.js"
export * from "./Endpoint.js"
export * from "./HttpExchange.js"
export * from "./OpenApi.js"
export * from "./Problem.js"
export * from "./Readiness.js"
export * from "./Routes.js"
export * from "./Wire.js"
export * from "./realtime/index.js"
export * as AuthRoutes from "./routes/AuthRoutes.js"
export * as ChatRoutes from "./routes/ChatRoutes.js"
export * as HealthRoutes from "./routes/HealthRoutes.js"
export * as PlatformRoutes from "./routes/PlatformRoutes.js"
export * as QrRoutes from "./routes/QrRoutes.js"
export * as SensorRoutes from "./routes/SensorRoutes.js"
export * as TeamRoutes from "./routes/TeamRoutes.js"
export * as UserRoutes from "./routes/UserRoutes.js"
/** The password policy the sign-up route enforces, for clients that check as the user types. */
export { passwordRules, unmetPasswordRules, type PasswordRule } from "@app/domain"

/** Every service the contract's routes need: the use cases, the rate limiter, who calls, readiness. */
export type ApiServices =
  | Auth
  | Users
  | Teams
  | PlatformConfigs
  | PlatformCredentials
  | Campaigns
  | Chat
  | QrLogin
  | Sensors
  | RateLimiter
  | Authenticator
  | Readiness

type EveryRouteHandler = (request: ApiRequest) => Effect.Effect<ApiResponse, never, ApiServices>
let everyRoute: EveryRouteHandler | undefined

/**
 * The handler over every route of API.md. Its router is built on first use, not at import, so a
 * bundle that imports only some routes (a Lambda function) can leave the others out.
 */
export const apiHandler: EveryRouteHandler = (request) => (everyRoute ??= makeApiHandler(routes))(request)
