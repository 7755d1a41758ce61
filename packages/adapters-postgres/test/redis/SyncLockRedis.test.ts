import { SyncLockContract } from "@app/domain/contract"
import { Layer } from "effect"
import * as SyncLockRedis from "../../src/redis/SyncLockRedis.js"
import { clientLayer, freshPrefix } from "../support/RedisTest.js"

SyncLockContract.suite("redis", SyncLockRedis.layer.pipe(Layer.provide(clientLayer(freshPrefix("synclock")))))
