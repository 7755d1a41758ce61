/**
 * Teams and chat as two people use them, in real Chromium against the real server (embedded
 * store): Ada and Bob sign up in their own browser contexts; Ada creates a team and invites Bob by
 * email; Bob accepts from the banner on his teams list; both open the same room and each sees the
 * other's message arrive live over /ws/chat. Then Bob's socket is cut (Playwright's WebSocket
 * routing stands between the page and the real server) while Ada keeps writing and Bob's own
 * send fails offline: once the connection is back, Bob has every message once, in order, and his
 * message was sent again by itself. Screenshots of every step land in e2e/artifacts/TeamChat/.
 */
import type { Page, WebSocketRoute } from "playwright-core"
import { expect, it } from "vitest"
import { appAndBrowserPerFile, screenshot, signUpInBrowser, signUpViaApi, uniqueEmail } from "./support/BrowserHarness"

const e2e = appAndBrowserPerFile()

const messageLog = (page: Page) => page.getByRole("log", { name: "Messages in #general" })

/** Waits until the room's connection says it is live. */
const waitLive = (page: Page) => page.getByRole("status").filter({ hasText: /^Live$/ }).waitFor()

it("two users: sign up, create a team, invite, accept, and chat with each other live", async () => {
  const ada = await e2e.openUser()
  const bob = await e2e.openUser()
  const adaEmail = uniqueEmail("ada")
  const bobEmail = uniqueEmail("bob")
  const teamName = `Launch crew ${Date.now().toString(36)}`

  await signUpInBrowser(ada.page, { email: adaEmail, name: "Ada" })
  await signUpInBrowser(bob.page, { email: bobEmail, name: "Bob" })
  await screenshot(ada.page, "ada-signed-up")
  await screenshot(bob.page, "bob-signed-up")

  // Ada creates the team and lands on its page as the owner.
  await ada.page.goto("/teams")
  await ada.page.getByText("No teams yet").waitFor()
  await ada.page.getByLabel("Team name", { exact: true }).fill(teamName)
  await ada.page.getByRole("button", { name: "Create team" }).click()
  await ada.page.getByRole("heading", { level: 1, name: teamName }).waitFor()
  await expect(ada.page.getByRole("row", { name: /Ada/ }).textContent()).resolves.toContain("Owner")
  await screenshot(ada.page, "ada-created-team")

  // Ada invites Bob by email as a member.
  await ada.page.getByLabel("Email", { exact: true }).fill(bobEmail)
  await ada.page.getByLabel("Role", { exact: true }).selectOption("member")
  await ada.page.getByRole("button", { name: "Send invitation" }).click()
  await ada.page.getByRole("status").filter({ hasText: `Invitation sent to ${bobEmail}` }).waitFor()
  await screenshot(ada.page, "ada-invited-bob")

  // Bob sees the invitation on his teams list and accepts it.
  await bob.page.goto("/teams")
  await bob.page.getByRole("heading", { name: "You have a pending invitation" }).waitFor()
  await screenshot(bob.page, "bob-sees-invitation")
  await bob.page.getByRole("button", { name: `Accept the invitation to ${teamName}` }).click()
  await bob.page.getByText("You joined").waitFor()
  const bobsTeams = bob.page.getByRole("list", { name: "Your teams" })
  await bobsTeams.getByRole("link", { name: teamName }).waitFor()
  await expect(bobsTeams.getByRole("listitem").filter({ hasText: teamName }).textContent()).resolves.toContain("Member")
  await screenshot(bob.page, "bob-accepted")

  // Ada now sees Bob as a member, and opens the team's chat to create a room.
  await ada.page.reload()
  await ada.page.getByRole("row", { name: /Bob/ }).waitFor()
  await ada.page.getByRole("link", { name: "Open the team's chat" }).click()
  await ada.page.getByText("No rooms yet").waitFor()
  await ada.page.getByLabel("Room name", { exact: true }).fill("general")
  await ada.page.getByRole("button", { name: "Create room" }).click()
  await ada.page.getByRole("heading", { level: 2, name: "# general" }).waitFor()
  await waitLive(ada.page)
  await screenshot(ada.page, "ada-in-room")

  // Bob picks the team and the room.
  await bob.page.getByRole("link", { name: "Chat", exact: true }).click()
  await bob.page.getByRole("list", { name: "Pick a team" }).getByRole("link", { name: teamName }).click()
  await bob.page.getByRole("link", { name: "# general" }).click()
  await bob.page.getByRole("heading", { level: 2, name: "# general" }).waitFor()
  await waitLive(bob.page)
  await screenshot(bob.page, "bob-in-room")

  // Ada writes; Bob sees it arrive without reloading.
  await ada.page.getByLabel("Message", { exact: true }).fill("Hi Bob, welcome to the crew!")
  await ada.page.keyboard.press("Enter")
  await messageLog(bob.page).getByText("Hi Bob, welcome to the crew!").waitFor()
  await expect(messageLog(bob.page).locator(".message").last().textContent()).resolves.toContain("Ada")
  await expect(messageLog(ada.page).locator(".message-mine").last().textContent()).resolves.toContain("You")
  await screenshot(ada.page, "ada-sent")
  await screenshot(bob.page, "bob-received")

  // Bob replies with the Send button; Ada sees it live.
  await bob.page.getByLabel("Message", { exact: true }).fill("Thanks Ada! Glad to be here.")
  await bob.page.getByRole("button", { name: "Send" }).click()
  await messageLog(ada.page).getByText("Thanks Ada! Glad to be here.").waitFor()
  await expect(messageLog(ada.page).locator(".message").last().textContent()).resolves.toContain("Bob")
  await screenshot(bob.page, "bob-replied")
  await screenshot(ada.page, "ada-received-reply")

  // Both logs hold the same two messages, in the same order, once each, none still pending.
  for (const page of [ada.page, bob.page]) {
    await expect(messageLog(page).locator("[data-status]").count()).resolves.toBe(0)
    await expect(messageLog(page).locator(".message-body").allTextContents()).resolves.toEqual([
      "Hi Bob, welcome to the crew!",
      "Thanks Ada! Glad to be here."
    ])
  }

  expect(ada.problems()).toEqual([])
  expect(bob.problems()).toEqual([])
  await ada.close()
  await bob.close()
})

/** Calls the API as a user who is not watched in a browser. */
const apiAs = (token: string) => async <A>(method: string, path: string, body?: unknown): Promise<A> => {
  const response = await fetch(`${e2e.app.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
  return (text === "" ? undefined : JSON.parse(text)) as A
}

it("catches up after the socket drops, and sends what failed while offline once the connection is back", async () => {
  const adaAccount = await signUpViaApi(e2e.app, { email: uniqueEmail("ada"), name: "Ada" })
  const ada = apiAs(adaAccount.accessToken)
  const bob = await e2e.openUser()
  const bobEmail = uniqueEmail("bob")
  await signUpInBrowser(bob.page, { email: bobEmail, name: "Bob" })

  const team = await ada<{ teamId: string }>("POST", "/api/teams", { name: "Night shift" })
  await ada("POST", `/api/teams/${team.teamId}/invite`, { email: bobEmail, role: "member" })
  const room = await ada<{ roomId: string }>("POST", "/api/chat/rooms", { teamId: team.teamId, name: "general" })
  let said = 0
  const adaSays = (body: string) =>
    ada("POST", `/api/chat/rooms/${room.roomId}/messages`, { body, clientMessageId: `ada-${++said}` })

  // Every socket of Bob's page goes through here: forwarded to the real server while `reachable`,
  // closed at once otherwise. Frames the page sends are recorded (and forwarded).
  let reachable = true
  const open: Array<WebSocketRoute> = []
  const pageFrames: Array<Record<string, unknown>> = []
  await bob.page.routeWebSocket(/\/ws\/chat$/, (ws) => {
    if (!reachable) {
      void ws.close({ code: 4000, reason: "unreachable" })
      return
    }
    const server = ws.connectToServer()
    ws.onMessage((frame) => {
      pageFrames.push(JSON.parse(String(frame)) as Record<string, unknown>)
      server.send(frame)
    })
    open.push(ws)
  })

  await bob.page.goto("/teams")
  await bob.page.getByRole("button", { name: "Accept the invitation to Night shift" }).click()
  await bob.page.getByText("You joined").waitFor()
  await adaSays("one")
  await bob.page.goto(`/chat/${team.teamId}/${room.roomId}`)
  await messageLog(bob.page).getByText("one").waitFor()
  await waitLive(bob.page)

  // The connection drops and cannot come back for now; Ada keeps writing.
  reachable = false
  await Promise.all(open.splice(0).map((ws) => ws.close({ code: 4000, reason: "dropped" })))
  await bob.page.getByRole("status").filter({ hasText: /Connection lost|Reconnecting/ }).waitFor()
  await adaSays("two")
  await adaSays("three")

  // Bob writes while offline: the send fails and is shown as not sent.
  await bob.context.setOffline(true)
  await bob.page.getByLabel("Message", { exact: true }).fill("written while offline")
  await bob.page.keyboard.press("Enter")
  await messageLog(bob.page).getByText("Not sent").waitFor()
  await screenshot(bob.page, "bob-offline-message-not-sent")

  // Back online: the browser's `online` event skips the rest of the backoff; Bob reconnects,
  // resubscribes after the last seq he saw, catches up, and his message is sent again by itself.
  reachable = true
  await bob.context.setOffline(false)
  await waitLive(bob.page)
  await messageLog(bob.page).locator(".message-body").filter({ hasText: "three" }).waitFor()
  await expect.poll(() => messageLog(bob.page).locator("[data-status]").count(), { timeout: 30_000 }).toBe(0)
  await screenshot(bob.page, "bob-caught-up")

  const bodies = await messageLog(bob.page).locator(".message-body").allTextContents()
  expect(bodies.slice(0, 3)).toEqual(["one", "two", "three"])
  expect(bodies.filter((b) => b === "written while offline")).toHaveLength(1)
  expect(bodies).toHaveLength(4)
  const subscribes = pageFrames.filter((f) => f["type"] === "subscribe")
  expect(subscribes[0]).toEqual({ type: "subscribe", roomId: room.roomId, after: 1 })
  expect(subscribes.at(-1)).toEqual({ type: "subscribe", roomId: room.roomId, after: 1 })

  // The server has Bob's message once, whatever the retries.
  const stored = await ada<{ messages: ReadonlyArray<{ body: string; seq: number }> }>("GET", `/api/chat/rooms/${room.roomId}/messages`)
  expect(stored.messages.map((m) => m.body).sort()).toEqual(["one", "three", "two", "written while offline"].sort())
  expect(stored.messages.map((m) => m.seq)).toEqual([4, 3, 2, 1])

  // What going offline provoked on purpose: the failed send's request.
  expect(bob.problems([/ERR_INTERNET_DISCONNECTED/, /Failed to load resource/])).toEqual([])
  await bob.close()
})
