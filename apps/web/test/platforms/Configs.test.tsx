import { screen, waitFor, within } from "@testing-library/react"
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

const replaceText = async (user: ReturnType<typeof userEvent.setup>, field: HTMLElement, text: string) => {
  await user.clear(field)
  await user.click(field)
  // paste: `type` would read "{" and "[" as key names.
  await user.paste(text)
}

const settingsIn = (form: HTMLElement) => JSON.parse((within(form).getByLabelText("Settings (JSON)") as HTMLTextAreaElement).value) as unknown

describe("platforms", () => {
  it("offers every platform of the contract and says so for an unknown one", async () => {
    const { manager } = await signedInUser(testApi)
    const user = userEvent.setup()
    const first = renderApp("/platforms", manager)
    const nav = await screen.findByRole("navigation", { name: "Platforms" })
    expect(within(nav).getAllByRole("link").map((a) => a.textContent)).toEqual(["Google Ads", "Meta", "Naver", "Kakao", "TikTok"])
    await user.click(within(nav).getByRole("link", { name: "Naver" }))
    expect(await screen.findByRole("heading", { level: 1, name: "Naver" })).toBeDefined()
    expect(screen.getByTestId("location").textContent).toBe("/platforms/naver")
    first.unmount()
    renderApp("/platforms/myspace", manager)
    expect(await screen.findByText("There is no platform “myspace”")).toBeDefined()
  })
})

describe("configs", () => {
  it("checks the form, creates a config that becomes current, and shows the server's field errors", async () => {
    const { manager, userId } = await signedInUser(testApi)
    const user = userEvent.setup()
    renderApp("/platforms/google", manager)
    expect(await screen.findByText("No configs yet")).toBeDefined()
    const form = screen.getByRole("form", { name: "New config" })
    const before = testApi.calls(`POST /api/users/${userId}/platforms/google/configs`)

    await replaceText(user, within(form).getByLabelText("Settings (JSON)"), "[1, 2]")
    await user.click(within(form).getByRole("button", { name: "Create config" }))
    expect(within(form).getByLabelText("Config name").getAttribute("aria-invalid")).toBe("true")
    expect(within(form).getByText("Enter a name for the config")).toBeDefined()
    expect(within(form).getByText(/Settings must be a JSON object/)).toBeDefined()
    expect(testApi.calls(`POST /api/users/${userId}/platforms/google/configs`)).toBe(before)

    // Valid JSON the server refuses (nested deeper than 16 levels): its message lands on the field.
    const deep = `${"{\"a\":".repeat(18)}1${"}".repeat(18)}`
    await user.type(within(form).getByLabelText("Config name"), "Summer")
    await replaceText(user, within(form).getByLabelText("Settings (JSON)"), deep)
    await user.click(within(form).getByRole("button", { name: "Create config" }))
    await waitFor(() => expect(within(form).getByLabelText("Settings (JSON)").getAttribute("aria-invalid")).toBe("true"))
    expect(within(form).getByText(/16 levels/)).toBeDefined()
    expect(within(form).getByRole("alert").textContent).toMatch(/correct the highlighted fields/)

    await replaceText(user, within(form).getByLabelText("Settings (JSON)"), "{\"dailyBudget\": 100}")
    await user.click(within(form).getByRole("button", { name: "Create config" }))
    const row = await screen.findByRole("article", { name: "Summer" })
    expect(within(row).getByText("Current")).toBeDefined()
    expect(within(row).getByText(/version 1/)).toBeDefined()
    expect((within(form).getByLabelText("Config name") as HTMLInputElement).value).toBe("")

    const stored = await manager.client.call("platforms.listConfigs", { params: { userId, platform: "google" } })
    expect(stored.configs.map((c) => [c.name, c.settings, c.version])).toEqual([["Summer", { dailyBudget: 100 }, 1]])
    expect(stored.currentConfigId).toBe(stored.configs[0]!.configId)
  })

  it("edits a config: the save carries the version and bumps it", async () => {
    const { manager, userId } = await signedInUser(testApi)
    const params = { userId, platform: "meta" } as const
    await manager.client.call("platforms.createConfig", { params, body: { name: "Summer", settings: { budget: 100 } } })
    const user = userEvent.setup()
    renderApp("/platforms/meta", manager)
    await user.click(await screen.findByRole("button", { name: "Edit Summer" }))
    const editor = screen.getByRole("form", { name: "Edit “Summer”" })
    expect(within(editor).getByText(/Editing version 1/)).toBeDefined()
    expect(settingsIn(editor)).toEqual({ budget: 100 })
    await user.clear(within(editor).getByLabelText("Config name"))
    await user.click(within(editor).getByRole("button", { name: "Save changes" }))
    expect(within(editor).getByText("Enter a name for the config")).toBeDefined()
    await user.type(within(editor).getByLabelText("Config name"), "Summer sale")
    await replaceText(user, within(editor).getByLabelText("Settings (JSON)"), "{\"budget\": 150}")
    await user.click(within(editor).getByRole("button", { name: "Save changes" }))
    expect(await screen.findByText("Saved “Summer sale” (version 2).")).toBeDefined()
    expect(screen.queryByRole("form", { name: /^Edit/ })).toBeNull()
    const stored = await manager.client.call("platforms.listConfigs", { params })
    expect(stored.configs.map((c) => [c.name, c.settings, c.version])).toEqual([["Summer sale", { budget: 150 }, 2]])
  })

  it("on a version conflict overwrites nothing, shows their version, and reloads and reapplies my changes", async () => {
    const { manager, userId } = await signedInUser(testApi)
    const params = { userId, platform: "google" } as const
    const created = await manager.client.call("platforms.createConfig", { params, body: { name: "Summer", settings: { budget: 100, currency: "KRW" } } })
    const user = userEvent.setup()
    renderApp("/platforms/google", manager)
    await user.click(await screen.findByRole("button", { name: "Edit Summer" }))
    const editor = screen.getByRole("form", { name: "Edit “Summer”" })
    await replaceText(user, within(editor).getByLabelText("Settings (JSON)"), "{\"budget\": 150, \"currency\": \"KRW\"}")

    // Meanwhile another editor (another tab, another person) saves version 2.
    await manager.client.call("platforms.updateConfig", {
      params: { ...params, configId: created.configId },
      body: { name: "Summer sale", settings: { budget: 100, currency: "USD" }, version: 1 }
    })

    await user.click(within(editor).getByRole("button", { name: "Save changes" }))
    const conflict = await within(editor).findByRole("alert")
    expect(conflict.textContent).toMatch(/Someone else changed this config/)
    expect(conflict.textContent).toMatch(/You started from version 1; it is now version 2/)
    expect(conflict.textContent).toMatch(/Summer sale/)
    expect(conflict.textContent).toMatch(/"currency": "USD"/)
    expect((within(editor).getByRole("button", { name: "Save changes" }) as HTMLButtonElement).disabled).toBe(true)
    // Nothing was overwritten.
    const stillTheirs = await manager.client.call("platforms.listConfigs", { params })
    expect(stillTheirs.configs.map((c) => [c.name, c.settings, c.version])).toEqual([["Summer sale", { budget: 100, currency: "USD" }, 2]])

    await user.click(within(conflict).getByRole("button", { name: "Reload and reapply my changes" }))
    expect(within(editor).queryByRole("alert")).toBeNull()
    expect(within(editor).getByRole("status").textContent).toMatch(/Loaded version 2 and reapplied your changes/)
    expect(within(editor).getByText(/Editing version 2/)).toBeDefined()
    expect((within(editor).getByLabelText("Config name") as HTMLInputElement).value).toBe("Summer sale")
    expect(settingsIn(editor)).toEqual({ budget: 150, currency: "USD" })

    await user.click(within(editor).getByRole("button", { name: "Save changes" }))
    expect(await screen.findByText("Saved “Summer sale” (version 3).")).toBeDefined()
    const merged = await manager.client.call("platforms.listConfigs", { params })
    expect(merged.configs.map((c) => [c.name, c.settings, c.version])).toEqual([["Summer sale", { budget: 150, currency: "USD" }, 3]])
  })

  it("on a version conflict can overwrite theirs with mine, explicitly, or discard mine", async () => {
    const { manager, userId } = await signedInUser(testApi)
    const params = { userId, platform: "kakao" } as const
    const a = await manager.client.call("platforms.createConfig", { params, body: { name: "A", settings: { v: 1 } } })
    const b = await manager.client.call("platforms.createConfig", { params, body: { name: "B", settings: { v: 1 } } })
    const user = userEvent.setup()
    renderApp("/platforms/kakao", manager)

    await user.click(await screen.findByRole("button", { name: "Edit A" }))
    let editor = screen.getByRole("form", { name: "Edit “A”" })
    await replaceText(user, within(editor).getByLabelText("Settings (JSON)"), "{\"v\": \"mine\"}")
    await manager.client.call("platforms.updateConfig", { params: { ...params, configId: a.configId }, body: { settings: { v: "theirs" }, version: 1 } })
    await user.click(within(editor).getByRole("button", { name: "Save changes" }))
    await user.click(await within(editor).findByRole("button", { name: "Overwrite with my changes" }))
    expect(await screen.findByText("Saved “A” (version 3).")).toBeDefined()

    await user.click(screen.getByRole("button", { name: "Edit B" }))
    editor = screen.getByRole("form", { name: "Edit “B”" })
    await replaceText(user, within(editor).getByLabelText("Settings (JSON)"), "{\"v\": \"mine\"}")
    await manager.client.call("platforms.updateConfig", { params: { ...params, configId: b.configId }, body: { settings: { v: "theirs" }, version: 1 } })
    await user.click(within(editor).getByRole("button", { name: "Save changes" }))
    await user.click(await within(editor).findByRole("button", { name: "Discard my changes" }))
    expect(settingsIn(editor)).toEqual({ v: "theirs" })
    expect(within(editor).getByRole("status").textContent).toMatch(/Loaded version 2; your changes were discarded/)

    const stored = await manager.client.call("platforms.listConfigs", { params })
    expect(stored.configs.map((c) => [c.name, c.settings, c.version])).toEqual([["A", { v: "mine" }, 3], ["B", { v: "theirs" }, 2]])
  })

  it("makes another config current and deletes one after confirmation (Escape backs out)", async () => {
    const { manager, userId } = await signedInUser(testApi)
    const params = { userId, platform: "tiktok" } as const
    await manager.client.call("platforms.createConfig", { params, body: { name: "Summer", settings: {} } })
    const winter = await manager.client.call("platforms.createConfig", { params, body: { name: "Winter", settings: {} } })
    const user = userEvent.setup()
    renderApp("/platforms/tiktok", manager)

    await user.click(await screen.findByRole("button", { name: "Make Winter current" }))
    expect(await screen.findByText("“Winter” is now the current config.")).toBeDefined()
    await waitFor(() => expect(within(screen.getByRole("article", { name: "Winter" })).queryByText("Current")).not.toBeNull())
    expect(within(screen.getByRole("article", { name: "Summer" })).queryByText("Current")).toBeNull()
    expect((await manager.client.call("platforms.listConfigs", { params })).currentConfigId).toBe(winter.configId)

    await user.click(screen.getByRole("button", { name: "Delete Summer" }))
    const confirm = screen.getByRole("group", { name: "Delete the config “Summer”?" })
    expect(document.activeElement).toBe(within(confirm).getByRole("button", { name: "Delete config" }))
    await user.keyboard("{Escape}")
    expect(screen.queryByRole("group", { name: /Delete the config/ })).toBeNull()
    expect(screen.getByRole("article", { name: "Summer" })).toBeDefined()

    await user.click(screen.getByRole("button", { name: "Delete Summer" }))
    await user.click(screen.getByRole("button", { name: "Delete config" }))
    expect(await screen.findByText("Deleted “Summer”.")).toBeDefined()
    await waitFor(() => expect(screen.queryByRole("article", { name: "Summer" })).toBeNull())
    const stored = await manager.client.call("platforms.listConfigs", { params })
    expect(stored.configs.map((c) => c.name)).toEqual(["Winter"])
  })
})
