/**
 * The scenario suite against the contract's handler over the in-memory product, through the
 * typed client's fetch (no sockets, so the realtime scenarios are skipped). Rate limits are
 * generous here: 429 has its own test.
 */
import { AuthConfig } from "@app/domain"
import { Effect, Redacted } from "effect"
import { makeInProcessApi } from "../support/InProcessApi.js"
import { scenarioSuite } from "./ScenarioSuite.js"

const generous = { limit: 100_000, windowMs: 60_000 }

/** The product's test settings, which makeInProcessApi runs with. */
const testAuth = Effect.runSync(
  Effect.gen(function*() {
    return yield* AuthConfig
  }).pipe(Effect.provide(AuthConfig.layerTest()))
)

scenarioSuite("in-process handler", async () => {
  const api = makeInProcessApi({
    rateLimits: { login: generous, signup: generous, qrInit: generous, ingest: generous }
  })
  return {
    baseUrl: "http://in-process.test",
    fetch: api.fetch as typeof fetch,
    accessTokenSecret: Redacted.value(testAuth.accessTokenSecret),
    refreshGraceMs: testAuth.refreshGraceMillis,
    dispose: () => api.dispose()
  }
})
