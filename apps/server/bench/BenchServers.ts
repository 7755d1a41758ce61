/**
 * Server instances for the benchmarks, built exactly as main.ts builds one — configuration from
 * an environment (here a map this module writes, not the process's), the one runtime, buildApp,
 * listening on 127.0.0.1 at a free port — on STORE=postgres in a fresh schema of the real
 * Postgres server and a Redis key prefix of their own. Several instances built from one
 * `BenchDeployment` share that schema, prefix and secrets but nothing in process: each has its
 * own runtime, so its own pg pool and Redis connections, like separate processes behind a load
 * balancer. Log lines (both Fastify's and Effect's) go to /dev/null with one write per line, as
 * a server's lines go to a pipe, at LOG_LEVEL (info by default, like production).
 */
import { randomBytes } from "node:crypto"
import { closeSync, openSync, writeSync } from "node:fs"
import { Effect } from "effect"
import type { FastifyInstance } from "fastify"
import pg from "pg"
import { buildApp } from "../src/buildApp.js"
import * as ServerConfig from "../src/ServerConfig.js"
import * as ServerLayer from "../src/ServerLayer.js"

export interface BenchDeployment {
  readonly databaseUrl: string
  readonly schema: string
  readonly environment: Readonly<Record<string, string>>
  readonly accessTokenSecret: string
  readonly issuer: string
  readonly audience: string
  readonly accessTokenTtlSeconds: number
  readonly poolMax: number
  /** Drops the schema (close every instance first). */
  readonly drop: () => Promise<void>
}

export interface BenchInstance {
  readonly name: string
  readonly app: FastifyInstance
  readonly runtime: ServerLayer.ServerRuntime
  readonly httpUrl: string
  readonly wsUrl: string
  readonly close: () => Promise<void>
}

const quoteIdent = (name: string) => `"${name.replaceAll("\"", "\"\"")}"`

const admin = async (databaseUrl: string, statement: string) => {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "bench-admin" })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** Limits far above anything a benchmark sends, so no request of it is ever refused with 429. */
const GENEROUS_RATE_LIMIT = "1000000/60"

export const deployment = async (options: {
  readonly databaseUrl: string
  readonly redisUrl: string
  readonly poolMax: number
  readonly logLevel: string
}): Promise<BenchDeployment> => {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`
  const schema = `bench_server_${run}`
  await admin(options.databaseUrl, `CREATE SCHEMA ${quoteIdent(schema)}`)
  const accessTokenSecret = randomBytes(32).toString("hex")
  const issuer = "bench-issuer"
  const audience = "bench-audience"
  const accessTokenTtlSeconds = 3600
  return {
    databaseUrl: options.databaseUrl,
    schema,
    accessTokenSecret,
    issuer,
    audience,
    accessTokenTtlSeconds,
    poolMax: options.poolMax,
    environment: {
      STORE: "postgres",
      HOST: "127.0.0.1",
      DATABASE_URL: options.databaseUrl,
      DATABASE_SCHEMA: schema,
      DATABASE_POOL_MAX: String(options.poolMax),
      REDIS_URL: options.redisUrl,
      REDIS_KEY_PREFIX: `bench:server:${run}:`,
      AUTH_ACCESS_TOKEN_SECRET: accessTokenSecret,
      AUTH_REFRESH_TOKEN_SECRET: randomBytes(32).toString("hex"),
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: audience,
      AUTH_ACCESS_TOKEN_TTL_SECONDS: String(accessTokenTtlSeconds),
      SECRETS_MASTER_KEY: randomBytes(32).toString("base64"),
      LOG_LEVEL: options.logLevel,
      RATE_LIMIT_LOGIN: GENEROUS_RATE_LIMIT,
      RATE_LIMIT_SIGNUP: GENEROUS_RATE_LIMIT,
      RATE_LIMIT_QR_INIT: GENEROUS_RATE_LIMIT,
      RATE_LIMIT_INGEST: GENEROUS_RATE_LIMIT
    },
    drop: () => admin(options.databaseUrl, `DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`)
  }
}

/** One instance of the server in this process: its own runtime (pools, Redis), listening on a free port. */
export const startInstance = async (
  deployment: BenchDeployment,
  name: string,
  overrides: Readonly<Record<string, string>> = {}
): Promise<BenchInstance> => {
  const config = await Effect.runPromise(ServerConfig.load({ ...deployment.environment, ...overrides }))
  const devNull = openSync("/dev/null", "w")
  const sink = { write: (line: string) => writeSync(devNull, line) }
  const runtime = ServerLayer.makeRuntime(config, { logSink: sink })
  let app: FastifyInstance | undefined
  try {
    await runtime.context()
    app = await buildApp({ runtime, config, logStream: sink })
    await app.listen({ host: "127.0.0.1", port: 0 })
  } catch (error) {
    if (app !== undefined) await app.close().catch(() => undefined)
    else await runtime.dispose().catch(() => undefined)
    closeSync(devNull)
    throw error
  }
  const address = app.server.address()
  if (address === null || typeof address === "string") throw new Error(`instance ${name} has no TCP address`)
  const listening = app
  return {
    name,
    app: listening,
    runtime,
    httpUrl: `http://127.0.0.1:${address.port}`,
    wsUrl: `ws://127.0.0.1:${address.port}`,
    close: async () => {
      await listening.close()
      closeSync(devNull)
    }
  }
}
