/**
 * The SecretCipher port on AWS KMS, for the serverless build (the server build uses
 * LocalEnvelopeCipher; both pass SecretCipherContract and store the same EncryptedSecret shape):
 * - each encryption asks KMS for a fresh data key (GenerateDataKey, KeySpec AES_256) under the
 *   configured master key — key id, key ARN, alias name or alias ARN — with the port's encryption
 *   context (userId, platform, accountId) as KMS EncryptionContext;
 * - the payload is sealed locally with AES-256-GCM under that data key, a 12-byte random nonce and
 *   the context as canonical JSON for additional authenticated data (exactly as the local cipher),
 *   so the payload layer refuses another context even if someone re-wraps the data key;
 * - stored: `keyId` = the key ARN KMS answered with, `encryptedDataKey` = KMS's CiphertextBlob,
 *   `iv`, `ciphertext` = payload ciphertext ‖ 16-byte tag (all base64).
 * Decrypt sends the blob with the same EncryptionContext and KeyId = the secret's stored key ARN:
 * KMS then refuses a blob made under any other key (IncorrectKeyException), and secrets stay
 * readable after the configured alias is pointed at a new key. The IAM policy of the function
 * decides which keys may be used at all.
 *
 * No data key is cached: the port promises a fresh data key per secret (the contract checks two
 * encryptions have different `encryptedDataKey`s), credentials are written rarely, and a cache
 * would keep plaintext key material alive between requests. Plaintext data keys and the encoded
 * payload are zeroed as soon as they are used; the JavaScript strings of the secret itself (the
 * caller's Redacted value, the SDK's JSON response body) cannot be zeroed and are left to the GC.
 *
 * Every KMS call has a deadline (default 3 s, SDK retries included); when it passes the request
 * is aborted and the call fails with TimedOut. One KMSClient per layer: built once per Lambda
 * container by its ManagedRuntime, destroyed with the layer. KMS failures are mapped by
 * KmsFailure.ts; no message carries plaintext, data keys or vendor error text.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto"
import { EncryptedSecret, type EncryptionContext, SecretCipher, type SecretCipherError } from "@app/domain"
import { LocalEnvelopeCipher } from "@app/domain/node"
import {
  DecryptCommand,
  type DecryptCommandOutput,
  GenerateDataKeyCommand,
  type GenerateDataKeyCommandOutput,
  KMSClient,
  type KMSClientConfig
} from "@aws-sdk/client-kms"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { deadlinePassed, fromKmsError, integrityFailure, type KmsOperation, unexpected } from "./KmsFailure.js"

const ALGORITHM = "aes-256-gcm"
const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16
/** KMS accepts CiphertextBlobs of 1 to 6144 bytes. */
const MAX_BLOB_BYTES = 6144

export const DEFAULT_TIMEOUT_MILLIS = 3_000

export interface KmsEnvelopeCipherConfig {
  /** The master key: key id, key ARN, alias name ("alias/…") or alias ARN. */
  readonly keyId: string
  /** Region of the key; the SDK's default (AWS_REGION) when absent. */
  readonly region?: string | undefined
  /** Deadline of each KMS call, SDK retries included (default 3000 ms). */
  readonly timeoutMillis?: number | undefined
  /** Further KMSClient settings (endpoint, credentials, maxAttempts, requestHandler). */
  readonly clientConfig?: Omit<KMSClientConfig, "region"> | undefined
}

/** Strict base64: only the canonical encoding of some bytes is accepted. */
const fromBase64 = (text: string): Buffer | undefined => {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined
  const bytes = Buffer.from(text, "base64")
  return bytes.toString("base64") === text ? bytes : undefined
}

/** Keeps a leading U+FEFF (ignoreBOM) so every string round-trips. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

const zero = (bytes: Uint8Array | undefined) => bytes?.fill(0)

const additionalData = (context: EncryptionContext) =>
  Buffer.from(LocalEnvelopeCipher.canonicalContext(context), "utf8")

/*
 * seal and open run synchronously and zero the data key in `finally` before handing back an
 * Effect: a generator suspended at a failing `yield*` is never resumed, so its `finally` would not.
 */

/** Seals the payload under the data key KMS generated, then zeroes that key. */
const seal = (
  generated: GenerateDataKeyCommandOutput,
  plaintext: Redacted.Redacted<string>,
  context: EncryptionContext
): Effect.Effect<EncryptedSecret, SecretCipherError> => {
  const dataKey = generated.Plaintext
  try {
    const blob = generated.CiphertextBlob
    const wrappedBy = generated.KeyId
    if (dataKey === undefined || dataKey.length !== KEY_BYTES || blob === undefined || blob.length === 0) {
      return Effect.fail(unexpected("KMS GenerateDataKey answered without a 32-byte data key and its ciphertext"))
    }
    if (wrappedBy === undefined || wrappedBy.length === 0) {
      return Effect.fail(unexpected("KMS GenerateDataKey answered without the key id"))
    }
    const iv = randomBytes(NONCE_BYTES)
    const payload = Buffer.from(Redacted.value(plaintext), "utf8")
    try {
      const cipher = createCipheriv(ALGORITHM, dataKey, iv, { authTagLength: TAG_BYTES })
      cipher.setAAD(additionalData(context))
      const ciphertext = Buffer.concat([cipher.update(payload), cipher.final(), cipher.getAuthTag()])
      return Effect.succeed(
        new EncryptedSecret({
          algorithm: "AES-256-GCM",
          keyId: wrappedBy,
          encryptedDataKey: Buffer.from(blob).toString("base64"),
          iv: iv.toString("base64"),
          ciphertext: ciphertext.toString("base64")
        })
      )
    } finally {
      payload.fill(0)
    }
  } catch {
    return Effect.fail(unexpected("encryption failed"))
  } finally {
    zero(dataKey)
  }
}

/** Opens the payload with the data key KMS decrypted, then zeroes that key. */
const open = (
  opened: DecryptCommandOutput,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  context: EncryptionContext
): Effect.Effect<Redacted.Redacted<string>, SecretCipherError> => {
  const dataKey = opened.Plaintext
  try {
    if (dataKey === undefined) return Effect.fail(unexpected("KMS Decrypt answered without the data key"))
    // KMS opened the blob to something that is no data key: a blob of another use was swapped in.
    if (dataKey.length !== KEY_BYTES) return Effect.fail(integrityFailure())
    let payload: Buffer | undefined
    try {
      const decipher = createDecipheriv(ALGORITHM, dataKey, iv, { authTagLength: TAG_BYTES })
      decipher.setAAD(additionalData(context))
      decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES))
      payload = decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES))
      decipher.final() // authenticates; GCM is a stream mode, so no bytes are held back
      return Effect.succeed(Redacted.make(utf8.decode(payload)))
    } catch {
      return Effect.fail(integrityFailure())
    } finally {
      zero(payload)
    }
  } finally {
    zero(dataKey)
  }
}

/** The cipher over one KMS client, created here and destroyed with the scope. */
export const make = (config: KmsEnvelopeCipherConfig) =>
  Effect.gen(function*() {
    const keyId = config.keyId
    const timeoutMillis = config.timeoutMillis ?? DEFAULT_TIMEOUT_MILLIS
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new KMSClient({ ...config.clientConfig, ...(config.region === undefined ? {} : { region: config.region }) })
      ),
      (client) => Effect.sync(() => client.destroy())
    )

    /** One KMS request, aborted when its deadline passes. */
    const call = <A>(operation: KmsOperation, send: (abortSignal: AbortSignal) => Promise<A>) =>
      Effect.tryPromise({ try: (signal) => send(signal), catch: (error) => fromKmsError(operation, error) }).pipe(
        Effect.timeoutOrElse({
          duration: timeoutMillis,
          orElse: () => Effect.fail(deadlinePassed(operation, timeoutMillis))
        })
      )

    const encrypt = Effect.fn("KmsEnvelopeCipher.encrypt")(function*(
      plaintext: Redacted.Redacted<string>,
      context: EncryptionContext
    ) {
      const generated = yield* call("GenerateDataKey", (abortSignal) =>
        client.send(
          new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { ...context } }),
          { abortSignal }
        ))
      return yield* seal(generated, plaintext, context)
    })

    const decrypt = Effect.fn("KmsEnvelopeCipher.decrypt")(function*(
      secret: EncryptedSecret,
      context: EncryptionContext
    ) {
      const blob = fromBase64(secret.encryptedDataKey)
      const iv = fromBase64(secret.iv)
      const ciphertext = fromBase64(secret.ciphertext)
      if (
        secret.keyId.length === 0 ||
        blob === undefined || blob.length === 0 || blob.length > MAX_BLOB_BYTES ||
        iv === undefined || iv.length !== NONCE_BYTES ||
        ciphertext === undefined || ciphertext.length < TAG_BYTES
      ) {
        return yield* integrityFailure()
      }
      const opened = yield* call("Decrypt", (abortSignal) =>
        client.send(
          new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { ...context }, KeyId: secret.keyId }),
          { abortSignal }
        ))
      return yield* open(opened, iv, ciphertext, context)
    })

    return SecretCipher.of({ encrypt, decrypt })
  })

/** The cipher for explicit configuration; the KMS client lives as long as the layer. */
export const layer = (config: KmsEnvelopeCipherConfig): Layer.Layer<SecretCipher> =>
  Layer.effect(SecretCipher, make(config))

/**
 * KMS_KEY_ID (required: key id, key ARN, alias name or alias ARN), KMS_REGION (else AWS_REGION,
 * else the SDK's default), KMS_TIMEOUT_MS (default 3000).
 */
export const config: Config.Config<KmsEnvelopeCipherConfig> = Config.all({
  keyId: Config.NonEmptyString("KMS_KEY_ID"),
  region: Config.option(Config.NonEmptyString("KMS_REGION").pipe(Config.orElse(() => Config.NonEmptyString("AWS_REGION"))))
    .pipe(Config.map(Option.getOrUndefined)),
  timeoutMillis: Config.Int("KMS_TIMEOUT_MS").pipe(Config.withDefault(DEFAULT_TIMEOUT_MILLIS))
})

export const layerConfig: Layer.Layer<SecretCipher, Config.ConfigError> = Layer.effect(
  SecretCipher,
  Effect.flatMap(config, make)
)
