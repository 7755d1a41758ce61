/**
 * Envelope encryption of platform credentials. A fresh data key encrypts each secret (AES-256-GCM);
 * the data key itself is encrypted by a master key (KMS in the serverless build, a local key
 * otherwise) and stored beside the ciphertext. The encryption context (userId, platform,
 * accountId) is bound to both layers, so a ciphertext moved to another account does not decrypt.
 */
import { Context, Effect, type Redacted, Schema } from "effect"
import { TimedOut, Unavailable, Unexpected } from "../StoreFailure.js"

/** The stored form: everything needed to decrypt, given the master key and the same context. */
export class EncryptedSecret extends Schema.Class<EncryptedSecret>("@app/domain/Secrets/EncryptedSecret")({
  algorithm: Schema.Literal("AES-256-GCM"),
  /** Which master key wrapped the data key (a KMS key ARN, or a local key id). */
  keyId: Schema.String,
  /** The data key, encrypted by the master key (base64). */
  encryptedDataKey: Schema.String,
  /** Nonce of the payload encryption (base64). */
  iv: Schema.String,
  /** Payload ciphertext followed by its 16-byte GCM tag (base64). */
  ciphertext: Schema.String
}) {}

export type EncryptionContext = Readonly<Record<string, string>>

/** The ciphertext, its data key or its context was altered: never decrypts to anything. */
export class IntegrityFailure extends Schema.TaggedError<IntegrityFailure>()("IntegrityFailure", {
  message: Schema.String
}) {}

export class SecretCipherError extends Schema.TaggedError<SecretCipherError>()("SecretCipherError", {
  reason: Schema.Union([Unavailable, TimedOut, Unexpected, IntegrityFailure])
}) {}

export class SecretCipher extends Context.Service<SecretCipher, {
  readonly encrypt: (
    plaintext: Redacted.Redacted<string>,
    context: EncryptionContext
  ) => Effect.Effect<EncryptedSecret, SecretCipherError>
  readonly decrypt: (
    secret: EncryptedSecret,
    context: EncryptionContext
  ) => Effect.Effect<Redacted.Redacted<string>, SecretCipherError>
}>()("@app/domain/Secrets/SecretCipher") {}
