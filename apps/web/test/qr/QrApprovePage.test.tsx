import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { makeTestSessionManager, renderApp } from "../support/renderApp"
import { makeTestApi, type TestApi } from "../support/TestApi"
import { challengeOfPayload, otherBrowser, type PhoneUser, signUpPhoneUser } from "./QrTestUsers"

const DESKTOP_USER_AGENT =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

let testApi: TestApi
beforeEach(() => {
  testApi = makeTestApi()
})
afterEach(async () => {
  vi.useRealTimers()
  await testApi.dispose()
})

/** A desktop starting a QR login (as its browser would, with its User-Agent). */
const startDesktopLogin = async () => {
  const desktop = otherBrowser(testApi).publicClient
  const started = await desktop.call("qr.init", { headers: { "user-agent": DESKTOP_USER_AGENT } })
  const { challengeId, scanKey } = challengeOfPayload(started.qrPayload)
  const url = new URL(started.qrPayload)
  return {
    desktop,
    challengeId,
    scanKey,
    pollSecret: started.pollSecret,
    /** The path the phone opens: the QR payload's, on this app. */
    path: `${url.pathname}${url.search}`,
    exchange: () => desktop.request("qr.exchange", { body: { challengeId, pollSecret: started.pollSecret } })
  }
}

/** Renders the app at `path` for the logged-in phone user; resolves once the (lazy) page is there. */
const openOnPhone = async (path: string, phone: PhoneUser) => {
  const manager = makeTestSessionManager(testApi)
  manager.signIn(phone.tokens)
  renderApp(path, manager)
  await screen.findByRole("region", { name: "Approve login" })
}

const page = () => within(screen.getByRole("region", { name: "Approve login" }))

describe("approving a QR login on the phone", () => {
  it("shows where the request comes from, and approving logs the desktop in as this user", async () => {
    const phone = await signUpPhoneUser(testApi, "pia@example.com")
    const login = await startDesktopLogin()
    expect(login.path.startsWith("/qr/approve?c=")).toBe(true)
    const user = userEvent.setup()
    await openOnPhone(login.path, phone)

    const facts = await page().findByLabelText("Login request")
    expect(within(facts).getByText("Chrome 131 on Windows")).toBeDefined()
    expect(facts.textContent).toContain("IP address")
    expect(page().getByText(DESKTOP_USER_AGENT)).toBeDefined()
    expect(page().getByText("Full browser identification")).toBeDefined()
    expect(page().getByText(/pia@example\.com/)).toBeDefined()
    expect(facts.querySelector("time")?.getAttribute("dateTime")).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(testApi.calls("POST /api/qr/scan")).toBe(1)

    await user.click(page().getByRole("button", { name: "Approve" }))
    expect(await page().findByText("Approved. The other device is now logged in as you.")).toBeDefined()
    expect(page().queryByRole("button", { name: "Approve" })).toBeNull()
    expect(page().getByRole("link", { name: "Continue to the app" })).toBeDefined()

    const exchanged = await login.exchange()
    expect(exchanged.status).toBe(200)
    const desktopSession = otherBrowser(testApi)
    desktopSession.signIn(exchanged.body as { accessToken: string; refreshToken: string })
    expect((await desktopSession.client.call("users.me")).email).toBe("pia@example.com")
  })

  it("rejecting refuses the desktop", async () => {
    const phone = await signUpPhoneUser(testApi, "rob@example.com")
    const login = await startDesktopLogin()
    const user = userEvent.setup()
    await openOnPhone(login.path, phone)
    await user.click(await page().findByRole("button", { name: "Reject" }))
    expect(await page().findByText("Rejected. The other device was not logged in.")).toBeDefined()
    expect((await login.exchange()).status).toBe(409)
    expect((await login.desktop.call("qr.status", { params: { challengeId: login.challengeId } })).status).toBe("rejected")
  })

  it("says a request has expired (410)", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const phone = await signUpPhoneUser(testApi, "eda@example.com")
    const login = await startDesktopLogin()
    vi.setSystemTime(Date.now() + 121_000)
    await openOnPhone(login.path, phone)
    const alert = await page().findByRole("alert")
    expect(alert.textContent).toContain("This login request has expired")
    expect(page().queryByRole("button", { name: "Approve" })).toBeNull()
    expect(page().getByText("Start a new QR login on the other device and scan its code.")).toBeDefined()
  })

  it("says when another account scanned the code first (409)", async () => {
    const first = await signUpPhoneUser(testApi, "fay@example.com")
    const second = await signUpPhoneUser(testApi, "gus@example.com")
    const login = await startDesktopLogin()
    await first.client.call("qr.scan", { body: { challengeId: login.challengeId, scanKey: login.scanKey } })
    await openOnPhone(login.path, second)
    expect((await page().findByRole("alert")).textContent).toContain("Another account has already scanned this code")
  })

  it("says an already used request was used (409), when the code is opened again", async () => {
    const phone = await signUpPhoneUser(testApi, "hal@example.com")
    const login = await startDesktopLogin()
    await phone.client.call("qr.scan", { body: { challengeId: login.challengeId, scanKey: login.scanKey } })
    await phone.client.call("qr.approve", { body: { challengeId: login.challengeId, scanKey: login.scanKey } })
    expect((await login.exchange()).status).toBe(200)
    await openOnPhone(login.path, phone)
    expect((await page().findByRole("alert")).textContent).toContain("This login request was already used")
  })

  it("shows a decision the server refuses, keeping the request on screen", async () => {
    const phone = await signUpPhoneUser(testApi, "ivy@example.com")
    const login = await startDesktopLogin()
    const user = userEvent.setup()
    await openOnPhone(login.path, phone)
    await page().findByRole("button", { name: "Approve" })
    // Decided meanwhile on another tab of the same phone.
    await phone.client.call("qr.reject", { body: { challengeId: login.challengeId, scanKey: login.scanKey } })
    await user.click(page().getByRole("button", { name: "Approve" }))
    expect((await page().findByRole("alert")).textContent).toContain("This login request was already rejected")
    expect(page().getByText("Chrome 131 on Windows")).toBeDefined()
  })

  it("lists the field errors of a malformed link (400)", async () => {
    const phone = await signUpPhoneUser(testApi, "jon@example.com")
    await openOnPhone("/qr/approve?c=not%20an%20id&k=x", phone)
    const alert = await page().findByRole("alert")
    expect(alert.textContent).toContain("This login link is not valid")
    expect(within(alert).getByRole("listitem").textContent).toMatch(/^challengeId: /)
  })

  it("does not find a request with a wrong scan key (404)", async () => {
    const phone = await signUpPhoneUser(testApi, "kim@example.com")
    const login = await startDesktopLogin()
    await openOnPhone(`/qr/approve?c=${login.challengeId}&k=wrong`, phone)
    expect((await page().findByRole("alert")).textContent).toContain("This login request was not found")
  })

  it("does not call the server for an incomplete link", async () => {
    const phone = await signUpPhoneUser(testApi, "lou@example.com")
    await openOnPhone("/qr/approve?c=abc", phone)
    expect((await page().findByRole("alert")).textContent).toContain("This login link is incomplete")
    expect(testApi.calls("POST /api/qr/scan")).toBe(0)
  })

  it("sends a logged-out phone to login and back to the same request afterwards", async () => {
    await signUpPhoneUser(testApi, "max@example.com")
    const login = await startDesktopLogin()
    const user = userEvent.setup()
    renderApp(login.path, makeTestSessionManager(testApi))
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe(`/login?next=${encodeURIComponent(login.path)}`))
    await user.type(await screen.findByLabelText("Email"), "max@example.com")
    await user.type(screen.getByLabelText("Password"), "Str0ngpassword")
    await user.click(screen.getByRole("button", { name: "Log in" }))
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe(login.path))
    expect(await page().findByRole("button", { name: "Approve" })).toBeDefined()
  })
})
