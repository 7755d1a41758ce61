/**
 * PlatformConfigRepository on Postgres. The configs of one user and platform hang under one
 * `platform_config_sets` row that holds the current config id, so there is never more than one
 * current config. Create locks that row, then counts and inserts, so racing creates respect the
 * limit and exactly one of them finds no current config. Update locks the config row and checks
 * its version before writing (compare-and-set: a stale version never overwrites). Delete is one
 * statement; the foreign key from the set row clears the current id when its config goes.
 */
import {
  canonicalJson,
  ConfigList,
  Conflict,
  type ConfigId,
  type ConfigSettings,
  NotFound,
  type Platform,
  PlatformConfig,
  PlatformConfigRepository,
  PlatformConfigRepositoryError,
  type UserId
} from "@app/domain"
import { Effect, Layer } from "effect"
import { SqlClient } from "./SqlClient.js"
import type { SqlError } from "./SqlError.js"

interface ConfigRow {
  readonly [column: string]: unknown
  readonly config_id: string
  readonly name: string
  readonly settings: ConfigSettings
  readonly version: number
  readonly created_at: number
  readonly updated_at: number
}

/** A row of the list: the set's current id, and one config or (no configs yet) nulls. */
type ListRow = { readonly current_config_id: string | null } & (ConfigRow | { readonly [column: string]: unknown; readonly config_id: null })

const COLUMNS = "config_id, name, settings, version, created_at, updated_at"

const configOf = (row: ConfigRow) =>
  new PlatformConfig({
    configId: row.config_id as ConfigId,
    name: row.name,
    settings: row.settings,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  })

/**
 * The list as one statement (one snapshot, so the current id always names a listed config), served
 * by the primary keys of both tables. Exported so a test can EXPLAIN the statement the adapter runs.
 */
export const listQuery = (userId: UserId, platform: Platform) => ({
  text: `SELECT s.current_config_id, c.config_id, c.name, c.settings, c.version, c.created_at, c.updated_at
           FROM platform_config_sets s
           LEFT JOIN platform_configs c ON c.user_id = s.user_id AND c.platform = s.platform
          WHERE s.user_id = $1 AND s.platform = $2
          ORDER BY c.created_at, c.config_id`,
  params: [userId, platform] as ReadonlyArray<unknown>
})

const failure = (error: SqlError) => new PlatformConfigRepositoryError({ reason: error.reason })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient

  return PlatformConfigRepository.of({
    list: Effect.fn("PlatformConfigRepositoryPostgres.list")(function*(userId, platform) {
      const query = listQuery(userId, platform)
      const rows = yield* sql.query<ListRow>(query.text, query.params).pipe(Effect.mapError(failure))
      return new ConfigList({
        configs: rows.filter((row): row is ListRow & ConfigRow => row.config_id !== null).map(configOf),
        currentConfigId: (rows[0]?.current_config_id ?? null) as ConfigId | null
      })
    }),

    create: Effect.fn("PlatformConfigRepositoryPostgres.create")(function*(userId, platform, config, options) {
      return yield* sql.transaction((tx) =>
        Effect.gen(function*() {
          // Creates the set row on first use and locks it either way (the no-op update takes the lock).
          const [set] = yield* tx.query<{ readonly current_config_id: string | null }>(
            `INSERT INTO platform_config_sets AS s (user_id, platform) VALUES ($1, $2)
             ON CONFLICT (user_id, platform) DO UPDATE SET current_config_id = s.current_config_id
             RETURNING s.current_config_id`,
            [userId, platform]
          )
          // A new statement, so a new snapshot: it sees every config committed by earlier lock holders.
          const [stored] = yield* tx.query<{ readonly configs: number; readonly taken: boolean }>(
            `SELECT count(*)::int AS configs, coalesce(bool_or(config_id = $3), false) AS taken
               FROM platform_configs WHERE user_id = $1 AND platform = $2`,
            [userId, platform, config.configId]
          )
          if (stored?.taken === true) {
            return yield* Effect.fail(new Conflict({ code: "ConfigExists", message: "a config with this id exists" }))
          }
          if ((stored?.configs ?? 0) >= options.maxConfigs) {
            return yield* Effect.fail(
              new Conflict({ code: "TooManyConfigs", message: `at most ${options.maxConfigs} configs per platform` })
            )
          }
          yield* tx.query(
            `INSERT INTO platform_configs (user_id, platform, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5::json, $6, $7, $8)`,
            [userId, platform, config.configId, config.name, canonicalJson(config.settings), config.version, config.createdAt, config.updatedAt]
          )
          if (options.makeCurrent || (set?.current_config_id ?? null) === null) {
            yield* tx.query(
              "UPDATE platform_config_sets SET current_config_id = $3 WHERE user_id = $1 AND platform = $2",
              [userId, platform, config.configId]
            )
          }
          return config
        })
      ).pipe(Effect.catchTag("SqlError", (error) => Effect.fail(failure(error))))
    }),

    update: Effect.fn("PlatformConfigRepositoryPostgres.update")(
      function*(userId, platform, configId, patch, expectedVersion, at) {
        return yield* sql.transaction((tx) =>
          Effect.gen(function*() {
            const [stored] = yield* tx.query<{ readonly version: number }>(
              "SELECT version FROM platform_configs WHERE user_id = $1 AND platform = $2 AND config_id = $3 FOR UPDATE",
              [userId, platform, configId]
            )
            if (stored === undefined) return yield* Effect.fail(NotFound.of("config"))
            if (stored.version !== expectedVersion) {
              return yield* Effect.fail(
                new Conflict({
                  code: "VersionConflict",
                  message: `config is at version ${stored.version}, not ${expectedVersion}`
                })
              )
            }
            const [row] = yield* tx.query<ConfigRow>(
              `UPDATE platform_configs
                  SET name = COALESCE($4, name), settings = COALESCE($5::json, settings),
                      version = version + 1, updated_at = $6
                WHERE user_id = $1 AND platform = $2 AND config_id = $3 AND version = $7
                RETURNING ${COLUMNS}`,
              [
                userId,
                platform,
                configId,
                patch.name ?? null,
                patch.settings === undefined ? null : canonicalJson(patch.settings),
                at,
                expectedVersion
              ]
            )
            if (patch.makeCurrent === true) {
              yield* tx.query(
                "UPDATE platform_config_sets SET current_config_id = $3 WHERE user_id = $1 AND platform = $2",
                [userId, platform, configId]
              )
            }
            // Locked and checked by the SELECT above: the UPDATE always finds the row at that version.
            return configOf(row!)
          })
        ).pipe(Effect.catchTag("SqlError", (error) => Effect.fail(failure(error))))
      }
    ),

    delete: Effect.fn("PlatformConfigRepositoryPostgres.delete")(function*(userId, platform, configId) {
      const rows = yield* sql.query(
        "DELETE FROM platform_configs WHERE user_id = $1 AND platform = $2 AND config_id = $3 RETURNING config_id",
        [userId, platform, configId]
      ).pipe(Effect.mapError(failure))
      if (rows.length === 0) return yield* Effect.fail(NotFound.of("config"))
    })
  })
})

export const layer: Layer.Layer<PlatformConfigRepository, never, SqlClient> = Layer.effect(PlatformConfigRepository, make)
