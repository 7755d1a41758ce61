/**
 * The harness itself, end to end: the built app is served by the real server, a deep link is
 * answered with the app, a visitor of a protected page is sent to login, and a user signs up in
 * one context while another context stays logged out (contexts do not share storage).
 */
import { expect, it } from "vitest"
import { appAndBrowserPerFile, screenshot, signUpInBrowser, uniqueEmail } from "./support/BrowserHarness"

const e2e = appAndBrowserPerFile()

it("serves the app, signs a user up in one context and keeps the other logged out", async () => {
  const visitor = await e2e.openUser()
  await visitor.page.goto("/profile")
  await visitor.page.waitForURL((url) => url.pathname === "/login" && url.searchParams.get("next") === "/profile")
  await expect(visitor.page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Log in")
  await screenshot(visitor.page, "visitor-sent-to-login")

  const ada = await e2e.openUser()
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
