/**
 * Time-sortable unique ids (ULID: 48 bits of milliseconds, 80 bits of randomness, Crockford
 * base32), monotonic within a process even inside one millisecond. Time comes from Effect's Clock
 * and entropy from Randomness, so TestClock and Randomness.layerTest make ids reproducible.
 */
import { Clock, Context, Effect, Layer } from "effect"
import { Randomness } from "./Randomness.js"

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const encodeTime = (millis: number): string => {
  let out = ""
  let n = millis
  for (let i = 0; i < 10; i++) {
    out = alphabet[n % 32]! + out
    n = Math.floor(n / 32)
  }
  return out
}

/** 80 random bits as 16 base32 digits, each digit 5 bits (one per entry). */
const encodeRandom = (digits: ReadonlyArray<number>): string => digits.map((d) => alphabet[d]!).join("")

const increment = (digits: Array<number>): boolean => {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i] = digits[i]! + 1
      return true
    }
    digits[i] = 0
  }
  return false
}

export class Ids extends Context.Service<Ids, {
  /** A new ULID, greater than every id this instance returned before. */
  readonly next: Effect.Effect<string>
}>()("@app/domain/Ids") {
  static readonly layer = Layer.effect(
    Ids,
    Effect.gen(function*() {
      const randomness = yield* Randomness
      let lastTime = -1
      let lastRandom: Array<number> = []
      const next = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if (now <= lastTime && increment(lastRandom)) {
          return encodeTime(lastTime) + encodeRandom(lastRandom)
        }
        const bytes = yield* randomness.bytes(16)
        lastTime = Math.max(now, lastTime + (now <= lastTime ? 1 : 0))
        lastRandom = Array.from(bytes, (b) => b & 31)
        return encodeTime(lastTime) + encodeRandom(lastRandom)
      })
      return Ids.of({ next })
    })
  )
}

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/
