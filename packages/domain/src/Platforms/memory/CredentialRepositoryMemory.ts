/**
 * CredentialRepository in process memory (see PlatformConfigRepositoryMemory for why each step is
 * atomic). It stores exactly what a real store would: the EncryptedSecret, never a plaintext.
 */
import { Effect, Layer, Option } from "effect"
import { NotFound } from "../../DomainError.js"
import type { UserId } from "../../Users/User.js"
import { CredentialRecord, credentialSummary } from "../Credential.js"
import { CredentialRepository } from "../CredentialRepository.js"
import type { AccountId, Platform } from "../Platform.js"

export const make = Effect.sync(() => {
  /** userId#platform → accountId → record */
  const partitions = new Map<string, Map<AccountId, CredentialRecord>>()
  const key = (userId: UserId, platform: Platform) => `${userId}#${platform}`
  const partitionOf = (userId: UserId, platform: Platform) => {
    const k = key(userId, platform)
    let partition = partitions.get(k)
    if (partition === undefined) {
      partition = new Map()
      partitions.set(k, partition)
    }
    return partition
  }

  return CredentialRepository.of({
    put: (input) =>
      Effect.sync(() => {
        const partition = partitionOf(input.userId, input.platform)
        const existing = partition.get(input.accountId)
        const record = new CredentialRecord({
          userId: input.userId,
          platform: input.platform,
          accountId: input.accountId,
          secret: input.secret,
          status: input.status ?? existing?.status ?? "active",
          createdAt: existing?.createdAt ?? input.at,
          updatedAt: input.at,
          lastSyncAt: existing?.lastSyncAt ?? null
        })
        partition.set(input.accountId, record)
        return credentialSummary(record)
      }),
    list: (userId, platform) =>
      Effect.sync(() =>
        Array.from(partitions.get(key(userId, platform))?.values() ?? [])
          .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0))
          .map(credentialSummary)
      ),
    get: (userId, platform, accountId) =>
      Effect.sync(() => Option.fromUndefinedOr(partitions.get(key(userId, platform))?.get(accountId))),
    delete: (userId, platform, accountId) =>
      Effect.suspend((): Effect.Effect<void, NotFound> =>
        partitions.get(key(userId, platform))?.delete(accountId) === true
          ? Effect.void
          : Effect.fail(NotFound.of("credentials"))
      ),
    recordSync: (userId, platform, accountId, at) =>
      Effect.suspend((): Effect.Effect<void, NotFound> => {
        const partition = partitions.get(key(userId, platform))
        const record = partition?.get(accountId)
        if (partition === undefined || record === undefined) return Effect.fail(NotFound.of("credentials"))
        partition.set(accountId, new CredentialRecord({ ...record, lastSyncAt: at }))
        return Effect.void
      })
  })
})

export const layer = Layer.effect(CredentialRepository, make)
