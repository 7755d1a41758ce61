import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { toLocalInput } from "../../src/features/sensors/TimeRange"
import { readStoredTokens } from "../../src/session/StoredTokens"
import { renderApp } from "../support/renderApp"
import { makeTestApi, type TestApi } from "../support/TestApi"
import type { InProcessWebSockets } from "./InProcessWebSocket"
import { ingest, installBrowserPieces, memoryStorage, minutesAgo, ownerWithTeam, registerDevice, signUp } from "./SensorsTestKit"

let testApi: TestApi
let sockets: InProcessWebSockets
let restore: () => void
beforeEach(() => {
  testApi = makeTestApi()
  ;({ restore, sockets } = installBrowserPieces(testApi))
})
afterEach(async () => {
  cleanup()
  restore()
  await testApi.dispose()
})

/** Live frames are thinned to one per device per second: allow a few. */
const LIVE = { timeout: 5_000 }
/** For tests that wait for several live frames in a row. */
const LIVE_TEST_TIMEOUT = 30_000

const readingsSection = () => screen.getByRole("region", { name: "Readings" })
const caption = () => readingsSection().querySelector("figcaption")?.textContent ?? ""

describe("teams and devices", () => {
  it("lists the caller's teams to pick from, with an empty state when there is none", async () => {
    const loner = await signUp(testApi, "loner@example.com")
    const first = renderApp("/sensors", loner.manager)
    expect(await screen.findByText("You are not in a team yet")).toBeDefined()
    expect(screen.getByRole("link", { name: "Create or join a team" }).getAttribute("href")).toBe("/teams")
    first.unmount()

    const { manager, team } = await ownerWithTeam(testApi)
    const user = userEvent.setup()
    renderApp("/sensors", manager)
    await user.click(await screen.findByRole("link", { name: "Lab" }))
    expect(screen.getByTestId("location").textContent).toBe(`/sensors/${team.teamId}`)
    expect(await screen.findByRole("heading", { level: 1, name: "Sensors · Lab" })).toBeDefined()
    expect(await screen.findByText("No devices yet")).toBeDefined()
  })

  it("registers a device and shows its ingest key once, with copy; the key is gone after leaving the page", async () => {
    const { manager, team } = await ownerWithTeam(testApi)
    const user = userEvent.setup()
    renderApp(`/sensors/${team.teamId}`, manager)
    const form = await screen.findByRole("form", { name: "Register a device" })
    await user.click(within(form).getByRole("button", { name: "Register device" }))
    expect(within(form).getByText("Enter a name for the device")).toBeDefined()
    expect(within(form).getByLabelText("Device name").getAttribute("aria-invalid")).toBe("true")

    await user.type(within(form).getByLabelText("Device name"), "Meeting room")
    await user.click(within(form).getByRole("button", { name: "Register device" }))
    const notice = await screen.findByRole("region", { name: "Ingest key of “Meeting room”" })
    expect(within(notice).getByRole("alert").textContent).toMatch(/it will not be shown again/)
    const keyField = within(notice).getByLabelText("Ingest key") as HTMLInputElement
    const key = keyField.value
    expect(keyField.readOnly).toBe(true)
    expect(key.length).toBeGreaterThan(20)

    // The key shown is the device's real key: a reading sent with it is accepted.
    const [device] = await manager.client.call("sensors.listDevices", { query: { teamId: team.teamId } })
    expect(await ingest(manager, { deviceId: device!.deviceId, ingestKey: key }, [{ ts: minutesAgo(1), temperature: 21 }])).toMatchObject({ accepted: 1 })

    // Copy: the Clipboard API where there is one…
    const writeText = vi.fn((_: string) => Promise.resolve())
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true })
    await user.click(within(notice).getByRole("button", { name: "Copy key" }))
    expect(await within(notice).findByText("Copied to the clipboard.")).toBeDefined()
    expect(writeText).toHaveBeenCalledWith(key)
    // …else the key is selected for Ctrl+C.
    Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true })
    document.execCommand = () => false
    await user.click(within(notice).getByRole("button", { name: "Copy key" }))
    expect(await within(notice).findByText(/The key is selected: press Ctrl\+C/)).toBeDefined()
    expect(document.activeElement).toBe(keyField)
    expect([keyField.selectionStart, keyField.selectionEnd]).toEqual([0, key.length])

    // The device is listed; leaving and coming back shows it, never the key again.
    expect(within(screen.getByRole("list", { name: "Devices" })).getByText("Meeting room")).toBeDefined()
    await user.click(screen.getByRole("link", { name: "All teams" }))
    await user.click(await screen.findByRole("link", { name: "Lab" }))
    expect(await within(await screen.findByRole("list", { name: "Devices" })).findByText("Meeting room")).toBeDefined()
    expect(screen.queryByLabelText("Ingest key")).toBeNull()
    expect(document.body.innerHTML).not.toContain(key)
  })

  it("lets members see devices but not register them, and refuses a team the caller is not in", async () => {
    const { manager: owner, team } = await ownerWithTeam(testApi, "Lab", memoryStorage())
    await registerDevice(owner, team.teamId, "Lobby")
    const member = await signUp(testApi, "member@example.com", "Mia")
    const invitation = await owner.client.call("teams.invite", { params: { teamId: team.teamId }, body: { email: "member@example.com", role: "member" } })
    await member.manager.client.call("teams.accept", { params: { invitationId: invitation.invitationId } })
    const first = renderApp(`/sensors/${team.teamId}`, member.manager)
    expect(await within(await screen.findByRole("list", { name: "Devices" })).findByText("Lobby")).toBeDefined()
    expect(screen.queryByRole("form", { name: "Register a device" })).toBeNull()
    first.unmount()

    const stranger = await signUp(testApi, "stranger@example.com", "Sam", memoryStorage())
    renderApp(`/sensors/${team.teamId}`, stranger.manager)
    expect((await screen.findByRole("alert")).textContent).toMatch(/Could not load this team's devices/)
  })
})

describe("readings chart", () => {
  it("charts raw readings, then 1-minute and 1-hour buckets, over preset and custom ranges", async () => {
    const { manager, team } = await ownerWithTeam(testApi)
    const device = await registerDevice(manager, team.teamId, "Lab bench")
    await ingest(manager, device, [
      { ts: minutesAgo(180), temperature: 18 },
      { ts: minutesAgo(50), temperature: 20 },
      { ts: minutesAgo(40), temperature: 21 },
      { ts: minutesAgo(5), temperature: 22, humidity: 40 },
      { ts: minutesAgo(3), temperature: 23 }
    ])
    const user = userEvent.setup()
    renderApp(`/sensors/${team.teamId}`, manager)

    // Default: the last hour, raw.
    await waitFor(() => expect(caption()).toMatch(/4 readings · latest 23 °C/))
    const chart = within(readingsSection()).getByRole("img", { name: /Temperature of Lab bench, raw readings, last hour/ })
    expect(chart.getAttribute("data-points")).toBe("4")
    const legend = () => [...chart.querySelectorAll(".u-legend .u-label")].map((l) => l.textContent)
    expect(legend()).toEqual(["Time", "Temperature (°C)"])
    const table = within(readingsSection()).getByRole("table", { name: /^Temperature of Lab bench/ })
    expect(within(table).getAllByRole("row")).toHaveLength(5)
    expect(within(table).getAllByRole("cell").map((c) => c.textContent)).toEqual(["23", "22", "21", "20"])

    await user.click(within(readingsSection()).getByRole("radio", { name: "1-minute averages" }))
    await waitFor(() => expect(caption()).toMatch(/4 buckets · latest average 23 °C/))
    expect(legend()).toEqual(["Time", "Average (°C)", "Minimum (°C)", "Maximum (°C)"])
    expect(screen.getByTestId("location").textContent).toMatch(/bucket=1m/)

    await user.click(within(readingsSection()).getByRole("radio", { name: "1-hour averages" }))
    await waitFor(() => expect(caption()).toMatch(/1-hour averages, last hour: \d buckets/))
    const hourly = within(within(readingsSection()).getByRole("table", { name: /1-hour averages/ })).getAllByRole("cell").map((c) => Number(c.textContent))
    // Every bucket's average lies between its minimum and maximum; together they span 20–23.
    expect(Math.min(...hourly)).toBe(20)
    expect(Math.max(...hourly)).toBe(23)

    await user.click(within(readingsSection()).getByRole("radio", { name: "Raw readings" }))
    await user.selectOptions(within(readingsSection()).getByLabelText("Time range"), "Last 24 hours")
    await waitFor(() => expect(caption()).toMatch(/last 24 hours: 5 readings/))
    await user.selectOptions(within(readingsSection()).getByLabelText("Time range"), "Last 15 minutes")
    await waitFor(() => expect(caption()).toMatch(/last 15 minutes: 2 readings/))

    // A custom range: checked as typed, then applied.
    await user.selectOptions(within(readingsSection()).getByLabelText("Time range"), "Custom…")
    const custom = await within(readingsSection()).findByRole("form", { name: "Custom time range" })
    const from = within(custom).getByLabelText("From") as HTMLInputElement
    const to = within(custom).getByLabelText("To") as HTMLInputElement
    fireEvent.change(from, { target: { value: toLocalInput(Date.now() - 4 * 3_600_000) } })
    fireEvent.change(to, { target: { value: toLocalInput(Date.now() - 5 * 3_600_000) } })
    await user.click(within(custom).getByRole("button", { name: "Apply range" }))
    expect(within(custom).getByText("The end must be after the start")).toBeDefined()
    fireEvent.change(to, { target: { value: toLocalInput(Date.now() - 2 * 3_600_000) } })
    await user.click(within(custom).getByRole("button", { name: "Apply range" }))
    await waitFor(() => expect(caption()).toMatch(/: 1 readings · latest 18 °C/))
    expect(screen.getByTestId("location").textContent).toMatch(/range=custom&from=.+&to=.+/)

    // Another measurement; one the range has no values of is an empty state naming what there is.
    await user.selectOptions(within(readingsSection()).getByLabelText("Time range"), "Last hour")
    await user.selectOptions(within(readingsSection()).getByLabelText("Measurement"), "Humidity (%)")
    await waitFor(() => expect(caption()).toMatch(/Humidity of Lab bench.*: 1 readings · latest 40 %/))
    await user.selectOptions(within(readingsSection()).getByLabelText("Measurement"), "CO₂ (ppm)")
    expect(await within(readingsSection()).findByText("No CO₂ readings in this range")).toBeDefined()
    expect(within(readingsSection()).getByText(/This range has Temperature, Humidity readings/)).toBeDefined()
  })

  it("shows an empty state for a device without readings, and the chart of another device on choice", async () => {
    const { manager, team } = await ownerWithTeam(testApi)
    await registerDevice(manager, team.teamId, "Quiet one")
    const busy = await registerDevice(manager, team.teamId, "Busy one")
    await ingest(manager, busy, [{ ts: minutesAgo(2), co2: 800 }])
    const user = userEvent.setup()
    renderApp(`/sensors/${team.teamId}`, manager)
    expect(await within(await screen.findByRole("region", { name: "Readings" })).findByText("No temperature readings in this range")).toBeDefined()
    expect(within(readingsSection()).getByText(/once the device sends them/)).toBeDefined()
    await user.selectOptions(within(readingsSection()).getByLabelText("Device"), "Busy one")
    await waitFor(() => expect(caption()).toMatch(/CO₂ of Busy one.*1 readings · latest 800 ppm/))
  })
})

describe("floor plan", () => {
  const marker = (deviceId: string) => document.querySelector(`g[data-device-id="${deviceId}"]`)
  const liveBadge = () => within(screen.getByRole("region", { name: "Floor plan" })).getAllByRole("status")[0]!

  it("places devices at their latest position, moves them live, and reconnects and resubscribes after a drop", async () => {
    const { manager, team } = await ownerWithTeam(testApi)
    const a = await registerDevice(manager, team.teamId, "Robot A")
    const b = await registerDevice(manager, team.teamId, "Robot B")
    await ingest(manager, a, [{ ts: minutesAgo(2), x: 100, y: 200 }])
    renderApp(`/sensors/${team.teamId}`, manager)

    await waitFor(() => expect(marker(a.deviceId)?.getAttribute("transform")).toBe("translate(100 200)"))
    expect(marker(b.deviceId)).toBeNull()
    const positions = screen.getByRole("list", { name: "Device positions" })
    expect(within(positions).getByText(/no position yet/).closest("li")!.textContent).toMatch(/^Robot B/)
    await waitFor(() => expect(liveBadge().textContent).toBe("Live"), LIVE)

    // The socket authenticated with the session's token and subscribed to the team.
    const [socket] = sockets.sockets
    expect(socket!.url).toMatch(/\/ws\/coordinates$/)
    expect(socket!.sent).toEqual([
      { type: "auth", token: readStoredTokens(window.localStorage)!.accessToken },
      { type: "subscribe", teamId: team.teamId }
    ])

    await ingest(manager, a, [{ ts: minutesAgo(0.5), x: 300, y: 400 }])
    await waitFor(() => expect(marker(a.deviceId)?.getAttribute("transform")).toBe("translate(300 400)"), LIVE)
    const deviceB = () => within(screen.getByRole("list", { name: "Devices" })).getByText("Robot B").closest("li")!
    expect(deviceB().textContent).toMatch(/No readings yet/)
    await ingest(manager, b, [{ ts: minutesAgo(0.5), x: 50, y: 60, co2: 700 }])
    await waitFor(() => expect(marker(b.deviceId)?.getAttribute("transform")).toBe("translate(50 60)"), LIVE)
    expect(within(positions).queryByText(/no position yet/)).toBeNull()
    // The live position refreshes what is built from stored readings: the device list says so.
    await waitFor(() => expect(deviceB().textContent).toMatch(/CO₂ 700 ppm/), LIVE)

    // The network drops: the page says so, reconnects, authenticates and subscribes again.
    socket!.drop()
    await waitFor(() => expect(liveBadge().textContent).toMatch(/^Reconnecting…/))
    await waitFor(() => expect(liveBadge().textContent).toBe("Live"), LIVE)
    expect(sockets.sockets).toHaveLength(2)
    expect(sockets.sockets[1]!.sent.map((f) => f.type)).toEqual(["auth", "subscribe"])
    await ingest(manager, a, [{ ts: minutesAgo(0.2), x: 500, y: 600 }])
    await waitFor(() => expect(marker(a.deviceId)?.getAttribute("transform")).toBe("translate(500 600)"), LIVE)
  }, LIVE_TEST_TIMEOUT)

  it("closes the socket when the page is left", async () => {
    const { manager, team } = await ownerWithTeam(testApi)
    await registerDevice(manager, team.teamId, "Robot A")
    const user = userEvent.setup()
    renderApp(`/sensors/${team.teamId}`, manager)
    await waitFor(() => expect(liveBadge().textContent).toBe("Live"), LIVE)
    await user.click(screen.getByRole("link", { name: "All teams" }))
    await waitFor(() => expect(sockets.open()).toHaveLength(0))
    expect(sockets.sockets).toHaveLength(1)
  })
})
