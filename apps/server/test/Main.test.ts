/**
 * The built server as `npm start` runs it (`node apps/server/dist/main.js`), as a child process:
 * it starts on the embedded store, answers, and exits 0 on SIGTERM; a bad setting or a store it
 * cannot open exits 1 with the reason on stderr. The dist is built through nx first (a cache hit
 * when nothing changed), so this tests the real artifact.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../../../packages/adapters-aws/test/support/FreePort.js"
import { fixtureWebRoot } from "./support/ServerTest.js"

const repoRoot = resolve(import.meta.dirname, "../../..")
const mainScript = join(repoRoot, "apps/server/dist/main.js")

interface Child {
  readonly process: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<number | null>
}

const run = (env: Record<string, string>): Child => {
  const child = spawn(process.execPath, [mainScript], {
    cwd: repoRoot,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? tmpdir(), ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  let err = ""
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")))
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")))
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
  return { process: child, stdout: () => out, stderr: () => err, exited }
}

const waitFor = async (condition: () => boolean, what: string, child: Child, timeoutMs = 90_000) => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (child.process.exitCode !== null) throw new Error(`exited (${child.process.exitCode}) before ${what}: ${child.stderr()}${child.stdout()}`)
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${child.stdout()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

let dataDir = ""
const children: Array<Child> = []

beforeAll(async () => {
  // Builds the server and the packages it depends on (nx dependsOn ^build); cached when unchanged.
  await new Promise<void>((done, reject) => {
    execFile(
      process.execPath,
      [join(repoRoot, "node_modules/.bin/nx"), "run", "@app/server:build", "--output-style=static"],
      { cwd: repoRoot, env: { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true" }, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => (error === null ? done() : reject(new Error(`nx build failed:\n${stdout}\n${stderr}`)))
    )
  })
  dataDir = await mkdtemp(join(tmpdir(), "server-main-test-"))
}, 300_000)

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL")
  if (dataDir !== "") await rm(dataDir, { recursive: true, force: true })
})

describe("node apps/server/dist/main.js", () => {
  it("starts on the embedded store with generated secrets, answers, and exits 0 on SIGTERM", async () => {
    const port = await freePort()
    const child = run({ PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, WEB_ROOT: fixtureWebRoot, LOG_LEVEL: "info" })
    children.push(child)
    await waitFor(() => child.stdout().includes("server ready"), "server ready", child)

    const health = await fetch(`http://127.0.0.1:${port}/api/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: "ok" })
    const page = await fetch(`http://127.0.0.1:${port}/teams/1`, { headers: { accept: "text/html" } })
    expect(await page.text()).toContain("fixture-index")

    // The secrets were generated and saved; the log says so without their values.
    const secrets = JSON.parse(await readFile(join(dataDir, "secrets.json"), "utf8")) as Record<string, string>
    expect(child.stdout()).toContain("generated AUTH_ACCESS_TOKEN_SECRET")
    for (const value of Object.values(secrets)) expect(child.stdout()).not.toContain(value)

    child.process.kill("SIGTERM")
    expect(await child.exited).toBe(0)
    expect(child.stdout()).toContain("\"msg\":\"shut down\"")
    // Every line of stdout is a JSON log record.
    for (const line of child.stdout().trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow()
  })

  it("reuses the saved secrets on the next start: a token from before the restart still works", async () => {
    const port = await freePort()
    const env = { PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, WEB_ROOT: fixtureWebRoot, LOG_LEVEL: "warn" }
    const first = run(env)
    children.push(first)
    const base = `http://127.0.0.1:${port}`
    const up = async () => {
      const deadline = Date.now() + 90_000
      for (;;) {
        try {
          if ((await fetch(`${base}/api/health`)).ok) return
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error("server did not come up")
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    await up()
    const signup = await fetch(`${base}/api/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `restart-${port}@example.com`, password: "Correct-horse-1", name: "r" })
    })
    expect(signup.status).toBe(201)
    const { accessToken } = (await signup.json()) as { accessToken: string }
    first.process.kill("SIGTERM")
    expect(await first.exited).toBe(0)

    const second = run(env)
    children.push(second)
    await up()
    const me = await fetch(`${base}/api/users/me`, { headers: { authorization: `Bearer ${accessToken}` } })
    expect(me.status).toBe(200)
    expect(((await me.json()) as { email: string }).email).toBe(`restart-${port}@example.com`)
    second.process.kill("SIGTERM")
    expect(await second.exited).toBe(0)
  })

  it("exits 1 naming the variable when a setting is bad", async () => {
    const child = run({ PORT: "http", DATA_DIR: dataDir })
    children.push(child)
    expect(await child.exited).toBe(1)
    expect(child.stderr()).toContain("PORT")
    expect(child.stdout()).toBe("")
  })

  it("exits 1 with the reason when a store cannot be opened", async () => {
    const closedPort = await freePort()
    const child = run({
      STORE: "postgres",
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/test`,
      DATABASE_CONNECT_TIMEOUT_MS: "500",
      REDIS_URL: `redis://127.0.0.1:${closedPort}`,
      AUTH_ACCESS_TOKEN_SECRET: "a".repeat(40),
      AUTH_REFRESH_TOKEN_SECRET: "b".repeat(40),
      SECRETS_MASTER_KEY: Buffer.alloc(32, 3).toString("base64"),
      LOG_LEVEL: "silent"
    })
    children.push(child)
    expect(await child.exited).toBe(1)
    expect(child.stderr()).toContain("could not start")
    expect(child.stderr()).not.toContain("a".repeat(40))
  })
})
