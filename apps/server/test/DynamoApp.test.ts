/**
 * The app on STORE=dynamodb (DynamoDB Local, tables created at start under a prefix of this
 * file's own): once with the realtime buses on Redis (REDIS_URL set), once with them in process.
 * Readiness asks DynamoDB (and Redis) for real and turns 503 when DynamoDB goes away.
 */
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as DynamoDbLocal from "../../../packages/adapters-aws/test/support/DynamoDbLocal.js"
import * as ServerTest from "./support/ServerTest.js"

let dynamo: DynamoDbLocal.DynamoDbLocal
let withRedis: ServerTest.TestServer
let inProcess: ServerTest.TestServer

const json = { "content-type": "application/json" }

beforeAll(async () => {
  dynamo = await DynamoDbLocal.start()
  // The SDK's credential chain reads these from the process (DynamoDB Local accepts any letters).
  process.env["AWS_ACCESS_KEY_ID"] = "servertest"
  process.env["AWS_SECRET_ACCESS_KEY"] = "servertest"
  const env = {
    STORE: "dynamodb",
    AWS_REGION: "us-east-1",
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    DYNAMODB_TABLE_PREFIX: `t${randomBytes(5).toString("hex")}-`,
    DYNAMODB_CREATE_TABLES: "true",
    DYNAMODB_REQUEST_TIMEOUT_MS: "5000",
    AUTH_ACCESS_TOKEN_SECRET: randomBytes(32).toString("hex"),
    AUTH_REFRESH_TOKEN_SECRET: randomBytes(32).toString("hex"),
    SECRETS_MASTER_KEY: randomBytes(32).toString("base64")
  }
  withRedis = await ServerTest.start({
    ...env,
    REDIS_URL: process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379",
    REDIS_KEY_PREFIX: `test:server-dynamo:${randomBytes(6).toString("hex")}:`
  })
  inProcess = await ServerTest.start(env)
}, 180_000)

afterAll(async () => {
  await withRedis?.close()
  await inProcess?.close()
  await dynamo?.stop()
})

describe("on DynamoDB", () => {
  it("is ready when DynamoDB and Redis answer; without REDIS_URL only DynamoDB is asked", async () => {
    const ready = await withRedis.app.inject({ method: "GET", url: "/api/ready" })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: "ready", checks: [{ name: "dynamodb", ok: true }, { name: "redis", ok: true }] })
    const single = await inProcess.app.inject({ method: "GET", url: "/api/ready" })
    expect(single.statusCode).toBe(200)
    expect(single.json()).toEqual({ status: "ready", checks: [{ name: "dynamodb", ok: true }] })
  })

  it("signs up, and a user of one instance is seen by the other (one table set)", async () => {
    const user = await ServerTest.signUp(withRedis.app, "dynamo")
    for (const server of [withRedis, inProcess]) {
      const me = await server.app.inject({ method: "GET", url: "/api/users/me", headers: { authorization: `Bearer ${user.accessToken}` } })
      expect(me.statusCode).toBe(200)
      expect(me.json()).toMatchObject({ userId: user.userId, email: user.email })
    }
  })

  it("serves teams and chat (messages in DynamoDB, published on the Redis bus)", async () => {
    const user = await ServerTest.signUp(withRedis.app, "chatter")
    const auth = { ...json, authorization: `Bearer ${user.accessToken}` }
    const team = await withRedis.app.inject({ method: "POST", url: "/api/teams", headers: auth, payload: JSON.stringify({ name: "crew" }) })
    expect(team.statusCode).toBe(201)
    const teamId = (team.json() as { teamId: string }).teamId
    const room = await withRedis.app.inject({ method: "POST", url: "/api/chat/rooms", headers: auth, payload: JSON.stringify({ teamId, name: "general" }) })
    expect(room.statusCode).toBe(201)
    const roomId = (room.json() as { roomId: string }).roomId
    const sent = await withRedis.app.inject({
      method: "POST",
      url: `/api/chat/rooms/${roomId}/messages`,
      headers: auth,
      payload: JSON.stringify({ body: "hello", clientMessageId: "m-1" })
    })
    expect(sent.statusCode).toBe(201)
    const history = await withRedis.app.inject({ method: "GET", url: `/api/chat/rooms/${roomId}/messages`, headers: auth })
    expect(history.statusCode).toBe(200)
    expect(history.json()).toMatchObject({ messages: [{ seq: 1, body: "hello" }] })
  })

  it("reports 503 from /api/ready once DynamoDB is gone", async () => {
    await dynamo.stop()
    const ready = await inProcess.app.inject({ method: "GET", url: "/api/ready" })
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({ status: 503, code: "NotReady", checks: [{ name: "dynamodb", ok: false }] })
    expect((await inProcess.app.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200)
  })
})
