import { RateLimiterContract } from "@app/domain/contract"
import { Layer } from "effect"
import * as RateLimiterRedis from "../../src/redis/RateLimiterRedis.js"
import { clientLayer, freshPrefix } from "../support/RedisTest.js"

RateLimiterContract.suite("redis", RateLimiterRedis.layer.pipe(Layer.provide(clientLayer(freshPrefix("ratelimit")))))
