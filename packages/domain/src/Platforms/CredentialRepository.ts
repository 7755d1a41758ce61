/**
 * Storage of platform credentials, one item per user, platform and account. It holds the secret
 * only as an EncryptedSecret and answers reads with CredentialSummary; the encrypted record is
 * read only by campaign sync. `put` is one atomic upsert (PutItem/UpdateItem with if_not_exists,
 * INSERT … ON CONFLICT) so createdAt, lastSyncAt and an unspecified status survive a replacement.
 */
import { type Option, Context, Effect, Schema } from "effect"
import type { NotFound } from "../DomainError.js"
import type { EncryptedSecret } from "../Secrets/SecretCipher.js"
import { StoreFailure } from "../StoreFailure.js"
import type { UserId } from "../Users/User.js"
import type { CredentialRecord, CredentialStatus, CredentialSummary } from "./Credential.js"
import type { AccountId, Platform } from "./Platform.js"

export class CredentialRepositoryError extends Schema.TaggedError<CredentialRepositoryError>()(
  "CredentialRepositoryError",
  { reason: StoreFailure }
) {}

export interface PutCredential {
  readonly userId: UserId
  readonly platform: Platform
  readonly accountId: AccountId
  readonly secret: EncryptedSecret
  /** undefined: "active" when new, the stored status when replacing. */
  readonly status: CredentialStatus | undefined
  readonly at: number
}

export class CredentialRepository extends Context.Service<CredentialRepository, {
  /**
   * Creates the credential, or replaces its secret (and status, when given). On a replacement
   * createdAt and lastSyncAt are kept and updatedAt becomes `at`. Answers the summary as stored.
   */
  readonly put: (input: PutCredential) => Effect.Effect<CredentialSummary, CredentialRepositoryError>
  /** Summaries of the user's accounts on the platform, ordered by accountId. */
  readonly list: (
    userId: UserId,
    platform: Platform
  ) => Effect.Effect<ReadonlyArray<CredentialSummary>, CredentialRepositoryError>
  /** The stored record with its encrypted secret: for campaign sync only, never for a response. */
  readonly get: (
    userId: UserId,
    platform: Platform,
    accountId: AccountId
  ) => Effect.Effect<Option.Option<CredentialRecord>, CredentialRepositoryError>
  /** NotFound when absent. */
  readonly delete: (
    userId: UserId,
    platform: Platform,
    accountId: AccountId
  ) => Effect.Effect<void, NotFound | CredentialRepositoryError>
  /** Sets lastSyncAt of an existing credential (a conditional update: NotFound, never an insert). */
  readonly recordSync: (
    userId: UserId,
    platform: Platform,
    accountId: AccountId,
    at: number
  ) => Effect.Effect<void, NotFound | CredentialRepositoryError>
}>()("@app/domain/Platforms/CredentialRepository") {}
