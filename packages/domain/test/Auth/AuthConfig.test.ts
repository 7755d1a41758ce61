import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { AuthConfig } from "../../src/Auth/AuthConfig.js"
import { DAY, SECOND } from "../../src/Millis.js"

const accessTokenSecret = Redacted.make("a".repeat(32))
const refreshTokenSecret = Redacted.make("b".repeat(32))

const build = <E>(layer: Layer.Layer<AuthConfig, E>) => Effect.provide(AuthConfig.use(Effect.succeed), layer)

describe("AuthConfig", () => {
  it.effect("fills the defaults: 1 h access tokens, 30-day refresh tokens, a 10 s grace window", () =>
    Effect.gen(function*() {
      const config = yield* build(AuthConfig.layer({ accessTokenSecret, refreshTokenSecret }))
      assert.strictEqual(config.accessTokenTtlSeconds, 3600)
      assert.strictEqual(config.refreshTokenTtlMillis, 30 * DAY)
      assert.strictEqual(config.refreshGraceMillis, 10 * SECOND)
    }))

  it.effect("refuses short or equal secrets and unusable durations, without echoing a secret", () =>
    Effect.gen(function*() {
      const error = yield* build(AuthConfig.layer({
        accessTokenSecret: Redacted.make("short-secret"),
        refreshTokenSecret: Redacted.make("short-secret"),
        accessTokenTtlSeconds: 0,
        refreshGraceMillis: 31 * DAY
      })).pipe(Effect.flip)
      assert.strictEqual(error._tag, "ValidationError")
      const paths = error.errors.map((e) => e.path).sort()
      assert.deepStrictEqual(paths, ["accessTokenSecret", "accessTokenTtlSeconds", "refreshGraceMillis", "refreshTokenSecret", "refreshTokenSecret"])
      assert.notInclude(JSON.stringify(error), "short-secret")
    }))

  it.effect("layerConfig reads the environment through Effect's ConfigProvider", () =>
    Effect.gen(function*() {
      const env = ConfigProvider.layer(ConfigProvider.fromEnvRecord({
        AUTH_ACCESS_TOKEN_SECRET: "x".repeat(40),
        AUTH_REFRESH_TOKEN_SECRET: "y".repeat(40),
        AUTH_ISSUER: "https://issuer.example",
        AUTH_REFRESH_GRACE_SECONDS: "5"
      }))
      const config = yield* build(AuthConfig.layerConfig.pipe(Layer.provide(env)))
      assert.strictEqual(config.issuer, "https://issuer.example")
      assert.strictEqual(config.audience, "app")
      assert.strictEqual(config.refreshGraceMillis, 5 * SECOND)
      assert.strictEqual(Redacted.value(config.accessTokenSecret), "x".repeat(40))
      const missing = yield* build(AuthConfig.layerConfig.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({}))))).pipe(
        Effect.flip
      )
      assert.strictEqual(missing._tag, "ConfigError")
    }))
})
