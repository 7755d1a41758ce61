import { fireEvent, screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { makeTestApi, type TestApi } from "../support/TestApi"
import { signUp, teamWith, type TestUser } from "../teams/TeamFixtures"
import { makeInProcessChatSockets, type InProcessChatSockets } from "./InProcessChatSockets"
import { renderChatAs } from "./renderChat"

let testApi: TestApi
let sockets: InProcessChatSockets
beforeEach(() => {
  testApi = makeTestApi()
  sockets = makeInProcessChatSockets(testApi)
})
afterEach(() => testApi.dispose())

const setUp = async () => {
  const ada = await signUp(testApi, "Ada")
  const bob = await signUp(testApi, "Bob")
  const teamId = await teamWith(ada, "Crew", [{ user: bob, role: "member" }])
  const room = await ada.call("chat.createRoom", { body: { teamId, name: "general" } })
  return { ada, bob, teamId, roomId: room.roomId }
}

let said = 0
const say = async (user: TestUser, roomId: string, ...bodies: ReadonlyArray<string>) => {
  for (const body of bodies) {
    await user.call("chat.sendMessage", { params: { roomId }, body: { body, clientMessageId: `said-${++said}` } })
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

const log = () => screen.getByRole("log", { name: "Messages in #general" })
/** The bodies shown in the log, top to bottom. */
const shownBodies = () => [...log().querySelectorAll(".message-body")].map((p) => p.textContent)

describe("chat", () => {
  it("picks a team, shows its empty room list, and creates a room that opens", async () => {
    await setUp()
    const carol = await signUp(testApi, "Carol")
    await teamWith(carol, "Solo")
    const user = userEvent.setup()
    renderChatAs(testApi, sockets, carol, "/chat")
    await user.click(await screen.findByRole("link", { name: "Solo" }))
    expect(await screen.findByText("No rooms yet")).toBeDefined()
    expect(screen.getByText("Solo").tagName).toBe("STRONG")

    await user.click(screen.getByRole("button", { name: "Create room" }))
    expect(screen.getByLabelText("Room name").getAttribute("aria-invalid")).toBe("true")
    await user.type(screen.getByLabelText("Room name"), "random")
    await user.click(screen.getByRole("button", { name: "Create room" }))
    expect(await screen.findByRole("heading", { level: 2, name: "# random" })).toBeDefined()
    expect(screen.getByTestId("location").textContent).toMatch(/^\/chat\/[^/]+\/[^/]+$/)
    expect(within(screen.getByRole("navigation", { name: "Rooms" })).getByRole("link", { name: "# random" })).toBeDefined()
    expect(await screen.findByText("No messages yet")).toBeDefined()
  })

  it("shows the newest history, loads older pages by scrolling up, and ends at the first message", async () => {
    const { ada, bob, teamId, roomId } = await setUp()
    await say(ada, roomId, ...range(1, 120).map((n) => `message ${n}`))
    renderChatAs(testApi, sockets, bob, `/chat/${teamId}/${roomId}`)
    await waitFor(() => expect(shownBodies()).toEqual(range(71, 120).map((n) => `message ${n}`)))
    await waitFor(() => expect(within(log()).getAllByText("Ada").length).toBe(50))

    // Near the top of the log: the next older page is loaded.
    fireEvent.scroll(log())
    await waitFor(() => expect(shownBodies()).toEqual(range(21, 120).map((n) => `message ${n}`)))
    // The button does the same, for keyboard users.
    fireEvent.click(within(log()).getByRole("button", { name: "Load older messages" }))
    await waitFor(() => expect(shownBodies()).toEqual(range(1, 120).map((n) => `message ${n}`)))
    expect(within(log()).getByText("This is the beginning of #general.")).toBeDefined()
    expect(within(log()).queryByRole("button", { name: "Load older messages" })).toBeNull()
    expect(testApi.calls(`GET /api/chat/rooms/${roomId}/messages`)).toBe(3)
  })

  it("shows messages live, and sends with Enter", async () => {
    const { ada, bob, teamId, roomId } = await setUp()
    await say(ada, roomId, "earlier")
    const user = userEvent.setup()
    renderChatAs(testApi, sockets, bob, `/chat/${teamId}/${roomId}`)
    await waitFor(() => expect(shownBodies()).toEqual(["earlier"]))
    await waitFor(() => expect(screen.getByText("Live")).toBeDefined())

    await say(ada, roomId, "are you there?")
    await waitFor(() => expect(shownBodies()).toEqual(["earlier", "are you there?"]))

    const posts = () => testApi.calls(`POST /api/chat/rooms/${roomId}/messages`)
    const postsBefore = posts()
    await user.type(screen.getByLabelText("Message"), "yes!{Enter}")
    await waitFor(() => expect(shownBodies()).toEqual(["earlier", "are you there?", "yes!"]))
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("")
    await waitFor(() => expect(log().querySelector("[data-status]")).toBeNull())
    const mine = log().querySelector(".message-mine")
    expect(mine?.textContent).toContain("You")
    const stored = await ada.call("chat.listMessages", { params: { roomId } })
    expect(stored.messages.map((m) => m.body)).toEqual(["yes!", "are you there?", "earlier"])

    // Shift+Enter starts a new line instead of sending.
    await user.type(screen.getByLabelText("Message"), "line one{Shift>}{Enter}{/Shift}line two{Enter}")
    await waitFor(() => expect(shownBodies().at(-1)).toBe("line one\nline two"))
    expect(posts()).toBe(postsBefore + 2)

    // An empty message is not sent.
    await user.click(screen.getByRole("button", { name: "Send" }))
    expect(screen.getByLabelText("Message").getAttribute("aria-invalid")).toBe("true")
    expect(posts()).toBe(postsBefore + 2)
  })

  it("marks a failed send as not sent, and Retry sends it again with the same clientMessageId", async () => {
    const { ada, bob, teamId, roomId } = await setUp()
    const posted: Array<string> = []
    let failNext = true
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url)
      if (init?.method === "POST" && url.pathname.endsWith("/messages")) {
        posted.push((JSON.parse(String(init.body)) as { clientMessageId: string }).clientMessageId)
        if (failNext) {
          failNext = false
          throw new TypeError("Failed to fetch")
        }
      }
      return testApi.fetch(input, init)
    }) as typeof globalThis.fetch
    const user = userEvent.setup()
    renderChatAs(testApi, sockets, bob, `/chat/${teamId}/${roomId}`, { fetch })
    await screen.findByText("No messages yet")

    await user.type(screen.getByLabelText("Message"), "hello?")
    await user.click(screen.getByRole("button", { name: "Send" }))
    const failed = await screen.findByText("Not sent")
    const item = failed.closest("li")
    if (item === null) throw new Error("the failed message is not in the log")
    expect(item.textContent).toContain("hello?")
    expect(item.textContent).toMatch(/Could not reach the server/)

    await user.click(within(item).getByRole("button", { name: "Retry" }))
    await waitFor(() => expect(screen.queryByText("Not sent")).toBeNull())
    await waitFor(() => expect(log().querySelector("[data-status]")).toBeNull())
    expect(shownBodies()).toEqual(["hello?"])
    expect(posted).toHaveLength(2)
    expect(posted[1]).toBe(posted[0])
    const stored = await ada.call("chat.listMessages", { params: { roomId } })
    expect(stored.messages.map((m) => [m.body, m.clientMessageId])).toEqual([["hello?", posted[0]]])
  })

  it("says when the connection is lost and catches up once it is back", async () => {
    const { ada, bob, teamId, roomId } = await setUp()
    renderChatAs(testApi, sockets, bob, `/chat/${teamId}/${roomId}`)
    await screen.findByText("Live")
    sockets.refuseConnections(true)
    sockets.dropAll()
    await screen.findByText(/Connection lost|Reconnecting/)
    await say(ada, roomId, "while you were away")
    sockets.refuseConnections(false)
    await waitFor(() => expect(shownBodies()).toEqual(["while you were away"]))
    expect(screen.getByText("Live")).toBeDefined()
  })

  it("names a sender who joined after the room was opened", async () => {
    const { ada, bob, teamId, roomId } = await setUp()
    renderChatAs(testApi, sockets, bob, `/chat/${teamId}/${roomId}`)
    await screen.findByText("Live")
    const carol = await signUp(testApi, "Carol")
    const invitation = await ada.call("teams.invite", { params: { teamId }, body: { email: carol.email, role: "member" } })
    await carol.call("teams.accept", { params: { invitationId: invitation.invitationId } })
    await say(carol, roomId, "hi all, I am new")
    await waitFor(() => expect(shownBodies()).toEqual(["hi all, I am new"]))
    expect(await within(log()).findByText("Carol")).toBeDefined()
    expect(within(log()).queryByText("Former member")).toBeNull()
  })

  it("says so for a team the user is not a member of", async () => {
    const { teamId } = await setUp()
    const mallory = await signUp(testApi, "Mallory")
    renderChatAs(testApi, sockets, mallory, `/chat/${teamId}`)
    expect((await screen.findByRole("alert")).textContent).toMatch(/not a member/)
  })
})
