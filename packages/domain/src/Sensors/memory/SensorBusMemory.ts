/**
 * SensorBus in process memory: one sliding PubSub of reading batches per team with subscribers
 * (KeyedPubSub). Publishing never waits for a slow dashboard: a subscriber more than
 * SUBSCRIBER_BACKLOG batches behind loses the oldest ones (live data is worthless late). It is the
 * bus of a single-process deployment and the model the Redis bus is checked against.
 */
import { Effect, Layer, PubSub, Stream } from "effect"
import { makeKeyedPubSub } from "../../KeyedPubSub.js"
import type { TeamId } from "../../Teams/Team.js"
import type { Reading } from "../Reading.js"
import { SensorBus } from "../SensorBus.js"

/** Batches a subscriber may lag behind before the oldest are dropped. */
export const SUBSCRIBER_BACKLOG = 1_024

export const make = Effect.sync(() => {
  const teams = makeKeyedPubSub<TeamId, ReadonlyArray<Reading>>(PubSub.sliding(SUBSCRIBER_BACKLOG))
  return SensorBus.of({
    publish: (teamId, readings) => (readings.length === 0 ? Effect.void : teams.publish(teamId, readings)),
    subscribe: (teamId) => Effect.map(teams.subscribe(teamId), Stream.flattenIterable)
  })
})

export const layer = Layer.effect(SensorBus, make)
