/**
 * SensorBus over Redis pub/sub: one channel per team (`<prefix>sensors:team:<teamId>`), one message
 * per published batch (JSON of the readings), one SUBSCRIBE per team per process. Like the
 * in-memory bus, a dashboard more than SUBSCRIBER_BACKLOG batches behind loses the oldest rather
 * than slowing publishers or growing without bound; a lost subscriber connection fails its stream.
 */
import { type Reading, Reading as ReadingSchema, SensorBus, SensorBusError, type StoreFailure, type TeamId } from "@app/domain"
import { Effect, Layer, Schema, Stream } from "effect"
import * as RedisChannels from "./RedisChannels.js"
import { RedisClient } from "./RedisClient.js"

/** Batches a subscriber may lag behind before the oldest are dropped (as in SensorBusMemory). */
export const SUBSCRIBER_BACKLOG = 1_024

const toError = (reason: StoreFailure) => new SensorBusError({ reason })

export const make = Effect.gen(function*() {
  const client = yield* RedisClient
  const channels = yield* RedisChannels.make({
    schema: Schema.fromJsonString(Schema.Array(ReadingSchema)),
    backlog: SUBSCRIBER_BACKLOG
  })
  const channelOf = (teamId: TeamId) => client.key(`sensors:team:${teamId}`)

  return SensorBus.of({
    publish: Effect.fn("SensorBusRedis.publish")(function*(teamId: TeamId, readings: ReadonlyArray<Reading>) {
      if (readings.length === 0) return
      yield* channels.publish(channelOf(teamId), readings).pipe(Effect.mapError(toError))
    }),
    subscribe: (teamId) =>
      channels.subscribe(channelOf(teamId)).pipe(
        Effect.map((batches) => batches.pipe(Stream.flattenIterable, Stream.mapError(toError))),
        Effect.mapError(toError),
        Effect.withSpan("SensorBusRedis.subscribe")
      )
  })
})

export const layer: Layer.Layer<SensorBus, never, RedisClient> = Layer.effect(SensorBus, make)
