/**
 * PlatformConfigRepository in process memory: the reference model for the other stores and the
 * single-process default. One entry per userId#platform, like the DynamoDB item; each operation is
 * one synchronous step, so the version compare-and-set is atomic under any fiber interleaving.
 */
import { Effect, Layer } from "effect"
import { Conflict, NotFound } from "../../DomainError.js"
import type { UserId } from "../../Users/User.js"
import type { ConfigId, Platform } from "../Platform.js"
import { ConfigList, PlatformConfig } from "../PlatformConfig.js"
import { PlatformConfigRepository } from "../PlatformConfigRepository.js"

interface Entry {
  readonly configs: Map<ConfigId, PlatformConfig>
  current: ConfigId | null
}

const byAge = (a: PlatformConfig, b: PlatformConfig) =>
  a.createdAt - b.createdAt || (a.configId < b.configId ? -1 : a.configId > b.configId ? 1 : 0)

export const make = Effect.sync(() => {
  const entries = new Map<string, Entry>()
  const key = (userId: UserId, platform: Platform) => `${userId}#${platform}`
  const entryOf = (userId: UserId, platform: Platform): Entry => {
    const k = key(userId, platform)
    let entry = entries.get(k)
    if (entry === undefined) {
      entry = { configs: new Map(), current: null }
      entries.set(k, entry)
    }
    return entry
  }

  return PlatformConfigRepository.of({
    list: (userId, platform) =>
      Effect.sync(() => {
        const entry = entries.get(key(userId, platform))
        return new ConfigList({
          configs: entry === undefined ? [] : Array.from(entry.configs.values()).sort(byAge),
          currentConfigId: entry?.current ?? null
        })
      }),
    create: (userId, platform, config, options) =>
      Effect.suspend((): Effect.Effect<PlatformConfig, Conflict> => {
        const entry = entryOf(userId, platform)
        if (entry.configs.has(config.configId)) {
          return Effect.fail(new Conflict({ code: "ConfigExists", message: "a config with this id exists" }))
        }
        if (entry.configs.size >= options.maxConfigs) {
          return Effect.fail(
            new Conflict({ code: "TooManyConfigs", message: `at most ${options.maxConfigs} configs per platform` })
          )
        }
        entry.configs.set(config.configId, config)
        if (options.makeCurrent || entry.current === null) entry.current = config.configId
        return Effect.succeed(config)
      }),
    update: (userId, platform, configId, patch, expectedVersion, at) =>
      Effect.suspend((): Effect.Effect<PlatformConfig, Conflict | NotFound> => {
        const entry = entries.get(key(userId, platform))
        const stored = entry?.configs.get(configId)
        if (entry === undefined || stored === undefined) return Effect.fail(NotFound.of("config"))
        if (stored.version !== expectedVersion) {
          return Effect.fail(
            new Conflict({
              code: "VersionConflict",
              message: `config is at version ${stored.version}, not ${expectedVersion}`
            })
          )
        }
        const updated = new PlatformConfig({
          ...stored,
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.settings === undefined ? {} : { settings: patch.settings }),
          version: stored.version + 1,
          updatedAt: at
        })
        entry.configs.set(configId, updated)
        if (patch.makeCurrent === true) entry.current = configId
        return Effect.succeed(updated)
      }),
    delete: (userId, platform, configId) =>
      Effect.suspend((): Effect.Effect<void, NotFound> => {
        const entry = entries.get(key(userId, platform))
        if (entry === undefined || !entry.configs.delete(configId)) return Effect.fail(NotFound.of("config"))
        if (entry.current === configId) entry.current = null
        return Effect.void
      })
  })
})

export const layer = Layer.effect(PlatformConfigRepository, make)
