/**
 * The settings of authentication: who issues access tokens and for whom, how long tokens live, the
 * refresh grace window, and the two server secrets (the access-token signing key and the key that
 * derives a rotated refresh token from its parent). Secrets are Redacted so they never print.
 */
import { Config, Context, Effect, Layer, Redacted } from "effect"
import { FieldError, ValidationError } from "../DomainError.js"
import { DAY, SECOND } from "../Millis.js"

export interface AuthSettings {
  /** `iss` of every access token. */
  readonly issuer: string
  /** `aud` of every access token. */
  readonly audience: string
  /** Lifetime of an access token in seconds (API.md: 1 hour). */
  readonly accessTokenTtlSeconds: number
  /** Lifetime of each refresh token in milliseconds, counted from when it was issued (30 days). */
  readonly refreshTokenTtlMillis: number
  /** How long after a rotation replaying the parent still answers with the current token (10 s). */
  readonly refreshGraceMillis: number
  /** HS256 key of access tokens: at least 32 characters. */
  readonly accessTokenSecret: Redacted.Redacted<string>
  /** HMAC key deriving a child refresh token from its parent: at least 32 characters. */
  readonly refreshTokenSecret: Redacted.Redacted<string>
}

export const authDefaults = {
  issuer: "app",
  audience: "app",
  accessTokenTtlSeconds: 3_600,
  refreshTokenTtlMillis: 30 * DAY,
  refreshGraceMillis: 10 * SECOND
} as const

export type AuthSettingsInput =
  & Pick<AuthSettings, "accessTokenSecret" | "refreshTokenSecret">
  & Partial<Omit<AuthSettings, "accessTokenSecret" | "refreshTokenSecret">>

const MIN_SECRET_LENGTH = 32

/** Every problem of a settings object, one FieldError each (never echoing a secret). */
const checkAuthSettings = (settings: AuthSettings): ReadonlyArray<FieldError> => {
  const errors: Array<FieldError> = []
  const positiveInt = (path: string, value: number) => {
    if (!Number.isSafeInteger(value) || value <= 0) errors.push(new FieldError({ path, message: "must be a positive integer" }))
  }
  if (settings.issuer.length === 0) errors.push(new FieldError({ path: "issuer", message: "must not be empty" }))
  if (settings.audience.length === 0) errors.push(new FieldError({ path: "audience", message: "must not be empty" }))
  positiveInt("accessTokenTtlSeconds", settings.accessTokenTtlSeconds)
  positiveInt("refreshTokenTtlMillis", settings.refreshTokenTtlMillis)
  if (!Number.isSafeInteger(settings.refreshGraceMillis) || settings.refreshGraceMillis < 0) {
    errors.push(new FieldError({ path: "refreshGraceMillis", message: "must be a non-negative integer" }))
  } else if (settings.refreshGraceMillis >= settings.refreshTokenTtlMillis) {
    errors.push(new FieldError({ path: "refreshGraceMillis", message: "must be shorter than the refresh-token lifetime" }))
  }
  for (const path of ["accessTokenSecret", "refreshTokenSecret"] as const) {
    if (Redacted.value(settings[path]).length < MIN_SECRET_LENGTH) {
      errors.push(new FieldError({ path, message: `must be at least ${MIN_SECRET_LENGTH} characters` }))
    }
  }
  if (Redacted.value(settings.accessTokenSecret) === Redacted.value(settings.refreshTokenSecret)) {
    errors.push(new FieldError({ path: "refreshTokenSecret", message: "must differ from accessTokenSecret" }))
  }
  return errors
}

const build = (input: AuthSettingsInput): Effect.Effect<AuthSettings, ValidationError> => {
  const settings: AuthSettings = { ...authDefaults, ...input }
  const errors = checkAuthSettings(settings)
  return errors.length === 0 ? Effect.succeed(settings) : Effect.fail(new ValidationError({ errors }))
}

export class AuthConfig extends Context.Service<AuthConfig, AuthSettings>()("@app/domain/Auth/AuthConfig") {
  /** From explicit settings; the defaults fill what is left out. Fails when a setting is unusable. */
  static readonly layer = (input: AuthSettingsInput): Layer.Layer<AuthConfig, ValidationError> =>
    Layer.effect(AuthConfig, Effect.map(build(input), (settings) => AuthConfig.of(settings)))

  /**
   * From Effect's ConfigProvider (environment variables by default): AUTH_ACCESS_TOKEN_SECRET and
   * AUTH_REFRESH_TOKEN_SECRET are required; AUTH_ISSUER, AUTH_AUDIENCE,
   * AUTH_ACCESS_TOKEN_TTL_SECONDS, AUTH_REFRESH_TOKEN_TTL_SECONDS and AUTH_REFRESH_GRACE_SECONDS
   * are optional.
   */
  static readonly layerConfig: Layer.Layer<AuthConfig, Config.ConfigError | ValidationError> = Layer.effect(
    AuthConfig,
    Effect.gen(function*() {
      const accessTokenSecret = yield* Config.Redacted("AUTH_ACCESS_TOKEN_SECRET")
      const refreshTokenSecret = yield* Config.Redacted("AUTH_REFRESH_TOKEN_SECRET")
      const issuer = yield* Config.String("AUTH_ISSUER").pipe(Config.withDefault(authDefaults.issuer))
      const audience = yield* Config.String("AUTH_AUDIENCE").pipe(Config.withDefault(authDefaults.audience))
      const accessTokenTtlSeconds = yield* Config.Int("AUTH_ACCESS_TOKEN_TTL_SECONDS").pipe(
        Config.withDefault(authDefaults.accessTokenTtlSeconds)
      )
      const refreshTtlSeconds = yield* Config.Int("AUTH_REFRESH_TOKEN_TTL_SECONDS").pipe(
        Config.withDefault(authDefaults.refreshTokenTtlMillis / SECOND)
      )
      const graceSeconds = yield* Config.Int("AUTH_REFRESH_GRACE_SECONDS").pipe(
        Config.withDefault(authDefaults.refreshGraceMillis / SECOND)
      )
      const settings = yield* build({
        accessTokenSecret,
        refreshTokenSecret,
        issuer,
        audience,
        accessTokenTtlSeconds,
        refreshTokenTtlMillis: refreshTtlSeconds * SECOND,
        refreshGraceMillis: graceSeconds * SECOND
      })
      return AuthConfig.of(settings)
    })
  )

  /** Fixed, public test secrets: for tests only. */
  static readonly layerTest = (overrides: Partial<AuthSettings> = {}): Layer.Layer<AuthConfig> =>
    Layer.succeed(
      AuthConfig,
      AuthConfig.of({
        ...authDefaults,
        issuer: "https://auth.test",
        audience: "app-test",
        accessTokenSecret: Redacted.make("test-access-token-secret-0123456789abcdef"),
        refreshTokenSecret: Redacted.make("test-refresh-token-secret-0123456789abcdef"),
        ...overrides
      })
    )
}
