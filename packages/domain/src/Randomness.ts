/**
 * Secure randomness as a port: challenge ids, refresh tokens, device keys and id entropy all come
 * from here, so tests can make them reproducible. The live layer uses the platform's CSPRNG
 * (Web Crypto, present in Node and browsers); Effect's own Random is a seeded PRNG and is never
 * used for secrets.
 */
import { Context, Effect, Layer } from "effect"

export class Randomness extends Context.Service<Randomness, {
  readonly bytes: (length: number) => Effect.Effect<Uint8Array>
}>()("@app/domain/Randomness") {
  static readonly layer = Layer.succeed(
    Randomness,
    Randomness.of({
      bytes: (length) => Effect.sync(() => globalThis.crypto.getRandomValues(new Uint8Array(length)))
    })
  )

  /** Deterministic bytes from a seed (splitmix32): reproducible tests, never for production. */
  static readonly layerTest = (seed = 42) =>
    Layer.sync(Randomness, () => {
      let state = seed >>> 0
      const next = () => {
        state = (state + 0x9e3779b9) >>> 0
        let z = state
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
        return (z ^ (z >>> 16)) >>> 0
      }
      return Randomness.of({
        bytes: (length) =>
          Effect.sync(() => {
            const out = new Uint8Array(length)
            for (let i = 0; i < length; i++) out[i] = next() & 0xff
            return out
          })
      })
    })
}

const base64urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/** Unpadded base64url, the text form of every random secret we hand out. */
export const base64url = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!, b1 = bytes[i + 1], b2 = bytes[i + 2]
    const n = (b0 << 16) | ((b1 ?? 0) << 8) | (b2 ?? 0)
    out += base64urlAlphabet[(n >> 18) & 63]! + base64urlAlphabet[(n >> 12) & 63]!
    if (b1 !== undefined) out += base64urlAlphabet[(n >> 6) & 63]!
    if (b2 !== undefined) out += base64urlAlphabet[n & 63]!
  }
  return out
}

/** A random secret of `bytes` bytes of entropy as base64url (32 bytes → 43 characters). */
export const randomToken = (bytes: number) =>
  Effect.map(Randomness.use((r) => r.bytes(bytes)), base64url)
