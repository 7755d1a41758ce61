/**
 * Storage of sensor readings, keyed by (deviceId, ts). insertMany is the one write: idempotent per
 * key and never overwriting (INSERT … ON CONFLICT DO NOTHING RETURNING ts, conditional puts), so
 * retried and overlapping batches, in any order and in parallel, store every key exactly once with
 * the values of whichever write got there first. Aggregation into buckets is the store's job (SQL
 * GROUP BY, a DynamoDB query folded in the adapter), never a client-side scan of unbounded data.
 */
import { type Option, Context, Effect, Schema } from "effect"
import { StoreFailure } from "../StoreFailure.js"
import type { DeviceId } from "./Device.js"
import type { AggregateBucketSize, Bucket, Reading } from "./Reading.js"

export class ReadingRepositoryError extends Schema.TaggedError<ReadingRepositoryError>()("ReadingRepositoryError", {
  reason: StoreFailure
}) {}

export interface InsertResult {
  /** Readings newly stored by this call. */
  readonly inserted: number
  /**
   * Readings not stored because their (deviceId, ts) was already stored, by an earlier call or
   * earlier in this batch (the first occurrence in a batch wins). inserted + duplicates = batch size.
   */
  readonly duplicates: number
  /** The newly stored keys, ascending by (deviceId, ts). */
  readonly insertedKeys: ReadonlyArray<{ readonly deviceId: DeviceId; readonly ts: number }>
}

export class ReadingRepository extends Context.Service<ReadingRepository, {
  /** Stores each reading whose (deviceId, ts) is not stored yet; one atomic step per reading at least. */
  readonly insertMany: (readings: ReadonlyArray<Reading>) => Effect.Effect<InsertResult, ReadingRepositoryError>
  /** The device's readings with from ≤ ts < to, ascending by ts, at most `limit` (the earliest). */
  readonly range: (
    deviceId: DeviceId,
    from: number,
    to: number,
    limit: number
  ) => Effect.Effect<ReadonlyArray<Reading>, ReadingRepositoryError>
  /**
   * The device's readings with from ≤ ts < to aggregated into epoch-aligned buckets of `size`,
   * ascending by start, only buckets holding at least one reading.
   */
  readonly buckets: (
    deviceId: DeviceId,
    from: number,
    to: number,
    size: AggregateBucketSize
  ) => Effect.Effect<ReadonlyArray<Bucket>, ReadingRepositoryError>
  /** The device's reading with the greatest measured ts, whatever the order they arrived in. */
  readonly latest: (deviceId: DeviceId) => Effect.Effect<Option.Option<Reading>, ReadingRepositoryError>
}>()("@app/domain/Sensors/ReadingRepository") {}
