/**
 * ReadingRepository on Postgres. A batch is one statement and one round trip: the readings travel
 * as parallel arrays, are unnested, reduced to the first occurrence of each (device_id, ts) in the
 * batch, and inserted in key order with ON CONFLICT DO NOTHING RETURNING the keys that were new.
 * So duplicates — earlier, within the batch, or from a concurrent batch — are settled by the
 * primary key, never overwritten, and concurrent batches take their key locks in the same order
 * (no deadlocks). Ranges, buckets (GROUP BY integer division of the bigint epoch millis) and the
 * latest reading all walk the (device_id, ts) primary key.
 */
import {
  type AggregateBucketSize,
  Bucket,
  bucketMillis,
  type DeviceId,
  type InsertResult,
  MeasurementStats,
  Reading,
  ReadingRepository,
  ReadingRepositoryError
} from "@app/domain"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "./SqlClient.js"
import { isTransactionConflict, type SqlError } from "./SqlError.js"

interface ReadingRow {
  readonly [column: string]: unknown
  readonly device_id: string
  readonly ts: number
  readonly temperature: number | null
  readonly humidity: number | null
  readonly co2: number | null
  readonly pm25: number | null
  readonly x: number | null
  readonly y: number | null
}

interface KeyRow {
  readonly [column: string]: unknown
  readonly device_id: string
  readonly ts: number
}

type StatsColumns<M extends string> = { readonly [K in `${M}_min` | `${M}_max` | `${M}_avg`]: number | null }

type BucketRow =
  & { readonly [column: string]: unknown; readonly start: number; readonly count: number }
  & StatsColumns<"temperature">
  & StatsColumns<"humidity">
  & StatsColumns<"co2">
  & StatsColumns<"pm25">

const READING_COLUMNS = "device_id, ts, temperature, humidity, co2, pm25, x, y"

/**
 * $1 device ids, $2 ts, $3..$8 temperature, humidity, co2, pm25, x, y — parallel arrays, one
 * element per reading of the batch, null for a missing measurement.
 */
export const INSERT_MANY_SQL = `
  WITH batch AS (
    SELECT DISTINCT ON (device_id, ts) ${READING_COLUMNS}
      FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
           WITH ORDINALITY AS b(device_id, ts, temperature, humidity, co2, pm25, x, y, ord)
     ORDER BY device_id, ts, ord
  )
  INSERT INTO readings (${READING_COLUMNS})
  SELECT ${READING_COLUMNS} FROM batch
  ON CONFLICT (device_id, ts) DO NOTHING
  RETURNING device_id, ts`

/** $1 device, $2 from (inclusive), $3 to (exclusive), $4 limit. */
export const RANGE_SQL = `SELECT ${READING_COLUMNS} FROM readings
  WHERE device_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4`

const stats = (measurement: string) =>
  `min(${measurement}) AS ${measurement}_min, max(${measurement}) AS ${measurement}_max, avg(${measurement}) AS ${measurement}_avg`

/** $1 device, $2 from (inclusive), $3 to (exclusive), $4 bucket width in millis. ts ≥ 0, so / floors. */
export const BUCKETS_SQL = `SELECT (ts / $4::bigint) * $4::bigint AS start, count(*) AS count,
    ${stats("temperature")}, ${stats("humidity")}, ${stats("co2")}, ${stats("pm25")}
  FROM readings
  WHERE device_id = $1 AND ts >= $2 AND ts < $3
  GROUP BY 1 ORDER BY 1`

/** $1 device. */
export const LATEST_SQL = `SELECT ${READING_COLUMNS} FROM readings WHERE device_id = $1 ORDER BY ts DESC LIMIT 1`

// Rows were validated on the way in; the checks are not re-run on every row read back.
const readingOf = (row: ReadingRow) =>
  new Reading({
    deviceId: row.device_id as DeviceId,
    ts: row.ts,
    ...(row.temperature === null ? {} : { temperature: row.temperature }),
    ...(row.humidity === null ? {} : { humidity: row.humidity }),
    ...(row.co2 === null ? {} : { co2: row.co2 }),
    ...(row.pm25 === null ? {} : { pm25: row.pm25 }),
    ...(row.x === null ? {} : { x: row.x }),
    ...(row.y === null ? {} : { y: row.y })
  }, { disableChecks: true })

const statsOf = (min: number | null, max: number | null, avg: number | null) =>
  min === null || max === null || avg === null ? null : new MeasurementStats({ min, max, avg })

const bucketOf = (row: BucketRow) =>
  new Bucket({
    start: row.start,
    count: row.count,
    temperature: statsOf(row.temperature_min, row.temperature_max, row.temperature_avg),
    humidity: statsOf(row.humidity_min, row.humidity_max, row.humidity_avg),
    co2: statsOf(row.co2_min, row.co2_max, row.co2_avg),
    pm25: statsOf(row.pm25_min, row.pm25_max, row.pm25_avg)
  })

const compareKeys = (a: KeyRow, b: KeyRow): number =>
  a.device_id < b.device_id ? -1 : a.device_id > b.device_id ? 1 : a.ts - b.ts

const failure = (error: SqlError) => new ReadingRepositoryError({ reason: error.reason })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient

  return ReadingRepository.of({
    insertMany: Effect.fn("ReadingRepositoryPostgres.insertMany")(function*(readings) {
      if (readings.length === 0) return { inserted: 0, duplicates: 0, insertedKeys: [] } satisfies InsertResult
      const column = (pick: (reading: Reading) => number | undefined) => readings.map((r) => pick(r) ?? null)
      const rows = yield* sql.query<KeyRow>(INSERT_MANY_SQL, [
        readings.map((r) => r.deviceId),
        readings.map((r) => r.ts),
        column((r) => r.temperature),
        column((r) => r.humidity),
        column((r) => r.co2),
        column((r) => r.pm25),
        column((r) => r.x),
        column((r) => r.y)
      ]).pipe(
        // Key-ordered inserts should never deadlock; if the server still picks this statement as
        // a victim it was rolled back whole, so running it again is safe.
        Effect.retry({ while: isTransactionConflict, times: 3 }),
        Effect.mapError(failure)
      )
      const insertedKeys = [...rows].sort(compareKeys).map((row) => ({ deviceId: row.device_id as DeviceId, ts: row.ts }))
      return { inserted: insertedKeys.length, duplicates: readings.length - insertedKeys.length, insertedKeys } satisfies InsertResult
    }),
    range: (deviceId, from, to, limit) => {
      const bounded = Math.max(0, Math.floor(limit))
      if (bounded === 0 || to <= from) return Effect.succeed([])
      return sql.query<ReadingRow>(RANGE_SQL, [deviceId, from, to, bounded]).pipe(
        Effect.map((rows) => rows.map(readingOf)),
        Effect.mapError(failure)
      )
    },
    buckets: (deviceId, from, to, size: AggregateBucketSize) =>
      to <= from
        ? Effect.succeed([])
        : sql.query<BucketRow>(BUCKETS_SQL, [deviceId, from, to, bucketMillis(size)]).pipe(
          Effect.map((rows) => rows.map(bucketOf)),
          Effect.mapError(failure)
        ),
    latest: (deviceId) =>
      sql.query<ReadingRow>(LATEST_SQL, [deviceId]).pipe(
        Effect.map((rows) => Option.map(Option.fromUndefinedOr(rows[0]), readingOf)),
        Effect.mapError(failure)
      )
  })
})

export const layer: Layer.Layer<ReadingRepository, never, SqlClient> = Layer.effect(ReadingRepository, make)
