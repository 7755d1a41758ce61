/**
 * The domain's ports on Redis (ioredis), each module exporting `make` and `layer` (which need a
 * RedisClient), and the RedisClient they share (`layer(config)` / `layerConfig`).
 */
export * as ChatBusRedis from "./ChatBusRedis.js"
export * as LatestReadingCacheRedis from "./LatestReadingCacheRedis.js"
export * as QrChallengeStoreRedis from "./QrChallengeStoreRedis.js"
export * as QrEventsRedis from "./QrEventsRedis.js"
export * as RateLimiterRedis from "./RateLimiterRedis.js"
export * as RedisClient from "./RedisClient.js"
export * as SensorBusRedis from "./SensorBusRedis.js"
export * as SyncLockRedis from "./SyncLockRedis.js"
