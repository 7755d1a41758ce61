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

/**
 * The sliding-window log rule every adapter applies: at `now`, the attempts of `stored` still
 * inside the window decide; an allowed attempt is added to the log (kept ascending, whatever order
 * instants arrive in). `log` is the log to keep: the pruned one when refused, with `now` when allowed.
 */
export const slidingWindow = (
  stored: ReadonlyArray<number>,
  now: number,
  { limit, windowMs }: RateLimitPolicy
): { readonly decision: RateLimitDecision; readonly log: ReadonlyArray<number> } => {
  const horizon = now - windowMs
  const inWindow = stored.filter((at) => at > horizon).sort((a, b) => a - b)
  if (inWindow.length >= limit) {
    // The attempt that must leave the window before one more fits.
    const blocking = inWindow[inWindow.length - limit]!
    return { decision: { allowed: false, remaining: 0, retryAfterMs: blocking + windowMs - now }, log: inWindow }
  }
  const at = inWindow.findIndex((hit) => hit > now)
  const log = at === -1 ? [...inWindow, now] : [...inWindow.slice(0, at), now, ...inWindow.slice(at)]
  return { decision: { allowed: true, remaining: limit - log.length, retryAfterMs: 0 }, log }
}

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
