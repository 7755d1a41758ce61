import { QrChallengeStoreContract } from "@app/domain/contract"
import { Layer } from "effect"
import * as QrChallengeStoreRedis from "../../src/redis/QrChallengeStoreRedis.js"
import { clientLayer, freshPrefix } from "../support/RedisTest.js"

QrChallengeStoreContract.suite("redis", QrChallengeStoreRedis.layer.pipe(Layer.provide(clientLayer(freshPrefix("qrstore")))))
