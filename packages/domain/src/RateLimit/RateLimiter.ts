/**
 * Rate limiting as a port (login attempts, QR inits, ingest per device …; the 429 with Retry-After
 * of API.md). Algorithm: a sliding-window log. Each key keeps the instants of the attempts it
 * allowed; an attempt at `now` is allowed iff fewer than `limit` allowed attempts lie in
 * (now − windowMs, now], and only allowed attempts are recorded. Hence no interval of length
 * windowMs ever contains more than `limit` allowed attempts — exact, unlike a fixed window (2×
 * at the boundary) or a token bucket (limit + refill). It costs one entry per allowed attempt, at
 * most `limit` per key (a sorted set per key in Redis, trimmed and counted in one Lua script).
 * consume is one atomic step per call, so concurrent callers cannot both take the last slot.
 */
import { Context, Effect, Schema } from "effect"
import { RateLimited } from "../DomainError.js"
import { StoreFailure } from "../StoreFailure.js"

export class RateLimiterError extends Schema.TaggedError<RateLimiterError>()("RateLimiterError", {
  reason: StoreFailure
}) {}

export const RateLimitPolicy = Schema.Struct({
  /** Most attempts allowed in any window; at least 1. */
  limit: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  /** The window's length in milliseconds; at least 1. */
  windowMs: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
})
export type RateLimitPolicy = typeof RateLimitPolicy.Type

export interface RateLimitDecision {
  readonly allowed: boolean
  /** Attempts still allowed in the current window after this one. */
  readonly remaining: number
  /** 0 when allowed; otherwise how long until an attempt would be allowed again (> 0). */
  readonly retryAfterMs: number
}

export class RateLimiter extends Context.Service<RateLimiter, {
  /** Counts one attempt of `key` under `policy`, atomically, and says whether it is allowed. */
  readonly consume: (key: string, policy: RateLimitPolicy) => Effect.Effect<RateLimitDecision, RateLimiterError>
}>()("@app/domain/RateLimit/RateLimiter") {}

/** Retry-After in whole seconds, rounded up, at least 1. */
export const retryAfterSeconds = (retryAfterMs: number): number => Math.max(1, Math.ceil(retryAfterMs / 1000))

/** Consumes one attempt and fails with RateLimited (429 with Retry-After) when it is refused. */
export const enforceRateLimit = (
  key: string,
  policy: RateLimitPolicy
): Effect.Effect<RateLimitDecision, RateLimited | RateLimiterError, RateLimiter> =>
  RateLimiter.use((limiter) => limiter.consume(key, policy)).pipe(
    Effect.flatMap((decision) =>
      decision.allowed
        ? Effect.succeed(decision)
        : Effect.fail(new RateLimited({ retryAfterSeconds: retryAfterSeconds(decision.retryAfterMs) }))
    )
  )
