/**
 * Which routes of the contract each HTTP function serves: the function groups of the Sivera
 * document (auth, users, platforms, teams) plus chat, qr, sensors and health. The function
 * entries, the SAM template's events and the tests all read this one table, so a route can be
 * served by exactly one function and the template cannot route it elsewhere.
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

export const functionGroups = {
  auth: [AuthRoutes.signup, AuthRoutes.login, AuthRoutes.refresh, AuthRoutes.logout],
  users: [UserRoutes.me, UserRoutes.getUser, UserRoutes.updateUser],
  teams: [
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
  ],
  platforms: [
    PlatformRoutes.listConfigs,
    PlatformRoutes.createConfig,
    PlatformRoutes.updateConfig,
    PlatformRoutes.deleteConfig,
    PlatformRoutes.putCredentials,
    PlatformRoutes.listCredentials,
    PlatformRoutes.deleteCredentials,
    PlatformRoutes.listCampaigns,
    PlatformRoutes.syncCampaigns
  ],
  chat: [ChatRoutes.createRoom, ChatRoutes.listRooms, ChatRoutes.listMessages, ChatRoutes.sendMessage],
  qr: [QrRoutes.qrInit, QrRoutes.qrStatus, QrRoutes.qrScan, QrRoutes.qrApprove, QrRoutes.qrReject, QrRoutes.qrExchange],
  sensors: [
    SensorRoutes.createDevice,
    SensorRoutes.listDevices,
    SensorRoutes.ingest,
    SensorRoutes.queryReadings,
    SensorRoutes.latestReadings
  ],
  health: [HealthRoutes.health, HealthRoutes.ready, openApi]
} as const

export type FunctionGroup = keyof typeof functionGroups

export const functionGroupNames = Object.keys(functionGroups) as ReadonlyArray<FunctionGroup>

/** The function that serves a path of the contract's catch-all (unrouted paths): health. */
export const CATCH_ALL_FUNCTION: FunctionGroup = "health"

let routers: ReadonlyArray<readonly [FunctionGroup, ReturnType<typeof makeRouter>]> | undefined

/**
 * The function API Gateway hands `path` to when the template routes every method of a path to
 * the function serving it (a wrong method then gets that function's 405): the one whose routes
 * have this path, else the catch-all.
 */
export const functionForPath = (path: string): FunctionGroup => {
  routers ??= functionGroupNames.map((name) => [name, makeRouter(functionGroups[name] as ReadonlyArray<AnyEndpoint>)] as const)
  for (const [name, route] of routers) {
    if (route("GET", path)._tag !== "NotFound") return name
  }
  return CATCH_ALL_FUNCTION
}
