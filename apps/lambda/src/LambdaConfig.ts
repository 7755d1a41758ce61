/**
 * The settings of a Lambda function, read once per container from its environment (the SAM
 * template sets them). A malformed one fails the container's first invocation with a message
 * naming the variable, never its value; those the adapters read fail when the runtime is built,
 * the same way (a missing secret included).
 *
 * Read here:
 *   AUTH_MODE             "jwt" (default): the contract's bearer tokens; "cognito": the caller comes
 *                         from the API Gateway Cognito authorizer's claims (first sight creates the user)
 *   KMS_KEY_ID            set: platform credentials are sealed with KMS (KMS_REGION, KMS_TIMEOUT_MS
 *                         are read by the KMS cipher); unset: the local envelope cipher
 *                         (SECRETS_MASTER_KEY, 32 bytes base64, required then; SECRETS_MASTER_KEY_ID)
 *   PUBLIC_URL            the web app's origin, where QR payloads point (default http://localhost:3000)
 *   CORS_ORIGINS          comma list of origins allowed to call from a browser (default none)
 *   LOG_LEVEL             fatal | error | warn | info (default) | debug | trace | silent
 *   BODY_LIMIT_BYTES      larger bodies get 413 (default 1048576)
 *   RATE_LIMIT_LOGIN, RATE_LIMIT_SIGNUP, RATE_LIMIT_QR_INIT, RATE_LIMIT_INGEST
 *                         "<requests>/<seconds>", e.g. "20/60" (defaults: the contract's)
 * Read by the adapters when the runtime is built (from `environment` below):
 *   AWS_REGION (Lambda sets it), DYNAMODB_TABLE_PREFIX (default "sivera-"), DYNAMODB_ENDPOINT,
 *   DYNAMODB_REQUEST_TIMEOUT_MS, DYNAMODB_CONNECT_TIMEOUT_MS, DYNAMODB_MAX_ATTEMPTS,
 *   DYNAMODB_MAX_CONFLICT_RETRIES (DynamoClient.layerConfig);
 *   AUTH_ACCESS_TOKEN_SECRET, AUTH_REFRESH_TOKEN_SECRET (both required, in both AUTH_MODEs: login,
 *   refresh and QR exchange still issue the contract's tokens), AUTH_ISSUER, AUTH_AUDIENCE,
 *   AUTH_ACCESS_TOKEN_TTL_SECONDS, AUTH_REFRESH_TOKEN_TTL_SECONDS, AUTH_REFRESH_GRACE_SECONDS
 *   (AuthConfig.layerConfig); KMS_* or SECRETS_MASTER_KEY* as above.
 * The cleanup function builds only the DynamoDB client: it needs AWS_REGION, DYNAMODB_* and
 * LOG_LEVEL, no secret.
 *
 * The rate-limit and origin rules are the server's (apps/server ServerConfig); a shell cannot
 * import another shell, so the small parsers are repeated here. Only types come from the contract
 * here, so a function that does not serve it (cleanup) does not bundle it; the contract's
 * defaults are filled in by LambdaLayer.
 */
import type { RateLimitName } from "@app/api"
import type { RateLimitPolicy } from "@app/domain"
import { Data, Result } from "effect"

export type LogLevelName = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent"

export type AuthMode = "jwt" | "cognito"

export interface LambdaConfig {
  readonly authMode: AuthMode
  /** KMS when KMS_KEY_ID is set, else the local envelope cipher. */
  readonly cipher: "kms" | "local"
  /** Where browsers reach the web app (QR payloads point here); no trailing slash. */
  readonly publicUrl: string
  /** Origins allowed to call from a browser; empty = none. */
  readonly corsOrigins: ReadonlyArray<string>
  readonly logLevel: LogLevelName
  /** What the environment sets of the contract's settings; the contract's defaults fill the rest. */
  readonly apiOverrides: {
    readonly maxBodyBytes?: number
    readonly rateLimits: Partial<Record<RateLimitName, RateLimitPolicy>>
  }
  /** What the adapters read their own settings from. */
  readonly environment: Readonly<Record<string, string>>
}

/** A setting that cannot be used; `variable` names it. The message never contains its value. */
export class LambdaConfigError extends Data.TaggedError("LambdaConfigError")<{
  readonly variable: string
  readonly message: string
}> {}

const LOG_LEVELS: ReadonlyArray<LogLevelName> = ["fatal", "error", "warn", "info", "debug", "trace", "silent"]

const rateLimitVariables: Readonly<Record<RateLimitName, string>> = {
  login: "RATE_LIMIT_LOGIN",
  signup: "RATE_LIMIT_SIGNUP",
  qrInit: "RATE_LIMIT_QR_INIT",
  ingest: "RATE_LIMIT_INGEST"
}

const invalid = (variable: string, problem: string) =>
  Result.fail(new LambdaConfigError({ variable, message: `${variable}: ${problem}` }))

/** "20/60" → 20 requests per 60 s. */
const parseRatePolicy = (variable: string, text: string): Result.Result<RateLimitPolicy, LambdaConfigError> => {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  const limit = match === null ? NaN : Number(match[1])
  const seconds = match === null ? NaN : Number(match[2])
  if (!Number.isSafeInteger(limit) || limit < 1 || !Number.isSafeInteger(seconds) || seconds < 1) {
    return invalid(variable, `must be "<requests>/<seconds>" with positive integers, e.g. "20/60"`)
  }
  return Result.succeed({ limit, windowMs: seconds * 1000 })
}

const parseOrigins = (text: string | undefined): Result.Result<ReadonlyArray<string>, LambdaConfigError> => {
  if (text === undefined) return Result.succeed([])
  const origins: Array<string> = []
  for (const entry of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    let origin: string | undefined
    try {
      const url = new URL(entry)
      origin = (url.protocol === "http:" || url.protocol === "https:") && url.origin === entry.replace(/\/$/, "") ? url.origin : undefined
    } catch {
      origin = undefined
    }
    // The entry is an origin the operator wrote, not a secret: quoting it helps find the typo.
    if (origin === undefined) return invalid("CORS_ORIGINS", `"${entry}" is not an origin like https://app.example.com`)
    origins.push(origin)
  }
  return Result.succeed(origins)
}

const parsePublicUrl = (text: string | undefined): Result.Result<string, LambdaConfigError> => {
  if (text === undefined) return Result.succeed("http://localhost:3000")
  try {
    const url = new URL(text)
    if (url.protocol === "http:" || url.protocol === "https:") return Result.succeed(url.toString().replace(/\/+$/, ""))
  } catch {
    // reported below
  }
  return invalid("PUBLIC_URL", "must be an http(s) URL, e.g. https://app.example.com")
}

const parsePositiveInt = (variable: string, text: string): Result.Result<number, LambdaConfigError> => {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN
  return Number.isSafeInteger(value) && value > 0 ? Result.succeed(value) : invalid(variable, "must be a positive integer")
}

/** Reads the settings from `env` (the process environment by default). Blank values count as unset. */
export const load = (
  env: Readonly<Record<string, string | undefined>> = process.env
): Result.Result<LambdaConfig, LambdaConfigError> =>
  Result.gen(function*() {
    const environment: Record<string, string> = {}
    for (const [name, value] of Object.entries(env)) if (value !== undefined) environment[name] = value
    const setting = (name: string): string | undefined => {
      const value = environment[name]
      return value === undefined || value.trim() === "" ? undefined : value.trim()
    }

    const authModeText = setting("AUTH_MODE") ?? "jwt"
    if (authModeText !== "jwt" && authModeText !== "cognito") return yield* invalid("AUTH_MODE", `must be "jwt" or "cognito"`)
    const logLevelText = setting("LOG_LEVEL") ?? "info"
    const logLevel = LOG_LEVELS.find((level) => level === logLevelText)
    if (logLevel === undefined) return yield* invalid("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}`)

    // The secrets are checked by the layers that use them (AuthConfig, the cipher) when the
    // runtime is built, so a function that needs none (cleanup) does not require them.
    const cipher = setting("KMS_KEY_ID") === undefined ? "local" : "kms"

    const rateLimits: Partial<Record<RateLimitName, RateLimitPolicy>> = {}
    for (const policy of Object.keys(rateLimitVariables) as Array<RateLimitName>) {
      const text = setting(rateLimitVariables[policy])
      if (text !== undefined) rateLimits[policy] = yield* parseRatePolicy(rateLimitVariables[policy], text)
    }

    const bodyLimit = setting("BODY_LIMIT_BYTES")
    return {
      authMode: authModeText,
      cipher,
      publicUrl: yield* parsePublicUrl(setting("PUBLIC_URL")),
      corsOrigins: yield* parseOrigins(setting("CORS_ORIGINS")),
      logLevel,
      apiOverrides: {
        ...(bodyLimit === undefined ? {} : { maxBodyBytes: yield* parsePositiveInt("BODY_LIMIT_BYTES", bodyLimit) }),
        rateLimits
      },
      environment
    } satisfies LambdaConfig
  })
