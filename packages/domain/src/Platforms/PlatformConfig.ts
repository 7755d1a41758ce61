/**
 * Named configs of one user and platform (002's platform_configs: one item per userId#platform
 * holding a map of configs and the currentConfigId). Each config carries a version that every
 * update must name, so two editors can never overwrite each other silently.
 */
import { Schema } from "effect"
import { Millis } from "../Millis.js"
import { ConfigId, ConfigSettings } from "./Platform.js"
import { DisplayName } from "../DisplayName.js"

export const ConfigName = DisplayName

/** A config version: 1 when created, +1 on every update. */
export const ConfigVersion = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
export type ConfigVersion = typeof ConfigVersion.Type

/** How many configs one user may keep per platform (they share one stored item). */
export const MAX_CONFIGS_PER_PLATFORM = 20

export class PlatformConfig extends Schema.Class<PlatformConfig>("@app/domain/Platforms/PlatformConfig")({
  configId: ConfigId,
  name: ConfigName,
  settings: ConfigSettings,
  version: ConfigVersion,
  createdAt: Millis,
  updatedAt: Millis
}) {}

/** Every config of a user and platform, oldest first, and which one is current (null: none). */
export class ConfigList extends Schema.Class<ConfigList>("@app/domain/Platforms/ConfigList")({
  configs: Schema.Array(PlatformConfig),
  currentConfigId: Schema.NullOr(ConfigId)
}) {}

export const CreateConfigInput = Schema.Struct({
  name: ConfigName,
  settings: ConfigSettings,
  makeCurrent: Schema.optionalKey(Schema.Boolean)
})
export type CreateConfigInput = typeof CreateConfigInput.Type

export const UpdateConfigInput = Schema.Struct({
  name: Schema.optionalKey(ConfigName),
  settings: Schema.optionalKey(ConfigSettings),
  /** true makes this config the current one; false or absent leaves the current config as it is. */
  makeCurrent: Schema.optionalKey(Schema.Boolean),
  /** The version the caller last saw; a different stored version is a Conflict "VersionConflict". */
  version: ConfigVersion
})
export type UpdateConfigInput = typeof UpdateConfigInput.Type
