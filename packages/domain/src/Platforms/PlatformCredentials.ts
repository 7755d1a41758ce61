/**
 * Use cases of platform credentials (PUT/GET/DELETE /api/users/{userId}/platforms/{platform}/credentials):
 * the secret is encrypted with SecretCipher under the context {userId, platform, accountId} before
 * it reaches storage, and every answer is a CredentialSummary — the secret is never echoed.
 */
import { Clock, Context, Effect, Layer } from "effect"
import { type Actor, requireSelf } from "../Actor.js"
import type { Forbidden, NotFound } from "../DomainError.js"
import { SecretCipher, type SecretCipherError } from "../Secrets/SecretCipher.js"
import type { UserId } from "../Users/User.js"
import { type CredentialSummary, credentialEncryptionContext, type PutCredentialsInput } from "./Credential.js"
import { CredentialRepository, type CredentialRepositoryError } from "./CredentialRepository.js"
import type { AccountId, Platform } from "./Platform.js"

export class PlatformCredentials extends Context.Service<PlatformCredentials, {
  /** Creates or replaces the account's credentials (createdAt and lastSyncAt survive a replacement). */
  readonly put: (
    actor: Actor,
    userId: UserId,
    platform: Platform,
    accountId: AccountId,
    input: PutCredentialsInput
  ) => Effect.Effect<CredentialSummary, Forbidden | SecretCipherError | CredentialRepositoryError>
  readonly list: (
    actor: Actor,
    userId: UserId,
    platform: Platform
  ) => Effect.Effect<ReadonlyArray<CredentialSummary>, Forbidden | CredentialRepositoryError>
  readonly delete: (
    actor: Actor,
    userId: UserId,
    platform: Platform,
    accountId: AccountId
  ) => Effect.Effect<void, Forbidden | NotFound | CredentialRepositoryError>
}>()("@app/domain/Platforms/PlatformCredentials") {
  static readonly layer = Layer.effect(
    PlatformCredentials,
    Effect.gen(function*() {
      const repo = yield* CredentialRepository
      const cipher = yield* SecretCipher

      const put = Effect.fn("PlatformCredentials.put")(
        function*(actor: Actor, userId: UserId, platform: Platform, accountId: AccountId, input: PutCredentialsInput) {
          yield* requireSelf(actor, userId)
          const secret = yield* cipher.encrypt(input.credentials, credentialEncryptionContext(userId, platform, accountId))
          const at = yield* Clock.currentTimeMillis
          return yield* repo.put({ userId, platform, accountId, secret, status: input.status, at })
        }
      )

      const list = Effect.fn("PlatformCredentials.list")(function*(actor: Actor, userId: UserId, platform: Platform) {
        yield* requireSelf(actor, userId)
        return yield* repo.list(userId, platform)
      })

      const remove = Effect.fn("PlatformCredentials.delete")(
        function*(actor: Actor, userId: UserId, platform: Platform, accountId: AccountId) {
          yield* requireSelf(actor, userId)
          yield* repo.delete(userId, platform, accountId)
        }
      )

      return PlatformCredentials.of({ put, list, delete: remove })
    })
  )
}
