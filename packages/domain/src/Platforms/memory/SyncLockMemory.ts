/**
 * SyncLock in process memory: a map of key → (token, expiry) read and written in one synchronous
 * step, so two fibers racing for a key can never both get a lease. Expiry is measured on Effect's
 * Clock (TestClock in tests); tokens only need to be unique, not secret, so a counter will do.
 */
import { Effect, Layer, Option } from "effect"
import { type LeaseToken, SyncLock } from "../SyncLock.js"

let issued = 0

export const make = Effect.sync(() => {
  const leases = new Map<string, { readonly token: LeaseToken; readonly expiresAt: number }>()

  return SyncLock.of({
    tryAcquire: (key, ttlMs) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const now = clock.currentTimeMillisUnsafe()
          const held = leases.get(key)
          if (held !== undefined && held.expiresAt > now) return Option.none()
          const token = `lease-${(++issued).toString(36)}` as LeaseToken
          leases.set(key, { token, expiresAt: now + Math.max(0, ttlMs) })
          return Option.some(token)
        })
      ),
    release: (key, token) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const held = leases.get(key)
          if (held === undefined || held.token !== token) return false
          leases.delete(key)
          return held.expiresAt > clock.currentTimeMillisUnsafe()
        })
      )
  })
})

export const layer = Layer.effect(SyncLock, make)
