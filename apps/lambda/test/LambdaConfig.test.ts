/**
 * The functions' own settings: defaults, what each variable accepts, and refusals that name the
 * variable without echoing a value.
 */
import { defaultApiSettings } from "@app/api"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { apiSettingsOf, LambdaConfig } from "../src/index.js"

const loaded = (env: Record<string, string>) => {
  const result = LambdaConfig.load(env)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

const refused = (env: Record<string, string>) => {
  const result = LambdaConfig.load(env)
  if (Result.isSuccess(result)) throw new Error("accepted")
  return result.failure
}

describe("LambdaConfig", () => {
  it("has defaults for everything it reads", () => {
    expect(loaded({})).toEqual({
      authMode: "jwt",
      cipher: "local",
      publicUrl: "http://localhost:3000",
      corsOrigins: [],
      logLevel: "info",
      apiOverrides: { rateLimits: {} },
      environment: {}
    })
    expect(apiSettingsOf(loaded({}))).toEqual(defaultApiSettings)
  })

  it("reads every setting", () => {
    const config = loaded({
      AUTH_MODE: "cognito",
      KMS_KEY_ID: "alias/sivera",
      PUBLIC_URL: "https://app.example.test/",
      CORS_ORIGINS: " https://app.example.test , https://admin.example.test/ ",
      LOG_LEVEL: "debug",
      BODY_LIMIT_BYTES: "2048",
      RATE_LIMIT_LOGIN: "5/60",
      RATE_LIMIT_INGEST: " 100 / 1 "
    })
    expect(config).toMatchObject({
      authMode: "cognito",
      cipher: "kms",
      publicUrl: "https://app.example.test",
      corsOrigins: ["https://app.example.test", "https://admin.example.test"],
      logLevel: "debug",
      apiOverrides: { maxBodyBytes: 2048, rateLimits: { login: { limit: 5, windowMs: 60_000 }, ingest: { limit: 100, windowMs: 1_000 } } }
    })
    // The contract's defaults fill what the environment leaves out.
    expect(apiSettingsOf(config)).toEqual({
      maxBodyBytes: 2048,
      rateLimits: { ...defaultApiSettings.rateLimits, login: { limit: 5, windowMs: 60_000 }, ingest: { limit: 100, windowMs: 1_000 } }
    })
    expect(config.environment["KMS_KEY_ID"]).toBe("alias/sivera")
  })

  it("treats blank values as unset", () => {
    expect(loaded({ AUTH_MODE: " ", KMS_KEY_ID: "", LOG_LEVEL: "" })).toMatchObject({ authMode: "jwt", cipher: "local", logLevel: "info" })
  })

  it.each([
    ["AUTH_MODE", "iam"],
    ["LOG_LEVEL", "verbose"],
    ["PUBLIC_URL", "ftp://x"],
    ["CORS_ORIGINS", "https://ok.example.test,https://bad.example.test/path"],
    ["BODY_LIMIT_BYTES", "0"],
    ["BODY_LIMIT_BYTES", "1e6"],
    ["RATE_LIMIT_SIGNUP", "10 per minute"],
    ["RATE_LIMIT_QR_INIT", "0/60"]
  ])("refuses %s=%s naming the variable", (variable, value) => {
    const error = refused({ [variable]: value })
    expect(error.variable).toBe(variable)
    expect(error.message.startsWith(`${variable}: `)).toBe(true)
  })
})
