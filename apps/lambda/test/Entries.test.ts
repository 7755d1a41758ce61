/**
 * The entry files as Lambda loads them: each exports `handler`, importing one reads no
 * configuration and opens nothing, and invoked with the process environment pointing at DynamoDB
 * Local (as the template's variables point at the stage's tables) the health function reports the
 * store ready and the cleanup function checks the tables' TTL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as DynamoDbLocal from "../../../packages/adapters-aws/test/support/DynamoDbLocal.js"
import { createTables, dynamoEnvironment, fakeContext } from "./support/LambdaTest.js"
import { httpApiEvent, restEvent } from "./support/ProxyEvents.js"

const entries = ["auth", "users", "teams", "platforms", "chat", "qr", "sensors", "health", "chatResolver", "sensorIngest", "cleanup"] as const

let dynamo: DynamoDbLocal.DynamoDbLocal | undefined

beforeAll(async () => {
  dynamo = await DynamoDbLocal.start()
}, 60_000)

afterAll(async () => {
  await dynamo?.stop()
})

describe("entry files", () => {
  it("each export a handler, and importing them reads no setting", async () => {
    const touched: Array<string> = []
    const watched = new Proxy(process.env, {
      get: (target, name) => {
        if (typeof name === "string") touched.push(name)
        return Reflect.get(target, name)
      }
    })
    const original = process.env
    process.env = watched
    try {
      for (const name of entries) {
        const module = (await import(`../src/functions/${name}.ts`)) as { handler?: unknown }
        expect(typeof module.handler, name).toBe("function")
      }
    } finally {
      process.env = original
    }
    expect(touched.filter((name) => /^(AUTH|DYNAMODB|KMS|SECRETS|LOG|CORS|PUBLIC|RATE)_?/.test(name))).toEqual([])
  })

  it("serve from the process environment: health is ready on DynamoDB, cleanup finds the TTLs on", async () => {
    const environment = dynamoEnvironment(dynamo!.endpoint)
    await createTables(environment, { enableTtl: true })
    Object.assign(process.env, environment, { LOG_LEVEL: "silent" })
    const health = (await import("../src/functions/health.js")).handler
    const cleanup = (await import("../src/functions/cleanup.js")).handler
    const ready = await health(httpApiEvent({ path: "/api/ready" }), fakeContext())
    expect(ready.statusCode, ready.body).toBe(200)
    expect(JSON.parse(ready.body)).toEqual({ status: "ready", checks: [{ name: "dynamodb", ok: true }] })
    // The catch-all: a path no function serves is the contract's 404.
    const nowhere = await health(restEvent({ path: "/api/nowhere" }), fakeContext())
    expect(JSON.parse(nowhere.body)).toMatchObject({ status: 404, code: "RouteNotFound" })
    expect(await cleanup({ "detail-type": "Scheduled Event" }, fakeContext())).toMatchObject({ ok: true })
  })
})
