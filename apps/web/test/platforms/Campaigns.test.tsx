import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { renderApp } from "../support/renderApp"
import { makeTestApi, type TestApi } from "../support/TestApi"
import { fakeAdPlatform } from "./FakeAdPlatformControl"
import { gatedFetch, signedInUser } from "./SignedInUser"

let testApi: TestApi
beforeEach(() => {
  testApi = makeTestApi()
})
afterEach(() => testApi.dispose())

describe("campaigns", () => {
  it("syncs with a visible pending state, reports each account's result, and shows the campaigns with filters", async () => {
    const gate = gatedFetch(testApi.fetch, (method, path) => method === "POST" && path.endsWith("/campaigns/sync"))
    const { manager, userId } = await signedInUser(testApi, "ada@example.com", gate.fetch)
    const params = { userId, platform: "google" } as const
    const platform = fakeAdPlatform(testApi)
    await platform.setCampaigns("google", "acct-ok", [
      { campaignId: "c-1", name: "Brand search", status: "ENABLED", metrics: { clicks: 1200, impressions: 40_000 } },
      { campaignId: "c-2", name: "Retargeting", status: "PAUSED" }
    ])
    await platform.setCampaigns("google", "acct-off", [{ campaignId: "c-9", name: "Never synced", status: "ENABLED" }])
    // The platform accepts another secret than the one stored for acct-bad: its sync fails.
    await platform.acceptOnly("google", "acct-bad", "the-right-secret")
    const put = (accountId: string, credentials: string, status: "active" | "inactive" = "active") =>
      manager.client.call("platforms.putCredentials", { params: { ...params, accountId }, body: { credentials, status } })
    await put("acct-ok", "secret-ok")
    await put("acct-bad", "a-wrong-secret")
    await put("acct-off", "secret-off", "inactive")

    const user = userEvent.setup()
    renderApp("/platforms/google", manager)
    expect(await screen.findByText("No campaigns yet")).toBeDefined()

    await user.click(screen.getByRole("button", { name: "Sync campaigns" }))
    const busy = await screen.findByRole("button", { name: "Syncing…" })
    expect(busy.getAttribute("aria-busy")).toBe("true")
    expect((busy as HTMLButtonElement).disabled).toBe(true)
    expect(screen.getByText("Syncing the campaigns of every active account…")).toBeDefined()
    expect(gate.held()).toBe(1)
    gate.release()

    expect(await screen.findByText("Sync finished: 1 of 2 accounts synced, 1 failed.")).toBeDefined()
    const results = within(screen.getByRole("list", { name: "Sync results" })).getAllByRole("listitem").map((li) => li.textContent ?? "")
    expect(results.sort()).toEqual([
      "acct-bad: failed — the platform rejected the credentials (AuthRejected)",
      "acct-ok: synced — 2 created, 0 updated, 0 unchanged, 0 removed"
    ])

    const table = await screen.findByRole("table")
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(3))
    const brand = within(table).getByRole("rowheader", { name: "Brand search" }).closest("tr")!
    expect(brand.textContent).toMatch(/acct-ok/)
    expect(brand.textContent).toMatch(/ENABLED/)
    expect(brand.textContent).toMatch(/clicks/)
    expect(within(screen.getByRole("article", { name: "Account acct-ok" })).getByText(/last synced/)).toBeDefined()

    // Filters go to the query (accountId, status) and into the URL.
    const filters = screen.getByRole("form", { name: "Campaign filters" })
    await user.selectOptions(within(filters).getByLabelText("Account"), "acct-ok")
    await user.type(within(filters).getByLabelText("Campaign status"), "PAUSED")
    await user.click(within(filters).getByRole("button", { name: "Apply filters" }))
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/platforms/google?account=acct-ok&status=PAUSED"))
    await waitFor(() => expect(within(screen.getByRole("table")).getAllByRole("rowheader").map((h) => h.textContent)).toEqual(["Retargeting"]))

    await user.clear(within(filters).getByLabelText("Campaign status"))
    await user.type(within(filters).getByLabelText("Campaign status"), "DELETED")
    await user.click(within(filters).getByRole("button", { name: "Apply filters" }))
    expect(await screen.findByText("No campaigns match these filters")).toBeDefined()

    await user.click(within(filters).getByRole("button", { name: "Clear filters" }))
    await waitFor(() => expect(within(screen.getByRole("table")).getAllByRole("rowheader")).toHaveLength(2))
    expect(screen.getByTestId("location").textContent).toBe("/platforms/google")
  })

  it("says when there is nothing to sync", async () => {
    const { manager } = await signedInUser(testApi)
    const user = userEvent.setup()
    renderApp("/platforms/meta", manager)
    await user.click(await screen.findByRole("button", { name: "Sync campaigns" }))
    expect(await screen.findByText("Nothing to sync: no account is active. Activate an account first.")).toBeDefined()
  })
})
