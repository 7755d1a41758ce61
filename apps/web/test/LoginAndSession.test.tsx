import { screen, waitFor } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { readStoredTokens, writeStoredTokens } from "../src/session/StoredTokens"
import { makeTestSessionManager, renderApp } from "./support/renderApp"
import { makeTestApi, type TestApi } from "./support/TestApi"

let testApi: TestApi
beforeEach(() => {
  testApi = makeTestApi()
})
afterEach(() => testApi.dispose())

const signUp = async (email: string, name = "Ada") => {
  const manager = makeTestSessionManager(testApi)
  return manager.publicClient.call("auth.signup", { body: { email, name, password: "Str0ngpassword" } })
}

/** The same JWT with its signature broken: the server answers 401 to it. */
const tampered = (jwt: string) => `${jwt.slice(0, -4)}${jwt.endsWith("AAAA") ? "BBBB" : "AAAA"}`

const logIn = async (user: ReturnType<typeof userEvent.setup>, email: string) => {
  await user.type(await screen.findByLabelText("Email"), email)
  await user.type(screen.getByLabelText("Password"), "Str0ngpassword")
  await user.click(screen.getByRole("button", { name: "Log in" }))
}

describe("login", () => {
  it("sends a visitor of a protected page to login with next, and back there afterwards", async () => {
    await signUp("ada@example.com", "Ada Lovelace")
    const user = userEvent.setup()
    renderApp("/profile?tab=1", makeTestSessionManager(testApi))
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/login?next=%2Fprofile%3Ftab%3D1"))
    expect(screen.getByRole("link", { name: "Log in with your phone" }).getAttribute("href")).toBe(
      "/login/qr?next=%2Fprofile%3Ftab%3D1"
    )
    await logIn(user, "ada@example.com")
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/profile?tab=1"))
    expect(await screen.findByDisplayValue("Ada Lovelace")).toBeDefined()
  })

  it("shows a wrong password as a form error and stays on the page", async () => {
    await signUp("bob@example.com")
    const user = userEvent.setup()
    renderApp("/login", makeTestSessionManager(testApi))
    await user.type(await screen.findByLabelText("Email"), "bob@example.com")
    await user.type(screen.getByLabelText("Password"), "Wr0ngpassword")
    await user.click(screen.getByRole("button", { name: "Log in" }))
    expect((await screen.findByRole("alert")).textContent?.length).toBeGreaterThan(0)
    expect(screen.getByTestId("location").textContent).toBe("/login")
    expect(readStoredTokens(window.localStorage)).toBeUndefined()
  })

  it("ignores a next that leaves the app", async () => {
    await signUp("eve@example.com")
    const user = userEvent.setup()
    renderApp("/login?next=%2F%2Fevil.example%2F", makeTestSessionManager(testApi))
    await logIn(user, "eve@example.com")
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/teams"))
  })
})

describe("an ending session", () => {
  it("refuses a rejected token: refreshes once, retries the call once, and the page loads", async () => {
    const session = await signUp("cy@example.com", "Cy")
    const manager = makeTestSessionManager(testApi)
    manager.signIn({ ...session, accessToken: tampered(session.accessToken) })
    renderApp("/profile", manager)
    expect(await screen.findByDisplayValue("Cy")).toBeDefined()
    expect(testApi.calls("POST /api/auth/refresh")).toBe(1)
    expect(testApi.calls("GET /api/users/me")).toBe(2)
  })

  it("goes to login with next when the refresh is refused, and comes back after login", async () => {
    const session = await signUp("dee@example.com", "Dee")
    // Revoke the family on the server: the stored refresh token is now refused.
    const manager = makeTestSessionManager(testApi)
    await manager.publicClient.call("auth.logout", { body: { refreshToken: session.refreshToken } })
    writeStoredTokens(window.localStorage, {
      accessToken: tampered(session.accessToken),
      refreshToken: session.refreshToken,
      expiresAt: Date.now() + 3_600_000
    })
    const user = userEvent.setup()
    renderApp("/profile", manager)
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/login?next=%2Fprofile"))
    expect(readStoredTokens(window.localStorage)).toBeUndefined()
    expect(testApi.calls("POST /api/auth/refresh")).toBe(1)

    await logIn(user, "dee@example.com")
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/profile"))
    expect(await screen.findByDisplayValue("Dee")).toBeDefined()
  })

  it("logs out: revokes the refresh token and forgets the tokens", async () => {
    const session = await signUp("eli@example.com")
    const manager = makeTestSessionManager(testApi)
    manager.signIn(session)
    const user = userEvent.setup()
    renderApp("/profile", manager)
    await user.click(await screen.findByRole("link", { name: "Log out" }))
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/login"))
    expect(screen.getByText("You have been logged out.")).toBeDefined()
    expect(readStoredTokens(window.localStorage)).toBeUndefined()
    const refused = await manager.publicClient.request("auth.refresh", { body: { refreshToken: session.refreshToken } })
    expect(refused.status).toBe(401)
  })
})
