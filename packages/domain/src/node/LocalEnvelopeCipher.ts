/**
 * The SecretCipher port as local envelope encryption with node:crypto, for the server build (the
 * serverless build uses KMS behind the same port, and both pass SecretCipherContract):
 * - a 32-byte master key from configuration, named by a key id;
 * - per encryption a fresh random 32-byte data key and 12-byte nonce encrypt the payload with
 *   AES-256-GCM (`ciphertext` = payload ciphertext ‖ 16-byte tag);
 * - the data key is wrapped by the master key with AES-256-GCM under its own nonce
 *   (`encryptedDataKey` = nonce ‖ wrapped key ‖ tag, 60 bytes);
 * - the encryption context as canonical JSON (keys sorted by code unit) is the additional
 *   authenticated data of both layers, so a secret moved to another context never decrypts.
 * Nonces and data keys come straight from node's CSPRNG, never from the swappable Randomness port:
 * a predictable data key would break every secret. Any authentication failure, malformed field or
 * wrong length is a SecretCipherError with reason IntegrityFailure; no message ever carries
 * plaintext, keys or the underlying crypto error text.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto"
import { Config, ConfigProvider, Effect, Layer, Redacted } from "effect"
import {
  EncryptedSecret,
  type EncryptionContext,
  IntegrityFailure,
  SecretCipher,
  SecretCipherError
} from "../Secrets/SecretCipher.js"
import { Unexpected } from "../StoreFailure.js"

const ALGORITHM = "aes-256-gcm"
const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16
const WRAPPED_KEY_BYTES = NONCE_BYTES + KEY_BYTES + TAG_BYTES

export interface LocalEnvelopeCipherOptions {
  /** Names the master key in every secret it wraps (stored as `keyId`). */
  readonly keyId: string
  /** Exactly 32 bytes. */
  readonly masterKey: Redacted.Redacted<Uint8Array>
}

/**
 * The context as additional authenticated data: `{"k":"v",…}` with keys sorted by UTF-16 code
 * unit. Built by hand because JSON.stringify puts integer-like keys first whatever their order.
 */
export const canonicalContext = (context: EncryptionContext): string => {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`
}

const integrityFailure = () =>
  new SecretCipherError({
    reason: new IntegrityFailure({
      message: "the secret failed authentication: its ciphertext, data key or encryption context was altered"
    })
  })

const unexpected = (message: string) => new SecretCipherError({ reason: new Unexpected({ message }) })

/** Strict base64: only the canonical encoding of some bytes is accepted. */
const fromBase64 = (text: string): Buffer | undefined => {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined
  const bytes = Buffer.from(text, "base64")
  return bytes.toString("base64") === text ? bytes : undefined
}

const seal = (key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer => {
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad)
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

/** Throws when the tag does not authenticate the ciphertext and `aad` under `key`. */
const open = (key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer => {
  const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES })
  decipher.setAAD(aad)
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()])
}

/** Keeps a leading U+FEFF (ignoreBOM) so every string round-trips. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** The cipher for one master key; fails with Unexpected when the key is not 32 bytes. */
export const make = (options: LocalEnvelopeCipherOptions): Effect.Effect<SecretCipher["Service"], SecretCipherError> =>
  Effect.suspend(() => {
    const masterKey = Buffer.from(Redacted.value(options.masterKey))
    if (masterKey.length !== KEY_BYTES) {
      return Effect.fail(unexpected(`the master key "${options.keyId}" must be ${KEY_BYTES} bytes`))
    }
    const keyId = options.keyId

    const encrypt = (plaintext: Redacted.Redacted<string>, context: EncryptionContext) =>
      Effect.try({
        try: () => {
          const aad = Buffer.from(canonicalContext(context), "utf8")
          const dataKey = randomBytes(KEY_BYTES)
          try {
            const iv = randomBytes(NONCE_BYTES)
            const payload = Buffer.from(Redacted.value(plaintext), "utf8")
            const ciphertext = seal(dataKey, iv, payload, aad)
            payload.fill(0)
            const wrapNonce = randomBytes(NONCE_BYTES)
            const encryptedDataKey = Buffer.concat([wrapNonce, seal(masterKey, wrapNonce, dataKey, aad)])
            return new EncryptedSecret({
              algorithm: "AES-256-GCM",
              keyId,
              encryptedDataKey: encryptedDataKey.toString("base64"),
              iv: iv.toString("base64"),
              ciphertext: ciphertext.toString("base64")
            })
          } finally {
            dataKey.fill(0)
          }
        },
        catch: () => unexpected("encryption failed")
      })

    const decrypt = (secret: EncryptedSecret, context: EncryptionContext) =>
      Effect.suspend((): Effect.Effect<Redacted.Redacted<string>, SecretCipherError> => {
        if (secret.keyId !== keyId) {
          return Effect.fail(unexpected(`the secret was wrapped by master key "${secret.keyId}", which is not configured`))
        }
        const wrapped = fromBase64(secret.encryptedDataKey)
        const iv = fromBase64(secret.iv)
        const ciphertext = fromBase64(secret.ciphertext)
        if (
          wrapped === undefined || wrapped.length !== WRAPPED_KEY_BYTES ||
          iv === undefined || iv.length !== NONCE_BYTES ||
          ciphertext === undefined || ciphertext.length < TAG_BYTES
        ) {
          return Effect.fail(integrityFailure())
        }
        const aad = Buffer.from(canonicalContext(context), "utf8")
        let dataKey: Buffer | undefined
        try {
          dataKey = open(masterKey, wrapped.subarray(0, NONCE_BYTES), wrapped.subarray(NONCE_BYTES), aad)
          const plaintext = open(dataKey, iv, ciphertext, aad)
          const text = utf8.decode(plaintext)
          plaintext.fill(0)
          return Effect.succeed(Redacted.make(text))
        } catch {
          return Effect.fail(integrityFailure())
        } finally {
          dataKey?.fill(0)
        }
      })

    return Effect.succeed(SecretCipher.of({ encrypt, decrypt }))
  })

/** A cipher for explicit options (wiring that reads its own configuration). */
export const layerFrom = (options: LocalEnvelopeCipherOptions): Layer.Layer<SecretCipher, SecretCipherError> =>
  Layer.effect(SecretCipher, make(options))

/** `SECRETS_MASTER_KEY`: the 32-byte master key as base64, checked when the layer is built. */
export const masterKeyConfig: Config.Config<Redacted.Redacted<Uint8Array>> = Config.Redacted("SECRETS_MASTER_KEY").pipe(
  Config.mapEffect((redacted) => {
    const bytes = fromBase64(Redacted.value(redacted))
    return bytes !== undefined && bytes.length === KEY_BYTES
      ? Effect.succeed(Redacted.make(new Uint8Array(bytes)))
      : Effect.fail(
        new Config.ConfigError(
          new ConfigProvider.SourceError({ message: `SECRETS_MASTER_KEY must be ${KEY_BYTES} bytes as base64` })
        )
      )
  })
)

/** `SECRETS_MASTER_KEY_ID`: the name stored with each secret; "local-1" when unset. */
export const keyIdConfig: Config.Config<string> = Config.String("SECRETS_MASTER_KEY_ID").pipe(
  Config.withDefault("local-1")
)

/** The cipher from configuration: SECRETS_MASTER_KEY (base64, 32 bytes) and SECRETS_MASTER_KEY_ID. */
export const layer: Layer.Layer<SecretCipher, Config.ConfigError | SecretCipherError> = Layer.effect(
  SecretCipher,
  Effect.gen(function*() {
    const masterKey = yield* masterKeyConfig
    const keyId = yield* keyIdConfig
    return yield* make({ keyId, masterKey })
  })
)

/** The fixed, public test key (bytes 0..31). Tests and local development only, never production. */
export const TEST_KEY_ID = "local-test"
export const testMasterKey = (): Uint8Array => Uint8Array.from({ length: KEY_BYTES }, (_, i) => i)

export const layerTest: Layer.Layer<SecretCipher> = Layer.effect(
  SecretCipher,
  make({ keyId: TEST_KEY_ID, masterKey: Redacted.make(testMasterKey()) }).pipe(Effect.orDie)
)
