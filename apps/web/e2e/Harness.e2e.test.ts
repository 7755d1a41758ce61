/**
 * The harness itself, end to end: the built app is served by the real server, a deep link is
 * answered with the app, a visitor of a protected page is sent to login, and a user signs up in
 * one context while another context stays logged out (contexts do not share storage).
 */
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { launchBrowser, openUser, type RunningApp, screenshot, signUpInBrowser, startApp, uniqueEmail } from "./support/BrowserHarness"

let app: RunningApp
let browser: Browser

beforeAll(async () => {
  app = await startApp()
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

it("serves the app, signs a user up in one context and keeps the other logged out", async () => {
  const visitor = await openUser(browser, app)
  await visitor.page.goto("/profile")
  await visitor.page.waitForURL((url) => url.pathname === "/login" && url.searchParams.get("next") === "/profile")
  await expect(visitor.page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Log in")
  await screenshot(visitor.page, "visitor-sent-to-login")

  const ada = await openUser(browser, app)
  const email = uniqueEmail("ada")
  await signUpInBrowser(ada.page, { email, name: "Ada" })
  await screenshot(ada.page, "ada-signed-up")
  await expect(ada.page.getByTestId("current-user").textContent()).resolves.toBe(email)

  await visitor.page.reload()
  await visitor.page.getByRole("heading", { name: "Log in" }).waitFor()
  expect(await visitor.page.getByTestId("current-user").count()).toBe(0)

  expect(visitor.problems()).toEqual([])
  expect(ada.problems()).toEqual([])
  await visitor.close()
  await ada.close()
})
