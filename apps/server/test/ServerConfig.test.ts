import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as ServerConfig from "../src/ServerConfig.js"

const accessSecret = "access-secret-for-the-config-tests-0123456789"
const refreshSecret = "refresh-secret-for-the-config-tests-0123456789"
const masterKey = Buffer.alloc(32, 7).toString("base64")

/** A complete postgres environment; tests break one variable at a time. */
const postgresEnv = {
  STORE: "postgres",
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
  REDIS_URL: "redis://127.0.0.1:6379",
  AUTH_ACCESS_TOKEN_SECRET: accessSecret,
  AUTH_REFRESH_TOKEN_SECRET: refreshSecret,
  SECRETS_MASTER_KEY: masterKey
}

let dataDir: string
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "server-config-test-"))
})
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

const load = (env: Record<string, string | undefined>) => Effect.runPromise(ServerConfig.load(env))

const failure = async (env: Record<string, string | undefined>) => {
  const result = await Effect.runPromise(Effect.result(ServerConfig.load(env)))
  if (result._tag === "Success") throw new Error("expected the configuration to be refused")
  return result.failure
}

describe("a bad setting is refused naming its variable", () => {
  const cases: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ["PORT", { ...postgresEnv, PORT: "http" }],
    ["PORT", { ...postgresEnv, PORT: "70000" }],
    ["STORE", { ...postgresEnv, STORE: "mongodb" }],
    ["LOG_LEVEL", { ...postgresEnv, LOG_LEVEL: "loud" }],
    ["BODY_LIMIT_BYTES", { ...postgresEnv, BODY_LIMIT_BYTES: "0" }],
    ["KEEP_ALIVE_TIMEOUT_MS", { ...postgresEnv, KEEP_ALIVE_TIMEOUT_MS: "soon" }],
    ["SHUTDOWN_GRACE_MS", { ...postgresEnv, SHUTDOWN_GRACE_MS: "-5" }],
    ["RATE_LIMIT_LOGIN", { ...postgresEnv, RATE_LIMIT_LOGIN: "20" }],
    ["RATE_LIMIT_INGEST", { ...postgresEnv, RATE_LIMIT_INGEST: "0/60" }],
    ["CORS_ORIGINS", { ...postgresEnv, CORS_ORIGINS: "https://ok.example, not-an-origin" }],
    ["CORS_ORIGINS", { ...postgresEnv, CORS_ORIGINS: "https://ok.example/path" }],
    ["TRUST_PROXY", { ...postgresEnv, TRUST_PROXY: "the load balancer" }],
    ["PUBLIC_URL", { ...postgresEnv, PUBLIC_URL: "ftp://files.example" }],
    ["DATABASE_URL", { ...postgresEnv, DATABASE_URL: undefined as unknown as string }],
    ["REDIS_URL", { ...postgresEnv, REDIS_URL: undefined as unknown as string }],
    ["DATABASE_POOL_MAX", { ...postgresEnv, DATABASE_POOL_MAX: "many" }],
    ["REDIS_COMMAND_TIMEOUT_MS", { ...postgresEnv, REDIS_COMMAND_TIMEOUT_MS: "1.5" }],
    ["AUTH_ACCESS_TOKEN_SECRET", { ...postgresEnv, AUTH_ACCESS_TOKEN_SECRET: undefined as unknown as string }],
    ["AUTH_REFRESH_TOKEN_SECRET", { ...postgresEnv, AUTH_REFRESH_TOKEN_SECRET: "too-short" }],
    ["AUTH_ACCESS_TOKEN_TTL_SECONDS", { ...postgresEnv, AUTH_ACCESS_TOKEN_TTL_SECONDS: "0" }],
    ["SECRETS_MASTER_KEY", { ...postgresEnv, SECRETS_MASTER_KEY: undefined as unknown as string }],
    ["SECRETS_MASTER_KEY", { ...postgresEnv, SECRETS_MASTER_KEY: Buffer.alloc(16, 1).toString("base64") }],
    ["AWS_REGION", { ...postgresEnv, STORE: "dynamodb" }],
    ["DYNAMODB_REQUEST_TIMEOUT_MS", { ...postgresEnv, STORE: "dynamodb", AWS_REGION: "eu-west-1", DYNAMODB_REQUEST_TIMEOUT_MS: "x" }],
    ["DYNAMODB_CREATE_TABLES", { ...postgresEnv, STORE: "dynamodb", AWS_REGION: "eu-west-1", DYNAMODB_CREATE_TABLES: "maybe" }],
    ["KMS_TIMEOUT_MS", { ...postgresEnv, STORE: "dynamodb", AWS_REGION: "eu-west-1", KMS_KEY_ID: "alias/app", KMS_TIMEOUT_MS: "x" }]
  ]
  it.each(cases)("%s", async (variable, env) => {
    const error = await failure(env)
    expect(error).toBeInstanceOf(ServerConfig.ServerConfigError)
    expect(error.variable).toBe(variable)
    expect(error.message).toContain(variable)
  })

  it("never echoes a secret's value", async () => {
    const short = "short-secret-value"
    const error = await failure({ ...postgresEnv, AUTH_REFRESH_TOKEN_SECRET: short })
    expect(error.variable).toBe("AUTH_REFRESH_TOKEN_SECRET")
    expect(error.message).not.toContain(short)
    const badKey = Buffer.alloc(16, 9).toString("base64")
    const keyError = await failure({ ...postgresEnv, SECRETS_MASTER_KEY: badKey })
    expect(keyError.message).not.toContain(badKey)
  })
})

describe("settings", () => {
  it("has defaults suited to a load balancer", async () => {
    const config = await load(postgresEnv)
    expect(config.port).toBe(3000)
    expect(config.host).toBe("0.0.0.0")
    expect(config.store).toEqual({ _tag: "postgres" })
    expect(config.publicUrl).toBe("http://localhost:3000")
    expect(config.keepAliveTimeoutMs).toBe(65_000)
    expect(config.shutdownGraceMs).toBe(10_000)
    expect(config.trustProxy).toBe(1)
    expect(config.corsOrigins).toEqual([])
    expect(config.mqttUrl).toBeUndefined()
    expect(config.logLevel).toBe("info")
    expect(config.apiSettings.maxBodyBytes).toBe(1024 * 1024)
    expect(config.webRoot).toBe(resolve(import.meta.dirname, "../../web/dist") + "/")
  })

  it("reads every shell setting", async () => {
    const config = await load({
      ...postgresEnv,
      PORT: "8080",
      HOST: "127.0.0.1",
      PUBLIC_URL: "https://app.example.com/",
      CORS_ORIGINS: "https://a.example, http://localhost:5173",
      TRUST_PROXY: "10.0.0.0/8,192.168.1.1",
      BODY_LIMIT_BYTES: "2048",
      RATE_LIMIT_LOGIN: "5/30",
      RATE_LIMIT_QR_INIT: " 7 / 1 ",
      KEEP_ALIVE_TIMEOUT_MS: "70000",
      SHUTDOWN_GRACE_MS: "3000",
      WEB_ROOT: "/srv/web",
      MQTT_URL: "mqtt://broker:1883",
      LOG_LEVEL: "warn"
    })
    expect(config.port).toBe(8080)
    expect(config.host).toBe("127.0.0.1")
    expect(config.publicUrl).toBe("https://app.example.com")
    expect(config.corsOrigins).toEqual(["https://a.example", "http://localhost:5173"])
    expect(config.trustProxy).toEqual(["10.0.0.0/8", "192.168.1.1"])
    expect(config.apiSettings.maxBodyBytes).toBe(2048)
    expect(config.apiSettings.rateLimits.login).toEqual({ limit: 5, windowMs: 30_000 })
    expect(config.apiSettings.rateLimits.qrInit).toEqual({ limit: 7, windowMs: 1_000 })
    expect(config.apiSettings.rateLimits.signup).toEqual({ limit: 10, windowMs: 60_000 })
    expect(config.keepAliveTimeoutMs).toBe(70_000)
    expect(config.shutdownGraceMs).toBe(3_000)
    expect(config.webRoot).toBe("/srv/web")
    expect(config.mqttUrl).toBe("mqtt://broker:1883")
    expect(config.logLevel).toBe("warn")
  })

  it.each([["true", true], ["false", false], ["2", 2]] as const)("TRUST_PROXY=%s", async (text, expected) => {
    expect((await load({ ...postgresEnv, TRUST_PROXY: text })).trustProxy).toBe(expected)
  })

  it("chooses DynamoDB with KMS or the local key, and Redis buses only with REDIS_URL", async () => {
    const base = { ...postgresEnv, STORE: "dynamodb", AWS_REGION: "eu-west-1", REDIS_URL: undefined }
    expect((await load(base)).store).toEqual({ _tag: "dynamodb", kms: false, redisBuses: false, createTables: false })
    const withKms = await load({ ...base, KMS_KEY_ID: "alias/app", SECRETS_MASTER_KEY: undefined, REDIS_URL: "redis://r:6379", DYNAMODB_CREATE_TABLES: "true" })
    expect(withKms.store).toEqual({ _tag: "dynamodb", kms: true, redisBuses: true, createTables: true })
  })
})

describe("the embedded store's secrets", () => {
  it("are generated once, kept in DATA_DIR/secrets.json (0600) and reused", async () => {
    const dir = join(dataDir, "fresh")
    const first = await load({ DATA_DIR: dir })
    expect(first.store).toEqual({ _tag: "embedded", dataDir: dir })
    const file = join(dir, "secrets.json")
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const saved = JSON.parse(await readFile(file, "utf8")) as Record<string, string>
    expect(Object.keys(saved).sort()).toEqual(["AUTH_ACCESS_TOKEN_SECRET", "AUTH_REFRESH_TOKEN_SECRET", "SECRETS_MASTER_KEY"])
    expect(Buffer.from(saved["SECRETS_MASTER_KEY"]!, "base64")).toHaveLength(32)
    for (const name of Object.keys(saved)) expect(first.environment[name]).toBe(saved[name])
    // Saying what happened, never the values.
    expect(first.notices.join("\n")).toContain("AUTH_ACCESS_TOKEN_SECRET")
    for (const value of Object.values(saved)) expect(first.notices.join("\n")).not.toContain(value)

    const second = await load({ DATA_DIR: dir })
    for (const name of Object.keys(saved)) expect(second.environment[name]).toBe(saved[name])
    expect(second.notices.join("\n")).not.toContain("generated")
  })

  it("are not generated for what the environment sets", async () => {
    const dir = join(dataDir, "partly-set")
    const config = await load({ DATA_DIR: dir, AUTH_ACCESS_TOKEN_SECRET: accessSecret })
    expect(config.environment["AUTH_ACCESS_TOKEN_SECRET"]).toBe(accessSecret)
    const saved = JSON.parse(await readFile(join(dir, "secrets.json"), "utf8")) as Record<string, string>
    expect(saved["AUTH_ACCESS_TOKEN_SECRET"]).toBeUndefined()
    expect(saved["AUTH_REFRESH_TOKEN_SECRET"]).toBe(config.environment["AUTH_REFRESH_TOKEN_SECRET"])
  })

  it("a damaged secrets file stops start-up instead of being overwritten", async () => {
    const dir = join(dataDir, "damaged")
    await load({ DATA_DIR: dir })
    await writeFile(join(dir, "secrets.json"), "{ not json")
    const error = await failure({ DATA_DIR: dir })
    expect(error.variable).toBe("DATA_DIR")
    expect(await readFile(join(dir, "secrets.json"), "utf8")).toBe("{ not json")
  })

  it("are required, not generated, for a shared store", async () => {
    const error = await failure({ ...postgresEnv, DATA_DIR: join(dataDir, "never"), AUTH_ACCESS_TOKEN_SECRET: undefined })
    expect(error.variable).toBe("AUTH_ACCESS_TOKEN_SECRET")
    await expect(stat(join(dataDir, "never"))).rejects.toThrow()
  })
})
