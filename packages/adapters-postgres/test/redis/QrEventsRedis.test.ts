import { QrEventsContract } from "@app/domain/contract"
import { Layer } from "effect"
import * as QrEventsRedis from "../../src/redis/QrEventsRedis.js"
import { clientLayer, freshPrefix } from "../support/RedisTest.js"

QrEventsContract.suite("redis", QrEventsRedis.layer.pipe(Layer.provide(clientLayer(freshPrefix("qrevents")))))
