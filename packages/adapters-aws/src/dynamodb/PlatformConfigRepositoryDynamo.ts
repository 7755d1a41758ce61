/**
 * PlatformConfigRepository on the platform-configs table (002): one item per userId#platform
 * holding every config of that user and platform in a map (configId → {name, settings, version,
 * createdAt, updatedAt}) and the currentConfigId (absent when none is current). Because everything
 * lives in one item, each port method is a single conditional write on it and DynamoDB makes the
 * check and the write atomic:
 * - update is a compare-and-set: `#configs.#cfg.#version = :expected`, so of any number of racing
 *   updates naming one version exactly one commits (a lost update is impossible);
 * - create checks the id is free and `size(#configs) < :max` in the same condition, and makes the
 *   config current with `if_not_exists(#currentConfigId, …)` when none is current;
 * - delete removes the entry and, in the same write, the currentConfigId if it named it.
 * Settings are stored as the domain's canonical JSON text: a JSON value round-trips exactly
 * (DynamoDB numbers and map keys do not hold every JSON value the SDK can be given).
 *
 * Round trips: list 1 GetItem; create 1 UpdateItem (2 — UpdateItem then PutItem — for the first
 * config of a user and platform, when the item does not exist yet; one more UpdateItem if a racing
 * create put the item first); update 1 UpdateItem; delete 1 UpdateItem (2 when the config is the
 * current one: the first attempt assumes it is not, and its failure answers the stored item).
 */
import {
  type ConfigId,
  type ConfigPatch,
  ConfigList,
  Conflict,
  type CreateConfigOptions,
  NotFound,
  type Platform,
  PlatformConfig,
  PlatformConfigRepository,
  PlatformConfigRepositoryError,
  Unavailable,
  Unexpected,
  type UserId,
  canonicalJson
} from "@app/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { compositeKey, DynamoClient, type Item } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

const TABLE = "platformConfigs"

/** Rounds of a write whose condition keeps failing because the item keeps changing underneath. */
const MAX_ROUNDS = 8

/** One config as stored inside the item's `configs` map (its key is the configId). */
export const toEntry = (config: PlatformConfig): Item => ({
  name: config.name,
  settings: canonicalJson(config.settings),
  version: config.version,
  createdAt: config.createdAt,
  updatedAt: config.updatedAt
})

const decodeConfig = Schema.decodeUnknownEffect(PlatformConfig)

const malformed = (what: string) =>
  new PlatformConfigRepositoryError({ reason: new Unexpected({ message: `a stored ${what} does not decode` }) })

const parseJson = (text: unknown): Effect.Effect<unknown, PlatformConfigRepositoryError> =>
  typeof text === "string"
    ? Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => malformed("config's settings") })
    : Effect.fail(malformed("config's settings"))

/** A config of a stored item's map (Schema-checked: a corrupt entry is Unexpected). */
export const fromEntry = (configId: string, entry: unknown): Effect.Effect<PlatformConfig, PlatformConfigRepositoryError> =>
  Effect.gen(function*() {
    if (entry === null || typeof entry !== "object") return yield* malformed("config")
    const e = entry as Record<string, unknown>
    return yield* decodeConfig({
      configId,
      name: e["name"],
      settings: yield* parseJson(e["settings"]),
      version: e["version"],
      createdAt: e["createdAt"],
      updatedAt: e["updatedAt"]
    }).pipe(Effect.mapError(() => malformed("config")))
  })

const configsOf = (item: Item | undefined): Record<string, unknown> => {
  const configs = item?.["configs"]
  return configs !== null && typeof configs === "object" ? (configs as Record<string, unknown>) : {}
}

/** The stored entry of `configId` (own properties only: an id such as "constructor" is just an id). */
const entryOf = (item: Item | undefined, configId: string): Record<string, unknown> | undefined => {
  const configs = configsOf(item)
  return Object.hasOwn(configs, configId) ? (configs[configId] as Record<string, unknown>) : undefined
}

const byAge = (a: PlatformConfig, b: PlatformConfig) =>
  a.createdAt - b.createdAt || (a.configId < b.configId ? -1 : a.configId > b.configId ? 1 : 0)

const portError = DynamoError.toPortError((reason) => new PlatformConfigRepositoryError({ reason }))

const configExists = new Conflict({ code: "ConfigExists", message: "a config with this id exists" })
const tooMany = (max: number) => new Conflict({ code: "TooManyConfigs", message: `at most ${max} configs per platform` })
const versionConflict = (stored: unknown, expected: number) =>
  new Conflict({ code: "VersionConflict", message: `config is at version ${String(stored)}, not ${expected}` })

const keepsChanging = (operation: string) =>
  new PlatformConfigRepositoryError({
    reason: new Unavailable({ message: `${operation}: the stored configs kept changing; try again` })
  })

/** What a conditional write ended in: done, or refused with the item as stored (absent: undefined). */
type Attempt = { readonly done: true } | { readonly done: false; readonly stored: Item | undefined }

const attempt = (write: Effect.Effect<unknown, DynamoError.DynamoError>): Effect.Effect<Attempt, DynamoError.DynamoError> =>
  write.pipe(
    Effect.map((): Attempt => ({ done: true })),
    Effect.catchTag("ConditionFailed", (failed) => Effect.succeed<Attempt>({ done: false, stored: failed.itemAt(0) }))
  )

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient

  const keyOf = (userId: UserId, platform: Platform) =>
    compositeKey(userId, platform).pipe(Effect.map((userPlatform) => ({ userPlatform })))

  const list = Effect.fn("PlatformConfigRepositoryDynamo.list")(function*(userId: UserId, platform: Platform) {
    const key = yield* keyOf(userId, platform).pipe(portError)
    const found = yield* dynamo.get(TABLE, key).pipe(portError)
    if (Option.isNone(found)) return new ConfigList({ configs: [], currentConfigId: null })
    const configs: Array<PlatformConfig> = []
    for (const [configId, entry] of Object.entries(configsOf(found.value))) configs.push(yield* fromEntry(configId, entry))
    const current = found.value["currentConfigId"]
    return new ConfigList({
      configs: configs.sort(byAge),
      currentConfigId: typeof current === "string" ? (current as ConfigId) : null
    })
  })

  const create = Effect.fn("PlatformConfigRepositoryDynamo.create")(
    function*(userId: UserId, platform: Platform, config: PlatformConfig, options: CreateConfigOptions) {
      const key = yield* keyOf(userId, platform).pipe(portError)
      const entry = toEntry(config)
      for (let round = 0; round < MAX_ROUNDS; round++) {
        // The common case: the item exists, the id is free and there is room.
        const added: Attempt = yield* attempt(dynamo.update(TABLE, key, {
          update: `SET #configs.#cfg = :config, #currentConfigId = ${
            options.makeCurrent ? ":id" : "if_not_exists(#currentConfigId, :id)"
          }`,
          condition: "attribute_exists(#userPlatform) AND attribute_not_exists(#configs.#cfg) AND size(#configs) < :max",
          names: { "#cfg": config.configId },
          values: { ":config": entry, ":id": config.configId, ":max": options.maxConfigs },
          returnValues: "NONE",
          returnItemOnConditionFailure: true
        })).pipe(portError)
        if (added.done) return config
        if (added.stored !== undefined) {
          return yield* Effect.fail(
            entryOf(added.stored, config.configId) !== undefined ? configExists : tooMany(options.maxConfigs)
          )
        }
        // No item yet: this is the first config, so it is current whatever was asked.
        if (options.maxConfigs < 1) return yield* Effect.fail(tooMany(options.maxConfigs))
        const first: Attempt = yield* attempt(dynamo.put(TABLE, { ...key, configs: { [config.configId]: entry }, currentConfigId: config.configId }, {
          condition: "attribute_not_exists(#userPlatform)"
        })).pipe(portError)
        if (first.done) return config
        // A racing create put the item first: go round and add to it.
      }
      return yield* keepsChanging("create")
    }
  )

  const update = Effect.fn("PlatformConfigRepositoryDynamo.update")(
    function*(userId: UserId, platform: Platform, configId: ConfigId, patch: ConfigPatch, expectedVersion: number, at: number) {
      const key = yield* keyOf(userId, platform).pipe(portError)
      const sets = ["#configs.#cfg.#version = :next", "#configs.#cfg.#updatedAt = :at"]
      const values: Record<string, unknown> = { ":expected": expectedVersion, ":next": expectedVersion + 1, ":at": at }
      if (patch.name !== undefined) {
        sets.push("#configs.#cfg.#name = :name")
        values[":name"] = patch.name
      }
      if (patch.settings !== undefined) {
        sets.push("#configs.#cfg.#settings = :settings")
        values[":settings"] = canonicalJson(patch.settings)
      }
      if (patch.makeCurrent === true) {
        sets.push("#currentConfigId = :id")
        values[":id"] = configId
      }
      const updated = yield* dynamo.update(TABLE, key, {
        update: `SET ${sets.join(", ")}`,
        // A missing item or config has no such path, so the condition is false for it too.
        condition: "#configs.#cfg.#version = :expected",
        names: { "#cfg": configId },
        values,
        returnValues: "ALL_NEW",
        returnItemOnConditionFailure: true
      }).pipe(
        Effect.catchTag("ConditionFailed", (failed) => {
          const stored = entryOf(failed.itemAt(0), configId)
          return Effect.fail(stored === undefined ? NotFound.of("config") : versionConflict(stored["version"], expectedVersion))
        }),
        portError
      )
      const entry = Option.isSome(updated) ? entryOf(updated.value, configId) : undefined
      if (entry === undefined) return yield* malformed("config")
      return yield* fromEntry(configId, entry)
    }
  )

  const remove = Effect.fn("PlatformConfigRepositoryDynamo.delete")(
    function*(userId: UserId, platform: Platform, configId: ConfigId) {
      const key = yield* keyOf(userId, platform).pipe(portError)
      let isCurrent = false
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const removed: Attempt = yield* attempt(dynamo.update(TABLE, key, {
          ...(isCurrent
            ? {
              update: "REMOVE #configs.#cfg, #currentConfigId",
              condition: "attribute_exists(#configs.#cfg) AND #currentConfigId = :id"
            }
            : {
              update: "REMOVE #configs.#cfg",
              condition: "attribute_exists(#configs.#cfg) AND (attribute_not_exists(#currentConfigId) OR #currentConfigId <> :id)"
            }),
          names: { "#cfg": configId },
          values: { ":id": configId },
          returnValues: "NONE",
          returnItemOnConditionFailure: true
        })).pipe(portError)
        if (removed.done) return
        if (entryOf(removed.stored, configId) === undefined) return yield* Effect.fail(NotFound.of("config"))
        isCurrent = removed.stored?.["currentConfigId"] === configId
      }
      return yield* keepsChanging("delete")
    }
  )

  return PlatformConfigRepository.of({ list, create, update, delete: remove })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<PlatformConfigRepository, never, DynamoClient> = Layer.effect(PlatformConfigRepository, make)
