import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { makeTestSessionManager, renderApp } from "./support/renderApp"
import { makeTestApi, type TestApi } from "./support/TestApi"

let testApi: TestApi
beforeEach(() => {
  testApi = makeTestApi()
})
afterEach(() => testApi.dispose())

const ruleStates = () =>
  Object.fromEntries(
    within(screen.getByRole("list", { name: "Requirements" }))
      .getAllByRole("listitem")
      .map((li) => [li.dataset["rule"], li.dataset["met"] === "true"])
  )

describe("sign-up", () => {
  it("ticks each password rule as it is met while typing", async () => {
    const user = userEvent.setup()
    renderApp("/signup", makeTestSessionManager(testApi))
    const password = await screen.findByLabelText("Password")
    expect(ruleStates()).toEqual({ length: false, upper: false, lower: false, digit: false })
    // The rules are the field's description, so screen readers read them with it.
    expect(password.getAttribute("aria-describedby")).toContain(
      screen.getByRole("list", { name: "Requirements" }).parentElement?.id
    )

    await user.type(password, "a")
    expect(ruleStates()).toEqual({ length: false, upper: false, lower: true, digit: false })
    await user.type(password, "B")
    expect(ruleStates()).toEqual({ length: false, upper: true, lower: true, digit: false })
    await user.type(password, "3")
    expect(ruleStates()).toEqual({ length: false, upper: true, lower: true, digit: true })
    await user.type(password, "xxxx")
    expect(ruleStates()).toEqual({ length: false, upper: true, lower: true, digit: true })
    await user.type(password, "x")
    expect(ruleStates()).toEqual({ length: true, upper: true, lower: true, digit: true })
    await user.clear(password)
    // Unicode letters and digits count as the server counts them.
    await user.type(password, "ÄÖüé١٢٣٤")
    expect(ruleStates()).toEqual({ length: true, upper: true, lower: true, digit: true })
  })

  it("does not submit while a rule is unmet", async () => {
    const user = userEvent.setup()
    renderApp("/signup", makeTestSessionManager(testApi))
    await user.type(await screen.findByLabelText("Email"), "weak@example.com")
    await user.type(screen.getByLabelText("Name"), "Weak")
    await user.type(screen.getByLabelText("Password"), "short1A")
    await user.click(screen.getByRole("button", { name: "Sign up" }))
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBe("true")
    expect(testApi.calls("POST /api/auth/signup")).toBe(0)
  })

  it("shows the server's field error on the field it names, linked with aria-describedby", async () => {
    const user = userEvent.setup()
    renderApp("/signup", makeTestSessionManager(testApi))
    await user.type(await screen.findByLabelText("Email"), "long@example.com")
    // The client checks only that a name is given; the server limits it to 100 characters.
    await user.type(screen.getByLabelText("Name"), "n".repeat(101))
    await user.type(screen.getByLabelText("Password"), "Str0ngpassword")
    await user.click(screen.getByRole("button", { name: "Sign up" }))

    const name = screen.getByLabelText("Name")
    await waitFor(() => expect(name.getAttribute("aria-invalid")).toBe("true"))
    const describedBy = name.getAttribute("aria-describedby") ?? ""
    const errorText = describedBy.split(" ").map((id) => document.getElementById(id)?.textContent).join(" ")
    expect(errorText).toMatch(/100/)
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("false")
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBe("false")
    expect(screen.getByRole("alert").textContent).toContain("correct the highlighted fields")
    expect(testApi.calls("POST /api/auth/signup")).toBe(1)
  })

  it("shows a conflict's detail for a taken email, and signs up and logs in otherwise", async () => {
    const user = userEvent.setup()
    const manager = makeTestSessionManager(testApi)
    await manager.publicClient.call("auth.signup", { body: { email: "taken@example.com", name: "First", password: "Str0ngpassword" } })
    renderApp("/signup?next=%2Fprofile", manager)
    await user.type(await screen.findByLabelText("Email"), "taken@example.com")
    await user.type(screen.getByLabelText("Name"), "Second")
    await user.type(screen.getByLabelText("Password"), "Str0ngpassword")
    await user.click(screen.getByRole("button", { name: "Sign up" }))
    const alert = await screen.findByRole("alert")
    expect(alert.textContent?.length).toBeGreaterThan(0)
    expect(manager.getSession()).toBeUndefined()

    await user.clear(screen.getByLabelText("Email"))
    await user.type(screen.getByLabelText("Email"), "second@example.com")
    await user.click(screen.getByRole("button", { name: "Sign up" }))
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/profile"))
    expect(manager.getSession()?.email).toBe("second@example.com")
    expect(await screen.findByDisplayValue("Second")).toBeDefined()
  })
})
