/**
 * The IoT Core rule's handler on DynamoDB Local (`SELECT *, topic(2) AS deviceId FROM
 * 'sensors/+/readings'`): a device's readings are stored through the same ingest as the server's
 * MQTT (and read back through the REST query); a bad message or an unknown device is rejected
 * without throwing (a retry could not help) and logged without its payload; a store that does not
 * answer fails the invocation, so the rule's retry and error action apply.
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { functionGroups, type HttpHandler, IngestStoreError, makeHttpHandler, makeSensorIngest, type SensorIngestHandler } from "../src/index.js"
import * as DynamoDbLocal from "../../../packages/adapters-aws/test/support/DynamoDbLocal.js"
import { createTables, dynamoEnvironment, fakeContext, generousRateLimits, LogCollector, testContainer, type WiredFunction } from "./support/LambdaTest.js"
import { httpApiEvent } from "./support/ProxyEvents.js"

let dynamo: DynamoDbLocal.DynamoDbLocal | undefined
let environment: Record<string, string> = {}
let ingest: SensorIngestHandler
let sensors: HttpHandler
let token = ""
let deviceId = ""
const logs = new LogCollector()
const disposers: Array<() => Promise<void>> = []

const HOUR = 3_600_000
/** A whole second an hour ago, so every reading lies in the past. */
const base = Math.floor((Date.now() - HOUR) / 1000) * 1000
const iso = (millis: number) => new Date(millis).toISOString()

const call = async (handler: HttpHandler, method: string, path: string, options: { body?: unknown; query?: Record<string, string> } = {}) => {
  const result = await handler(
    httpApiEvent({
      method,
      path,
      query: options.query ?? {},
      headers: { "content-type": "application/json", ...(token === "" ? {} : { authorization: `Bearer ${token}` }) },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
    }),
    fakeContext()
  )
  expect(result.statusCode, `${method} ${path}: ${result.body}`).toBeLessThan(300)
  return JSON.parse(result.body)
}

beforeAll(async () => {
  dynamo = await DynamoDbLocal.start()
  environment = { ...dynamoEnvironment(dynamo.endpoint), ...generousRateLimits }
  await createTables(environment)
  const container = <N extends WiredFunction>(name: N) => {
    const made = testContainer(name, environment, { logs })
    disposers.push(() => made.dispose())
    return made
  }
  ingest = makeSensorIngest(container("sensorIngest"))
  sensors = makeHttpHandler(functionGroups.sensors, container("sensors"))
  const auth = makeHttpHandler(functionGroups.auth, container("auth"))
  const teams = makeHttpHandler(functionGroups.teams, container("teams"))
  const session = await call(auth, "POST", "/api/auth/signup", { body: { email: `${randomUUID()}@example.test`, password: "Correct-Horse-9", name: "iot" } })
  token = session.accessToken
  const team = await call(teams, "POST", "/api/teams", { body: { name: "iot team" } })
  deviceId = (await call(sensors, "POST", "/api/devices", { body: { teamId: team.teamId, name: "thermo" } })).deviceId
}, 90_000)

afterAll(async () => {
  await Promise.all(disposers.map((dispose) => dispose()))
  await dynamo?.stop()
})

const storedReadings = () =>
  call(sensors, "GET", "/api/sensor-data", { query: { deviceId, from: iso(base - HOUR), to: iso(base + HOUR) } }) as Promise<Array<{ ts: string; temperature?: number }>>

describe("IoT rule events", () => {
  it("one reading with the rule's deviceId is stored, and the REST query reads it", async () => {
    const outcome = await ingest({ ts: iso(base), temperature: 21.5, humidity: 40, deviceId }, fakeContext())
    expect(outcome).toEqual({ status: "stored", deviceId, accepted: 1, duplicates: 0, rejected: [] })
    expect(await storedReadings()).toContainEqual(expect.objectContaining({ ts: iso(base), temperature: 21.5 }))
  })

  it("a batch stores every valid reading and reports each invalid one by index; again, all are duplicates", async () => {
    const readings = [
      { ts: iso(base + 1_000), temperature: 22 },
      { ts: iso(base + 2_000), temperature: 500 },
      { ts: base + 3_000, co2: 600, x: 1, y: 2 }
    ]
    const outcome = await ingest({ deviceId, readings }, fakeContext())
    expect(outcome).toMatchObject({ status: "stored", accepted: 2, duplicates: 0, rejected: [{ index: 1 }] })
    if (outcome.status !== "stored") throw new Error("not stored")
    expect(outcome.rejected[0]!.errors.map((e) => e.path)).toEqual([expect.stringContaining("temperature")])
    expect(await ingest({ deviceId, readings }, fakeContext())).toMatchObject({ status: "stored", accepted: 0, duplicates: 2 })
  })

  it("a bad payload is rejected with its field errors, logged with the device id and never the payload", async () => {
    const context = fakeContext()
    const outcome = await ingest({ deviceId, readings: "PAYLOAD-MARKER-not-a-list" }, context)
    expect(outcome).toMatchObject({ status: "rejected", deviceId, reason: "InvalidPayload" })
    if (outcome.status !== "rejected") throw new Error("not rejected")
    expect(outcome.errors.length).toBeGreaterThan(0)
    const line = logs.records().find((r) => r["awsRequestId"] === context.awsRequestId)
    expect(line).toMatchObject({ level: "WARN", function: "sensorIngest", deviceId, reason: "InvalidPayload", errors: expect.any(Array) })
    expect(logs.text).not.toContain("PAYLOAD-MARKER")
  })

  it("an event without a usable deviceId, or no event at all, is rejected", async () => {
    expect(await ingest({ ts: iso(base), temperature: 1 }, fakeContext())).toMatchObject({
      status: "rejected",
      reason: "InvalidEvent",
      errors: [{ path: "deviceId" }]
    })
    expect(await ingest({ deviceId: "bad/id", ts: iso(base) }, fakeContext())).toMatchObject({ reason: "InvalidEvent" })
    expect(await ingest([{ ts: iso(base) }], fakeContext())).toMatchObject({ reason: "InvalidEvent", errors: [{ path: "event" }] })
  })

  it("an unknown device is rejected, not thrown", async () => {
    expect(await ingest({ deviceId: "01J00000000000000000000000", ts: iso(base), temperature: 1 }, fakeContext())).toEqual({
      status: "rejected",
      deviceId: "01J00000000000000000000000",
      reason: "UnknownDevice",
      errors: [{ path: "deviceId", message: "no such device" }]
    })
  })

  it("a store that does not answer fails the invocation, so IoT retries it", async () => {
    // A real connection to a port nothing listens on: refused at once.
    const down = testContainer("sensorIngest", {
      ...environment,
      DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
      DYNAMODB_MAX_ATTEMPTS: "1",
      DYNAMODB_CONNECT_TIMEOUT_MS: "500"
    }, { logs })
    disposers.push(() => down.dispose())
    const unreachable = makeSensorIngest(down)
    const error = await unreachable({ deviceId, ts: iso(base), temperature: 1 }, fakeContext()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IngestStoreError)
    expect((error as Error).message).toMatch(/DeviceRepositoryError: (Unavailable|TimedOut)/)
  })
})
