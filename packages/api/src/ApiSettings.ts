/**
 * The contract's tunables, one per deployment: the largest body accepted and the rate-limit
 * policies of login, signup, QR init and ingest. Defaults suit production; tests and shells
 * override them (Layer.succeed(ApiSettings, …)), every shell from the same variables read the
 * same way (readApiSettings): BODY_LIMIT_BYTES, and RATE_LIMIT_LOGIN, RATE_LIMIT_SIGNUP,
 * RATE_LIMIT_QR_INIT, RATE_LIMIT_INGEST as "<requests>/<seconds>", e.g. "20/60".
 */
import type { RateLimitPolicy } from "@app/domain"
import { Context, Result } from "effect"
import type { RateLimitName, RateLimitPolicies } from "./Endpoint.js"
import { type Environment, invalidSetting, readPositiveInt, type SettingError, settingOf } from "./ShellSettings.js"

// The shells read their other shared settings (LOG_LEVEL, CORS_ORIGINS, PUBLIC_URL) with the same
// rules; the package exports them from here.
export * from "./ShellSettings.js"

export interface ApiSettingsShape {
  /** Bodies above this many bytes get 413 (1000 readings fit comfortably in the default). */
  readonly maxBodyBytes: number
  readonly rateLimits: RateLimitPolicies
}

const MINUTE = 60_000

export const defaultApiSettings: ApiSettingsShape = {
  maxBodyBytes: 1024 * 1024,
  rateLimits: {
    login: { limit: 20, windowMs: MINUTE },
    signup: { limit: 10, windowMs: MINUTE },
    qrInit: { limit: 30, windowMs: MINUTE },
    ingest: { limit: 600, windowMs: MINUTE }
  }
}

export const ApiSettings = Context.Reference<ApiSettingsShape>("@app/api/ApiSettings", {
  defaultValue: () => defaultApiSettings
})

/** The variable that sets each rate-limit policy. */
export const rateLimitVariables: Readonly<Record<RateLimitName, string>> = {
  login: "RATE_LIMIT_LOGIN",
  signup: "RATE_LIMIT_SIGNUP",
  qrInit: "RATE_LIMIT_QR_INIT",
  ingest: "RATE_LIMIT_INGEST"
}

/** What an environment sets of the contract's settings, and nothing else. */
export interface ApiSettingsOverrides {
  readonly maxBodyBytes?: number
  readonly rateLimits: Partial<Record<RateLimitName, RateLimitPolicy>>
}

/** "20/60" → 20 requests per 60 s; spaces around the numbers are fine. */
export const parseRatePolicy = (variable: string, text: string): Result.Result<RateLimitPolicy, SettingError> => {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  const limit = match === null ? NaN : Number(match[1])
  const seconds = match === null ? NaN : Number(match[2])
  if (!Number.isSafeInteger(limit) || limit < 1 || !Number.isSafeInteger(seconds) || seconds < 1) {
    return invalidSetting(variable, `must be "<requests>/<seconds>" with positive integers, e.g. "20/60"`)
  }
  return Result.succeed({ limit, windowMs: seconds * 1000 })
}

/** What `environment` sets of the contract's settings (BODY_LIMIT_BYTES, RATE_LIMIT_*), without the defaults. */
export const readApiSettingsOverrides = (environment: Environment): Result.Result<ApiSettingsOverrides, SettingError> =>
  Result.gen(function*() {
    const rateLimits: Partial<Record<RateLimitName, RateLimitPolicy>> = {}
    for (const policy of Object.keys(rateLimitVariables) as Array<RateLimitName>) {
      const text = settingOf(environment, rateLimitVariables[policy])
      if (text !== undefined) rateLimits[policy] = yield* parseRatePolicy(rateLimitVariables[policy], text)
    }
    const maxBodyBytes = yield* readPositiveInt(environment, "BODY_LIMIT_BYTES")
    return maxBodyBytes === undefined ? { rateLimits } : { maxBodyBytes, rateLimits }
  })

/** The contract's defaults, with `overrides` over them. */
export const withDefaultApiSettings = (overrides: ApiSettingsOverrides): ApiSettingsShape => ({
  maxBodyBytes: overrides.maxBodyBytes ?? defaultApiSettings.maxBodyBytes,
  rateLimits: { ...defaultApiSettings.rateLimits, ...overrides.rateLimits }
})

/** The contract's settings for `environment`: its defaults, with what the environment sets. */
export const readApiSettings = (environment: Environment): Result.Result<ApiSettingsShape, SettingError> =>
  Result.map(readApiSettingsOverrides(environment), withDefaultApiSettings)
