import { SensorBusContract } from "@app/domain/contract"
import { Layer } from "effect"
import * as SensorBusRedis from "../../src/redis/SensorBusRedis.js"
import { clientLayer, freshPrefix } from "../support/RedisTest.js"

SensorBusContract.suite("redis", SensorBusRedis.layer.pipe(Layer.provide(clientLayer(freshPrefix("sensorbus")))))
