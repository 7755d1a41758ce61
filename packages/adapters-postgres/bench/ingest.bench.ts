/**
 * Benchmark (not a test: `npm run bench`, never `npm test`; it prints numbers and asserts nothing
 * about time). Sensor ingest through the adapter — ReadingRepositoryPostgres.insertMany, batches
 * of 1,000 readings — against the floor, `COPY readings FROM STDIN` of the same rows in the same
 * batches, on the same database in the same run, rounds interleaved (see Throughput.ts), after a
 * warm-up of both. The goal is adapter ≥ 50 % of COPY. Then the same pair on PGlite, whose COPY
 * reads from its `/dev/blob` device.
 *
 * Environment: DATABASE_URL; BENCH_INGEST_BATCHES (100), BENCH_INGEST_BATCH_SIZE (1000),
 * BENCH_INGEST_ROUNDS (= batches: the sides alternate batch by batch), BENCH_INGEST_WARMUP_BATCHES
 * (10); BENCH_PGLITE_BATCHES (20, 0 skips PGlite). One batch is in flight at a time.
 */
import { DeviceId, Reading, type ReadingRepository } from "@app/domain"
import type { PGlite } from "@electric-sql/pglite"
import { Effect } from "effect"
import type pg from "pg"
import copyStreams from "pg-copy-streams"
import { finished } from "node:stream/promises"
import { test } from "vitest"
import * as ReadingRepositoryPostgres from "../src/postgres/ReadingRepositoryPostgres.js"
import { type Sql, SqlClient } from "../src/postgres/SqlClient.js"
import * as BenchDatabase from "./BenchDatabase.js"
import {
  type Contender,
  count,
  envInt,
  interleaved,
  machineLoad,
  percent,
  quantile,
  type Tally,
  tallyRows,
  timed
} from "./Throughput.js"

const BATCHES = Math.max(1, envInt("BENCH_INGEST_BATCHES", 100))
const BATCH_SIZE = Math.max(1, envInt("BENCH_INGEST_BATCH_SIZE", 1000))
const ROUNDS = Math.max(1, Math.min(envInt("BENCH_INGEST_ROUNDS", BATCHES), BATCHES))
const WARMUP_BATCHES = envInt("BENCH_INGEST_WARMUP_BATCHES", 10)
const PGLITE_BATCHES = envInt("BENCH_PGLITE_BATCHES", 20)

/** Readings of a batch are spread over this many devices, like a gateway forwarding a fleet. */
const DEVICES = 100
const T0 = 1_700_000_000_000
const COLUMNS = "device_id, ts, temperature, humidity, co2, pm25, x, y"
const COPY_FROM_STDIN = `COPY readings (${COLUMNS}) FROM STDIN`
const COPY_FROM_BLOB = `COPY readings (${COLUMNS}) FROM '/dev/blob'`

/**
 * Batch `index` of the series `prefix`: DEVICES devices, one reading each per second, every key
 * new. Every fourth reading carries a position, the rest leave x/y NULL. Both contenders get the
 * same shape of rows; only the device-id prefix (same length) differs.
 */
const batchOf = (prefix: string, index: number, size: number): ReadonlyArray<Reading> => {
  const stepsPerBatch = Math.ceil(size / DEVICES)
  return Array.from({ length: size }, (_, i) => {
    const n = index * size + i
    const located = n % 4 === 0
    return new Reading({
      deviceId: DeviceId.make(`${prefix}-dev-${String(i % DEVICES).padStart(3, "0")}`),
      ts: T0 + (index * stepsPerBatch + Math.floor(i / DEVICES)) * 1000,
      temperature: 18 + (n % 100) / 10,
      humidity: 35 + (n % 50) / 2,
      co2: 400 + (n % 600),
      pm25: (n % 200) / 10,
      ...(located ? { x: (n * 7) % 10_000, y: (n * 13) % 10_000 } : {})
    })
  })
}

const field = (value: number | undefined) => (value === undefined ? "\\N" : String(value))

/** COPY's text format: tab-separated, \N for NULL (ids and numbers need no escaping). */
const copyText = (batch: ReadonlyArray<Reading>): string => {
  let text = ""
  for (const r of batch) {
    text += `${r.deviceId}\t${r.ts}\t${field(r.temperature)}\t${field(r.humidity)}\t${field(r.co2)}\t${
      field(r.pm25)
    }\t${field(r.x)}\t${field(r.y)}\n`
  }
  return text
}

const copyToServer = (client: pg.Client, batch: ReadonlyArray<Reading>) =>
  Effect.promise(async () => {
    const stream = client.query(copyStreams.from(COPY_FROM_STDIN))
    stream.end(copyText(batch))
    await finished(stream)
    return stream.rowCount
  })

const copyToPglite = (db: PGlite, batch: ReadonlyArray<Reading>) =>
  Effect.promise(async () => {
    const result = await db.query(COPY_FROM_BLOB, [], { blob: new Blob([copyText(batch)]) })
    return result.affectedRows ?? 0
  })

const insertAll = (repo: ReadingRepository["Service"], batches: ReadonlyArray<ReadonlyArray<Reading>>) =>
  Effect.reduce(batches, () => 0, (total, batch) =>
    repo.insertMany(batch).pipe(
      Effect.orDie,
      Effect.flatMap((result) =>
        result.inserted === batch.length
          ? Effect.succeed(total + result.inserted)
          : Effect.die(new Error(`adapter stored ${result.inserted} of ${batch.length} new readings`))
      )
    ))

const copyAll = (
  copy: (batch: ReadonlyArray<Reading>) => Effect.Effect<number>,
  batches: ReadonlyArray<ReadonlyArray<Reading>>
) =>
  Effect.reduce(batches, () => 0, (total, batch) =>
    copy(batch).pipe(
      Effect.flatMap((stored) =>
        stored === batch.length
          ? Effect.succeed(total + stored)
          : Effect.die(new Error(`COPY stored ${stored} of ${batch.length} rows`))
      )
    ))

/** Batches of round `round` when `total` batches are dealt out over `rounds` rounds. */
const roundBatches = (prefix: string, total: number, rounds: number, round: number) => {
  const base = Math.floor(total / rounds)
  const extra = total % rounds
  const first = round * base + Math.min(round, extra)
  const length = base + (round < extra ? 1 : 0)
  return Array.from({ length }, (_, i) => batchOf(prefix, first + i, BATCH_SIZE))
}

/** The adapter and COPY on one database: warm-up of both, then the interleaved rounds. */
const compare = (options: {
  readonly sql: Sql
  readonly copy: (batch: ReadonlyArray<Reading>) => Effect.Effect<number>
  readonly copyName: string
  readonly batches: number
  readonly rounds: number
}) =>
  Effect.gen(function*() {
    const repo = yield* ReadingRepositoryPostgres.make.pipe(Effect.provideService(SqlClient, options.sql))
    const warmup = (prefix: string) => Array.from({ length: WARMUP_BATCHES }, (_, i) => batchOf(prefix, i, BATCH_SIZE))
    yield* insertAll(repo, warmup("wa"))
    yield* copyAll(options.copy, warmup("wc"))

    const adapter: Contender<ReadonlyArray<ReadonlyArray<Reading>>> = {
      name: "adapter insertMany",
      prepare: (round) => Effect.sync(() => roundBatches("ad", options.batches, options.rounds, round)),
      run: (batches) => insertAll(repo, batches)
    }
    const copy: Contender<ReadonlyArray<ReadonlyArray<Reading>>> = {
      name: options.copyName,
      prepare: (round) => Effect.sync(() => roundBatches("cp", options.batches, options.rounds, round)),
      run: (batches) => copyAll(options.copy, batches)
    }
    const [adapterTally, copyTally] = yield* interleaved([adapter, copy], options.rounds)

    const stored = yield* options.sql.query<{ n: number }>("SELECT count(*)::int8 AS n FROM readings").pipe(Effect.orDie)
    const expected = 2 * (WARMUP_BATCHES + options.batches) * BATCH_SIZE
    if (stored[0]?.n !== expected) return yield* Effect.die(new Error(`readings: ${stored[0]?.n} stored, ${expected} expected`))
    return [adapterTally!, copyTally!] as const
  })

/** adapter / COPY of each round: the pair ran back to back, so each ratio saw the same machine. */
const roundRatios = (adapter: Tally, copy: Tally) => adapter.roundRates.map((rate, i) => rate / (copy.roundRates[i] ?? Number.NaN))

/**
 * Prints both ratios: of the totals (the throughput this machine delivered) and the median of the
 * per-round ratios. A stall (an fsync, another process) adds the same time to whichever batch it
 * hits, which pulls the totals' ratio towards 100 %; the median is closer to the intrinsic cost.
 */
const report = (label: string, adapter: Tally, copy: Tally) => {
  const ratios = roundRatios(adapter, copy)
  console.table(tallyRows([adapter, copy], { name: "side", units: "rows", rate: "rows" }))
  console.log(
    `${label}: adapter ${count(adapter.rate)} rows/s, COPY ${count(copy.rate)} rows/s, ratio ${
      percent(adapter.rate / copy.rate)
    } (median of per-round ratios ${percent(quantile(ratios, 0.5))}; goal ≥ 50%; ${machineLoad()})`
  )
}

// The signal interrupts the run when vitest gives up on it, so the scope still drops the schema.
test("ingest: ReadingRepositoryPostgres.insertMany vs COPY", ({ signal }) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const server = yield* BenchDatabase.server({ maxConnections: 2 })
    const client = yield* server.client
    console.log(
      `ingest on the Postgres server (schema ${server.schema}): ${BATCHES} batches × ${count(BATCH_SIZE)} rows per side ` +
        `in ${ROUNDS} interleaved rounds, after ${WARMUP_BATCHES} warm-up batches each; one batch in flight; ${machineLoad()}`
    )
    const [adapter, copy] = yield* compare({
      sql: server.sql,
      copy: (batch) => copyToServer(client, batch),
      copyName: "COPY FROM STDIN",
      batches: BATCHES,
      rounds: ROUNDS
    })
    report("ingest", adapter, copy)

    if (PGLITE_BATCHES === 0) {
      console.log("ingest (PGlite): skipped (BENCH_PGLITE_BATCHES=0)")
      return
    }
    const [opened, lite] = yield* timed(BenchDatabase.pglite)
    const pgliteRounds = Math.max(1, Math.min(envInt("BENCH_INGEST_ROUNDS", PGLITE_BATCHES), PGLITE_BATCHES))
    console.log(
      `ingest on PGlite (in memory, opened and migrated in ${(opened / 1000).toFixed(1)} s): ${PGLITE_BATCHES} batches × ` +
        `${count(BATCH_SIZE)} rows per side in ${pgliteRounds} interleaved rounds; COPY reads from PGlite's /dev/blob device`
    )
    const [liteAdapter, liteCopy] = yield* compare({
      sql: lite.sql,
      copy: (batch) => copyToPglite(lite.db, batch),
      copyName: "COPY FROM '/dev/blob'",
      batches: PGLITE_BATCHES,
      rounds: pgliteRounds
    })
    report("ingest (PGlite)", liteAdapter, liteCopy)
  })), { signal }))
