/**
 * The contract's tunables, one per deployment: the largest body accepted and the rate-limit
 * policies of login, signup, QR init and ingest. Defaults suit production; tests and shells
 * override them (Layer.succeed(ApiSettings, …)).
 */
import { Context } from "effect"
import type { RateLimitPolicies } from "./Endpoint.js"

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
