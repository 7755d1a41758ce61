/**
 * Which routes of the contract each HTTP function serves: the function groups of the Sivera
 * document (auth, users, platforms, teams) plus chat, qr, sensors and health. The function
 * entries, the SAM template's events and the tests all read this one table (each group's list is
 * in FunctionRoutes), so a route can be served by exactly one function and the template cannot
 * route it elsewhere.
 */
import { type AnyEndpoint, makeRouter } from "@app/api"
import * as FunctionRoutes from "./FunctionRoutes.js"

export const functionGroupNames = ["auth", "users", "teams", "platforms", "chat", "qr", "sensors", "health"] as const

export type FunctionGroup = (typeof functionGroupNames)[number]

export const functionGroups = {
  auth: FunctionRoutes.auth(),
  users: FunctionRoutes.users(),
  teams: FunctionRoutes.teams(),
  platforms: FunctionRoutes.platforms(),
  chat: FunctionRoutes.chat(),
  qr: FunctionRoutes.qr(),
  sensors: FunctionRoutes.sensors(),
  health: FunctionRoutes.health()
} as const satisfies Record<FunctionGroup, ReadonlyArray<AnyEndpoint>>

/** The function that serves a path of the contract's catch-all (unrouted paths): health. */
export const CATCH_ALL_FUNCTION: FunctionGroup = "health"

let routers: ReadonlyArray<readonly [FunctionGroup, ReturnType<typeof makeRouter>]> | undefined

/**
 * The function whose routes have `path` (with any method), else the catch-all: routing by path
 * alone, which is how the tests hand a request to a function (test/support/LambdaTarget.ts).
 *
 * API Gateway routes by method and path, as the template declares one event per method: for a
 * known path with a method no route has, the REST API answers its own refusal (no function runs;
 * the template turns it into a 404 problem+json "RouteNotFound") and the HTTP API sends it to its `$default` route, the
 * catch-all, whose router answers the contract's 404. Only here does such a request reach the
 * path's function and get its 405. A test that depends on the wrong-method answer must not take
 * this for what a deployment does.
 */
export const functionForPath = (path: string): FunctionGroup => {
  routers ??= functionGroupNames.map((name) => [name, makeRouter(functionGroups[name] as ReadonlyArray<AnyEndpoint>)] as const)
  for (const [name, route] of routers) {
    if (route("GET", path)._tag !== "NotFound") return name
  }
  return CATCH_ALL_FUNCTION
}
