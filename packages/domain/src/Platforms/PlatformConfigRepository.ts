/**
 * Storage of platform configs: per user and platform, a set of named configs and the id of the
 * current one (one DynamoDB item per userId#platform, or rows under a parent row in Postgres).
 * Every method is one atomic step — a conditional write on the item, or a transaction holding the
 * parent row — so the version check of an update and the "first config becomes current" rule hold
 * under concurrent requests.
 */
import { Context, Effect, Schema } from "effect"
import type { Conflict, NotFound } from "../DomainError.js"
import { StoreFailure } from "../StoreFailure.js"
import type { UserId } from "../Users/User.js"
import type { ConfigId, ConfigSettings, Platform } from "./Platform.js"
import type { ConfigList, PlatformConfig } from "./PlatformConfig.js"

export class PlatformConfigRepositoryError extends Schema.TaggedError<PlatformConfigRepositoryError>()(
  "PlatformConfigRepositoryError",
  { reason: StoreFailure }
) {}

export interface ConfigPatch {
  readonly name?: string
  readonly settings?: ConfigSettings
  /** true: this config becomes the current one. false or absent: the current config is unchanged. */
  readonly makeCurrent?: boolean
}

export interface CreateConfigOptions {
  /** Make the new config current. It also becomes current when no config is current. */
  readonly makeCurrent: boolean
  /** Refuse (Conflict "TooManyConfigs") when the user already has this many configs on the platform. */
  readonly maxConfigs: number
}

export class PlatformConfigRepository extends Context.Service<PlatformConfigRepository, {
  /** All configs of the user on the platform, oldest first (by createdAt, then configId). */
  readonly list: (userId: UserId, platform: Platform) => Effect.Effect<ConfigList, PlatformConfigRepositoryError>
  /**
   * Stores a new config as given (the use case sets version 1 and the times). Atomically: Conflict
   * "TooManyConfigs" at the limit, Conflict "ConfigExists" when the id is taken; the config becomes
   * current when asked to or when none is current (so the first config is always current).
   */
  readonly create: (
    userId: UserId,
    platform: Platform,
    config: PlatformConfig,
    options: CreateConfigOptions
  ) => Effect.Effect<PlatformConfig, Conflict | PlatformConfigRepositoryError>
  /**
   * Compare-and-set: applies `patch` only if the stored version is `expectedVersion`, then the
   * version becomes expectedVersion + 1 and updatedAt `at`. A different stored version is Conflict
   * "VersionConflict" and nothing changes; a missing config is NotFound.
   */
  readonly update: (
    userId: UserId,
    platform: Platform,
    configId: ConfigId,
    patch: ConfigPatch,
    expectedVersion: number,
    at: number
  ) => Effect.Effect<PlatformConfig, Conflict | NotFound | PlatformConfigRepositoryError>
  /** Removes the config; if it was current, no config is current afterwards. NotFound when absent. */
  readonly delete: (
    userId: UserId,
    platform: Platform,
    configId: ConfigId
  ) => Effect.Effect<void, NotFound | PlatformConfigRepositoryError>
}>()("@app/domain/Platforms/PlatformConfigRepository") {}
