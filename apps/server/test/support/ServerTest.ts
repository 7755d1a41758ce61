/**
 * A server for a test: configuration from an environment the test writes (defaults: the
 * embedded store in a fresh temporary DATA_DIR, the fixture web app, no log output), the one
 * runtime built and the app ready — the same steps as main.ts, minus listening. Scrypt runs at
 * test cost. Closing the app disposes the runtime; `close()` also deletes the DATA_DIR.
 *
 *   const server = await ServerTest.start({ RATE_LIMIT_LOGIN: "3/60" })
 *   const res = await server.app.inject({ method: "GET", url: "/api/health" })
 *   await server.close()
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ScryptPasswordHasher } from "@app/domain/node"
import { Effect } from "effect"
import type { FastifyInstance } from "fastify"
import { LogCollector } from "../../../../packages/api/test/support/LogCollector.js"
import { buildApp } from "../../src/buildApp.js"
import * as ServerConfig from "../../src/ServerConfig.js"
import * as ServerLayer from "../../src/ServerLayer.js"

export const fixtureWebRoot = join(import.meta.dirname, "..", "fixtures", "web")

export const freshDataDir = (): Promise<string> => mkdtemp(join(tmpdir(), "server-test-"))

/** Every line both loggers (Fastify's pino and Effect's) wrote, for assertions on logs. */
export { LogCollector }

export interface TestServer {
  readonly app: FastifyInstance
  readonly config: ServerConfig.ServerConfig
  readonly runtime: ServerLayer.ServerRuntime
  /** The DATA_DIR of an embedded store this helper created (deleted by close). */
  readonly dataDir: string | undefined
  readonly logs: LogCollector
  readonly close: () => Promise<void>
}

export interface StartOptions {
  /** Collect logs at this level (default: LOG_LEVEL from env, "silent" unless given). */
  readonly logs?: LogCollector
  /** Adds test-only routes or hooks before the app is made ready. */
  readonly beforeReady?: (app: FastifyInstance) => void
}

/** The configuration for `env` over the test defaults (throws ServerConfigError). */
export const configFor = (env: Record<string, string | undefined>) =>
  Effect.runPromise(ServerConfig.load(env))

export const start = async (env: Record<string, string | undefined> = {}, options: StartOptions = {}): Promise<TestServer> => {
  const store = env["STORE"] ?? "embedded"
  const dataDir = store === "embedded" && env["DATA_DIR"] === undefined ? await freshDataDir() : undefined
  const config = await configFor({
    LOG_LEVEL: "silent",
    WEB_ROOT: fixtureWebRoot,
    ...(dataDir === undefined ? {} : { DATA_DIR: dataDir }),
    ...env
  })
  const logs = options.logs ?? new LogCollector()
  const runtime = ServerLayer.makeRuntime(config, { passwordHasher: ScryptPasswordHasher.layerTest, logSink: logs })
  let app: FastifyInstance | undefined
  try {
    await runtime.context()
    app = await buildApp({ runtime, config, logStream: logs })
    options.beforeReady?.(app)
    await app.ready()
  } catch (error) {
    if (app !== undefined) await app.close().catch(() => undefined)
    else await runtime.dispose().catch(() => undefined)
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
    throw error
  }
  const ready = app
  return {
    app: ready,
    config,
    runtime,
    dataDir,
    logs,
    close: async () => {
      await ready.close()
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
    }
  }
}

/** A user signed up through the API: its tokens and id. */
export const signUp = async (app: FastifyInstance, label = "user") => {
  const email = `${label}-${Math.random().toString(36).slice(2)}@example.com`
  const password = "Correct-horse-1"
  const res = await app.inject({
    method: "POST",
    url: "/api/auth/signup",
    headers: { "content-type": "application/json" },
    payload: JSON.stringify({ email, password, name: label })
  })
  if (res.statusCode !== 201) throw new Error(`signup answered ${res.statusCode}: ${res.body}`)
  const body = res.json() as { user: { userId: string }; accessToken: string; refreshToken: string }
  return { email, password, userId: body.user.userId, accessToken: body.accessToken, refreshToken: body.refreshToken }
}
