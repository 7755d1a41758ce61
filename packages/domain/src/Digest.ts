/**
 * One-way digests for secrets we must recognise but never keep: refresh tokens, QR poll secrets
 * and device ingest keys are stored as SHA-256 and compared in constant time. Pure computation
 * through Web Crypto, available in Node and browsers alike.
 */
import { Effect } from "effect"

const hex = (buffer: ArrayBuffer): string =>
  Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("")

export const sha256Hex = (input: string): Effect.Effect<string> =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(input))).pipe(
    Effect.map(hex)
  )

/** HMAC-SHA-256 of `input` under `key`, as lower-case hex. */
export const hmacSha256Hex = (key: string, input: string): Effect.Effect<string> =>
  Effect.promise(async () => {
    const cryptoKey = await globalThis.crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(key),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"]
    )
    return globalThis.crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(input))
  }).pipe(Effect.map(hex))

/** Compares two strings without an early exit, so timing does not reveal a common prefix. */
export const constantTimeEqual = (a: string, b: string): boolean => {
  let diff = a.length ^ b.length
  const length = Math.max(a.length, b.length)
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0)
  return diff === 0
}
