/**
 * ReadingRepository on a real Postgres server and on PGlite: the contract suite unchanged on both,
 * then overlapping batches racing over real pool connections (each reading stored once, the
 * inserted counts summing to the distinct count) and the plans of the read paths (index scans on
 * (device_id, ts), never a sequential scan).
 */
import { freshScope, ReadingRepositoryContract } from "@app/domain/contract"
import { DeviceId, Reading, ReadingRepository } from "@app/domain"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as ReadingRepositoryPostgres from "../../src/postgres/ReadingRepositoryPostgres.js"
import { SqlClient } from "../../src/postgres/SqlClient.js"
import * as PostgresTest from "../support/PostgresTest.js"
import * as QueryPlans from "../support/QueryPlans.js"

PostgresTest.openPgliteBeforeAll()

ReadingRepositoryContract.suite("postgres", ReadingRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layer())))
ReadingRepositoryContract.suite("pglite", ReadingRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layerPglite)))

const T0 = 1_700_000_000_000
const N = 40
const KEYS = 300

const withSql = (sql: Layer.Layer<SqlClient>) => ReadingRepositoryPostgres.layer.pipe(Layer.provideMerge(sql))

/**
 * Batch b of N: 60 keys out of KEYS spread over 3 devices, overlapping the other batches, in a
 * scrambled order and with some keys twice within the batch (the first occurrence carries b).
 */
const batchOf = (scope: string, b: number): ReadonlyArray<Reading> =>
  Array.from({ length: 60 }, (_, i) => {
    const key = (b * 13 + ((i * 7) % 50)) % KEYS
    return new Reading({ deviceId: DeviceId.make(`${scope}-d${key % 3}`), ts: T0 + key * 1_000, temperature: i < 50 ? b : -1 })
  })

const concurrency = (name: string, sql: Layer.Layer<SqlClient>) =>
  layer(withSql(sql), { excludeTestServices: true })(`ReadingRepositoryPostgres under concurrency (${name})`, (it) => {
    it.effect(`${N} parallel overlapping ingests store each reading once; inserted counts sum to the distinct count`, () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const scope = freshScope("rdpar")
        const batches = Array.from({ length: N }, (_, b) => batchOf(scope, b))
        const distinct = new Set(batches.flat().map((r) => `${r.deviceId}@${r.ts}`))
        const results = yield* Effect.all(batches.map((batch) => repo.insertMany(batch)), { concurrency: "unbounded" })

        assert.strictEqual(results.reduce((n, r) => n + r.inserted, 0), distinct.size)
        for (const [b, r] of results.entries()) {
          assert.strictEqual(r.inserted + r.duplicates, batches[b]!.length)
          assert.strictEqual(r.insertedKeys.length, r.inserted)
        }
        const claimed = results.flatMap((r) => r.insertedKeys.map((k) => `${k.deviceId}@${k.ts}`))
        assert.strictEqual(claimed.length, distinct.size)
        assert.deepStrictEqual(new Set(claimed), distinct)

        const sql = yield* SqlClient
        const [counted] = yield* sql.query<{ n: number; keys: number }>(
          "SELECT count(*) AS n, count(DISTINCT (device_id, ts)) AS keys FROM readings WHERE device_id LIKE $1",
          [`${scope}-%`]
        )
        assert.deepStrictEqual(counted, { n: distinct.size, keys: distinct.size })
        // Every stored value is the first occurrence within the batch that claimed the key.
        for (const device of [0, 1, 2]) {
          for (const reading of yield* repo.range(DeviceId.make(`${scope}-d${device}`), T0, T0 + KEYS * 1_000, KEYS)) {
            const owner = results.findIndex((r) => r.insertedKeys.some((k) => k.deviceId === reading.deviceId && k.ts === reading.ts))
            assert.strictEqual(reading.temperature, owner)
          }
        }
      }))

    it.effect(`${N} parallel ingests of the very same batch: one stores it all, the rest are all duplicates`, () =>
      Effect.gen(function*() {
        const repo = yield* ReadingRepository
        const scope = freshScope("rdsame")
        const batch = batchOf(scope, 0)
        const distinct = new Set(batch.map((r) => `${r.deviceId}@${r.ts}`)).size
        const results = yield* Effect.all(Array.from({ length: N }, () => repo.insertMany(batch)), { concurrency: "unbounded" })
        assert.strictEqual(results.reduce((n, r) => n + r.inserted, 0), distinct)
        assert.isTrue(results.every((r) => r.inserted + r.duplicates === batch.length))
      }))
  })

concurrency("postgres", PostgresTest.layer({ maxConnections: 20 }))
concurrency("pglite", PostgresTest.layerPglite)

layer(withSql(PostgresTest.layer()), { excludeTestServices: true })("ReadingRepositoryPostgres query plans", (it) => {
  it.effect("range, buckets and latest walk the (device_id, ts) index", () =>
    Effect.gen(function*() {
      const repo = yield* ReadingRepository
      const scope = freshScope("rdplan")
      const device = DeviceId.make(`${scope}-d0`)
      // 10 000 readings in one batch (one statement): 2 000 per device, one every 10 s.
      const stored = yield* repo.insertMany(Array.from({ length: 10_000 }, (_, i) =>
        new Reading({ deviceId: DeviceId.make(`${scope}-d${i % 5}`), ts: T0 + Math.floor(i / 5) * 10_000, humidity: i % 100 })))
      assert.strictEqual(stored.inserted, 10_000)
      const sql = yield* SqlClient
      yield* sql.query("ANALYZE readings")
      const day = 86_400_000
      const range = yield* QueryPlans.explain(ReadingRepositoryPostgres.RANGE_SQL, [device, T0, T0 + day, 100])
      const buckets = yield* QueryPlans.explain(ReadingRepositoryPostgres.BUCKETS_SQL, [device, T0, T0 + day, 3_600_000])
      const latest = yield* QueryPlans.explain(ReadingRepositoryPostgres.LATEST_SQL, [device])
      QueryPlans.assertUsesIndexes(range, "readings_pkey")
      // The limited range reads the index in ts order and stops after `limit` rows: no sort.
      QueryPlans.assertNoSort(range)
      QueryPlans.assertUsesIndexes(buckets, "readings_pkey")
      QueryPlans.assertUsesIndexes(latest, "readings_pkey")
      assert.isTrue(
        latest.some((node) => node["Node Type"] === "Index Scan" && node["Scan Direction"] === "Backward"),
        QueryPlans.show(latest)
      )
    }))
})
