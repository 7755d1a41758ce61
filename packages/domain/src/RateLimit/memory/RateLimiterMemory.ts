/**
 * RateLimiter in process memory: per key, the ascending instants of the allowed attempts still
 * inside the longest window seen. The clock is read inside the same synchronous step as the check
 * and the write, so concurrent consumes are serialised with non-decreasing times; time comes from
 * Effect's Clock, so TestClock drives it in tests. Keys whose log empties are forgotten.
 */
import { Clock, Effect, Layer } from "effect"
import { type RateLimitDecision, RateLimiter } from "../RateLimiter.js"

export const make = Effect.sync(() => {
  const logs = new Map<string, Array<number>>()

  return RateLimiter.of({
    consume: (key, { limit, windowMs }) =>
      Clock.clockWith((clock) =>
        Effect.sync((): RateLimitDecision => {
          const now = clock.currentTimeMillisUnsafe()
          const horizon = now - windowMs
          const log = (logs.get(key) ?? []).filter((at) => at > horizon)
          if (log.length < limit) {
            log.push(now)
            logs.set(key, log)
            return { allowed: true, remaining: limit - log.length, retryAfterMs: 0 }
          }
          if (log.length === 0) logs.delete(key)
          else logs.set(key, log)
          // The attempt that must leave the window before one more fits.
          const blocking = log[log.length - limit]!
          return { allowed: false, remaining: 0, retryAfterMs: blocking + windowMs - now }
        })
      )
  })
})

export const layer = Layer.effect(RateLimiter, make)
