import { cleanup, screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { renderApp } from "../support/renderApp"
import { makeTestApi, type TestApi } from "../support/TestApi"
import { signedInUser } from "./SignedInUser"

let testApi: TestApi
beforeEach(() => {
  testApi = makeTestApi()
})
afterEach(() => testApi.dispose())

const SECRET = "sk-live-Q7f2-SECRET-4242"

/** The secret appears nowhere: not in the markup, not in any field's value. */
const expectSecretAbsent = (secret: string) => {
  expect(document.body.innerHTML).not.toContain(secret)
  for (const input of document.querySelectorAll("input, textarea")) {
    expect((input as HTMLInputElement).value).not.toContain(secret)
  }
}

describe("credentials", () => {
  it("adds an account's credentials through a password field and never shows the secret, after save or reload", async () => {
    const { manager, userId } = await signedInUser(testApi)
    const user = userEvent.setup()
    renderApp("/platforms/meta", manager)
    expect(await screen.findByText("No accounts connected")).toBeDefined()
    const form = screen.getByRole("form", { name: "Add an account" })
    const secretField = within(form).getByLabelText("Secret") as HTMLInputElement
    expect(secretField.type).toBe("password")

    await user.click(within(form).getByRole("button", { name: "Save credentials" }))
    expect(within(form).getByText("Enter the account id")).toBeDefined()
    expect(within(form).getByText("Enter the secret (API key or token)")).toBeDefined()
    await user.type(within(form).getByLabelText("Account ID"), "act 1")
    await user.click(within(form).getByRole("button", { name: "Save credentials" }))
    expect(within(form).getByText(/Use 1–128 letters/)).toBeDefined()

    await user.clear(within(form).getByLabelText("Account ID"))
    await user.type(within(form).getByLabelText("Account ID"), "act_123")
    await user.type(secretField, SECRET)
    await user.click(within(form).getByRole("button", { name: "Save credentials" }))
    expect(await screen.findByText(/Saved the credentials of act_123 \(active\)/)).toBeDefined()
    const row = await screen.findByRole("article", { name: "Account act_123" })
    expect(within(row).getByText("Active")).toBeDefined()
    expect(within(row).getByText(/never synced/)).toBeDefined()
    expect(secretField.value).toBe("")
    expectSecretAbsent(SECRET)

    // A fresh page load: the list comes from the server, which never returns the secret either.
    cleanup()
    renderApp("/platforms/meta", manager)
    expect(await screen.findByRole("article", { name: "Account act_123" })).toBeDefined()
    expectSecretAbsent(SECRET)
    const listed = await manager.client.request("platforms.listCredentials", { params: { userId, platform: "meta" } })
    expect(JSON.stringify(listed.body)).not.toContain(SECRET)
  })

  it("deactivates and activates an account (the contract needs the secret with every change)", async () => {
    const { manager, userId } = await signedInUser(testApi)
    const params = { userId, platform: "google" } as const
    await manager.client.call("platforms.putCredentials", { params: { ...params, accountId: "123-456-7890" }, body: { credentials: SECRET } })
    const user = userEvent.setup()
    renderApp("/platforms/google", manager)

    await user.click(await screen.findByRole("button", { name: "Deactivate 123-456-7890" }))
    const form = screen.getByRole("form", { name: "Deactivate 123-456-7890" })
    expect((within(form).getByLabelText("Status") as HTMLSelectElement).value).toBe("inactive")
    await user.click(within(form).getByRole("button", { name: "Deactivate" }))
    expect(within(form).getByText("Enter the secret (API key or token)")).toBeDefined()
    await user.type(within(form).getByLabelText("Secret for 123-456-7890"), SECRET)
    await user.click(within(form).getByRole("button", { name: "Deactivate" }))
    expect(await screen.findByText("Saved 123-456-7890: inactive.")).toBeDefined()
    await waitFor(() => expect(within(screen.getByRole("article", { name: "Account 123-456-7890" })).getByText("Inactive")).toBeDefined())
    expect((await manager.client.call("platforms.listCredentials", { params }))[0]!.status).toBe("inactive")
    expectSecretAbsent(SECRET)

    await user.click(screen.getByRole("button", { name: "Activate 123-456-7890" }))
    const again = screen.getByRole("form", { name: "Activate 123-456-7890" })
    await user.type(within(again).getByLabelText("Secret for 123-456-7890"), SECRET)
    await user.click(within(again).getByRole("button", { name: "Activate" }))
    await waitFor(() => expect(within(screen.getByRole("article", { name: "Account 123-456-7890" })).getByText("Active")).toBeDefined())
    expect((await manager.client.call("platforms.listCredentials", { params }))[0]!.status).toBe("active")
    expectSecretAbsent(SECRET)
  })

  it("replaces a secret and deletes an account after confirmation", async () => {
    const { manager, userId } = await signedInUser(testApi)
    const params = { userId, platform: "naver" } as const
    await manager.client.call("platforms.putCredentials", { params: { ...params, accountId: "nv-1" }, body: { credentials: SECRET, status: "inactive" } })
    const user = userEvent.setup()
    renderApp("/platforms/naver", manager)

    await user.click(await screen.findByRole("button", { name: "Replace the secret of nv-1" }))
    const form = screen.getByRole("form", { name: "Replace the secret of nv-1" })
    // Replacing keeps the status unless changed.
    expect((within(form).getByLabelText("Status") as HTMLSelectElement).value).toBe("inactive")
    await user.type(within(form).getByLabelText("Secret for nv-1"), "a-new-secret-value-99")
    await user.click(within(form).getByRole("button", { name: "Save new secret" }))
    expect(await screen.findByText("Saved nv-1: inactive.")).toBeDefined()
    expectSecretAbsent("a-new-secret-value-99")

    await user.click(screen.getByRole("button", { name: "Delete nv-1" }))
    await user.click(screen.getByRole("button", { name: "Delete credentials" }))
    expect(await screen.findByText("No accounts connected")).toBeDefined()
    expect(await manager.client.call("platforms.listCredentials", { params })).toEqual([])
  })
})
