/**
 * The server's settings, read once from environment variables at start-up. Anything missing or
 * malformed stops the process with a message naming the variable, before a port is opened.
 *
 * The adapters read their own variables (DATABASE_*, REDIS_*, AWS_REGION, DYNAMODB_*, KMS_*,
 * AUTH_*, SECRETS_MASTER_KEY*) when the server's Layer is built, from `environment` below: the
 * process environment, plus — for the embedded store only — the secrets this module generated
 * on a first start and keeps in `${DATA_DIR}/secrets.json`, so `npm start` works on a fresh clone
 * and sessions survive a restart.
 */
import { randomBytes } from "node:crypto"
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { DynamoClient, KmsEnvelopeCipher } from "@app/adapters-aws"
import { PgPool, RedisClient } from "@app/adapters-postgres"
import {
  type ApiSettingsShape,
  type LogLevelName,
  readApiSettings,
  readCorsOrigins,
  readLogLevel,
  readPublicUrl,
  type SettingError
} from "@app/api"
import { AuthConfig } from "@app/domain"
import { LocalEnvelopeCipher } from "@app/domain/node"
import { Config, ConfigProvider, Data, Effect, Layer, Option, type Result, Schema } from "effect"

export type { LogLevelName }

/** Where state lives. */
export type StoreChoice =
  /** PGlite on disk under `${dataDir}/pglite`, realtime in process: one instance, nothing to install. */
  | { readonly _tag: "embedded"; readonly dataDir: string }
  /** PostgreSQL (DATABASE_*) and Redis (REDIS_*): any number of instances. */
  | { readonly _tag: "postgres" }
  /**
   * DynamoDB (AWS_REGION, DYNAMODB_*); KMS for secrets when KMS_KEY_ID is set, else the local
   * key; the realtime buses on Redis when REDIS_URL is set, else in process (one instance).
   */
  | {
    readonly _tag: "dynamodb"
    readonly kms: boolean
    readonly redisBuses: boolean
    /** DYNAMODB_CREATE_TABLES=true: create missing tables at start (DynamoDB Local, development). */
    readonly createTables: boolean
  }

export type TrustProxy = boolean | number | ReadonlyArray<string>

export interface ServerConfig {
  readonly port: number
  readonly host: string
  /** Where browsers reach this server (QR payloads point here); no trailing slash. */
  readonly publicUrl: string
  readonly store: StoreChoice
  /** Origins allowed to call the API from another origin; empty = same origin only. */
  readonly corsOrigins: ReadonlyArray<string>
  /** Fastify's trustProxy: a hop count, true/false, or addresses/CIDRs of the proxies. */
  readonly trustProxy: TrustProxy
  /** The contract's settings: body limit and rate-limit policies. */
  readonly apiSettings: ApiSettingsShape
  readonly keepAliveTimeoutMs: number
  readonly shutdownGraceMs: number
  /** Directory of the built web app. */
  readonly webRoot: string
  /** MQTT ingest runs only when set. */
  readonly mqttUrl: string | undefined
  /** The ingest's subscription (MQTT_TOPIC); MqttIngest's shared subscription when unset. */
  readonly mqttTopic: string | undefined
  readonly logLevel: LogLevelName
  /** What the adapters read their settings from (see the module comment). */
  readonly environment: Readonly<Record<string, string>>
  /** Things worth logging once the logger exists (never a secret's value). */
  readonly notices: ReadonlyArray<string>
}

/** A setting that cannot be used; `variable` names it. The message never contains its value. */
export class ServerConfigError extends Data.TaggedError("ServerConfigError")<{
  readonly variable: string
  readonly message: string
}> {}

/** The message of a ConfigError as "<VARIABLE>: <problem>" (Effect puts the variable in the issue path). */
export const describeConfigError = (error: Config.ConfigError): ServerConfigError => {
  const cause = error.cause
  if (cause._tag === "SchemaError" && cause.issue._tag === "Pointer" && cause.issue.path.length > 0) {
    const variable = cause.issue.path.map(String).join("_")
    const inner = cause.issue.issue
    const missing = inner._tag === "MissingKey" || (inner._tag === "InvalidType" && inner.input === undefined)
    const problem = missing ? "is required but not set" : (cause.message.split("\n")[0] ?? "is not valid").trim()
    return new ServerConfigError({ variable, message: `${variable}: ${problem}` })
  }
  const text = cause.message
  const variable = /\b([A-Z][A-Z0-9]*_[A-Z0-9_]+|PORT|HOST|STORE)\b/.exec(text)?.[1] ?? "unknown"
  return new ServerConfigError({ variable, message: text.startsWith(variable) ? text : `${variable}: ${text}` })
}

/** The message when the layer of a deployment fails to build because of its configuration. */
export const isConfigError = (u: unknown): u is Config.ConfigError =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "ConfigError"

const invalid = (variable: string, problem: string) =>
  Effect.fail(new ServerConfigError({ variable, message: `${variable}: ${problem}` }))

const withDefault = <A>(config: Config.Config<A>, value: A) => Config.withDefault(config, value)

const positiveInt = (name: string, fallback: number) =>
  withDefault(Config.Int(name), fallback).pipe(
    Config.mapEffect((n) =>
      n > 0 ? Effect.succeed(n) : Effect.fail(new Config.ConfigError(new ConfigProvider.SourceError({ message: `${name}: must be a positive integer` })))
    )
  )

const optionalString = (name: string) =>
  Config.option(Config.String(name)).pipe(
    Config.map((value) => Option.getOrUndefined(Option.filter(value, (s) => s.trim() !== "")))
  )

const parseTrustProxy = (text: string | undefined): Effect.Effect<TrustProxy, ServerConfigError> => {
  // One hop by default: the load balancer in front. Its address is the one X-Forwarded-For entry
  // that can be believed; anything a client put further left cannot.
  if (text === undefined) return Effect.succeed(1)
  const value = text.trim().toLowerCase()
  if (value === "true") return Effect.succeed(true)
  if (value === "false") return Effect.succeed(false)
  if (/^\d+$/.test(value)) return Effect.succeed(Number(value))
  const entries = text.split(",").map((s) => s.trim()).filter((s) => s !== "")
  return entries.length > 0 && entries.every((s) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(s))
    ? Effect.succeed(entries)
    : invalid("TRUST_PROXY", "must be true, false, a hop count, or a comma list of proxy addresses/CIDRs")
}

/**
 * LOG_LEVEL, CORS_ORIGINS, PUBLIC_URL, BODY_LIMIT_BYTES and RATE_LIMIT_* are read as every shell
 * of the contract reads them (packages/api: ShellSettings, ApiSettings); their refusal becomes
 * this module's error.
 */
const shared = <A>(result: Result.Result<A, SettingError>): Effect.Effect<A, ServerConfigError> =>
  Effect.fromResult(result).pipe(Effect.mapError((error) => new ServerConfigError({ variable: error.variable, message: error.message })))

/** apps/web/dist, from this module's place (src/ or dist/ of apps/server). */
export const defaultWebRoot = (): string => fileURLToPath(new URL("../../web/dist/", import.meta.url))

// ---------------------------------------------------------------------------------------------
// The embedded store's generated secrets

const SECRET_VARIABLES = ["AUTH_ACCESS_TOKEN_SECRET", "AUTH_REFRESH_TOKEN_SECRET", "SECRETS_MASTER_KEY"] as const
type SecretVariable = (typeof SECRET_VARIABLES)[number]

const SecretsFile = Schema.Struct({
  AUTH_ACCESS_TOKEN_SECRET: Schema.optionalKey(Schema.String),
  AUTH_REFRESH_TOKEN_SECRET: Schema.optionalKey(Schema.String),
  SECRETS_MASTER_KEY: Schema.optionalKey(Schema.String)
})

const generate = (variable: SecretVariable): string =>
  variable === "SECRETS_MASTER_KEY" ? randomBytes(32).toString("base64") : randomBytes(48).toString("base64url")

/**
 * Fills the secrets the environment does not set from `${dataDir}/secrets.json`, generating (and
 * saving, mode 0600) those the file does not hold either.
 */
const embeddedSecrets = (dataDir: string, env: Readonly<Record<string, string>>) =>
  Effect.gen(function*() {
    const missing = SECRET_VARIABLES.filter((name) => env[name] === undefined)
    if (missing.length === 0) return { values: {}, notices: [] }
    const path = join(dataDir, "secrets.json")
    const text = yield* Effect.tryPromise({ try: () => readFile(path, "utf8"), catch: (error) => error }).pipe(
      Effect.catch((error) =>
        (error as { code?: unknown }).code === "ENOENT"
          ? Effect.succeed(undefined)
          : invalid("DATA_DIR", `cannot read ${path}`)
      )
    )
    const stored = text === undefined
      ? {}
      : yield* Schema.decodeUnknownEffect(Schema.fromJsonString(SecretsFile))(text).pipe(
        Effect.catch(() => invalid("DATA_DIR", `${path} is not a valid secrets file; fix or delete it`))
      )
    const values: Record<string, string> = {}
    const generated: Array<SecretVariable> = []
    for (const name of missing) {
      const existing = stored[name]
      if (existing !== undefined) {
        values[name] = existing
      } else {
        values[name] = generate(name)
        generated.push(name)
      }
    }
    const notices: Array<string> = []
    if (generated.length > 0) {
      const contents = JSON.stringify({ ...stored, ...values }, null, 2) + "\n"
      const temporary = `${path}.${process.pid}.tmp`
      yield* Effect.tryPromise({
        try: async () => {
          await mkdir(dataDir, { recursive: true })
          await writeFile(temporary, contents, { mode: 0o600 })
          await chmod(temporary, 0o600)
          await rename(temporary, path)
        },
        catch: (error) => error
      }).pipe(Effect.catch(() => invalid("DATA_DIR", `cannot write ${path}`)))
      notices.push(`generated ${generated.join(", ")} for the embedded store and saved them in ${path} (mode 0600)`)
    }
    const reused = missing.filter((name) => !generated.includes(name))
    if (reused.length > 0) notices.push(`using ${reused.join(", ")} from ${path}`)
    return { values, notices }
  })

// ---------------------------------------------------------------------------------------------
// The adapters' own settings, checked now so a bad one stops start-up naming its variable

/** AuthConfig's field names → the variables they come from. */
const authVariables: Record<string, string> = {
  accessTokenSecret: "AUTH_ACCESS_TOKEN_SECRET",
  refreshTokenSecret: "AUTH_REFRESH_TOKEN_SECRET",
  issuer: "AUTH_ISSUER",
  audience: "AUTH_AUDIENCE",
  accessTokenTtlSeconds: "AUTH_ACCESS_TOKEN_TTL_SECONDS",
  refreshTokenTtlMillis: "AUTH_REFRESH_TOKEN_TTL_SECONDS",
  refreshGraceMillis: "AUTH_REFRESH_GRACE_SECONDS"
}

const checkAuthSettings = Effect.scoped(Layer.build(AuthConfig.layerConfig)).pipe(
  Effect.asVoid,
  Effect.mapError((error) => {
    if (isConfigError(error)) return describeConfigError(error)
    const first = error.errors[0]
    const variable = (first === undefined ? undefined : authVariables[first.path]) ?? "AUTH_ACCESS_TOKEN_SECRET"
    return new ServerConfigError({ variable, message: `${variable}: ${first?.message ?? "is not valid"}` })
  })
)

const parsed = <A>(config: Config.Config<A>) => Effect.asVoid(config).pipe(Effect.mapError(describeConfigError))

const checkAdapterSettings = (store: StoreChoice, environment: Readonly<Record<string, string>>) => {
  const checks: Array<Effect.Effect<void, ServerConfigError>> = [checkAuthSettings]
  if (store._tag !== "dynamodb" || !store.kms) {
    checks.push(parsed(LocalEnvelopeCipher.masterKeyConfig), parsed(LocalEnvelopeCipher.keyIdConfig))
  }
  if (store._tag === "postgres") checks.push(parsed(PgPool.config), parsed(RedisClient.config))
  if (store._tag === "dynamodb") {
    checks.push(Effect.scoped(Layer.build(DynamoClient.layerConfig)).pipe(Effect.asVoid, Effect.mapError(describeConfigError)))
    if (store.kms) checks.push(parsed(KmsEnvelopeCipher.config))
    if (store.redisBuses) checks.push(parsed(RedisClient.config))
  }
  return Effect.all(checks, { discard: true }).pipe(
    Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env: environment }))
  )
}

// ---------------------------------------------------------------------------------------------

const shellSettings = Config.all({
  port: withDefault(Config.Port("PORT"), 3000),
  host: withDefault(Config.String("HOST"), "0.0.0.0"),
  store: withDefault(Config.Literals(["embedded", "postgres", "dynamodb"], "STORE"), "embedded"),
  dataDir: withDefault(Config.String("DATA_DIR"), "./.data"),
  trustProxy: optionalString("TRUST_PROXY"),
  keepAliveTimeoutMs: positiveInt("KEEP_ALIVE_TIMEOUT_MS", 65_000),
  shutdownGraceMs: positiveInt("SHUTDOWN_GRACE_MS", 10_000),
  webRoot: optionalString("WEB_ROOT"),
  mqttUrl: optionalString("MQTT_URL"),
  mqttTopic: optionalString("MQTT_TOPIC"),
  kmsKeyId: optionalString("KMS_KEY_ID"),
  redisUrl: optionalString("REDIS_URL"),
  createTables: withDefault(Config.Boolean("DYNAMODB_CREATE_TABLES"), false)
})

/** Required outside the embedded store (which generates them). */
const requiredSecrets = (store: StoreChoice["_tag"], kms: boolean): ReadonlyArray<SecretVariable> =>
  store === "embedded"
    ? []
    : store === "dynamodb" && kms
    ? ["AUTH_ACCESS_TOKEN_SECRET", "AUTH_REFRESH_TOKEN_SECRET"]
    : SECRET_VARIABLES

/** Reads the settings from `env` (the process environment by default). */
export const load = (
  env: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<ServerConfig, ServerConfigError> =>
  Effect.gen(function*() {
    const environment: Record<string, string> = {}
    for (const [name, value] of Object.entries(env)) if (value !== undefined) environment[name] = value
    const settings = yield* shellSettings.parse(ConfigProvider.fromEnv({ env: environment })).pipe(
      Effect.mapError(describeConfigError)
    )

    const logLevel = yield* shared(readLogLevel(environment))
    const apiSettings = yield* shared(readApiSettings(environment))
    const corsOrigins = yield* shared(readCorsOrigins(environment))
    const trustProxy = yield* parseTrustProxy(settings.trustProxy)
    const publicUrl = yield* shared(readPublicUrl(environment, `http://localhost:${settings.port}`))

    const dataDir = resolve(settings.dataDir)
    const store: StoreChoice = settings.store === "embedded"
      ? { _tag: "embedded", dataDir }
      : settings.store === "postgres"
      ? { _tag: "postgres" }
      : { _tag: "dynamodb", kms: settings.kmsKeyId !== undefined, redisBuses: settings.redisUrl !== undefined, createTables: settings.createTables }

    for (const name of requiredSecrets(store._tag, settings.kmsKeyId !== undefined)) {
      if (environment[name] === undefined || environment[name] === "") {
        return yield* invalid(name, `is required but not set (STORE=${store._tag})`)
      }
    }
    if (store._tag === "dynamodb" && environment["AWS_REGION"] === undefined) {
      return yield* invalid("AWS_REGION", "is required but not set (STORE=dynamodb)")
    }
    if (store._tag === "postgres" && environment["DATABASE_URL"] === undefined) {
      return yield* invalid("DATABASE_URL", "is required but not set (STORE=postgres)")
    }
    if (store._tag === "postgres" && environment["REDIS_URL"] === undefined) {
      return yield* invalid("REDIS_URL", "is required but not set (STORE=postgres)")
    }

    const secrets = store._tag === "embedded"
      ? yield* embeddedSecrets(dataDir, environment)
      : { values: {}, notices: [] }
    const effective = { ...environment, ...secrets.values }
    yield* checkAdapterSettings(store, effective)

    return {
      port: settings.port,
      host: settings.host,
      publicUrl,
      store,
      corsOrigins,
      trustProxy,
      apiSettings,
      keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
      shutdownGraceMs: settings.shutdownGraceMs,
      webRoot: settings.webRoot === undefined ? defaultWebRoot() : resolve(settings.webRoot),
      mqttUrl: settings.mqttUrl,
      mqttTopic: settings.mqttTopic,
      logLevel,
      environment: effective,
      notices: secrets.notices
    } satisfies ServerConfig
  })
