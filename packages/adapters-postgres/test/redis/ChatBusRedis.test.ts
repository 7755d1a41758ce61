import { ChatBusContract } from "@app/domain/contract"
import { Layer } from "effect"
import * as ChatBusRedis from "../../src/redis/ChatBusRedis.js"
import { clientLayer, freshPrefix } from "../support/RedisTest.js"

ChatBusContract.suite("redis", ChatBusRedis.layer.pipe(Layer.provide(clientLayer(freshPrefix("chatbus")))))
