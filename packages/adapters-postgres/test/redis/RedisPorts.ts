/**
 * Every Redis adapter over one RedisClient (the server build's realtimeRedis), built as an
 * independent "server process" (its own connections), for tests where several processes share one
 * Redis or Redis sits behind a TcpProxy.
 */
import {
  ChatBus,
  LatestReadingCache,
  QrChallengeStore,
  QrEvents,
  RateLimiter,
  SensorBus,
  SyncLock
} from "@app/domain"
import { Context, Effect, Layer, type Scope } from "effect"
import type * as RedisClient from "../../src/redis/RedisClient.js"
import * as ServerStores from "../../src/ServerStores.js"

export interface RedisPorts {
  readonly qrStore: QrChallengeStore["Service"]
  readonly qrEvents: QrEvents["Service"]
  readonly chatBus: ChatBus["Service"]
  readonly sensorBus: SensorBus["Service"]
  readonly latest: LatestReadingCache["Service"]
  readonly limiter: RateLimiter["Service"]
  readonly lock: SyncLock["Service"]
}

/** Builds every port on `client` for the life of the enclosing scope. */
export const buildPorts = (
  client: Layer.Layer<RedisClient.RedisClient>
): Effect.Effect<RedisPorts, never, Scope.Scope> =>
  Effect.map(Layer.build(ServerStores.realtimeRedis.pipe(Layer.provide(client))), (context) => ({
    qrStore: Context.get(context, QrChallengeStore),
    qrEvents: Context.get(context, QrEvents),
    chatBus: Context.get(context, ChatBus),
    sensorBus: Context.get(context, SensorBus),
    latest: Context.get(context, LatestReadingCache),
    limiter: Context.get(context, RateLimiter),
    lock: Context.get(context, SyncLock)
  }))
