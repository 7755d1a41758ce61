/**
 * Platform credentials (002's platform_credentials: userId#platform + accountId). The secret is
 * only ever stored encrypted (EncryptedSecret, bound to {userId, platform, accountId}); the read
 * model, CredentialSummary, has no field that could hold it, so no read can return it.
 */
import { Schema, SchemaTransformation } from "effect"
import { Millis } from "../Millis.js"
import { EncryptedSecret } from "../Secrets/SecretCipher.js"
import { UserId } from "../Users/User.js"
import { AccountId, Platform } from "./Platform.js"

export const CredentialStatus = Schema.Literals(["active", "inactive"])
export type CredentialStatus = typeof CredentialStatus.Type

/** What every read answers: never the secret. */
export class CredentialSummary extends Schema.Class<CredentialSummary>("@app/domain/Platforms/CredentialSummary")({
  accountId: AccountId,
  status: CredentialStatus,
  createdAt: Millis,
  lastSyncAt: Schema.NullOr(Millis)
}) {}

/** The stored item: the summary's fields plus the encrypted secret. Only campaign sync reads it. */
export class CredentialRecord extends Schema.Class<CredentialRecord>("@app/domain/Platforms/CredentialRecord")({
  userId: UserId,
  platform: Platform,
  accountId: AccountId,
  secret: EncryptedSecret,
  status: CredentialStatus,
  createdAt: Millis,
  updatedAt: Millis,
  lastSyncAt: Schema.NullOr(Millis)
}) {}

export const credentialSummary = (record: CredentialRecord): CredentialSummary =>
  new CredentialSummary({
    accountId: record.accountId,
    status: record.status,
    createdAt: record.createdAt,
    lastSyncAt: record.lastSyncAt
  })

/** The encryption context that binds a ciphertext to its owner, platform and account. */
export const credentialEncryptionContext = (userId: UserId, platform: Platform, accountId: AccountId) => ({
  userId,
  platform,
  accountId
})

export const MAX_CREDENTIAL_CHARS = 8_192

const SecretText = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(MAX_CREDENTIAL_CHARS))

/**
 * The secret as sent: a string (an API key, a refresh token) or a JSON object of several fields,
 * which is kept as its JSON text (so it too is bounded). Decoded straight into a Redacted so it
 * cannot be logged.
 */
export const CredentialSecret = Schema.Union([SecretText, Schema.JsonObject]).pipe(
  Schema.decodeTo(
    SecretText,
    SchemaTransformation.transform<string, string | Schema.JsonObject>({
      decode: (value) => (typeof value === "string" ? value : JSON.stringify(value)),
      encode: (text) => text
    })
  )
)

export const PutCredentialsInput = Schema.Struct({
  credentials: Schema.RedactedFromValue(CredentialSecret, { label: "credentials", disallowEncode: true }),
  /** Absent: "active" for a new credential, the stored status when replacing one. */
  status: Schema.optionalKey(CredentialStatus)
})
export type PutCredentialsInput = typeof PutCredentialsInput.Type
