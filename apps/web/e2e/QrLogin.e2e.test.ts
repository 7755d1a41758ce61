/**
 * QR login end to end in Chromium: context B (the "phone") is logged in; context A (the desktop)
 * opens the QR login from the login page; the test reads the QR code off a screenshot of A's
 * screen, B opens that URL, sees where the request comes from and approves, and A — told over
 * SSE — ends up logged in as B. Every step leaves a screenshot in e2e/artifacts/QrLogin/.
 */
import type { Page } from "playwright-core"
import { describe, expect, it } from "vitest"
import { appAndBrowserPerFile, screenshot, signUpInBrowser, uniqueEmail } from "./support/BrowserHarness"
import { readQrCode } from "./support/QrCodeReader"

const e2e = appAndBrowserPerFile()

const QR_IMAGE = { name: "QR code to scan with your phone" } as const

/** From /login, the way a user gets there; returns the URL the shown QR code carries. */
const openQrLogin = async (desktop: Page, step: string): Promise<string> => {
  await desktop.goto("/login")
  await desktop.getByRole("link", { name: "Log in with your phone" }).click()
  await desktop.waitForURL((url) => url.pathname === "/login/qr")
  const code = desktop.getByRole("img", QR_IMAGE)
  await code.waitFor()
  await desktop.getByText("Updates live.").waitFor()
  await screenshot(desktop, `${step}-desktop-shows-qr`)
  return readQrCode(await screenshot(code, `${step}-qr-code`))
}

const statusLine = (page: Page) => page.getByRole("region", { name: "Log in with your phone" }).getByRole("status")

describe("QR login", () => {
  it("logs the desktop in as the phone's user once the phone approves", async () => {
    const phone = await e2e.openUser({ viewport: { width: 390, height: 844 } })
    const desktop = await e2e.openUser()
    const email = uniqueEmail("bea")
    await signUpInBrowser(phone.page, { email, name: "Bea" })
    await screenshot(phone.page, "phone-logged-in")

    const approveUrl = await openQrLogin(desktop.page, "approve")
    const decoded = new URL(approveUrl)
    expect(decoded.origin).toBe(e2e.app.baseUrl)
    expect(decoded.pathname).toBe("/qr/approve")
    expect(decoded.searchParams.get("c")).toMatch(/^[A-Za-z0-9_-]{16,}$/)
    expect(decoded.searchParams.get("k")).not.toBeNull()
    await expect(statusLine(desktop.page).textContent()).resolves.toBe("Waiting for your phone to scan the code.")

    await phone.page.goto(approveUrl)
    const request = phone.page.getByLabel("Login request", { exact: true })
    await request.waitFor()
    // The desktop is this very Chromium on this machine.
    await expect(request.getByText(/^Chrome \d+ on Linux$/).count()).resolves.toBe(1)
    await expect(request.getByText("127.0.0.1", { exact: true }).count()).resolves.toBe(1)
    await phone.page.getByText("Full browser identification").click()
    await expect(phone.page.locator("code.qr-user-agent").textContent()).resolves.toContain("Chrome/")
    await screenshot(phone.page, "phone-sees-request")

    await statusLine(desktop.page).filter({ hasText: "Scanned. Approve the login on your phone." }).waitFor()
    // Told by the event stream, not by the polling fallback.
    await expect(desktop.page.getByText("Updates live.").count()).resolves.toBe(1)
    await screenshot(desktop.page, "desktop-sees-scanned")

    await phone.page.getByRole("button", { name: "Approve" }).click()
    await phone.page.getByText("Approved. The other device is now logged in as you.").waitFor()
    await screenshot(phone.page, "phone-approved")

    await desktop.page.getByTestId("current-user").filter({ hasText: email }).waitFor()
    await desktop.page.waitForURL((url) => url.pathname === "/teams")
    await screenshot(desktop.page, "desktop-logged-in")
    await desktop.page.getByRole("link", { name: "Profile" }).click()
    await expect(desktop.page.getByLabel("Name", { exact: true }).inputValue()).resolves.toBe("Bea")
    await screenshot(desktop.page, "desktop-profile-of-phone-user")

    expect(desktop.problems()).toEqual([])
    expect(phone.problems()).toEqual([])
    await desktop.close()
    await phone.close()
  })

  it("shows the phone's rejection on the desktop, which can start over with a new code", async () => {
    const phone = await e2e.openUser({ viewport: { width: 390, height: 844 } })
    const desktop = await e2e.openUser()
    await signUpInBrowser(phone.page, { email: uniqueEmail("rex"), name: "Rex" })

    const approveUrl = await openQrLogin(desktop.page, "reject")
    await phone.page.goto(approveUrl)
    await phone.page.getByRole("button", { name: "Reject" }).click()
    await phone.page.getByText("Rejected. The other device was not logged in.").waitFor()
    await screenshot(phone.page, "phone-rejected")

    await desktop.page.getByRole("alert").filter({ hasText: "The login was rejected on the phone." }).waitFor()
    await screenshot(desktop.page, "desktop-sees-rejection")
    expect(await desktop.page.getByTestId("current-user").count()).toBe(0)

    await desktop.page.getByRole("button", { name: "Try again" }).click()
    const code = desktop.page.getByRole("img", QR_IMAGE)
    await code.waitFor()
    const again = readQrCode(await screenshot(code, "new-qr-code"))
    expect(new URL(again).searchParams.get("c")).not.toBe(new URL(approveUrl).searchParams.get("c"))

    expect(desktop.problems()).toEqual([])
    expect(phone.problems()).toEqual([])
    await desktop.close()
    await phone.close()
  })
})
