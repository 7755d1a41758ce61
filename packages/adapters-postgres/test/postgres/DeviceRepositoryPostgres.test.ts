/**
 * DeviceRepository on a real Postgres server and on PGlite: the contract suite unchanged on both,
 * and the plans of its reads (index scans, never a sequential scan).
 */
import { DeviceRepositoryContract, freshScope } from "@app/domain/contract"
import { Device, DeviceId, DeviceRecord, DeviceRepository, TeamId } from "@app/domain"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { beforeAll } from "vitest"
import * as DeviceRepositoryPostgres from "../../src/postgres/DeviceRepositoryPostgres.js"
import { SqlClient } from "../../src/postgres/SqlClient.js"
import * as PostgresTest from "../support/PostgresTest.js"

// Opening this file's PGlite (WASM start-up and migrations) can outlast the 10 s hook timeout of
// the suites' layers when other files run alongside; open it once up front with more time.
beforeAll(() => Effect.runPromise(Effect.scoped(Layer.build(PostgresTest.layerPglite))), 60_000)

DeviceRepositoryContract.suite("postgres", DeviceRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layer())))
DeviceRepositoryContract.suite("pglite", DeviceRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layerPglite)))

/** The plan of `text` with sequential scans disabled, so small test tables cannot hide a missing index. */
const explain = (text: string, params: ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    const rows = yield* sql.transaction((tx) =>
      tx.query("SET LOCAL enable_seqscan = off").pipe(
        Effect.andThen(tx.query<{ "QUERY PLAN": string }>(`EXPLAIN ${text}`, params))
      )
    )
    const plan = rows.map((row) => row["QUERY PLAN"]).join("\n")
    if (process.env["SHOW_PLANS"] !== undefined) console.info(`${text.trim()}\n${plan}\n`)
    return plan
  })

const usesIndex = (plan: string, index: string) => {
  assert.notInclude(plan, "Seq Scan", plan)
  assert.match(plan, new RegExp(`(using|on) ${index}\\b`), plan)
}

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
        usesIndex(
          yield* explain("SELECT device_id, ingest_key_hash FROM devices WHERE device_id = $1", [`${scope}-d1`]),
          "devices_pkey"
        )
        usesIndex(
          yield* explain("SELECT device_id, team_id, name, created_at FROM devices WHERE team_id = $1 ORDER BY device_id", [`${scope}-t1`]),
          "devices_team_idx"
        )
      }))
  }
)
