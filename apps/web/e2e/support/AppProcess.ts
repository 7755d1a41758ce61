/**
 * The whole product as a user meets it: `apps/server/dist/main.js` in a child process on the
 * embedded store (PGlite in a fresh temporary DATA_DIR), serving this run's build of the web app
 * on a free port of 127.0.0.1. PUBLIC_URL is the very origin the browser opens, so the QR payload
 * and the Content-Security-Policy name the same origin as the page.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { inject } from "vitest"
import { freePort } from "../../../../packages/adapters-aws/test/support/FreePort"
import { isReady } from "../../../../packages/api/test/support/ReadinessProbe"

const repoRoot = resolve(import.meta.dirname, "../../../..")
const mainScript = join(repoRoot, "apps/server/dist/main.js")

export interface RunningApp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly baseUrl: string
  /** Everything the server wrote so far (JSON log lines on stdout, then stderr): for failure messages. */
  readonly output: () => string
  /** SIGTERM, waits for the exit, removes the temporary data directory. Safe to call twice. */
  readonly stop: () => Promise<void>
}

export interface StartAppOptions {
  /** Extra or overriding environment variables for the server. */
  readonly env?: Readonly<Record<string, string>>
  /** How long to wait for /api/ready (default 90 s: PGlite's first open takes seconds on a busy machine). */
  readonly readyTimeoutMs?: number
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null

/** Starts the server and waits until /api/ready answers 200. */
export const startApp = async (options: StartAppOptions = {}): Promise<RunningApp> => {
  // A build running elsewhere on this machine (another checkout's test run, an editor's `nx build`)
  // may be rewriting a package's dist/ at the moment the server imports it. That is no fault of
  // the product: start again a little later. Any other failure to start is reported at once.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAppOnce(options)
    } catch (error) {
      const rebuilt = error instanceof Error && error.message.includes("ERR_MODULE_NOT_FOUND")
      if (!rebuilt || attempt >= 3) throw error
      await new Promise((r) => setTimeout(r, 3_000))
    }
  }
}

const startAppOnce = async (options: StartAppOptions): Promise<RunningApp> => {
  const dataDir = await mkdtemp(join(tmpdir(), "web-e2e-data-"))
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [mainScript], {
    cwd: repoRoot,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? tmpdir(),
      STORE: "embedded",
      DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      WEB_ROOT: inject("e2eWebRoot"),
      LOG_LEVEL: "warn",
      // Every test signs up and logs in from 127.0.0.1: the production limits would refuse them.
      RATE_LIMIT_LOGIN: "10000/60",
      RATE_LIMIT_SIGNUP: "10000/60",
      RATE_LIMIT_QR_INIT: "10000/60",
      RATE_LIMIT_INGEST: "100000/60",
      ...options.env
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const out: Array<string> = []
  const err: Array<string> = []
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => out.push(chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => err.push(chunk))
  const exited = new Promise<void>((done) => child.once("exit", () => done()))
  // A test worker that ends without afterAll (killed on a timeout) must not leave a server behind.
  const killOnExit = () => isRunning(child) && child.kill("SIGKILL")
  process.once("exit", killOnExit)
  void exited.then(() => process.removeListener("exit", killOnExit))
  const output = () => `${out.join("")}${err.join("")}`

  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      if (isRunning(child)) child.kill("SIGTERM")
      // The server drains within SHUTDOWN_GRACE_MS (10 s); past that, it is stuck.
      const killer = setTimeout(() => isRunning(child) && child.kill("SIGKILL"), 20_000)
      await exited
      clearTimeout(killer)
      await rm(dataDir, { recursive: true, force: true })
    })())

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000)
  for (;;) {
    if (!isRunning(child)) {
      await stop()
      throw new Error(`the server exited before it was ready:\n${output()}`)
    }
    if (await isReady(baseUrl)) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the server was not ready in time:\n${output()}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { baseUrl, output, stop }
}
