/**
 * Which routes of the contract each HTTP function serves: the function groups of the Sivera
 * document (auth, users, platforms, teams) plus chat, qr, sensors and health. The function
 * entries, the SAM template's events and the tests all read this one table, so a route can be
 * served by exactly one function and the template cannot route it elsewhere.
 *
 * Each group is a constant of its own, and nothing here runs at import: an entry that imports its
 * group's routes bundles those routes (and the use cases they name) and no other group's.
 */
import {
  type AnyEndpoint,
  AuthRoutes,
  ChatRoutes,
  HealthRoutes,
  makeRouter,
  openApi,
  PlatformRoutes,
  QrRoutes,
  SensorRoutes,
  TeamRoutes,
  UserRoutes
} from "@app/api"

export const authRoutes = [AuthRoutes.signup, AuthRoutes.login, AuthRoutes.refresh, AuthRoutes.logout] as const

export const userRoutes = [UserRoutes.me, UserRoutes.getUser, UserRoutes.updateUser] as const

export const teamRoutes = [
  TeamRoutes.createTeam,
  TeamRoutes.myTeams,
  TeamRoutes.getTeam,
  TeamRoutes.renameTeam,
  TeamRoutes.deleteTeam,
  TeamRoutes.invite,
  TeamRoutes.myInvitations,
  TeamRoutes.acceptInvitation,
  TeamRoutes.declineInvitation,
  TeamRoutes.changeRole,
  TeamRoutes.transfer,
  TeamRoutes.removeMember
] as const

export const platformRoutes = [
  PlatformRoutes.listConfigs,
  PlatformRoutes.createConfig,
  PlatformRoutes.updateConfig,
  PlatformRoutes.deleteConfig,
  PlatformRoutes.putCredentials,
  PlatformRoutes.listCredentials,
  PlatformRoutes.deleteCredentials,
  PlatformRoutes.listCampaigns,
  PlatformRoutes.syncCampaigns
] as const

export const chatRoutes = [ChatRoutes.createRoom, ChatRoutes.listRooms, ChatRoutes.listMessages, ChatRoutes.sendMessage] as const

export const qrRoutes = [QrRoutes.qrInit, QrRoutes.qrStatus, QrRoutes.qrScan, QrRoutes.qrApprove, QrRoutes.qrReject, QrRoutes.qrExchange] as const

export const sensorRoutes = [
  SensorRoutes.createDevice,
  SensorRoutes.listDevices,
  SensorRoutes.ingest,
  SensorRoutes.queryReadings,
  SensorRoutes.latestReadings
] as const

export const healthRoutes = [HealthRoutes.health, HealthRoutes.ready, openApi] as const

export const functionGroupNames = ["auth", "users", "teams", "platforms", "chat", "qr", "sensors", "health"] as const

export type FunctionGroup = (typeof functionGroupNames)[number]

export const functionGroups = {
  auth: authRoutes,
  users: userRoutes,
  teams: teamRoutes,
  platforms: platformRoutes,
  chat: chatRoutes,
  qr: qrRoutes,
  sensors: sensorRoutes,
  health: healthRoutes
} as const satisfies Record<FunctionGroup, ReadonlyArray<AnyEndpoint>>

/** The function that serves a path of the contract's catch-all (unrouted paths): health. */
export const CATCH_ALL_FUNCTION: FunctionGroup = "health"

let routers: ReadonlyArray<readonly [FunctionGroup, ReturnType<typeof makeRouter>]> | undefined

/**
 * The function whose routes have `path` (with any method), else the catch-all: routing by path
 * alone, which is how the tests hand a request to a function (test/support/LambdaTarget.ts).
 *
 * API Gateway routes by method and path, as the template declares one event per method: for a
 * known path with a method no route has, the REST API answers its own 403 ("Missing
 * Authentication Token", no function runs) and the HTTP API sends it to its `$default` route, the
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
