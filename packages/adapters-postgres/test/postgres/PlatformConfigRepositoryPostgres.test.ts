/**
 * PlatformConfigRepository on a real Postgres server and on PGlite: the contract suite unchanged on
 * both, then races over real pool connections (many updates naming one version: exactly one wins;
 * many creates: the limit and the one current config hold) and the plan of the list statement.
 */
import {
  ConfigId,
  type Platform,
  PlatformConfig,
  PlatformConfigRepository,
  UserId
} from "@app/domain"
import { freshScope, PlatformConfigRepositoryContract } from "@app/domain/contract"
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as PlatformConfigRepositoryPostgres from "../../src/postgres/PlatformConfigRepositoryPostgres.js"
import { errorCode } from "../support/ErrorCodes.js"
import * as PostgresTest from "../support/PostgresTest.js"
import * as QueryPlans from "../support/QueryPlans.js"
import * as RowCounts from "../support/RowCounts.js"

PlatformConfigRepositoryContract.suite(
  "postgres",
  PlatformConfigRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layer()))
)
PlatformConfigRepositoryContract.suite(
  "pglite",
  PlatformConfigRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layerPglite))
)

const N = 20
const T0 = 1_700_000_000_000
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

const configOf = (scope: string, label: string | number, createdAt = T0) =>
  new PlatformConfig({
    configId: ConfigId.make(`${scope}-cfg-${label}`),
    name: `config ${label}`,
    settings: { label: String(label) },
    version: 1,
    createdAt,
    updatedAt: createdAt
  })

/** How many set rows (parents holding the current id) the user has on the platform. */
const setRows = (userId: UserId, platform: Platform) =>
  RowCounts.count("platform_config_sets", "user_id = $1 AND platform = $2", [userId, platform])

for (const [name, sqlLayer] of PostgresTest.backends({ maxConnections: N })) {
  layer(PlatformConfigRepositoryPostgres.layer.pipe(Layer.provideMerge(sqlLayer)), { excludeTestServices: true })(
    `PlatformConfigRepositoryPostgres under concurrency (${name})`,
    (it) => {
      it.effect(`${N} parallel updates naming one version: exactly one wins, the others are VersionConflict`, () =>
        Effect.gen(function*() {
          const repo = yield* PlatformConfigRepository
          const scope = freshScope("cfgpar")
          const user = UserId.make(`${scope}-user`)
          const config = configOf(scope, "a")
          yield* repo.create(user, "google", config, { makeCurrent: false, maxConfigs: 20 })
          const exits = yield* Effect.all(
            range(N).map((i) =>
              Effect.exit(repo.update(user, "google", config.configId, { name: `writer ${i}`, settings: { writer: i } }, 1, T0 + 1 + i))
            ),
            { concurrency: "unbounded" }
          )
          const winners = exits.filter(Exit.isSuccess).map((exit) => exit.value)
          assert.strictEqual(winners.length, 1)
          assert.deepStrictEqual(exits.filter(Exit.isFailure).map(errorCode), range(N - 1).map(() => "VersionConflict"))
          const winner = winners[0]!
          assert.strictEqual(winner.version, 2)
          const list = yield* repo.list(user, "google")
          assert.deepStrictEqual(list.configs.map((c) => ({ ...c })), [{ ...winner }])
          assert.deepStrictEqual(winner.settings, { writer: Number(winner.name.slice("writer ".length)) })
        }))

      it.effect(`${N} parallel updates each naming the version it read: every version is won exactly once`, () =>
        Effect.gen(function*() {
          const repo = yield* PlatformConfigRepository
          const scope = freshScope("cfgpar2")
          const user = UserId.make(`${scope}-user`)
          const config = configOf(scope, "a")
          yield* repo.create(user, "meta", config, { makeCurrent: false, maxConfigs: 20 })
          // Each writer retries on VersionConflict with the version it reads: none is lost.
          const write = (i: number): Effect.Effect<number, unknown, PlatformConfigRepository> =>
            Effect.gen(function*() {
              const stored = (yield* repo.list(user, "meta")).configs[0]!
              const exit = yield* Effect.exit(repo.update(user, "meta", config.configId, { settings: { [`w${i}`]: true } }, stored.version, T0 + i))
              if (Exit.isSuccess(exit)) {
                // A win moves the version it named on by exactly one: no other write slipped in between.
                assert.strictEqual(exit.value.version, stored.version + 1)
                return exit.value.version
              }
              assert.strictEqual(errorCode(exit), "VersionConflict")
              return yield* write(i)
            })
          const versions = yield* Effect.all(range(N).map(write), { concurrency: "unbounded" })
          assert.deepStrictEqual([...versions].sort((a, b) => a - b), range(N).map((i) => i + 2))
          assert.strictEqual((yield* repo.list(user, "meta")).configs[0]!.version, N + 1)
        }))

      it.effect(`${N} parallel creates on a new user and platform: exactly one current config, one set row`, () =>
        Effect.gen(function*() {
          const repo = yield* PlatformConfigRepository
          const scope = freshScope("cfgpar3")
          const user = UserId.make(`${scope}-user`)
          const created = yield* Effect.all(
            range(N).map((i) => repo.create(user, "naver", configOf(scope, i, T0 + i), { makeCurrent: false, maxConfigs: N })),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(created.length, N)
          const list = yield* repo.list(user, "naver")
          assert.strictEqual(list.configs.length, N)
          assert.isNotNull(list.currentConfigId)
          assert.isTrue(list.configs.some((c) => c.configId === list.currentConfigId))
          assert.strictEqual(yield* setRows(user, "naver"), 1)
        }))

      it.effect(`${N} parallel creates, some making themselves current, under a limit of 5: 5 stored, one current among them`, () =>
        Effect.gen(function*() {
          const repo = yield* PlatformConfigRepository
          const scope = freshScope("cfgpar4")
          const user = UserId.make(`${scope}-user`)
          const exits = yield* Effect.all(
            range(N).map((i) =>
              Effect.exit(repo.create(user, "kakao", configOf(scope, i, T0 + i), { makeCurrent: i % 3 === 0, maxConfigs: 5 }))
            ),
            { concurrency: "unbounded" }
          )
          const stored = exits.filter(Exit.isSuccess).map((exit) => exit.value.configId)
          assert.strictEqual(stored.length, 5)
          assert.deepStrictEqual(exits.filter(Exit.isFailure).map(errorCode), range(N - 5).map(() => "TooManyConfigs"))
          const list = yield* repo.list(user, "kakao")
          assert.deepStrictEqual(list.configs.map((c) => c.configId).sort(), [...stored].sort())
          assert.include(stored, list.currentConfigId!)
        }))

      it.effect(`creates racing the deletion of the current config: the current id always names a stored config`, () =>
        Effect.gen(function*() {
          const repo = yield* PlatformConfigRepository
          const scope = freshScope("cfgpar5")
          const user = UserId.make(`${scope}-user`)
          const first = configOf(scope, "first")
          yield* repo.create(user, "tiktok", first, { makeCurrent: false, maxConfigs: N + 1 })
          yield* Effect.all(
            [
              repo.delete(user, "tiktok", first.configId),
              ...range(N).map((i) =>
                repo.create(user, "tiktok", configOf(scope, i, T0 + i), { makeCurrent: i % 4 === 0, maxConfigs: N + 1 })
              )
            ],
            { concurrency: "unbounded" }
          )
          const list = yield* repo.list(user, "tiktok")
          assert.strictEqual(list.configs.length, N)
          if (list.currentConfigId !== null) assert.isTrue(list.configs.some((c) => c.configId === list.currentConfigId))
        }))

      it.effect("the list is served by the primary keys, never a sequential scan", () =>
        Effect.gen(function*() {
          const repo = yield* PlatformConfigRepository
          const scope = freshScope("cfgplan")
          const user = UserId.make(`${scope}-user`)
          yield* repo.create(user, "google", configOf(scope, "a"), { makeCurrent: false, maxConfigs: 20 })
          const query = PlatformConfigRepositoryPostgres.listQuery(user, "google")
          const plan = yield* QueryPlans.explain(query.text, query.params)
          QueryPlans.assertUsesIndexes(plan, "platform_config_sets_pkey", "platform_configs_pkey")
        }))
    }
  )
}
