import { afterEach, describe, expect, it } from "vitest"
import {
  backoffDelay,
  connectCoordinates,
  type CoordinatesConnection,
  type CoordinatesConnectionOptions,
  type LivePosition,
  type LiveState
} from "../../src/features/sensors/CoordinatesConnection"
import { makeFakeClock } from "../support/FakeClock"
import { makeFakeSockets } from "./FakeCoordinatesSocket"

const TEAM = "team-1"
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

let connection: CoordinatesConnection | undefined
afterEach(() => connection?.close())

const setup = (overrides: Partial<CoordinatesConnectionOptions> = {}) => {
  const clock = makeFakeClock()
  const fake = makeFakeSockets()
  const states: Array<LiveState> = []
  const positions: Array<LivePosition> = []
  let tokens = 0
  connection = connectCoordinates({
    url: "ws://app.test/ws/coordinates",
    teamId: TEAM,
    accessToken: () => Promise.resolve(`token-${++tokens}`),
    onPosition: (p) => positions.push(p),
    onState: (s) => states.push(s),
    openSocket: fake.openSocket,
    schedule: clock.schedule,
    random: () => 0,
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    heartbeat: { intervalMs: 20_000, timeoutMs: 5_000 },
    ...overrides
  })
  /** Plays a server that accepts the socket: open, authenticated, subscribed. */
  const accept = async () => {
    await settle()
    const socket = fake.last()
    socket.serverOpen()
    socket.serverSend({ type: "authenticated", userId: "user-1" })
    socket.serverSend({ type: "subscribed", teamId: TEAM })
    return socket
  }
  return { clock, fake, states, positions, accept, tokenCount: () => tokens }
}

describe("CoordinatesConnection", () => {
  it("authenticates first, subscribes to the team once authenticated, and is live once subscribed", async () => {
    const { fake, states } = setup()
    await settle()
    expect(states).toEqual([{ status: "connecting" }])
    const socket = fake.last()
    expect(socket.url).toBe("ws://app.test/ws/coordinates")
    expect(socket.sent).toEqual([])
    socket.serverOpen()
    expect(socket.sent).toEqual([{ type: "auth", token: "token-1" }])
    socket.serverSend({ type: "authenticated", userId: "user-1" })
    expect(socket.sent[1]).toEqual({ type: "subscribe", teamId: TEAM })
    expect(states.at(-1)).toEqual({ status: "connecting" })
    socket.serverSend({ type: "subscribed", teamId: TEAM })
    expect(states.at(-1)).toEqual({ status: "live" })
  })

  it("reports the team's positions with the measured time in millis, and ignores other teams and bad frames", async () => {
    const { accept, positions } = setup()
    const socket = await accept()
    socket.serverSend({ type: "coordinates", teamId: TEAM, deviceId: "dev-1", x: 120.5, y: 40, ts: "2026-11-21T10:00:00.000Z" })
    socket.serverSend({ type: "coordinates", teamId: "team-2", deviceId: "dev-9", x: 1, y: 1, ts: "2026-11-21T10:00:00.000Z" })
    socket.serverSend("not json")
    socket.serverSend({ type: "coordinates", teamId: TEAM, deviceId: "dev-1", x: "far", y: 1, ts: "2026-11-21T10:00:00.000Z" })
    expect(positions).toEqual([{ deviceId: "dev-1", x: 120.5, y: 40, ts: Date.parse("2026-11-21T10:00:00.000Z") }])
  })

  it("reconnects after a drop with growing, capped backoff, and resubscribes with a fresh token", async () => {
    const { accept, clock, fake, states, tokenCount } = setup()
    await accept()
    fake.last().serverClose(1006)
    expect(states.at(-1)).toEqual({ status: "reconnecting", attempt: 1, retryInMs: 500 })
    // With random() = 0 each wait is half its ceiling: 1000·2^(n−1) capped at 8000.
    const waits: Array<number> = []
    for (let attempt = 1; attempt <= 5; attempt++) {
      const state = states.at(-1) as Extract<LiveState, { status: "reconnecting" }>
      waits.push(state.retryInMs)
      expect(fake.sockets).toHaveLength(attempt)
      clock.advance(state.retryInMs - 1)
      expect(fake.sockets).toHaveLength(attempt)
      clock.advance(1)
      await settle()
      expect(fake.sockets).toHaveLength(attempt + 1)
      fake.last().serverClose(1006)
    }
    expect(waits).toEqual([500, 1_000, 2_000, 4_000, 4_000])
    // The next attempt succeeds: a fresh token, auth, subscribe again, live; the backoff resets.
    const before = tokenCount()
    clock.advance((states.at(-1) as Extract<LiveState, { status: "reconnecting" }>).retryInMs)
    const socket = await accept()
    expect(tokenCount()).toBe(before + 1)
    expect(socket.sent).toEqual([{ type: "auth", token: `token-${before + 1}` }, { type: "subscribe", teamId: TEAM }])
    expect(states.at(-1)).toEqual({ status: "live" })
    socket.serverClose(1012, "service restart")
    expect(states.at(-1)).toEqual({ status: "reconnecting", attempt: 1, retryInMs: 500 })
  })

  it("starts over when the token is refused or the server is unavailable", async () => {
    const { accept, clock, fake, states } = setup()
    const first = await accept()
    first.serverSend({ type: "error", code: "Unavailable", message: "subscribe again", teamId: TEAM })
    expect(first.closedWith).toBeDefined()
    expect(states.at(-1)).toMatchObject({ status: "reconnecting", attempt: 1 })
    clock.advance(500)
    await settle()
    const second = fake.last()
    second.serverOpen()
    second.serverSend({ type: "error", code: "Unauthenticated", message: "token expired", reason: "TokenExpired" })
    second.serverClose(4401, "invalid token")
    expect(states.at(-1)).toMatchObject({ status: "reconnecting", attempt: 2 })
    expect(fake.sockets).toHaveLength(2)
  })

  it("stops for good when the team is not the caller's, or when logged out", async () => {
    const { accept, clock, fake, states } = setup()
    const socket = await accept()
    socket.serverSend({ type: "error", code: "NotFound", message: "team not found", teamId: TEAM })
    expect(states.at(-1)).toEqual({ status: "stopped", reason: "This team was not found, or you are not a member." })
    expect(socket.closedWith).toBeDefined()
    clock.advance(60_000)
    await settle()
    expect(fake.sockets).toHaveLength(1)

    const loggedOut = setup({ accessToken: () => Promise.resolve(undefined) })
    await settle()
    expect(loggedOut.states.at(-1)).toEqual({ status: "stopped", reason: "You are logged out." })
    expect(loggedOut.fake.sockets).toHaveLength(0)
  })

  it("pings while live and treats a silent socket as dropped", async () => {
    const { accept, clock, fake, states } = setup()
    const socket = await accept()
    clock.advance(20_000)
    expect(socket.sent.at(-1)).toEqual({ type: "ping" })
    socket.serverSend({ type: "pong" })
    clock.advance(5_000)
    expect(states.at(-1)).toEqual({ status: "live" })
    clock.advance(15_000)
    expect(socket.sent.filter((f) => f.type === "ping")).toHaveLength(2)
    clock.advance(5_000)
    expect(socket.closedWith).toBeDefined()
    expect(states.at(-1)).toMatchObject({ status: "reconnecting", attempt: 1 })
    // Late events of the abandoned socket change nothing.
    socket.serverClose(1006)
    socket.serverSend({ type: "subscribed", teamId: TEAM })
    expect(states.at(-1)).toMatchObject({ status: "reconnecting", attempt: 1 })
    expect(fake.sockets).toHaveLength(1)
  })

  it("close() ends the socket and cancels a pending reconnect", async () => {
    const { accept, clock, fake } = setup()
    const socket = await accept()
    socket.serverClose(1006)
    connection!.close()
    clock.advance(60_000)
    await settle()
    expect(fake.sockets).toHaveLength(1)
  })

  it("reconnectNow() skips the backoff wait", async () => {
    const { accept, fake } = setup()
    const socket = await accept()
    socket.serverClose(1006)
    connection!.reconnectNow()
    await settle()
    expect(fake.sockets).toHaveLength(2)
  })
})

describe("backoffDelay", () => {
  it("doubles from the initial wait up to the cap, with up to half of it as jitter", () => {
    const backoff = { initialMs: 500, maxMs: 30_000 }
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, backoff, 0.999_999))).toEqual([500, 1_000, 2_000, 4_000])
    expect(backoffDelay(1, backoff, 0)).toBe(250)
    expect(backoffDelay(20, backoff, 0)).toBe(15_000)
    expect(backoffDelay(20, backoff, 0.999_999)).toBe(30_000)
  })
})
