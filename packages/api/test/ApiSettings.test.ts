/**
 * The settings both shells read from their environment through the contract: the contract's own
 * (BODY_LIMIT_BYTES, RATE_LIMIT_*) and the shared ones (LOG_LEVEL, CORS_ORIGINS, PUBLIC_URL) —
 * defaults, what each variable accepts, blank as unset, and refusals that name the variable and
 * never echo a value.
 */
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import {
  defaultApiSettings,
  type Environment,
  readApiSettings,
  readApiSettingsOverrides,
  readCorsOrigins,
  readLogLevel,
  readPositiveInt,
  readPublicUrl,
  type SettingError,
  withDefaultApiSettings
} from "../src/index.js"

const success = <A>(result: Result.Result<A, SettingError>): A => {
  if (Result.isFailure(result)) throw new Error(`refused: ${result.failure.message}`)
  return result.success
}

const failure = <A>(result: Result.Result<A, SettingError>): SettingError => {
  if (Result.isSuccess(result)) throw new Error(`accepted: ${JSON.stringify(result.success)}`)
  return result.failure
}

describe("the contract's settings from an environment", () => {
  it("are the defaults when nothing is set, blank included", () => {
    expect(success(readApiSettingsOverrides({}))).toEqual({ rateLimits: {} })
    expect(success(readApiSettings({}))).toEqual(defaultApiSettings)
    expect(success(readApiSettings({ BODY_LIMIT_BYTES: " ", RATE_LIMIT_LOGIN: "" }))).toEqual(defaultApiSettings)
  })

  it("take the body limit and each rate-limit policy the environment sets, the defaults filling the rest", () => {
    const environment = { BODY_LIMIT_BYTES: "2048", RATE_LIMIT_LOGIN: "5/30", RATE_LIMIT_QR_INIT: " 7 / 1 ", RATE_LIMIT_INGEST: "100/60" }
    expect(success(readApiSettingsOverrides(environment))).toEqual({
      maxBodyBytes: 2048,
      rateLimits: { login: { limit: 5, windowMs: 30_000 }, qrInit: { limit: 7, windowMs: 1_000 }, ingest: { limit: 100, windowMs: 60_000 } }
    })
    expect(success(readApiSettings(environment))).toEqual({
      maxBodyBytes: 2048,
      rateLimits: {
        login: { limit: 5, windowMs: 30_000 },
        signup: defaultApiSettings.rateLimits.signup,
        qrInit: { limit: 7, windowMs: 1_000 },
        ingest: { limit: 100, windowMs: 60_000 }
      }
    })
    expect(withDefaultApiSettings({ rateLimits: {} })).toEqual(defaultApiSettings)
  })

  it.each([
    ["BODY_LIMIT_BYTES", "0"],
    ["BODY_LIMIT_BYTES", "-5"],
    ["BODY_LIMIT_BYTES", "1e6"],
    ["BODY_LIMIT_BYTES", "12kb"],
    ["RATE_LIMIT_LOGIN", "25"],
    ["RATE_LIMIT_SIGNUP", "10 per minute"],
    ["RATE_LIMIT_QR_INIT", "0/45"],
    ["RATE_LIMIT_INGEST", "600/0"],
    ["RATE_LIMIT_INGEST", "99999999999999999999/60"]
  ])("refuses %s=%s naming the variable, not the value", (variable, value) => {
    const error = failure(readApiSettings({ [variable]: value }))
    expect(error.variable).toBe(variable)
    expect(error.message.startsWith(`${variable}: `)).toBe(true)
    expect(error.message).not.toContain(value)
  })
})

describe("the shells' shared settings", () => {
  it("LOG_LEVEL: info by default, any level name, nothing else", () => {
    expect(success(readLogLevel({}))).toBe("info")
    expect(success(readLogLevel({ LOG_LEVEL: "" }))).toBe("info")
    expect(success(readLogLevel({ LOG_LEVEL: " debug " }))).toBe("debug")
    expect(success(readLogLevel({ LOG_LEVEL: "silent" }))).toBe("silent")
    const error = failure(readLogLevel({ LOG_LEVEL: "verbose" }))
    expect(error.variable).toBe("LOG_LEVEL")
    expect(error.message).not.toContain("verbose")
  })

  it("CORS_ORIGINS: none by default, a comma list of origins (a trailing slash dropped)", () => {
    expect(success(readCorsOrigins({}))).toEqual([])
    expect(success(readCorsOrigins({ CORS_ORIGINS: " https://a.example , http://localhost:5173/ ,, " }))).toEqual([
      "https://a.example",
      "http://localhost:5173"
    ])
  })

  it.each(["https://ok.example, not-an-origin", "https://ok.example/path", "ftp://files.example", "https://ok.example?x=1"])(
    "CORS_ORIGINS=%s is refused, quoting the entry at fault",
    (value) => {
      const error = failure(readCorsOrigins({ CORS_ORIGINS: value }))
      expect(error.variable).toBe("CORS_ORIGINS")
      expect(error.message).toMatch(/^CORS_ORIGINS: ".+" is not an origin/)
      expect(error.message).not.toContain("https://ok.example\"")
    }
  )

  it("PUBLIC_URL: the fallback when unset, an http(s) URL without its trailing slash", () => {
    expect(success(readPublicUrl({}, "http://localhost:3000"))).toBe("http://localhost:3000")
    expect(success(readPublicUrl({ PUBLIC_URL: " " }, "http://localhost:8080"))).toBe("http://localhost:8080")
    expect(success(readPublicUrl({ PUBLIC_URL: "https://app.example.com/" }, "x"))).toBe("https://app.example.com")
    expect(success(readPublicUrl({ PUBLIC_URL: "https://app.example.com/sivera//" }, "x"))).toBe("https://app.example.com/sivera")
    for (const value of ["ftp://files.example", "sivera.test"]) {
      const error = failure(readPublicUrl({ PUBLIC_URL: value }, "x"))
      expect(error.variable).toBe("PUBLIC_URL")
      expect(error.message).not.toContain(value)
    }
  })

  it("a positive integer is digits only; unset is undefined", () => {
    const environment: Environment = { A: "42", B: " 7 ", C: "0", D: "4.5", E: "", F: undefined }
    expect(success(readPositiveInt(environment, "A"))).toBe(42)
    expect(success(readPositiveInt(environment, "B"))).toBe(7)
    expect(success(readPositiveInt(environment, "E"))).toBeUndefined()
    expect(success(readPositiveInt(environment, "F"))).toBeUndefined()
    expect(success(readPositiveInt(environment, "missing"))).toBeUndefined()
    for (const name of ["C", "D"]) expect(failure(readPositiveInt(environment, name)).message).toBe(`${name}: must be a positive integer`)
  })
})
