/**
 * PasswordHasher on node:crypto scrypt at the OWASP parameters (N = 2^17, r = 8, p = 1, 16-byte
 * salt, 32-byte key). The stored form names its parameters — `$scrypt$ln=17,r=8,p=1$<salt>$<key>`
 * (unpadded base64) — and verification reads them back from the hash, so raising the cost later
 * keeps old hashes valid. Keys are compared with timingSafeEqual. The salt comes from Randomness.
 */
import { scrypt, timingSafeEqual } from "node:crypto"
import { Effect, Layer, Redacted } from "effect"
import { PasswordHasher, PasswordHasherError } from "../Auth/PasswordHasher.js"
import { Randomness } from "../Randomness.js"
import { Unexpected } from "../StoreFailure.js"

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  readonly ln: number
  /** Block size. */
  readonly r: number
  /** Parallelisation. */
  readonly p: number
  readonly saltBytes: number
  readonly keyBytes: number
}

/** OWASP Password Storage Cheat Sheet: N = 2^17 (128 MiB), r = 8, p = 1. */
export const owaspParams: ScryptParams = { ln: 17, r: 8, p: 1, saltBytes: 16, keyBytes: 32 }

/** Cheap, still real scrypt, for tests only. */
export const testParams: ScryptParams = { ln: 10, r: 8, p: 1, saltBytes: 16, keyBytes: 32 }

/**
 * The memory scrypt needs, as OpenSSL checks it: 128·r·(N + 2) bytes for V plus 128·r·p for B.
 * Node's default limit (32 MiB) is below what N = 2^17, r = 8 needs (128 MiB), so it is set here.
 */
export const maxmemFor = (params: Pick<ScryptParams, "ln" | "r" | "p">): number =>
  128 * params.r * (2 ** params.ln + 2) + 128 * params.r * params.p

/** Bounds for parameters read back from a stored hash, so a corrupted row cannot exhaust memory. */
const limits = { ln: [1, 20], r: [1, 32], p: [1, 16], saltBytes: [8, 64], keyBytes: [16, 64] } as const

const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64").replace(/=+$/, "")

const hashPattern = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

interface ParsedHash {
  readonly params: Pick<ScryptParams, "ln" | "r" | "p">
  readonly salt: Buffer
  readonly key: Buffer
}

const within = (value: number, [min, max]: readonly [number, number]) => value >= min && value <= max

export const parseHash = (hash: string): ParsedHash | undefined => {
  const match = hashPattern.exec(hash)
  if (match === null) return undefined
  const ln = Number(match[1]), r = Number(match[2]), p = Number(match[3])
  const salt = Buffer.from(match[4]!, "base64")
  const key = Buffer.from(match[5]!, "base64")
  if (
    !within(ln, limits.ln) || !within(r, limits.r) || !within(p, limits.p) ||
    !within(salt.length, limits.saltBytes) || !within(key.length, limits.keyBytes)
  ) return undefined
  return { params: { ln, r, p }, salt, key }
}

export const formatHash = (params: Pick<ScryptParams, "ln" | "r" | "p">, salt: Uint8Array, key: Uint8Array): string =>
  `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${toBase64(salt)}$${toBase64(key)}`

/** Passwords are compared in Unicode normal form C, so one password typed on two keyboards matches. */
const normalize = (password: Redacted.Redacted<string>): string => Redacted.value(password).normalize("NFC")

const derive = (
  password: string,
  salt: Uint8Array,
  params: Pick<ScryptParams, "ln" | "r" | "p">,
  keyBytes: number
): Effect.Effect<Buffer, PasswordHasherError> =>
  Effect.callback<Buffer, PasswordHasherError>((resume) => {
    // Node errors name the failing parameter, never the password; only their code is kept.
    const failed = (error: unknown) =>
      Effect.fail(
        new PasswordHasherError({
          reason: new Unexpected({ message: `scrypt failed: ${(error as { code?: string }).code ?? "unknown"}` })
        })
      )
    try {
      scrypt(password, salt, keyBytes, { N: 2 ** params.ln, r: params.r, p: params.p, maxmem: maxmemFor(params) }, (error, key) => {
        resume(error === null ? Effect.succeed(key) : failed(error))
      })
    } catch (error) {
      // Invalid parameters are reported synchronously.
      resume(failed(error))
    }
  })

export const make = (params: ScryptParams = owaspParams): Effect.Effect<PasswordHasher["Service"], never, Randomness> =>
  Effect.gen(function*() {
    const randomness = yield* Randomness
    const hash = Effect.fn("PasswordHasher.hash")(function*(password: Redacted.Redacted<string>) {
      const salt = yield* randomness.bytes(params.saltBytes)
      const key = yield* derive(normalize(password), salt, params, params.keyBytes)
      return formatHash(params, salt, key)
    })
    const verify = Effect.fn("PasswordHasher.verify")(function*(password: Redacted.Redacted<string>, stored: string) {
      const parsed = parseHash(stored)
      if (parsed === undefined) return false
      const key = yield* derive(normalize(password), parsed.salt, parsed.params, parsed.key.length)
      return timingSafeEqual(key, parsed.key)
    })
    return PasswordHasher.of({ hash, verify })
  })

/** OWASP parameters; needs Randomness. */
export const layer: Layer.Layer<PasswordHasher, never, Randomness> = Layer.effect(PasswordHasher, make(owaspParams))

/** Low-cost real scrypt for tests; needs Randomness. */
export const layerTest: Layer.Layer<PasswordHasher, never, Randomness> = Layer.effect(PasswordHasher, make(testParams))
