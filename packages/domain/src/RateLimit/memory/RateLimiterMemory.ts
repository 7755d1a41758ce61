/**
 * RateLimiter in process memory: per key, the ascending instants of the allowed attempts still
 * inside the key's window. The clock is read inside the same synchronous step as the check and the
 * write, so concurrent consumes are serialised with non-decreasing times; time comes from Effect's
 * Clock, so TestClock drives it in tests. Every SWEEP_EVERY consumes, keys whose last allowed
 * attempt has left its window are dropped, so one-off keys (an IP that tried once) do not pile up.
 */
import { Clock, Effect, Layer } from "effect"
import { type RateLimitDecision, RateLimiter, slidingWindow } from "../RateLimiter.js"

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
          const { decision, log } = slidingWindow(logs.get(key)?.allowed ?? [], now, { limit, windowMs })
          logs.set(key, { windowMs, allowed: log })
          return decision
        })
      )
  })
})

export const layer = Layer.effect(RateLimiter, make)
