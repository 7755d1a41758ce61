/**
 * Use cases of platform configs (GET/POST/PUT/DELETE /api/users/{userId}/platforms/{platform}/configs):
 * the caller's own named configs with one current config, and updates that must name the version
 * they were made against — a stale version is a 409, never a lost update.
 */
import { Clock, Context, Effect, Layer } from "effect"
import { type Actor, requireSelf } from "../Actor.js"
import type { Conflict, Forbidden, NotFound } from "../DomainError.js"
import { Ids } from "../Ids.js"
import type { UserId } from "../Users/User.js"
import { ConfigId, type Platform } from "./Platform.js"
import {
  type ConfigList,
  type CreateConfigInput,
  MAX_CONFIGS_PER_PLATFORM,
  PlatformConfig,
  type UpdateConfigInput
} from "./PlatformConfig.js"
import { PlatformConfigRepository, type PlatformConfigRepositoryError } from "./PlatformConfigRepository.js"

export class PlatformConfigs extends Context.Service<PlatformConfigs, {
  readonly list: (
    actor: Actor,
    userId: UserId,
    platform: Platform
  ) => Effect.Effect<ConfigList, Forbidden | PlatformConfigRepositoryError>
  /** Version 1; current when `makeCurrent` or when no config is current. Conflict "TooManyConfigs". */
  readonly create: (
    actor: Actor,
    userId: UserId,
    platform: Platform,
    input: CreateConfigInput
  ) => Effect.Effect<PlatformConfig, Forbidden | Conflict | PlatformConfigRepositoryError>
  /** Conflict "VersionConflict" when `input.version` is not the stored version; NotFound. */
  readonly update: (
    actor: Actor,
    userId: UserId,
    platform: Platform,
    configId: ConfigId,
    input: UpdateConfigInput
  ) => Effect.Effect<PlatformConfig, Forbidden | Conflict | NotFound | PlatformConfigRepositoryError>
  readonly delete: (
    actor: Actor,
    userId: UserId,
    platform: Platform,
    configId: ConfigId
  ) => Effect.Effect<void, Forbidden | NotFound | PlatformConfigRepositoryError>
}>()("@app/domain/Platforms/PlatformConfigs") {
  static readonly layer = Layer.effect(
    PlatformConfigs,
    Effect.gen(function*() {
      const repo = yield* PlatformConfigRepository
      const ids = yield* Ids

      const list = Effect.fn("PlatformConfigs.list")(function*(actor: Actor, userId: UserId, platform: Platform) {
        yield* requireSelf(actor, userId)
        return yield* repo.list(userId, platform)
      })

      const create = Effect.fn("PlatformConfigs.create")(
        function*(actor: Actor, userId: UserId, platform: Platform, input: CreateConfigInput) {
          yield* requireSelf(actor, userId)
          const now = yield* Clock.currentTimeMillis
          const config = new PlatformConfig({
            configId: ConfigId.make(yield* ids.next),
            name: input.name,
            settings: input.settings,
            version: 1,
            createdAt: now,
            updatedAt: now
          })
          return yield* repo.create(userId, platform, config, {
            makeCurrent: input.makeCurrent === true,
            maxConfigs: MAX_CONFIGS_PER_PLATFORM
          })
        }
      )

      const update = Effect.fn("PlatformConfigs.update")(
        function*(actor: Actor, userId: UserId, platform: Platform, configId: ConfigId, input: UpdateConfigInput) {
          yield* requireSelf(actor, userId)
          const { version, ...patch } = input
          const now = yield* Clock.currentTimeMillis
          return yield* repo.update(userId, platform, configId, patch, version, now)
        }
      )

      const remove = Effect.fn("PlatformConfigs.delete")(
        function*(actor: Actor, userId: UserId, platform: Platform, configId: ConfigId) {
          yield* requireSelf(actor, userId)
          yield* repo.delete(userId, platform, configId)
        }
      )

      return PlatformConfigs.of({ list, create, update, delete: remove })
    })
  )
}
