/**
 * The browser end-to-end harness: the real server on the embedded store, Debian's Chromium driven
 * by playwright-core, one isolated browser context per user. Each test file starts its own server
 * and browser (files stay independent) after the e2e project's globalSetup (BuildOnce.ts) has
 * built the current server and web app.
 *
 *   import { expect, it } from "vitest"
 *   import { appAndBrowserPerFile, screenshot, signUpInBrowser, uniqueEmail } from "./support/BrowserHarness"
 *
 *   const e2e = appAndBrowserPerFile()                      // beforeAll starts both, afterAll stops them
 *
 *   it("…", async () => {
 *     const ada = await e2e.openUser()                      // a fresh context (own storage) + page
 *     await signUpInBrowser(ada.page, { email: uniqueEmail("ada"), name: "Ada" })
 *     await screenshot(ada.page, "signed-up")               // e2e/artifacts/<file>/01-signed-up.png
 *     expect(ada.problems()).toEqual([])                    // no console errors, failed requests, 5xx
 *   })
 *
 * API:
 * - `appAndBrowserPerFile(options?: StartAppOptions): AppAndBrowser` — registers the file's
 *   beforeAll (startApp, then launchBrowser) and afterAll (close the browser, stop the app);
 *   `{ app, browser, openUser(options?) }`, usable inside tests and hooks.
 * - `startApp(options?: { env?, readyTimeoutMs? }): Promise<RunningApp>` — `{ baseUrl, output(), stop() }`;
 *   STORE=embedded in a fresh temp DATA_DIR, a free port on 127.0.0.1, PUBLIC_URL = baseUrl,
 *   WEB_ROOT = this run's copy of apps/web/dist, generous RATE_LIMIT_*; resolves once /api/ready
 *   answers 200; `stop()` SIGTERMs, waits, removes the data dir.
 * - `launchBrowser(): Promise<Browser>` — headless /usr/bin/chromium with TOOLCHAIN.md's flags.
 * - `openUser(browser, app, options?: { viewport? }): Promise<UserBrowser>` — `{ context, page,
 *   problems(allow?: RegExp[]): string[], close() }`; the context's baseURL is the app, so
 *   `page.goto("/login")` works; problems cover every page of the context (console errors, page
 *   errors, failed requests except cancellations, 5xx answers). A refusal a test provokes on
 *   purpose shows up as Chrome's console error "Failed to load resource: … status of 409 …":
 *   allow it by pattern, e.g. `problems([/status of 409/])`.
 * - `screenshot(target: Page | Locator, name): Promise<Buffer>` — PNG saved under
 *   apps/web/e2e/artifacts/<test file>/NN-<name>.png (numbered per file; the dir is cleared at its
 *   first screenshot of a run).
 * - `signUpInBrowser(page, { email, name?, password? }): Promise<void>` — through the sign-up form;
 *   resolves when the header shows the email (logged in).
 * - `signUpViaApi(app, { email, name?, password? }): Promise<SignedUp>` — POST /api/auth/signup.
 * - `uniqueEmail(prefix): string`, `TEST_PASSWORD` (meets the password rules).
 * Timeouts: the e2e project gives tests and hooks 120 s and runs its files one at a time;
 * playwright's own default is 30 s per action.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll } from "vitest"
import { type RunningApp, startApp, type StartAppOptions } from "./AppProcess"
import { collectPageProblems } from "./PageProblems"

export { type RunningApp, startApp, type StartAppOptions } from "./AppProcess"
export { screenshot } from "./Screenshots"

/** TOOLCHAIN.md "Web and browser tests": no sandbox (containers), no GPU, no background traffic. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS })

export interface UserBrowser {
  /** One user's browser profile: its own cookies and localStorage. */
  readonly context: BrowserContext
  /** The context's first page (open more with `context.newPage()`; they are watched too). */
  readonly page: Page
  /** Console errors, page errors, failed requests and 5xx answers so far, minus `allow` matches. */
  readonly problems: (allow?: ReadonlyArray<RegExp>) => ReadonlyArray<string>
  readonly close: () => Promise<void>
}

export interface OpenUserOptions {
  readonly viewport?: { readonly width: number; readonly height: number }
}

export const openUser = async (browser: Browser, app: RunningApp, options: OpenUserOptions = {}): Promise<UserBrowser> => {
  const context = await browser.newContext({
    baseURL: app.baseUrl,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    // The same rendering on every machine: screenshots and the QR code decode alike.
    colorScheme: "light",
    locale: "en-US",
    timezoneId: "UTC",
    reducedMotion: "reduce"
  })
  context.setDefaultTimeout(30_000)
  const problems = collectPageProblems(context)
  const page = await context.newPage()
  return { context, page, problems: problems.list, close: () => context.close() }
}

/** The server and the browser of one test file, started before its tests and stopped after them. */
export interface AppAndBrowser {
  readonly app: RunningApp
  readonly browser: Browser
  /** `openUser(browser, app, options)`. */
  readonly openUser: (options?: OpenUserOptions) => Promise<UserBrowser>
}

/** Registers the file's beforeAll (server, then browser) and afterAll (both stopped, even half-started). */
export const appAndBrowserPerFile = (options: StartAppOptions = {}): AppAndBrowser => {
  let app: RunningApp | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    app = await startApp(options)
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })
  const started = <A>(value: A | undefined): A => {
    if (value === undefined) throw new Error("the app and the browser start in beforeAll: use them inside tests and hooks")
    return value
  }
  return {
    get app() {
      return started(app)
    },
    get browser() {
      return started(browser)
    },
    openUser: (userOptions) => openUser(started(browser), started(app), userOptions)
  }
}

/** Meets the password rules (length, letters, digits). */
export const TEST_PASSWORD = "Str0ngpassword!"

let emailCounter = 0
/** An address no other test of this run uses. */
export const uniqueEmail = (prefix: string): string =>
  `${prefix}-${process.pid}-${Date.now().toString(36)}-${++emailCounter}@example.com`

export interface NewUser {
  readonly email: string
  readonly name?: string
  readonly password?: string
}

/** Signs up through the form at /signup; resolves once the header shows the user's email. */
export const signUpInBrowser = async (page: Page, user: NewUser): Promise<void> => {
  await page.goto("/signup")
  await page.getByLabel("Email", { exact: true }).fill(user.email)
  await page.getByLabel("Name", { exact: true }).fill(user.name ?? user.email.split("@")[0] ?? "User")
  await page.getByLabel("Password", { exact: true }).fill(user.password ?? TEST_PASSWORD)
  await page.getByRole("button", { name: "Sign up" }).click()
  await page.getByTestId("current-user").filter({ hasText: user.email }).waitFor()
}

export interface SignedUp {
  readonly user: { readonly userId: string; readonly email: string; readonly name: string }
  readonly accessToken: string
  readonly refreshToken: string
}

/** Signs up with the API directly (for users a test needs but does not watch signing up). */
export const signUpViaApi = async (app: RunningApp, user: NewUser): Promise<SignedUp> => {
  const response = await fetch(`${app.baseUrl}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: user.email, name: user.name ?? user.email.split("@")[0], password: user.password ?? TEST_PASSWORD })
  })
  if (response.status !== 201) throw new Error(`sign-up of ${user.email} answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as SignedUp
}
