/**
 * DeviceRepository on a real Postgres server and on PGlite: the contract suite unchanged on both,
 * and the plans of its reads (index scans, never a sequential scan).
 */
import { DeviceRepositoryContract, freshScope } from "@app/domain/contract"
import { Device, DeviceId, DeviceRecord, DeviceRepository, TeamId } from "@app/domain"
import { layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as DeviceRepositoryPostgres from "../../src/postgres/DeviceRepositoryPostgres.js"
import * as PostgresTest from "../support/PostgresTest.js"
import * as QueryPlans from "../support/QueryPlans.js"

PostgresTest.openPgliteBeforeAll()

DeviceRepositoryContract.suite("postgres", DeviceRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layer())))
DeviceRepositoryContract.suite("pglite", DeviceRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layerPglite)))

layer(DeviceRepositoryPostgres.layer.pipe(Layer.provideMerge(PostgresTest.layer())), { excludeTestServices: true })(
  "DeviceRepositoryPostgres query plans",
  (it) => {
    it.effect("get and listByTeam use indexes", () =>
      Effect.gen(function*() {
        const repo = yield* DeviceRepository
        const scope = freshScope("devplan")
        for (let i = 0; i < 20; i++) {
          yield* repo.create(
            new DeviceRecord({
              device: new Device({ deviceId: DeviceId.make(`${scope}-d${i}`), teamId: TeamId.make(`${scope}-t${i % 3}`), name: `d${i}`, createdAt: 0 }),
              ingestKeyHash: "0".repeat(64)
            })
          )
        }
        QueryPlans.assertUsesIndexes(
          yield* QueryPlans.explain("SELECT device_id, ingest_key_hash FROM devices WHERE device_id = $1", [`${scope}-d1`]),
          "devices_pkey"
        )
        QueryPlans.assertUsesIndexes(
          yield* QueryPlans.explain("SELECT device_id, team_id, name, created_at FROM devices WHERE team_id = $1 ORDER BY device_id", [`${scope}-t1`]),
          "devices_team_idx"
        )
      }))
  }
)
