/**
 * A server instance as production runs it: `node apps/server/dist/main.js` in a child process of
 * its own (its own pools, Redis connections and event loop), configured only through its
 * environment, on a free port. The dist is built by the globalSetup (InstanceBuild.ts).
 *
 *   const a = await InstanceProcess.start("a", env)
 *   await fetch(`${a.baseUrl}/api/health`)
 *   a.signal("SIGTERM"); const { code } = await a.exited
 */
import { type ChildProcess, spawn } from "node:child_process"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { freePort } from "../../../../packages/adapters-aws/test/support/FreePort.js"
import { isReady } from "../../../../packages/api/test/support/ReadinessProbe.js"

const repoRoot = resolve(import.meta.dirname, "../../../..")
export const mainScript = join(repoRoot, "apps/server/dist/main.js")
export const fixtureWebRoot = join(import.meta.dirname, "..", "fixtures", "web")

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** When the process exited (Date.now()). */
  readonly at: number
}

export interface ServerInstance {
  readonly name: string
  readonly port: number
  readonly baseUrl: string
  readonly wsUrl: string
  readonly process: ChildProcess
  /** Everything the process wrote to stdout so far (JSON log lines). */
  readonly stdout: () => string
  readonly stderr: () => string
  /** stdout parsed line by line (lines that are not JSON are skipped). */
  readonly logRecords: () => Array<Record<string, unknown>>
  readonly exited: Promise<Exit>
  readonly signal: (signal: NodeJS.Signals) => void
  /** SIGTERM, then the exit. */
  readonly stop: () => Promise<Exit>
  /** SIGKILL if still running (for afterAll). */
  readonly kill: () => void
}

/** Spawns `dist/main.js` with only `env` (plus PATH and HOME) on a free port; does not wait. */
export const spawnInstance = async (name: string, env: Readonly<Record<string, string>>): Promise<ServerInstance> => {
  const port = await freePort()
  const child = spawn(process.execPath, [mainScript], {
    cwd: repoRoot,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? tmpdir(),
      HOST: "127.0.0.1",
      PORT: String(port),
      WEB_ROOT: fixtureWebRoot,
      LOG_LEVEL: "warn",
      ...env
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const out: Array<string> = []
  const err: Array<string> = []
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => out.push(chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => err.push(chunk))
  const exited = new Promise<Exit>((done) => child.on("exit", (code, signal) => done({ code, signal, at: Date.now() })))
  const stdout = () => out.join("")
  return {
    name,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    process: child,
    stdout,
    stderr: () => err.join(""),
    logRecords: () =>
      stdout().split("\n").flatMap((line) => {
        if (line.trim() === "") return []
        try {
          return [JSON.parse(line) as Record<string, unknown>]
        } catch {
          return []
        }
      }),
    exited,
    signal: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    },
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
      return exited
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    }
  }
}

/** Waits until the instance answers /api/ready with 200 (its stores are open and answer). */
export const whenReady = async (instance: ServerInstance, timeoutMs = 120_000): Promise<ServerInstance> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (instance.process.exitCode !== null || instance.process.signalCode !== null) {
      throw new Error(`instance ${instance.name} exited (${instance.process.exitCode ?? instance.process.signalCode}) before it was ready:\n${instance.stderr()}${instance.stdout()}`)
    }
    if (await isReady(instance.baseUrl)) return instance
    if (Date.now() > deadline) throw new Error(`instance ${instance.name} was not ready within ${timeoutMs} ms:\n${instance.stderr()}${instance.stdout()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Spawns an instance and waits until it is ready. */
export const start = async (name: string, env: Readonly<Record<string, string>>): Promise<ServerInstance> => {
  const instance = await spawnInstance(name, env)
  try {
    return await whenReady(instance)
  } catch (error) {
    instance.kill()
    throw error
  }
}
