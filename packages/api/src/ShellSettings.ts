/**
 * The settings every shell of the contract (the server, the Lambda functions) reads from its
 * environment, read one way so a value means the same wherever it is deployed: LOG_LEVEL,
 * CORS_ORIGINS, PUBLIC_URL, and the reading rules the contract's own settings use as well
 * (ApiSettings: BODY_LIMIT_BYTES, RATE_LIMIT_*). Blank values count as unset. A refusal names the
 * variable and says what it accepts; it quotes nothing but a CORS entry (an origin the operator
 * wrote, never a secret: quoting it helps find the typo).
 */
import { Data, Result } from "effect"
import type { LogLevel } from "effect/LogLevel"

/** The variables of a process (process.env, or what a test writes). */
export type Environment = Readonly<Record<string, string | undefined>>

/** A setting that cannot be used; `variable` names it. The message never contains its value. */
export class SettingError extends Data.TaggedError("SettingError")<{
  readonly variable: string
  readonly message: string
}> {}

/** Refuses `variable` with "<VARIABLE>: <problem>". */
export const invalidSetting = (variable: string, problem: string): Result.Result<never, SettingError> =>
  Result.fail(new SettingError({ variable, message: `${variable}: ${problem}` }))

/** The value of `name`, trimmed; undefined when unset or blank. */
export const settingOf = (environment: Environment, name: string): string | undefined => {
  const value = environment[name]?.trim()
  return value === undefined || value === "" ? undefined : value
}

/** `name` as a positive integer in decimal digits; undefined when unset. */
export const readPositiveInt = (environment: Environment, name: string): Result.Result<number | undefined, SettingError> => {
  const text = settingOf(environment, name)
  if (text === undefined) return Result.succeed(undefined)
  const value = /^\d+$/.test(text) ? Number(text) : NaN
  return Number.isSafeInteger(value) && value > 0 ? Result.succeed(value) : invalidSetting(name, "must be a positive integer")
}

export const logLevelNames = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const

export type LogLevelName = (typeof logLevelNames)[number]

/** Effect's minimum log level for a LOG_LEVEL ("silent" logs nothing). */
export const effectLogLevels: Readonly<Record<LogLevelName, LogLevel>> = {
  trace: "Trace",
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  error: "Error",
  fatal: "Fatal",
  silent: "None"
}

/** LOG_LEVEL: one of logLevelNames; info when unset. */
export const readLogLevel = (environment: Environment): Result.Result<LogLevelName, SettingError> => {
  const text = settingOf(environment, "LOG_LEVEL") ?? "info"
  const level = logLevelNames.find((name) => name === text)
  return level === undefined ? invalidSetting("LOG_LEVEL", `must be one of ${logLevelNames.join(", ")}`) : Result.succeed(level)
}

/** CORS_ORIGINS: a comma list of http(s) origins (a trailing slash is dropped); none when unset. */
export const readCorsOrigins = (environment: Environment): Result.Result<ReadonlyArray<string>, SettingError> => {
  const text = settingOf(environment, "CORS_ORIGINS")
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
    if (origin === undefined) return invalidSetting("CORS_ORIGINS", `"${entry}" is not an origin like https://app.example.com`)
    origins.push(origin)
  }
  return Result.succeed(origins)
}

/** PUBLIC_URL: where browsers reach the web app, an http(s) URL without its trailing slash; `fallback` when unset. */
export const readPublicUrl = (environment: Environment, fallback: string): Result.Result<string, SettingError> => {
  const text = settingOf(environment, "PUBLIC_URL")
  if (text === undefined) return Result.succeed(fallback)
  try {
    const url = new URL(text)
    if (url.protocol === "http:" || url.protocol === "https:") return Result.succeed(url.toString().replace(/\/+$/, ""))
  } catch {
    // refused below
  }
  return invalidSetting("PUBLIC_URL", "must be an http(s) URL, e.g. https://app.example.com")
}
