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
 * A function reads only what its own wiring builds (FunctionWiring): the AUTH_* secrets where
 * Auth runs (every function but health, sensorIngest and cleanup), KMS_* / SECRETS_MASTER_KEY*
 * in platforms alone. The cleanup function builds only the DynamoDB client: it needs AWS_REGION,
 * DYNAMODB_* and LOG_LEVEL, no secret.
 *
 * LOG_LEVEL, CORS_ORIGINS, PUBLIC_URL, BODY_LIMIT_BYTES and RATE_LIMIT_* are read by the
 * contract's readers (ShellSettings, ApiSettings), as the server reads them. Only what the
 * environment sets of the contract's settings is kept here; the contract's defaults are filled in
 * by LambdaLayer.
 */
import { type ApiSettingsOverrides, type Environment, type LogLevelName, readApiSettingsOverrides, readCorsOrigins, readLogLevel, readPublicUrl, type SettingError, settingOf } from "@app/api"
import { Data, Result } from "effect"

export type { LogLevelName }

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
  readonly apiOverrides: ApiSettingsOverrides
  /** What the adapters read their own settings from. */
  readonly environment: Readonly<Record<string, string>>
}

/** A setting that cannot be used; `variable` names it. The message never contains its value. */
export class LambdaConfigError extends Data.TaggedError("LambdaConfigError")<{
  readonly variable: string
  readonly message: string
}> {}

/** The shared readers' refusal, as this shell's error. */
const asConfigError = <A>(result: Result.Result<A, SettingError>): Result.Result<A, LambdaConfigError> =>
  Result.mapError(result, (error) => new LambdaConfigError({ variable: error.variable, message: error.message }))

/** Reads the settings from `env` (the process environment by default). Blank values count as unset. */
export const load = (env: Environment = process.env): Result.Result<LambdaConfig, LambdaConfigError> =>
  Result.gen(function*() {
    const environment: Record<string, string> = {}
    for (const [name, value] of Object.entries(env)) if (value !== undefined) environment[name] = value

    const authMode = settingOf(environment, "AUTH_MODE") ?? "jwt"
    if (authMode !== "jwt" && authMode !== "cognito") {
      return yield* Result.fail(new LambdaConfigError({ variable: "AUTH_MODE", message: `AUTH_MODE: must be "jwt" or "cognito"` }))
    }
    const logLevel = yield* asConfigError(readLogLevel(environment))

    // The secrets are checked by the layers that use them (AuthConfig, the cipher) when the
    // runtime is built, so a function that needs none (cleanup) does not require them.
    const cipher = settingOf(environment, "KMS_KEY_ID") === undefined ? "local" : "kms"

    return {
      authMode,
      cipher,
      publicUrl: yield* asConfigError(readPublicUrl(environment, "http://localhost:3000")),
      corsOrigins: yield* asConfigError(readCorsOrigins(environment)),
      logLevel,
      apiOverrides: yield* asConfigError(readApiSettingsOverrides(environment)),
      environment
    } satisfies LambdaConfig
  })
