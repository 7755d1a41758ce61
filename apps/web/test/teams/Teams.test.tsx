import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { makeTestApi, type TestApi } from "../support/TestApi"
import { renderAs } from "./renderAs"
import { signUp, teamWith, type TestUser } from "./TeamFixtures"

let testApi: TestApi
beforeEach(() => {
  testApi = makeTestApi()
})
afterEach(() => testApi.dispose())

const location = () => screen.getByTestId("location").textContent

/** The row of the members table whose header cell names `name`. */
const memberRow = (name: string) => {
  const table = screen.getByRole("table")
  const row = within(table).getAllByRole("row").find((r) => within(r).queryByRole("rowheader")?.textContent?.startsWith(name))
  if (row === undefined) throw new Error(`no member row for ${name}`)
  return row
}

const roleOf = async (user: TestUser, teamId: string) => {
  const teams = await user.call("teams.listMine", { params: { userId: user.userId } })
  return teams.find((t) => t.teamId === teamId)?.role
}

describe("teams list and creation", () => {
  it("shows the empty state, validates the name, creates a team and opens it with the creator as owner", async () => {
    const ada = await signUp(testApi, "Ada")
    const user = userEvent.setup()
    renderAs(testApi, ada, "/teams")
    expect(await screen.findByText("No teams yet")).toBeDefined()
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Teams")

    await user.click(screen.getByRole("button", { name: "Create team" }))
    const name = screen.getByLabelText("Team name")
    expect(name.getAttribute("aria-invalid")).toBe("true")
    expect(testApi.calls("POST /api/teams")).toBe(0)

    await user.type(name, "  Analytics  ")
    await user.click(screen.getByRole("button", { name: "Create team" }))
    expect(await screen.findByRole("heading", { level: 1, name: "Analytics" })).toBeDefined()
    expect(location()).toMatch(/^\/teams\/[A-Za-z0-9]+$/)
    const row = memberRow("Ada")
    expect(row.textContent).toContain("(you)")
    expect(within(row).getByText("Owner")).toBeDefined()

    await user.click(screen.getByRole("link", { name: "← All teams" }))
    const list = await screen.findByRole("list", { name: "Your teams" })
    expect(within(list).getByRole("link", { name: "Analytics" })).toBeDefined()
    expect(within(list).getByText("Owner")).toBeDefined()
  })
})

describe("invitations", () => {
  it("invites by email with a role, and puts the server's refusal of a bad address on the email field", async () => {
    const ada = await signUp(testApi, "Ada")
    const teamId = await teamWith(ada, "Platform")
    const user = userEvent.setup()
    renderAs(testApi, ada, `/teams/${teamId}`)
    const email = await screen.findByLabelText("Email")

    // Only presence is checked in the browser: the address format is the server's rule.
    await user.type(email, "not-an-email")
    await user.click(screen.getByRole("button", { name: "Send invitation" }))
    await waitFor(() => expect(email.getAttribute("aria-invalid")).toBe("true"))
    const describedBy = (email.getAttribute("aria-describedby") ?? "").split(" ")
    const errorText = describedBy.map((id) => document.getElementById(id)?.textContent ?? "").join(" ")
    expect(errorText).toMatch(/email/i)
    expect(testApi.calls(`POST /api/teams/${teamId}/invite`)).toBe(1)

    await user.clear(email)
    await user.type(email, "Bob@Example.com")
    await user.selectOptions(screen.getByLabelText("Role"), "admin")
    await user.click(screen.getByRole("button", { name: "Send invitation" }))
    expect((await screen.findByText(/Invitation sent to bob@example.com/)).getAttribute("role")).toBe("status")
    expect(email.getAttribute("aria-invalid")).toBe("false")

    // The same address again: a conflict, shown above the form.
    await user.type(email, "bob@example.com")
    await user.click(screen.getByRole("button", { name: "Send invitation" }))
    const alert = await screen.findByRole("alert")
    expect(alert.textContent).toMatch(/pending|invit/i)
  })

  it("lets the invitee accept from the banner on the teams list, and lists the team with the granted role", async () => {
    const ada = await signUp(testApi, "Ada")
    const bob = await signUp(testApi, "Bob")
    const team = await ada.call("teams.create", { body: { name: "Growth" } })
    await ada.call("teams.invite", { params: { teamId: team.teamId }, body: { email: bob.email, role: "admin" } })
    const user = userEvent.setup()
    renderAs(testApi, bob, "/teams")

    expect(await screen.findByRole("heading", { name: "You have a pending invitation" })).toBeDefined()
    expect(screen.getByText("No teams yet")).toBeDefined()
    await user.click(screen.getByRole("button", { name: "Accept the invitation to Growth" }))

    const joined = await screen.findByText(/You joined/)
    expect(joined.closest("[role=status]")).not.toBeNull()
    await waitFor(() => expect(screen.queryByRole("heading", { name: "You have a pending invitation" })).toBeNull())
    const list = await screen.findByRole("list", { name: "Your teams" })
    expect(within(list).getByRole("link", { name: "Growth" }).closest("li")?.textContent).toContain("Admin")
    expect(await roleOf(bob, team.teamId)).toBe("admin")
  })

  it("lets the invitee decline on the invitations page, which then shows its empty state", async () => {
    const ada = await signUp(testApi, "Ada")
    const bob = await signUp(testApi, "Bob")
    const teamId = await teamWith(ada, "Growth")
    await ada.call("teams.invite", { params: { teamId }, body: { email: bob.email, role: "member" } })
    const user = userEvent.setup()
    renderAs(testApi, bob, "/teams/invitations")
    await user.click(await screen.findByRole("button", { name: "Decline the invitation to Growth" }))
    expect(await screen.findByText("No pending invitations")).toBeDefined()
    expect(screen.getByText(/You declined the invitation to Growth/)).toBeDefined()
    expect(await bob.call("teams.myInvitations")).toEqual([])
    expect(await roleOf(bob, teamId)).toBeUndefined()
  })
})

describe("role-gated actions", () => {
  /** Ada owns the team; Cleo and Dan are admins; Bob and Eve are members. */
  const setUp = async () => {
    const ada = await signUp(testApi, "Ada")
    const bob = await signUp(testApi, "Bob")
    const cleo = await signUp(testApi, "Cleo")
    const dan = await signUp(testApi, "Dan")
    const eve = await signUp(testApi, "Eve")
    const teamId = await teamWith(ada, "Ops", [
      { user: bob, role: "member" },
      { user: cleo, role: "admin" },
      { user: dan, role: "admin" },
      { user: eve, role: "member" }
    ])
    return { ada, bob, cleo, dan, eve, teamId }
  }

  it("shows the owner role changes, transfer and removal for everyone else, delete, and no leave button", async () => {
    const { ada, teamId } = await setUp()
    renderAs(testApi, ada, `/teams/${teamId}`)
    await screen.findByRole("heading", { level: 1, name: "Ops" })
    for (const name of ["Bob", "Cleo", "Dan", "Eve"]) {
      expect(screen.getByLabelText(`Role of ${name}`)).toBeDefined()
      expect(screen.getByRole("button", { name: `Transfer ownership to ${name}` })).toBeDefined()
      expect(screen.getByRole("button", { name: `Remove ${name}` })).toBeDefined()
    }
    expect(screen.queryByLabelText("Role of Ada")).toBeNull()
    expect(screen.queryByRole("button", { name: "Transfer ownership to Ada" })).toBeNull()
    expect(screen.queryByRole("button", { name: "Remove Ada" })).toBeNull()
    expect(screen.getByRole("button", { name: "Send invitation" })).toBeDefined()
    expect(screen.getByRole("button", { name: "Save name" })).toBeDefined()
    expect(screen.getByRole("button", { name: "Delete team" })).toBeDefined()
    // The owner cannot leave: no button, an explanation instead.
    expect(screen.queryByRole("button", { name: "Leave team" })).toBeNull()
    expect(screen.getByText(/You own this team, so you cannot leave it/).textContent).toMatch(/Transfer ownership to another member first/)
  })

  it("shows an admin removal of members only, inviting and renaming, but no role changes, transfer or delete", async () => {
    const { cleo, teamId } = await setUp()
    renderAs(testApi, cleo, `/teams/${teamId}`)
    await screen.findByRole("heading", { level: 1, name: "Ops" })
    expect(screen.getByRole("button", { name: "Remove Bob" })).toBeDefined()
    expect(screen.getByRole("button", { name: "Remove Eve" })).toBeDefined()
    expect(screen.queryByRole("button", { name: "Remove Dan" })).toBeNull()
    expect(screen.queryByRole("button", { name: "Remove Ada" })).toBeNull()
    expect(screen.queryByRole("button", { name: /Transfer ownership/ })).toBeNull()
    expect(screen.queryByRole("combobox", { name: /Role of/ })).toBeNull()
    expect(screen.getByRole("button", { name: "Send invitation" })).toBeDefined()
    expect(screen.getByRole("button", { name: "Save name" })).toBeDefined()
    expect(screen.queryByRole("button", { name: "Delete team" })).toBeNull()
    expect(screen.getByRole("button", { name: "Leave team" })).toBeDefined()
  })

  it("shows a member no action on others, no invite, rename or delete, and lets them leave after confirming", async () => {
    const { bob, teamId } = await setUp()
    const user = userEvent.setup()
    renderAs(testApi, bob, `/teams/${teamId}`)
    await screen.findByRole("heading", { level: 1, name: "Ops" })
    expect(screen.queryByRole("button", { name: /^Remove / })).toBeNull()
    expect(screen.queryByRole("button", { name: /Transfer ownership/ })).toBeNull()
    expect(screen.queryByRole("combobox", { name: /Role of/ })).toBeNull()
    expect(screen.queryByRole("columnheader", { name: "Actions" })).toBeNull()
    expect(screen.queryByRole("button", { name: "Send invitation" })).toBeNull()
    expect(screen.queryByRole("button", { name: "Save name" })).toBeNull()
    expect(screen.queryByRole("button", { name: "Delete team" })).toBeNull()

    await user.click(screen.getByRole("button", { name: "Leave team" }))
    const dialog = screen.getByRole("alertdialog", { name: "Leave Ops?" })
    // The focus goes to the safe choice; Escape dismisses.
    expect(document.activeElement?.textContent).toBe("Cancel")
    await user.keyboard("{Escape}")
    expect(screen.queryByRole("alertdialog")).toBeNull()
    expect(dialog.isConnected).toBe(false)
    await waitFor(() => expect(document.activeElement?.textContent).toBe("Leave team"))

    await user.click(screen.getByRole("button", { name: "Leave team" }))
    await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Leave team" }))
    await waitFor(() => expect(location()).toBe("/teams"))
    expect(await screen.findByText("You left Ops.")).toBeDefined()
    expect(await roleOf(bob, teamId)).toBeUndefined()
  })

  it("lets the owner change a role, remove a member, and transfer ownership (becoming an admin)", async () => {
    const { ada, bob, eve, teamId } = await setUp()
    const user = userEvent.setup()
    renderAs(testApi, ada, `/teams/${teamId}`)
    await screen.findByRole("heading", { level: 1, name: "Ops" })

    await user.selectOptions(screen.getByLabelText("Role of Bob"), "admin")
    await user.click(screen.getByRole("button", { name: "Save the role of Bob" }))
    await waitFor(async () => expect(await roleOf(bob, teamId)).toBe("admin"))
    await waitFor(() => expect((screen.getByLabelText("Role of Bob") as HTMLSelectElement).value).toBe("admin"))

    await user.click(screen.getByRole("button", { name: "Remove Eve" }))
    await user.click(within(screen.getByRole("alertdialog", { name: "Remove Eve from the team?" })).getByRole("button", { name: "Remove" }))
    await waitFor(() => expect(screen.queryByRole("button", { name: "Remove Eve" })).toBeNull())
    expect(await roleOf(eve, teamId)).toBeUndefined()

    await user.click(screen.getByRole("button", { name: "Transfer ownership to Bob" }))
    const confirm = screen.getByRole("alertdialog", { name: "Transfer ownership to Bob?" })
    await user.click(within(confirm).getByRole("button", { name: "Transfer ownership" }))
    await waitFor(() => expect(screen.queryByRole("button", { name: /Transfer ownership/ })).toBeNull())
    expect(within(memberRow("Ada")).getByText("Admin")).toBeDefined()
    expect(within(memberRow("Bob")).getByText("Owner")).toBeDefined()
    // Now an admin: may leave, may not delete, may still remove members only.
    expect(screen.getByRole("button", { name: "Leave team" })).toBeDefined()
    expect(screen.queryByRole("button", { name: "Delete team" })).toBeNull()
    expect(screen.queryByRole("button", { name: "Remove Cleo" })).toBeNull()
    expect(await roleOf(ada, teamId)).toBe("admin")
    expect(await roleOf(bob, teamId)).toBe("owner")
  })

  it("renames the team and deletes it after confirmation", async () => {
    const ada = await signUp(testApi, "Ada")
    const teamId = await teamWith(ada, "Old name")
    const user = userEvent.setup()
    renderAs(testApi, ada, `/teams/${teamId}`)
    const name = await screen.findByLabelText("New team name")
    await user.clear(name)
    await user.click(screen.getByRole("button", { name: "Save name" }))
    expect(name.getAttribute("aria-invalid")).toBe("true")
    await user.type(name, "New name")
    await user.click(screen.getByRole("button", { name: "Save name" }))
    expect(await screen.findByRole("heading", { level: 1, name: "New name" })).toBeDefined()

    await user.click(screen.getByRole("button", { name: "Delete team" }))
    await user.click(within(screen.getByRole("alertdialog", { name: "Delete New name?" })).getByRole("button", { name: "Delete team" }))
    await waitFor(() => expect(location()).toBe("/teams"))
    expect(await screen.findByText("New name was deleted.")).toBeDefined()
    expect(await screen.findByText("No teams yet")).toBeDefined()
    expect(await ada.call("teams.listMine", { params: { userId: ada.userId } })).toEqual([])
  })

  it("says so for a team the caller is not a member of", async () => {
    const ada = await signUp(testApi, "Ada")
    const mallory = await signUp(testApi, "Mallory")
    const teamId = await teamWith(ada, "Private")
    renderAs(testApi, mallory, `/teams/${teamId}`)
    expect((await screen.findByRole("alert")).textContent).toMatch(/does not exist, or you are not a member/)
  })
})
