import { act, screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { PIXELS_PER_MODULE } from "../../src/features/qr/QrCodeImage"
import type { SessionManager } from "../../src/session/SessionManager"
import { readStoredTokens } from "../../src/session/StoredTokens"
import { makeTestSessionManager, renderApp } from "../support/renderApp"
import { makeTestApi, type TestApi } from "../support/TestApi"
import { recordChallenges, signUpPhoneUser } from "./QrTestUsers"

let testApi: TestApi
beforeEach(() => {
  testApi = makeTestApi()
  // Real time keeps flowing (Testing Library's waitFor needs it); tests jump ahead to the next poll.
  vi.useFakeTimers({ shouldAdvanceTime: true })
})
afterEach(async () => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  await testApi.dispose()
})

/** Lets the 2-second poll run (and whatever it sets off). */
const nextPoll = () => act(() => vi.advanceTimersByTimeAsync(2_000))

const location = () => screen.getByTestId("location").textContent

/** The page's live status line (the location probe is an <output>, a status too). */
const qrStatus = () => within(screen.getByRole("region", { name: "Log in with your phone" })).getByRole("status").textContent

/** As main.tsx renders the app: in StrictMode, whose doubled effects must not start two challenges. */
const renderStrict = (path: string, manager: SessionManager) => renderApp(path, manager, { strictMode: true })

describe("QR login on the desktop (no EventSource: polling)", () => {
  it("shows the code, follows scan and approval, signs in as the phone's user and goes to next", async () => {
    const phone = await signUpPhoneUser(testApi, "bea@example.com")
    const desktop = recordChallenges(testApi)
    renderStrict("/login/qr?next=%2Fprofile", makeTestSessionManager(testApi, { fetch: desktop.fetch }))

    const image = await screen.findByRole("img", { name: "QR code to scan with your phone" })
    const side = Number(image.getAttribute("width"))
    expect(side % PIXELS_PER_MODULE).toBe(0)
    expect(image.getAttribute("height")).toBe(String(side))
    expect(image.getAttribute("src")).toMatch(/^data:image\/svg\+xml/)
    expect(qrStatus()).toBe("Waiting for your phone to scan the code.")
    expect(screen.getByRole("timer").textContent).toMatch(/^(2:00|1:5\d)$/)
    expect(screen.getByText("Checking every 2 seconds.")).toBeDefined()
    expect(desktop.challenges).toHaveLength(1)
    const [challenge] = desktop.challenges
    if (challenge === undefined) throw new Error("no challenge")
    expect(new URL(challenge.qrPayload).pathname).toBe("/qr/approve")

    await phone.client.call("qr.scan", { body: { challengeId: challenge.challengeId, scanKey: challenge.scanKey } })
    await nextPoll()
    await waitFor(() => expect(qrStatus()).toBe("Scanned. Approve the login on your phone."))

    await phone.client.call("qr.approve", { body: { challengeId: challenge.challengeId, scanKey: challenge.scanKey } })
    await nextPoll()
    await waitFor(() => expect(location()).toBe("/profile"))
    expect((await screen.findByTestId("current-user")).textContent).toBe("bea@example.com")
    expect(readStoredTokens(window.localStorage)).toBeDefined()
    expect(testApi.calls("POST /api/qr/init")).toBe(1)
    expect(testApi.calls("POST /api/qr/exchange")).toBe(1)
    expect(testApi.calls(`GET /api/qr/${challenge.challengeId}/status`)).toBeGreaterThanOrEqual(2)
  })

  it("says when the phone rejected the login, and starts a new code on try again", async () => {
    const phone = await signUpPhoneUser(testApi, "rex@example.com")
    const desktop = recordChallenges(testApi)
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime })
    renderApp("/login/qr", makeTestSessionManager(testApi, { fetch: desktop.fetch }))
    await screen.findByRole("img", { name: "QR code to scan with your phone" })
    const first = desktop.challenges[0]
    if (first === undefined) throw new Error("no challenge")

    await phone.client.call("qr.scan", { body: { challengeId: first.challengeId, scanKey: first.scanKey } })
    await phone.client.call("qr.reject", { body: { challengeId: first.challengeId, scanKey: first.scanKey } })
    await nextPoll()
    expect((await screen.findByRole("alert")).textContent).toContain("The login was rejected on the phone.")
    expect(screen.queryByRole("img", { name: "QR code to scan with your phone" })).toBeNull()

    await user.click(screen.getByRole("button", { name: "Try again" }))
    await screen.findByRole("img", { name: "QR code to scan with your phone" })
    expect(desktop.challenges).toHaveLength(2)
    expect(desktop.challenges[1]?.challengeId).not.toBe(first.challengeId)
    expect(qrStatus()).toBe("Waiting for your phone to scan the code.")
    expect(testApi.calls("POST /api/qr/exchange")).toBe(0)
    expect(location()).toBe("/login/qr")
  })

  it("counts down and ends as expired when nobody scans in time", async () => {
    const desktop = recordChallenges(testApi)
    renderApp("/login/qr", makeTestSessionManager(testApi, { fetch: desktop.fetch }))
    await screen.findByRole("img", { name: "QR code to scan with your phone" })
    await act(() => vi.advanceTimersByTimeAsync(61_000))
    expect(screen.getByRole("timer").textContent).toMatch(/^(0:59|0:5\d|1:00)$/)
    await act(() => vi.advanceTimersByTimeAsync(65_000))
    expect((await screen.findByRole("alert")).textContent).toContain("The QR code has expired.")
    expect(screen.getByRole("button", { name: "Try again" })).toBeDefined()
  })

  it("says the code was used when another holder of the poll secret exchanged it first", async () => {
    const phone = await signUpPhoneUser(testApi, "uma@example.com")
    const desktop = recordChallenges(testApi)
    // The race lost: right before the page's exchange reaches the server, another one wins.
    const racing = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url)
      if (url.pathname === "/api/qr/exchange") await desktop.fetch(input, init)
      return desktop.fetch(input, init)
    }) as typeof globalThis.fetch
    renderApp("/login/qr", makeTestSessionManager(testApi, { fetch: racing }))
    await screen.findByRole("img", { name: "QR code to scan with your phone" })
    const challenge = desktop.challenges[0]
    if (challenge === undefined) throw new Error("no challenge")
    await phone.client.call("qr.scan", { body: { challengeId: challenge.challengeId, scanKey: challenge.scanKey } })
    await phone.client.call("qr.approve", { body: { challengeId: challenge.challengeId, scanKey: challenge.scanKey } })
    await nextPoll()
    expect((await screen.findByRole("alert")).textContent).toContain("This QR code has already been used.")
    expect(readStoredTokens(window.localStorage)).toBeUndefined()
    expect(screen.queryByTestId("current-user")).toBeNull()
  })

  it("shows a failed start with a retry", async () => {
    let refusals = 1
    const flaky = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url)
      if (url.pathname === "/api/qr/init" && refusals-- > 0) {
        return new Response(JSON.stringify({ type: "about:blank", title: "Too Many Requests", status: 429 }), {
          status: 429,
          headers: { "content-type": "application/problem+json", "retry-after": "30" }
        })
      }
      return testApi.fetch(input, init)
    }) as typeof globalThis.fetch
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime })
    renderApp("/login/qr", makeTestSessionManager(testApi, { fetch: flaky }))
    const alert = await screen.findByRole("alert")
    expect(alert.textContent).toContain("Could not log in with your phone")
    expect(alert.textContent).toContain("Try again in 30 s.")
    await user.click(screen.getByRole("button", { name: "Try again" }))
    expect(await screen.findByRole("img", { name: "QR code to scan with your phone" })).toBeDefined()
  })

  it("sends a logged-in visitor straight to next without starting a challenge", async () => {
    const phone = await signUpPhoneUser(testApi, "lia@example.com")
    const manager = makeTestSessionManager(testApi)
    manager.signIn(phone.tokens)
    renderApp("/login/qr?next=%2Fprofile", manager)
    await waitFor(() => expect(location()).toBe("/profile"))
    expect(testApi.calls("POST /api/qr/init")).toBe(0)
  })

  it("offers the password login, keeping next", async () => {
    renderApp("/login/qr?next=%2Fteams%2F1", makeTestSessionManager(testApi))
    expect((await screen.findByRole("link", { name: "Log in with email and password instead" })).getAttribute("href")).toBe(
      "/login?next=%2Fteams%2F1"
    )
  })
})

/** Enough of EventSource for the page: `status` events, an error, close. */
class FakeEventSource extends EventTarget {
  static readonly instances: Array<FakeEventSource> = []
  onerror: ((event: Event) => void) | null = null
  closed = false
  constructor(readonly url: string) {
    super()
    FakeEventSource.instances.push(this)
  }
  close() {
    this.closed = true
  }
  emitStatus(status: string, expiresAt: string) {
    this.dispatchEvent(new MessageEvent("status", { data: JSON.stringify({ status, expiresAt }) }))
  }
  fail() {
    this.onerror?.(new Event("error"))
  }
}

describe("QR login on the desktop with EventSource", () => {
  it("follows the event stream, and falls back to polling when it fails", async () => {
    FakeEventSource.instances.length = 0
    vi.stubGlobal("EventSource", FakeEventSource)
    const phone = await signUpPhoneUser(testApi, "eva@example.com")
    const desktop = recordChallenges(testApi)
    renderApp("/login/qr", makeTestSessionManager(testApi, { fetch: desktop.fetch }))
    await screen.findByRole("img", { name: "QR code to scan with your phone" })
    const challenge = desktop.challenges[0]
    if (challenge === undefined) throw new Error("no challenge")
    expect(screen.getByText("Updates live.")).toBeDefined()
    // Opened by an effect, right after the code is shown.
    const source = await waitFor(() => {
      const [opened] = FakeEventSource.instances
      if (opened === undefined) throw new Error("no event source yet")
      return opened
    })
    expect(new URL(source.url).pathname).toBe(`/api/qr/sse/${challenge.challengeId}`)

    await phone.client.call("qr.scan", { body: { challengeId: challenge.challengeId, scanKey: challenge.scanKey } })
    act(() => source.emitStatus("scanned", new Date(Date.now() + 100_000).toISOString()))
    expect(qrStatus()).toBe("Scanned. Approve the login on your phone.")
    expect(testApi.calls(`GET /api/qr/${challenge.challengeId}/status`)).toBe(0)

    act(() => source.fail())
    expect(source.closed).toBe(true)
    expect(screen.getByText("Checking every 2 seconds.")).toBeDefined()
    await waitFor(() => expect(testApi.calls(`GET /api/qr/${challenge.challengeId}/status`)).toBe(1))

    await phone.client.call("qr.approve", { body: { challengeId: challenge.challengeId, scanKey: challenge.scanKey } })
    await nextPoll()
    await waitFor(() => expect(location()).toBe("/"))
    expect((await screen.findByTestId("current-user")).textContent).toBe("eva@example.com")
    expect(FakeEventSource.instances).toHaveLength(1)
  })
})
