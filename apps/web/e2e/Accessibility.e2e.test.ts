/**
 * Issue 7's "works with the keyboard and labels every control", checked in real Chromium against
 * the real server:
 * - every page (public and behind login, each with content to show: a team with a member and a
 *   pending invitation, an invitation to another team, a chat room, a device with readings, a
 *   platform config and an account's credentials) has exactly one h1, and every visible input,
 *   select, textarea and button has an accessible name as Chromium itself computes it (the
 *   DevTools protocol's accessibility tree, not a re-implementation) that does not come from a
 *   placeholder alone; no console errors on the way;
 * - a user signs up, logs out, logs in and creates a team with the keyboard only (Tab, Shift+Tab,
 *   typing, Enter and Space), every focused control showing a focus ring, and the skip link moves
 *   focus to <main>;
 * - the chat's WebSocket connects when the browser opens the app under another host name than
 *   PUBLIC_URL (localhost vs 127.0.0.1): the CSP's connect-src names PUBLIC_URL's ws: origin, and
 *   'self' must cover the page's own ws: origin (CSP Level 3).
 * Screenshots of every page and step land in e2e/artifacts/Accessibility/.
 */
import type { Page } from "playwright-core"
import { describe, expect, it } from "vitest"
import { appAndBrowserPerFile, screenshot, type SignedUp, signUpViaApi, TEST_PASSWORD, uniqueEmail } from "./support/BrowserHarness"

const e2e = appAndBrowserPerFile()

/** Calls the API as a user (set-up the test does not watch in a browser). */
const apiAs = (account: SignedUp) => async <A>(method: string, path: string, body?: unknown): Promise<A> => {
  const response = await fetch(`${e2e.app.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${account.accessToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
  return (text === "" ? undefined : JSON.parse(text)) as A
}

/** Logs in through the form at `origin` (the context's own by default); resolves once the header shows the email. */
const logInInBrowser = async (page: Page, email: string, origin = "") => {
  await page.goto(`${origin}/login`)
  await page.getByLabel("Email", { exact: true }).fill(email)
  await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD)
  await page.getByRole("button", { name: "Log in" }).click()
  await page.getByTestId("current-user").filter({ hasText: email }).waitFor()
}

/** What the accessibility check looks at: every form control and button a user can see. */
const CONTROLS = "input:visible, select:visible, textarea:visible, button:visible"

interface ControlName {
  /** The start of the control's HTML, to find it in a report. */
  readonly control: string
  readonly role: string
  readonly name: string
  /** Where Chromium took the name from: "label", "aria-labelledby", "aria-label", "title", "contents", "placeholder", … */
  readonly from: string
}

interface AxValueSource {
  readonly type: string
  readonly attribute?: string
  readonly nativeSource?: string
  readonly superseded?: boolean
  readonly value?: { readonly value?: unknown }
}

interface AxNode {
  readonly ignored: boolean
  readonly role?: { readonly value?: unknown }
  readonly name?: { readonly value?: unknown; readonly sources?: ReadonlyArray<AxValueSource> }
}

const sourceName = (source: AxValueSource | undefined): string =>
  source === undefined ? "none" : source.nativeSource ?? source.attribute ?? source.type

/**
 * Each visible control's accessible name as Chromium computes it (the accessibility tree of the
 * DevTools protocol, the same one screen readers are given). The control is found by a
 * temporary attribute, removed again at once.
 */
const controlNames = async (page: Page): Promise<ReadonlyArray<ControlName>> => {
  const controls = await page.locator(CONTROLS).all()
  const cdp = await page.context().newCDPSession(page)
  try {
    const names: Array<ControlName> = []
    for (const [index, control] of controls.entries()) {
      const html = await control.evaluate((element, i) => {
        element.setAttribute("data-name-probe", String(i))
        return element.outerHTML.slice(0, 160)
      }, index)
      const { root } = await cdp.send("DOM.getDocument", { depth: 0 })
      const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: `[data-name-probe="${index}"]` })
      const { nodes } = (await cdp.send("Accessibility.getPartialAXTree", { nodeId, fetchRelatives: false })) as unknown as {
        nodes: ReadonlyArray<AxNode>
      }
      await control.evaluate((element) => element.removeAttribute("data-name-probe"))
      const node = nodes[0]
      const name = String(node?.name?.value ?? "").trim()
      const used = node?.name?.sources?.find((s) => s.superseded !== true && String(s.value?.value ?? "").trim() !== "")
      names.push({
        control: html,
        role: node === undefined || node.ignored ? "(hidden from assistive technology)" : String(node.role?.value ?? ""),
        name,
        from: sourceName(used)
      })
    }
    return names
  } finally {
    await cdp.detach()
  }
}

/** Controls a screen reader user could not tell apart: no name, a placeholder's only, or hidden from the accessibility tree. */
const unnamed = (names: ReadonlyArray<ControlName>) =>
  names.filter((c) => c.name === "" || c.from === "placeholder" || c.role.startsWith("("))

/** Waits until the page shows `ready` and nothing is loading any more. */
const settled = async (page: Page, ready: string | RegExp) => {
  await page.getByText(ready).first().waitFor()
  await page.locator(".state-loading").first().waitFor({ state: "detached" })
}

interface Audit {
  readonly path: string
  readonly controls: number
  readonly unnamed: ReadonlyArray<ControlName>
  readonly h1: ReadonlyArray<string>
}

/** Opens `path`, waits for `ready`, screenshots it and lists its h1s and unnamed controls. */
const audit = async (page: Page, path: string, ready: string | RegExp, shot: string): Promise<Audit> => {
  await page.goto(path)
  await settled(page, ready)
  await screenshot(page, shot)
  const names = await controlNames(page)
  const h1 = await page.getByRole("heading", { level: 1 }).allTextContents()
  return { path, controls: names.length, unnamed: unnamed(names), h1 }
}

describe("every page labels every control and has one h1", () => {
  it("public pages: login, sign-up, QR login, an unknown address", async () => {
    const visitor = await e2e.openUser()
    const audits = [
      await audit(visitor.page, "/login", "No account yet?", "login"),
      await audit(visitor.page, "/signup", "Already have an account?", "signup"),
      await audit(visitor.page, "/login/qr", "Scan the code", "qr-login"),
      await audit(visitor.page, "/no/such/page", "There is nothing at this address.", "not-found-public")
    ]
    for (const a of audits) {
      expect(a.unnamed, `unnamed controls on ${a.path}`).toEqual([])
      expect(a.h1, `h1s on ${a.path}`).toHaveLength(1)
    }
    // The forms have their controls (the check above looked at something).
    expect(audits[0]!.controls).toBeGreaterThanOrEqual(3)
    expect(audits[1]!.controls).toBeGreaterThanOrEqual(4)

    // The check itself tells named controls from unnamed ones: controls added to the page without a
    // name, with a placeholder only, with hidden contents only, or hidden from assistive technology.
    await visitor.page.goto("/login")
    await settled(visitor.page, "No account yet?")
    await visitor.page.evaluate(() => {
      const probe = document.createElement("div")
      probe.id = "name-check-probe"
      probe.innerHTML = [
        `<input data-case="bare">`,
        `<input data-case="placeholder" placeholder="Search">`,
        `<button data-case="icon"><span aria-hidden="true">×</span></button>`,
        `<button data-case="aria-hidden" aria-hidden="true">Close</button>`,
        `<select data-case="select"><option>One</option></select>`,
        `<label>Wrapped <input data-case="wrapped-label"></label>`,
        `<input data-case="aria-label" aria-label="Filter">`,
        `<span id="probe-label">Labelled by</span><textarea data-case="labelledby" aria-labelledby="probe-label"></textarea>`,
        `<button data-case="title" title="Close the panel"><span aria-hidden="true">×</span></button>`
      ].join("")
      document.querySelector("main")?.append(probe)
    })
    const flagged = unnamed(await controlNames(visitor.page)).map((c) => /data-case="([^"]+)"/.exec(c.control)?.[1])
    expect(flagged).toEqual(["bare", "placeholder", "icon", "aria-hidden", "select"])
    await visitor.page.evaluate(() => document.getElementById("name-check-probe")?.remove())
    expect(visitor.problems()).toEqual([])
    await visitor.close()
  })

  it("pages behind login, each with content", async () => {
    const adaAccount = await signUpViaApi(e2e.app, { email: uniqueEmail("ada"), name: "Ada" })
    const bobAccount = await signUpViaApi(e2e.app, { email: uniqueEmail("bob"), name: "Bob" })
    const ada = apiAs(adaAccount)
    const bob = apiAs(bobAccount)

    // Ada's team with Bob as a member and a pending invitation; Bob's team inviting Ada.
    const team = await ada<{ teamId: string }>("POST", "/api/teams", { name: "Lab crew" })
    const invitation = await ada<{ invitationId: string }>("POST", `/api/teams/${team.teamId}/invite`, { email: bobAccount.user.email, role: "member" })
    await bob("POST", `/api/invitations/${invitation.invitationId}/accept`)
    await ada("POST", `/api/teams/${team.teamId}/invite`, { email: uniqueEmail("carol"), role: "admin" })
    const bobsTeam = await bob<{ teamId: string }>("POST", "/api/teams", { name: "Bob's garage" })
    await bob("POST", `/api/teams/${bobsTeam.teamId}/invite`, { email: adaAccount.user.email, role: "admin" })
    // A chat room with a message, a device with readings (and a position), a platform config and credentials.
    const room = await ada<{ roomId: string }>("POST", "/api/chat/rooms", { teamId: team.teamId, name: "general" })
    await bob("POST", `/api/chat/rooms/${room.roomId}/messages`, { body: "Hello from Bob", clientMessageId: "bob-1" })
    const device = await ada<{ deviceId: string; ingestKey: string }>("POST", "/api/devices", { teamId: team.teamId, name: "Boiler room" })
    const readings = await fetch(`${e2e.app.baseUrl}/api/sensor-data`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-device-key": device.ingestKey },
      body: JSON.stringify({
        deviceId: device.deviceId,
        readings: [5, 3, 1].map((minutes, i) => ({
          ts: new Date(Date.now() - minutes * 60_000).toISOString(),
          temperature: 20 + i,
          humidity: 40 + i,
          x: 10 + i,
          y: 20 + i
        }))
      })
    })
    expect(readings.status).toBe(200)
    const userId = adaAccount.user.userId
    await ada("POST", `/api/users/${userId}/platforms/google/configs`, { name: "Spring sale", settings: { dailyBudget: 100 }, makeCurrent: true })
    await ada("PUT", `/api/users/${userId}/platforms/google/credentials/acct-1`, { credentials: { token: "not-a-real-token" } })

    const user = await e2e.openUser()
    await logInInBrowser(user.page, adaAccount.user.email)
    const audits = [
      await audit(user.page, "/teams", "Lab crew", "teams"),
      await audit(user.page, `/teams/${team.teamId}`, "Bob", "team"),
      await audit(user.page, "/teams/invitations", "Bob's garage", "invitations"),
      await audit(user.page, "/platforms", "Choose an ad platform", "platforms"),
      await audit(user.page, "/platforms/google", "Spring sale", "platform-google"),
      await audit(user.page, `/chat/${team.teamId}/${room.roomId}`, "Hello from Bob", "chat-room"),
      await audit(user.page, `/sensors/${team.teamId}`, "Boiler room", "sensors"),
      await audit(user.page, "/profile", adaAccount.user.email, "profile"),
      await audit(user.page, "/no/such/page", "There is nothing at this address.", "not-found")
    ]
    const report = audits.map((a) => ({ path: a.path, controls: a.controls, unnamed: a.unnamed, h1: a.h1 }))
    for (const a of report) {
      expect(a.unnamed, `unnamed controls on ${a.path}`).toEqual([])
      expect(a.h1, `h1s on ${a.path}`).toHaveLength(1)
    }
    // Each page with forms had controls to check.
    for (const a of report.filter((r) => !["/platforms", "/no/such/page"].includes(r.path))) {
      expect(a.controls, `controls on ${a.path}`).toBeGreaterThan(0)
    }
    expect(user.problems()).toEqual([])
    await user.close()
  })
})

interface Focused {
  readonly tag: string
  readonly id: string
  /** The label, aria-label or text of the focused element. */
  readonly name: string
  /** A focus ring: an outline or a box-shadow. */
  readonly ring: boolean
  readonly style: string
}

const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    const element = document.activeElement
    if (element === null || element === document.body) return { tag: "body", id: "", name: "", ring: false, style: "" }
    const labels = (element as HTMLInputElement).labels
    const name = (labels?.[0]?.textContent ?? element.getAttribute("aria-label") ?? element.textContent ?? "").trim()
    const style = getComputedStyle(element)
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    const shadow = style.boxShadow !== "none" && style.boxShadow !== ""
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id,
      name,
      ring: outline || shadow,
      style: `outline: ${style.outlineStyle} ${style.outlineWidth}; box-shadow: ${style.boxShadow}`
    }
  })

/**
 * Presses Tab (or Shift+Tab) until the focused element is named `name`, checking at every stop
 * on the page that the focus is visible; fails after 30 presses. Returns the element and the
 * stops on the way.
 */
const tabTo = async (page: Page, name: string | RegExp, key: "Tab" | "Shift+Tab" = "Tab"): Promise<Focused & { stops: ReadonlyArray<string> }> => {
  const stops: Array<string> = []
  for (let presses = 0; presses < 30; presses++) {
    await page.keyboard.press(key)
    const now = await focused(page)
    stops.push(`${now.tag} "${now.name}"`)
    // Past the page's last stop the focus leaves for the browser's own UI (the body stays active):
    // nothing of the page is focused there, so there is no ring to see.
    if (now.tag === "body") continue
    expect(now.ring, `focus ring on ${now.tag} "${now.name}" (${now.style})`).toBe(true)
    if (typeof name === "string" ? now.name === name : name.test(now.name)) return { ...now, stops }
  }
  throw new Error(`${key} never reached "${String(name)}"; stops: ${stops.join(" → ")}`)
}

it("signs up, logs out, logs in and creates a team with the keyboard only, the focus always visible", async () => {
  const { page, problems, close } = await e2e.openUser()
  const email = uniqueEmail("kay")
  await page.goto("/signup")
  await page.getByRole("heading", { level: 1, name: "Create your account" }).waitFor()

  // The first Tab reaches the skip link, shown on focus; Enter moves the focus to <main>.
  const skip = await tabTo(page, "Skip to content")
  expect(skip.tag).toBe("a")
  const box = await page.getByRole("link", { name: "Skip to content" }).boundingBox()
  expect(box !== null && box.x >= 0 && box.y >= 0, `skip link on screen when focused: ${JSON.stringify(box)}`).toBe(true)
  await screenshot(page, "keyboard-skip-link")
  await page.keyboard.press("Enter")
  await expect.poll(async () => (await focused(page)).id).toBe("main")

  // From <main>, Tab goes straight to the form: no header link in between.
  await page.keyboard.press("Tab")
  expect((await focused(page)).name).toBe("Email")
  await page.keyboard.type(email)
  await tabTo(page, "Name")
  await page.keyboard.type("Kay")
  await tabTo(page, "Password")
  await page.keyboard.type(TEST_PASSWORD)
  await screenshot(page, "keyboard-signup-filled")
  await tabTo(page, "Sign up")
  await page.keyboard.press("Enter")
  await page.getByTestId("current-user").filter({ hasText: email }).waitFor()
  await screenshot(page, "keyboard-signed-up")

  // Log out from the header's link.
  await tabTo(page, "Log out")
  await page.keyboard.press("Enter")
  await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor()
  await page.getByText("You have been logged out.").waitFor()

  // Log in: fill both fields, go past the button and back with Shift+Tab, then submit with Enter.
  await tabTo(page, "Email")
  await page.keyboard.type(email)
  await tabTo(page, "Password")
  await page.keyboard.type(TEST_PASSWORD)
  await tabTo(page, "Log in")
  const back = await tabTo(page, "Password", "Shift+Tab")
  expect(back.tag).toBe("input")
  await screenshot(page, "keyboard-login-filled")
  await page.keyboard.press("Enter")
  await page.getByTestId("current-user").filter({ hasText: email }).waitFor()
  await page.getByRole("heading", { level: 1, name: "Teams" }).waitFor()

  // Create a team: type its name, then Space on the button.
  await tabTo(page, "Team name")
  await page.keyboard.type("Keyboard club")
  await tabTo(page, "Create team")
  await screenshot(page, "keyboard-team-name")
  await page.keyboard.press("Space")
  await page.getByRole("heading", { level: 1, name: "Keyboard club" }).waitFor()
  await screenshot(page, "keyboard-team-created")

  expect(problems()).toEqual([])
  await close()
})

it("the chat's WebSocket connects when the page's host is not PUBLIC_URL's (localhost vs 127.0.0.1)", async () => {
  const base = new URL(e2e.app.baseUrl)
  expect(base.hostname).toBe("127.0.0.1")
  const otherOrigin = `http://localhost:${base.port}`
  const account = await signUpViaApi(e2e.app, { email: uniqueEmail("lou"), name: "Lou" })
  const api = apiAs(account)
  const team = await api<{ teamId: string }>("POST", "/api/teams", { name: "Other host" })
  const room = await api<{ roomId: string }>("POST", "/api/chat/rooms", { teamId: team.teamId, name: "general" })

  const { page, problems, close } = await e2e.openUser()
  await logInInBrowser(page, account.user.email, otherOrigin)
  const document = await page.goto(`${otherOrigin}/chat/${team.teamId}/${room.roomId}`)
  expect(new URL(page.url()).host).toBe(`localhost:${base.port}`)
  // The policy names PUBLIC_URL's WebSocket origin, not the page's: only 'self' can allow the socket.
  const csp = (await document?.allHeaders())?.["content-security-policy"] ?? ""
  const connectSrc = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("connect-src"))
  expect(connectSrc).toBe(`connect-src 'self' ws://127.0.0.1:${base.port}`)

  await page.getByRole("heading", { level: 2, name: "# general" }).waitFor()
  await page.getByRole("status").filter({ hasText: /^Live$/ }).waitFor({ timeout: 15_000 })
  await screenshot(page, "chat-live-on-localhost")
  // And it carries messages: one sent over the socket's page comes back into the log.
  await page.getByLabel("Message", { exact: true }).fill("Sent from localhost")
  await page.keyboard.press("Enter")
  await page.getByRole("log", { name: "Messages in #general" }).getByText("Sent from localhost").waitFor()
  await expect.poll(() => page.getByRole("log", { name: "Messages in #general" }).locator("[data-status]").count()).toBe(0)

  expect(problems()).toEqual([])
  await close()
})
