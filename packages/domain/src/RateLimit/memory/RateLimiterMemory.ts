/**
 * RateLimiter in process memory: per key, the ascending instants of the allowed attempts still
 * inside the key's window. The clock is read inside the same synchronous step as the check and the
 * write, so concurrent consumes are serialised with non-decreasing times; time comes from Effect's
 * Clock, so TestClock drives it in tests. Every SWEEP_EVERY consumes, keys whose last allowed
 * attempt has left its window are dropped, so one-off keys (an IP that tried once) do not pile up.
 */
import { Clock, Effect, Layer } from "effect"
import { type RateLimitDecision, RateLimiter } from "../RateLimiter.js"

const SWEEP_EVERY = 1_024

interface Log {
  readonly windowMs: number
  readonly allowed: ReadonlyArray<number>
}

export const make = Effect.sync(() => {
  const logs = new Map<string, Log>()
  let consumes = 0

  const sweep = (now: number) => {
    for (const [key, { allowed, windowMs }] of logs) {
      if (allowed[allowed.length - 1]! <= now - windowMs) logs.delete(key)
    }
  }

  return RateLimiter.of({
    consume: (key, { limit, windowMs }) =>
      Clock.clockWith((clock) =>
        Effect.sync((): RateLimitDecision => {
          const now = clock.currentTimeMillisUnsafe()
          if (++consumes % SWEEP_EVERY === 0) sweep(now)
          const horizon = now - windowMs
          const allowed = (logs.get(key)?.allowed ?? []).filter((at) => at > horizon)
          if (allowed.length < limit) {
            allowed.push(now)
            logs.set(key, { windowMs, allowed })
            return { allowed: true, remaining: limit - allowed.length, retryAfterMs: 0 }
          }
          logs.set(key, { windowMs, allowed })
          // The attempt that must leave the window before one more fits.
          const blocking = allowed[allowed.length - limit]!
          return { allowed: false, remaining: 0, retryAfterMs: blocking + windowMs - now }
        })
      )
  })
})

export const layer = Layer.effect(RateLimiter, make)
