/**
 * The server process: read the configuration (a bad setting exits 1 naming the variable), open
 * the stores, listen, and on SIGTERM/SIGINT shut down gracefully — stop accepting, tell realtime
 * clients to reconnect elsewhere, let requests in flight finish, close the pools — exiting 0, or
 * 1 if that took longer than SHUTDOWN_GRACE_MS. A second signal exits at once.
 */
import { Effect } from "effect"
import { buildApp } from "./buildApp.js"
import * as ServerConfig from "./ServerConfig.js"
import * as ServerLayer from "./ServerLayer.js"

const fail = (message: string): never => {
  process.stderr.write(`server: ${message}\n`)
  process.exit(1)
}

/** What a failed start says: the variable for a configuration error, the failure's message otherwise. */
const startFailure = (error: unknown): string => {
  if (ServerConfig.isConfigError(error)) return `configuration error: ${ServerConfig.describeConfigError(error).message}`
  const failure = error as { _tag?: unknown; message?: unknown; reason?: { _tag?: unknown; message?: unknown } }
  const text = [failure._tag, failure.reason?._tag, failure.reason?.message ?? failure.message]
    .filter((part): part is string => typeof part === "string" && part !== "")
    .join(": ")
  return text === "" ? String(error) : text
}

const main = async () => {
  const loaded = await Effect.runPromise(Effect.result(ServerConfig.load(process.env)))
  if (loaded._tag === "Failure") return fail(`configuration error: ${loaded.failure.message}`)
  const config = loaded.success

  const runtime = ServerLayer.makeRuntime(config)
  const app = await buildApp({ runtime, config })
  for (const notice of config.notices) app.log.info(notice)
  app.log.info({ store: config.store._tag }, "opening the stores")
  try {
    await runtime.context()
    await app.listen({ port: config.port, host: config.host })
  } catch (error) {
    await app.close().catch(() => undefined)
    return fail(`could not start: ${startFailure(error)}`)
  }
  app.log.info({ url: config.publicUrl, store: config.store._tag, mqtt: config.mqttUrl !== undefined }, `server ready at ${config.publicUrl}`)

  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, "second signal: exiting now")
      process.exit(1)
    }
    stopping = true
    app.log.info({ signal, graceMs: config.shutdownGraceMs }, "shutting down")
    const force = setTimeout(() => {
      app.log.error({ graceMs: config.shutdownGraceMs }, "shutdown took longer than the grace period: exiting")
      process.exit(1)
    }, config.shutdownGraceMs)
    force.unref()
    app.close().then(
      () => {
        app.log.info("shut down")
        process.exit(0)
      },
      (error: unknown) => {
        app.log.error({ err: error }, "shutdown failed")
        process.exit(1)
      }
    )
  }
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)
}

void main()
