import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { decodeAccessToken } from "../src/session/AccessTokenClaims"
import { REFRESH_LOCK_NAME, type SessionManager } from "../src/session/SessionManager"
import { readStoredTokens, STORED_TOKENS_KEY } from "../src/session/StoredTokens"
import { makeFakeLocks } from "./support/FakeLocks"
import { makeTestSessionManager } from "./support/renderApp"
import { makeTestApi, type TestApi } from "./support/TestApi"

let testApi: TestApi
beforeEach(() => {
  testApi = makeTestApi()
})
afterEach(() => testApi.dispose())

/** A scheduler the test fires by hand: no waiting on real time. */
const manualSchedule = () => {
  const pending: Array<{ run: () => void; delayMs: number; cancelled: boolean }> = []
  return {
    pending,
    schedule: (run: () => void, delayMs: number) => {
      // A timer that fired is spent, like a cancelled one.
      const entry = { run: () => ((entry.cancelled = true), run()), delayMs, cancelled: false }
      pending.push(entry)
      return () => {
        entry.cancelled = true
      }
    },
    /** The one timer still armed. */
    armed: () => {
      const armed = pending.filter((p) => !p.cancelled)
      expect(armed).toHaveLength(1)
      return armed[0]!
    }
  }
}

describe("SessionManager", () => {
  it("refreshes shortly before expiry, and two tabs sharing storage refresh once", async () => {
    const locks = makeFakeLocks()
    let now = 1_000_000
    const clock = () => now
    const timerA = manualSchedule()
    const timerB = manualSchedule()
    const tabA = makeTestSessionManager(testApi, { locks, now: clock, schedule: timerA.schedule, refreshMarginMs: 60_000 })
    const tabB = makeTestSessionManager(testApi, { locks, now: clock, schedule: timerB.schedule, refreshMarginMs: 60_000 })
    const session = await tabA.publicClient.call("auth.signup", { body: { email: "tabs@example.com", name: "Tabs", password: "Str0ngpassword" } })
    tabA.signIn(session)
    tabA.start()
    tabB.start()
    const claims = decodeAccessToken(session.accessToken)!
    const lifetime = claims.lifetimeMs!
    expect(lifetime).toBe(3_600_000)
    // Both tabs arm their timer one minute before the token expires.
    expect(timerA.armed().delayMs).toBe(lifetime - 60_000)
    expect(timerB.armed().delayMs).toBe(lifetime - 60_000)
    expect(await tabB.freshAccessToken()).toBe(session.accessToken)
    expect(testApi.calls("POST /api/auth/refresh")).toBe(0)

    // Time passes; both timers fire at once.
    now += lifetime - 30_000
    const firedA = timerA.armed()
    const firedB = timerB.armed()
    firedA.run()
    firedB.run()
    const [tokenA, tokenB] = await Promise.all([tabA.freshAccessToken(), tabB.freshAccessToken()])

    expect(testApi.calls("POST /api/auth/refresh")).toBe(1)
    expect(locks.requests.get(REFRESH_LOCK_NAME)).toBeGreaterThanOrEqual(2)
    const stored = readStoredTokens(window.localStorage)!
    expect(stored.refreshToken).not.toBe(session.refreshToken)
    expect(tokenA).toBe(stored.accessToken)
    expect(tokenB).toBe(stored.accessToken)
    expect(stored.expiresAt).toBe(now + lifetime)
    // The refreshed pair works, and the new expiry re-armed both timers.
    const me = await tabB.client.call("users.me")
    expect(me.email).toBe("tabs@example.com")
    expect(timerA.armed().delayMs).toBe(lifetime - 60_000)
    expect(timerB.armed().delayMs).toBe(lifetime - 60_000)
    expect(testApi.calls("POST /api/auth/refresh")).toBe(1)
  })

  it("takes another tab's logout from the storage event", async () => {
    const tabA = makeTestSessionManager(testApi, { events: window })
    const tabB = makeTestSessionManager(testApi, { events: window })
    const session = await tabA.publicClient.call("auth.signup", { body: { email: "out@example.com", name: "Out", password: "Str0ngpassword" } })
    tabA.signIn(session)
    tabB.start()
    let notified = 0
    const unsubscribe = tabB.subscribe(() => notified++)
    expect(tabB.getSession()?.email).toBe("out@example.com")
    await tabA.logout()
    // Browsers fire `storage` in the other tabs only; happy-dom shares one window, so it is sent here.
    window.dispatchEvent(new StorageEvent("storage", { key: STORED_TOKENS_KEY, newValue: null }))
    expect(notified).toBe(1)
    expect(tabB.getSession()).toBeUndefined()
    unsubscribe()
    tabB.stop()
  })

  it("keeps the tokens when the refresh fails for a transient reason", async () => {
    let failing = false
    const flaky: typeof globalThis.fetch = async (input, init) => {
      if (failing) throw new TypeError("network down")
      return testApi.fetch(input, init)
    }
    let now = 0
    const tab: SessionManager = makeTestSessionManager(testApi, { fetch: flaky, now: () => now })
    const session = await tab.publicClient.call("auth.signup", { body: { email: "flaky@example.com", name: "Flaky", password: "Str0ngpassword" } })
    tab.signIn(session)
    now += 3_600_000
    failing = true
    expect(await tab.freshAccessToken()).toBe(session.accessToken)
    expect(readStoredTokens(window.localStorage)?.refreshToken).toBe(session.refreshToken)
  })
})
