import { LatestReadingCacheContract } from "@app/domain/contract"
import { Layer } from "effect"
import * as LatestReadingCacheRedis from "../../src/redis/LatestReadingCacheRedis.js"
import { clientLayer, freshPrefix } from "../support/RedisTest.js"

LatestReadingCacheContract.suite("redis", LatestReadingCacheRedis.layer.pipe(Layer.provide(clientLayer(freshPrefix("latest")))))
