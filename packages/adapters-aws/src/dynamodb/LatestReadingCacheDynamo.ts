/**
 * LatestReadingCache on the latestReadings table (partition deviceId; one item per device holding
 * its latest reading's fields), for the serverless deployment, which has no Redis. offer is one
 * PutItem conditioned on attribute_not_exists(#deviceId) OR #ts < :ts — DynamoDB evaluates the
 * condition and writes in one atomic step, so of racing offers the greatest ts wins whatever the
 * order they land in, and a late older reading never replaces a newer one.
 *
 * Round trips: offer 1 (PutItem, kept or not); get ⌈d / 100⌉ BatchGetItem for d distinct devices
 * (more only when DynamoDB leaves keys unprocessed), none for an empty list.
 */
import { type DeviceId, LatestReadingCache, LatestReadingCacheError, type Reading } from "@app/domain"
import { Effect, Layer } from "effect"
import { DynamoClient } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"
import * as ReadingRepositoryDynamo from "./ReadingRepositoryDynamo.js"

const portError = DynamoError.toPortError((reason) => new LatestReadingCacheError({ reason }))

/** The item's reading; a corrupt item is the cache's Unexpected failure. */
const fromItem = (item: Record<string, unknown>) =>
  ReadingRepositoryDynamo.fromItem(item).pipe(Effect.mapError(({ reason }) => new LatestReadingCacheError({ reason })))

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient

  const offer = Effect.fn("LatestReadingCacheDynamo.offer")(function*(reading: Reading) {
    return yield* dynamo.put("latestReadings", ReadingRepositoryDynamo.toItem(reading), {
      condition: "attribute_not_exists(#deviceId) OR #ts < :ts",
      values: { ":ts": reading.ts }
    }).pipe(
      Effect.as(true),
      Effect.catchTag("ConditionFailed", () => Effect.succeed(false)),
      portError
    )
  })

  const get = Effect.fn("LatestReadingCacheDynamo.get")(function*(deviceIds: ReadonlyArray<DeviceId>) {
    const items = yield* dynamo.batchGet("latestReadings", deviceIds.map((deviceId) => ({ deviceId }))).pipe(portError)
    const byDevice = new Map<unknown, Record<string, unknown>>(items.map((item) => [item["deviceId"], item]))
    const readings: Array<Reading> = []
    for (const deviceId of deviceIds) {
      const item = byDevice.get(deviceId)
      if (item !== undefined) readings.push(yield* fromItem(item))
    }
    return readings
  })

  return LatestReadingCache.of({ offer, get })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<LatestReadingCache, never, DynamoClient> = Layer.effect(LatestReadingCache, make)
