/**
 * ReadingRepository on the sensorReadings table (partition deviceId, sort ts as a Number).
 *
 * insertMany keeps the first occurrence of each (deviceId, ts) of the batch, then writes each of
 * those with its own PutItem conditioned on attribute_not_exists(#ts), PUT_CONCURRENCY at a time.
 * A put that succeeds is a reading this call stored; one whose condition fails was already there,
 * whoever wrote it — so parallel, retried and overlapping batches store every key exactly once,
 * never overwrite, and their `inserted` counts add up to the distinct keys. BatchWriteItem cannot
 * be conditional, so it is no option. TransactWriteItems (100 puts a request) would cut round trips
 * but bills two write units per item and cancels wholesale on one existing key; write units are
 * what ingest pays for, and a conditional put already is the atomic step per reading the port asks.
 *
 * range, buckets and latest are Queries on the table's key, never a Scan: range and buckets read
 * ts BETWEEN from AND to − 1 (ts are integer millis, so that is [from, to)); buckets fold each page
 * as it arrives, so memory grows with the number of buckets, not of readings; latest reads
 * backwards with Limit 1. Reads are strongly consistent: a reading a call stored is seen by the next.
 *
 * Round trips: insertMany of n readings with d distinct keys: d PutItem, PUT_CONCURRENCY at a time
 * (⌈d / 16⌉ waves when the adapter is otherwise idle), none for an empty batch; range 1 Query per
 * 1 MB read (a page holds ~10 000 readings), none when the range or limit is empty; buckets 1 Query
 * per 1 MB of the range; latest 1 Query.
 *
 * A limit the store cannot settle: when the SDK retries a put whose first attempt was applied but
 * whose answer was lost, the retry fails its condition and the reading is counted as a duplicate
 * though this call stored it (it is stored once all the same).
 */
import {
  type AggregateBucketSize,
  Bucket,
  bucketStart,
  type DeviceId,
  type InsertResult,
  type Measurement,
  MEASUREMENTS,
  MeasurementStats,
  Reading,
  ReadingRepository,
  ReadingRepositoryError,
  Unexpected
} from "@app/domain"
import { Effect, Layer, Option, Schema, Semaphore } from "effect"
import type { StartKey } from "./Cursor.js"
import { DynamoClient, type Item, type KeyRange } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

/** Conditional puts of one batch in flight at once. */
export const PUT_CONCURRENCY = 16

/**
 * Conditional puts in flight at once across every call of one adapter instance. The SDK's HTTP
 * agent keeps 50 sockets per client, and a request waiting for a socket is already counting down
 * its connection timeout (1 s): parallel ingests queued there fail as TimedOut under load. Waiting
 * here costs no timeout, and leaves sockets for the other adapters sharing the client.
 */
export const MAX_PUTS_IN_FLIGHT = 32

/** Every stored measurement attribute, in the order of Reading. */
const MEASURED = ["temperature", "humidity", "co2", "pm25", "x", "y"] as const

export const toItem = (reading: Reading): Item => {
  const item: Item = { deviceId: reading.deviceId, ts: reading.ts }
  for (const attribute of MEASURED) {
    const value = reading[attribute]
    if (value !== undefined) item[attribute] = value
  }
  return item
}

const malformed = () =>
  new ReadingRepositoryError({ reason: new Unexpected({ message: "a stored reading item does not decode" }) })

const decodeReading = Schema.decodeUnknownEffect(Reading)

/** The reading of a stored item (Schema-checked: a corrupt item is Unexpected, never a bad Reading). */
export const fromItem = (item: Item): Effect.Effect<Reading, ReadingRepositoryError> => {
  const fields: Record<string, unknown> = { deviceId: item["deviceId"], ts: item["ts"] }
  for (const attribute of MEASURED) {
    if (item[attribute] !== undefined) fields[attribute] = item[attribute]
  }
  return decodeReading(fields).pipe(Effect.mapError(malformed))
}

const portError = DynamoError.toPortError((reason) => new ReadingRepositoryError({ reason }))

type ReadingKey = { readonly deviceId: DeviceId; readonly ts: number }

const compareKeys = (a: ReadingKey, b: ReadingKey): number =>
  a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.ts - b.ts

/**
 * The sort-key condition for from ≤ ts < to over integer ts ≥ 0, or none when no ts can match
 * (an empty or reversed range, NaN bounds).
 */
export const tsRange = (from: number, to: number): Option.Option<KeyRange> => {
  if (Number.isNaN(from) || Number.isNaN(to)) return Option.none()
  const low = from > 0 ? Math.ceil(from) : 0
  if (!Number.isFinite(low)) return Option.none()
  if (to === Number.POSITIVE_INFINITY) return Option.some({ op: ">=", value: low })
  const high = Math.ceil(to) - 1
  return high < low ? Option.none() : Option.some({ op: "between", low, high })
}

interface Accumulator {
  min: number
  max: number
  sum: number
  n: number
}

interface Group {
  readonly start: number
  count: number
  readonly stats: Map<Measurement, Accumulator>
}

/**
 * Folds readings arriving in ascending ts order into buckets, one page at a time: the open bucket
 * is the last one, so each item costs a constant amount of work and nothing of it is kept.
 */
class BucketFold {
  private readonly groups: Array<Group> = []

  constructor(private readonly size: AggregateBucketSize) {}

  /** False when the item is not a reading (a corrupt store). */
  add(item: Item): boolean {
    const ts = item["ts"]
    if (typeof ts !== "number" || !Number.isFinite(ts)) return false
    const start = bucketStart(ts, this.size)
    let group = this.groups.at(-1)
    if (group === undefined || group.start !== start) {
      group = { start, count: 0, stats: new Map() }
      this.groups.push(group)
    }
    group.count++
    for (const measurement of MEASUREMENTS) {
      const value = item[measurement]
      if (value === undefined) continue
      if (typeof value !== "number" || !Number.isFinite(value)) return false
      const acc = group.stats.get(measurement)
      if (acc === undefined) group.stats.set(measurement, { min: value, max: value, sum: value, n: 1 })
      else {
        acc.min = Math.min(acc.min, value)
        acc.max = Math.max(acc.max, value)
        acc.sum += value
        acc.n++
      }
    }
    return true
  }

  buckets(): ReadonlyArray<Bucket> {
    const stats = (acc: Accumulator | undefined) =>
      acc === undefined ? null : new MeasurementStats({ min: acc.min, max: acc.max, avg: acc.sum / acc.n })
    return this.groups.map((group) =>
      new Bucket({
        start: group.start,
        count: group.count,
        temperature: stats(group.stats.get("temperature")),
        humidity: stats(group.stats.get("humidity")),
        co2: stats(group.stats.get("co2")),
        pm25: stats(group.stats.get("pm25"))
      })
    )
  }
}

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient
  const putsInFlight = yield* Semaphore.make(MAX_PUTS_IN_FLIGHT)

  /** True when this put stored the reading; false when its key was already stored. */
  const putIfAbsent = (reading: Reading): Effect.Effect<boolean, DynamoError.DynamoError> =>
    dynamo.put("sensorReadings", toItem(reading), { condition: "attribute_not_exists(#ts)" }).pipe(
      Effect.as(true),
      Effect.catchTag("ConditionFailed", () => Effect.succeed(false)),
      Semaphore.withPermit(putsInFlight)
    )

  const insertMany = Effect.fn("ReadingRepositoryDynamo.insertMany")(function*(readings: ReadonlyArray<Reading>) {
    const firsts = new Map<string, Reading>()
    for (const reading of readings) {
      const key = `${reading.deviceId}#${reading.ts}`
      if (!firsts.has(key)) firsts.set(key, reading)
    }
    const distinct = Array.from(firsts.values())
    const stored = yield* Effect.forEach(distinct, putIfAbsent, { concurrency: PUT_CONCURRENCY }).pipe(portError)
    const insertedKeys: Array<ReadingKey> = []
    distinct.forEach((reading, i) => {
      if (stored[i]) insertedKeys.push({ deviceId: reading.deviceId, ts: reading.ts })
    })
    insertedKeys.sort(compareKeys)
    return { inserted: insertedKeys.length, duplicates: readings.length - insertedKeys.length, insertedKeys } satisfies InsertResult
  })

  const range = Effect.fn("ReadingRepositoryDynamo.range")(
    function*(deviceId: DeviceId, from: number, to: number, limit: number) {
      const keys = tsRange(from, to)
      const most = Math.floor(limit)
      if (Option.isNone(keys) || !(most >= 1)) return []
      const bounded = Number.isSafeInteger(most)
      const items = yield* dynamo.queryAll("sensorReadings", {
        partition: deviceId,
        range: keys.value,
        ...(bounded ? { limit: most, maxItems: most } : {})
      }).pipe(portError)
      return yield* Effect.forEach(items, fromItem)
    }
  )

  const buckets = Effect.fn("ReadingRepositoryDynamo.buckets")(
    function*(deviceId: DeviceId, from: number, to: number, size: AggregateBucketSize) {
      const keys = tsRange(from, to)
      if (Option.isNone(keys)) return []
      const fold = new BucketFold(size)
      let startKey: StartKey | undefined
      do {
        const page = yield* dynamo.query("sensorReadings", {
          partition: deviceId,
          range: keys.value,
          attributes: ["ts", ...MEASUREMENTS],
          ...(startKey === undefined ? {} : { startKey })
        }).pipe(portError)
        for (const item of page.items) {
          if (!fold.add(item)) return yield* malformed()
        }
        startKey = Option.getOrUndefined(page.lastKey)
      } while (startKey !== undefined)
      return fold.buckets()
    }
  )

  const latest = Effect.fn("ReadingRepositoryDynamo.latest")(function*(deviceId: DeviceId) {
    const page = yield* dynamo.query("sensorReadings", { partition: deviceId, forward: false, limit: 1 }).pipe(portError)
    const [item] = page.items
    return item === undefined ? Option.none() : Option.some(yield* fromItem(item))
  })

  return ReadingRepository.of({ insertMany, range, buckets, latest })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<ReadingRepository, never, DynamoClient> = Layer.effect(ReadingRepository, make)
