/**
 * What the Sensors component tests share: users, teams and devices made through the contract in
 * process, readings ingested with a device's key (as a device does), and the browser pieces
 * happy-dom lacks — the coordinates WebSocket (bridged to the real session) and a canvas.
 */
import { vi } from "vitest"
import type { SessionManager } from "../../src/session/SessionManager"
import { makeTestSessionManager } from "../support/renderApp"
import type { TestApi } from "../support/TestApi"
import { installCanvasStub } from "./CanvasStub"
import { makeInProcessWebSockets, type InProcessWebSockets } from "./InProcessWebSocket"

export const PASSWORD = "Str0ngpassword"

export interface Reading {
  readonly ts: string
  readonly temperature?: number
  readonly humidity?: number
  readonly co2?: number
  readonly pm25?: number
  readonly x?: number
  readonly y?: number
}

export const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString()

/**
 * A Storage of its own, for a second user in one test: every SessionManager on window.localStorage
 * would share one token pair (as tabs of one browser do).
 */
export const memoryStorage = (): Storage => {
  const items = new Map<string, string>()
  return {
    get length() {
      return items.size
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value))
  }
}

/** A signed-up, logged-in user; on window.localStorage (the rendered app's) unless given a storage. */
export const signUp = async (testApi: TestApi, email: string, name = "Ada", storage?: Storage) => {
  const manager = makeTestSessionManager(testApi, storage === undefined ? {} : { storage })
  const answer = await manager.publicClient.call("auth.signup", { body: { email, name, password: PASSWORD } })
  manager.signIn(answer)
  return { manager, userId: answer.user.userId, email }
}

export const ownerWithTeam = async (testApi: TestApi, teamName = "Lab", storage?: Storage) => {
  const owner = await signUp(testApi, "owner@example.com", "Olga", storage)
  const team = await owner.manager.client.call("teams.create", { body: { name: teamName } })
  return { ...owner, team }
}

export const registerDevice = (manager: SessionManager, teamId: string, name: string) =>
  manager.client.call("sensors.createDevice", { body: { teamId, name } })

export const ingest = (manager: SessionManager, device: { readonly deviceId: string; readonly ingestKey: string }, readings: ReadonlyArray<Reading>) =>
  manager.publicClient.call("sensors.ingest", { body: { deviceId: device.deviceId, readings }, headers: { "x-device-key": device.ingestKey } })

/** Installs the coordinates WebSocket and the canvas for one test; returns the sockets and an undo. */
export const installBrowserPieces = (testApi: TestApi): { readonly sockets: InProcessWebSockets; readonly restore: () => void } => {
  const sockets = makeInProcessWebSockets(testApi)
  vi.stubGlobal("WebSocket", sockets.WebSocket)
  installCanvasStub()
  return { sockets, restore: () => vi.unstubAllGlobals() }
}
