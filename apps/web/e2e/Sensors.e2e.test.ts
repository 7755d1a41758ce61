/**
 * Sensors end to end in Chromium against the real server: a user signs up in the browser, owns a
 * team, registers a device on the Sensors page and copies its ingest key off the page (shown
 * once); the test then posts readings as that device (POST /api/sensor-data with X-Device-Key,
 * positions included). The chart draws them — checked on the canvas itself and in uPlot's legend,
 * for raw readings and 1-minute buckets — and the device's marker on the floor plan moves when a
 * new reading arrives over the live `/ws/coordinates` socket, without a reload. Every step leaves
 * a screenshot in e2e/artifacts/Sensors/ (the ingest key blurred: artifacts are not for secrets).
 */
import type { Page } from "playwright-core"
import { describe, expect, it } from "vitest"
import { appAndBrowserPerFile, screenshot, signUpInBrowser, uniqueEmail } from "./support/BrowserHarness"

const e2e = appAndBrowserPerFile()

interface Reading {
  readonly ts: string
  readonly temperature?: number
  readonly humidity?: number
  readonly x?: number
  readonly y?: number
}

/** What a device does: POST its readings with its key. */
const postReadings = async (deviceId: string, ingestKey: string, readings: ReadonlyArray<Reading>) => {
  const response = await fetch(`${e2e.app.baseUrl}/api/sensor-data`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-device-key": ingestKey },
    body: JSON.stringify({ deviceId, readings })
  })
  const body = (await response.json()) as { accepted: number; duplicates: number; rejected: ReadonlyArray<unknown> }
  expect(response.status, JSON.stringify(body)).toBe(200)
  return body
}

/** The logged-in page's access token, as the app stored it (for set-up calls the UI of another feature makes). */
const accessTokenOf = async (page: Page): Promise<string> => {
  const raw = await page.evaluate(() => window.localStorage.getItem("app.session.tokens"))
  if (raw === null) throw new Error("the page holds no session")
  return (JSON.parse(raw) as { accessToken: string }).accessToken
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()

/**
 * How many pixels of the chart's canvas are (close to) the first series' stroke colour, #0b5fff:
 * proof that uPlot drew the line, not only its axes.
 */
const seriesPixels = (page: Page): Promise<number> =>
  page.locator(".chart canvas").evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext("2d")
    if (context === null) return 0
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height)
    let count = 0
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i]! - 0x0b) < 40 && Math.abs(data[i + 1]! - 0x5f) < 40 && Math.abs(data[i + 2]! - 0xff) < 40 && data[i + 3]! > 128) count++
    }
    return count
  })

/** The device's marker on the floor plan: its SVG transform. */
const markerTransform = (page: Page, deviceId: string) =>
  page.locator(`svg.plan g[data-device-id="${deviceId}"]`).getAttribute("transform", { timeout: 1_000 }).catch(() => null)

const waitForMarker = async (page: Page, deviceId: string, transform: string) => {
  await page.waitForFunction(
    ([id, expected]) => document.querySelector(`svg.plan g[data-device-id="${id}"]`)?.getAttribute("transform") === expected,
    [deviceId, transform] as const,
    { timeout: 15_000 }
  )
}

/** Screenshots must not carry the key: blur its field while the picture is taken. */
const screenshotWithKeyHidden = async (page: Page, name: string) => {
  const key = page.getByLabel("Ingest key", { exact: true })
  await key.evaluate((input: HTMLElement) => (input.style.filter = "blur(6px)"))
  await screenshot(page, name)
  await key.evaluate((input: HTMLElement) => (input.style.filter = ""))
}

describe("Sensors", () => {
  it("registers a device in the UI, charts the readings it posts, and moves it live on the floor plan", async () => {
    const ada = await e2e.openUser()
    const { page } = ada
    await ada.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: e2e.app.baseUrl })
    await signUpInBrowser(page, { email: uniqueEmail("ada"), name: "Ada" })

    // The team comes from the contract directly (the Teams UI has its own browser test).
    const created = await fetch(`${e2e.app.baseUrl}/api/teams`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await accessTokenOf(page)}` },
      body: JSON.stringify({ name: "Sensor lab" })
    })
    expect(created.status).toBe(201)
    const team = (await created.json()) as { teamId: string }

    // Pick the team on the Sensors page.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sensors" }).click()
    await page.getByRole("link", { name: "Sensor lab" }).click()
    await page.waitForURL((url) => url.pathname === `/sensors/${team.teamId}`)
    await page.getByRole("heading", { level: 1, name: "Sensors · Sensor lab" }).waitFor()
    await page.getByText("No devices yet").waitFor()
    await screenshot(page, "team-without-devices")

    // Register a device; its key is shown once, with a copy button.
    await page.getByLabel("Device name", { exact: true }).fill("Warehouse robot")
    await page.getByRole("button", { name: "Register device" }).click()
    const notice = page.getByRole("region", { name: "Ingest key of “Warehouse robot”" })
    await notice.waitFor()
    await expect(notice.getByRole("alert").textContent()).resolves.toMatch(/it will not be shown again/)
    const ingestKey = await page.getByLabel("Ingest key", { exact: true }).inputValue()
    expect(ingestKey.length).toBeGreaterThan(20)
    await notice.getByRole("button", { name: "Copy key" }).click()
    await notice.getByText("Copied to the clipboard.").waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(ingestKey)
    const deviceId = (await notice.locator("code").textContent()) ?? ""
    expect(deviceId).not.toBe("")
    await screenshotWithKeyHidden(page, "device-registered-key-shown-once")
    await notice.getByRole("button", { name: "I have copied the key" }).click()
    expect(await page.getByLabel("Ingest key", { exact: true }).count()).toBe(0)
    expect(await page.content()).not.toContain(ingestKey)

    // The device reports: temperatures over the last half hour, walking across the floor.
    const history: Array<Reading> = Array.from({ length: 12 }, (_, i) => ({
      ts: minutesAgo(30 - i * 2.5),
      temperature: 20 + i * 0.5,
      humidity: 40 + i,
      x: 1_000 + i * 100,
      y: 3_000
    }))
    expect(await postReadings(deviceId, ingestKey, history)).toEqual({ accepted: 12, duplicates: 0, rejected: [] })

    // The chart shows them (Refresh, rather than waiting for the 15 s refresh).
    const readings = page.getByRole("region", { name: "Readings" })
    await readings.getByRole("button", { name: "Refresh" }).click()
    await readings.locator("figcaption").filter({ hasText: "12 readings · latest 25.5 °C" }).waitFor()
    await expect(page.locator(".chart").getAttribute("data-points")).resolves.toBe("12")
    await expect.poll(() => seriesPixels(page), { timeout: 10_000 }).toBeGreaterThan(100)
    // Hovering the plot fills uPlot's legend with the value under the cursor.
    const plot = page.locator(".chart .u-over")
    const box = (await plot.boundingBox())!
    await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2)
    await expect.poll(() => page.locator(".chart .u-legend .u-series").nth(1).locator(".u-value").textContent()).toMatch(/^2\d(\.\d+)?/)
    await screenshot(page, "chart-raw-readings")

    // 1-minute buckets: average, minimum and maximum.
    await readings.getByRole("radio", { name: "1-minute averages" }).check()
    await readings.locator("figcaption").filter({ hasText: /12 buckets · latest average 25\.5 °C/ }).waitFor()
    await expect(page.locator(".chart .u-legend .u-label").allTextContents()).resolves.toEqual(["Time", "Average (°C)", "Minimum (°C)", "Maximum (°C)"])
    await expect.poll(() => seriesPixels(page), { timeout: 10_000 }).toBeGreaterThan(100)
    await screenshot(page, "chart-1-minute-buckets")

    // The floor plan: the newest stored position first, then live.
    const floor = page.getByRole("region", { name: "Floor plan" })
    await floor.getByText("Live", { exact: true }).waitFor({ timeout: 20_000 })
    await waitForMarker(page, deviceId, "translate(2100 3000)")
    await screenshot(page, "floor-plan-initial-position")

    await postReadings(deviceId, ingestKey, [{ ts: new Date().toISOString(), temperature: 26, x: 6_000, y: 1_500 }])
    await waitForMarker(page, deviceId, "translate(6000 1500)")
    await floor.getByText(/Warehouse robot: x 6000, y 1500/).waitFor()
    expect(await markerTransform(page, deviceId)).toBe("translate(6000 1500)")
    // The live position also refreshes the views of stored readings: the device list and the chart.
    await page.getByRole("list", { name: "Devices" }).getByText(/Temperature 26 °C/).waitFor({ timeout: 15_000 })
    await readings.locator("figcaption").filter({ hasText: /13 buckets · latest average 26 °C/ }).waitFor({ timeout: 15_000 })
    await screenshot(page, "floor-plan-moved-live")

    expect(ada.problems()).toEqual([])
    await ada.close()
  })
})
