/**
 * MQTT_URL switches MQTT ingest on with the app (the real Mosquitto on 1883): a reading published
 * on `sensors/{deviceId}/readings` is stored and read back through the API, and closing the app
 * stops the subscriber. MQTT_TOPIC puts this file in a share group of its own, so server
 * instances of other test files on the same broker never take its messages.
 */
import { randomBytes } from "node:crypto"
import { connectAsync, type MqttClient } from "mqtt"
import { afterAll, beforeAll, expect, it } from "vitest"
import * as PostgresSchema from "./support/PostgresSchema.js"
import * as ServerTest from "./support/ServerTest.js"

const brokerUrl = process.env["MQTT_TEST_URL"] ?? "mqtt://127.0.0.1:1883"

let schema: PostgresSchema.PostgresSchema
let server: ServerTest.TestServer
let publisher: MqttClient

beforeAll(async () => {
  schema = await PostgresSchema.create("mqtt")
  server = await ServerTest.start({
    ...schema.env,
    MQTT_URL: brokerUrl,
    MQTT_TOPIC: `$share/server-test-${randomBytes(4).toString("hex")}/sensors/+/readings`
  })
  publisher = await connectAsync(brokerUrl, { clientId: `server-test-pub-${randomBytes(4).toString("hex")}` })
}, 120_000)

afterAll(async () => {
  await publisher?.endAsync()
  await server?.close()
  await schema?.drop()
})

it("stores a reading published over MQTT, readable through the API", async () => {
  const user = await ServerTest.signUp(server.app, "mqtt")
  const auth = { authorization: `Bearer ${user.accessToken}`, "content-type": "application/json" }
  const team = await server.app.inject({ method: "POST", url: "/api/teams", headers: auth, payload: JSON.stringify({ name: "sensors" }) })
  const teamId = (team.json() as { teamId: string }).teamId
  const device = await server.app.inject({ method: "POST", url: "/api/devices", headers: auth, payload: JSON.stringify({ teamId, name: "probe" }) })
  expect(device.statusCode).toBe(201)
  const deviceId = (device.json() as { deviceId: string }).deviceId

  const ts = Date.parse("2026-01-02T03:04:05.000Z")
  await publisher.publishAsync(`sensors/${deviceId}/readings`, JSON.stringify({ ts, temperature: 21.5 }), { qos: 1 })

  const url = `/api/sensor-data?deviceId=${deviceId}&from=${ts - 1000}&to=${ts + 1000}&bucket=raw`
  const deadline = Date.now() + 15_000
  let readings: ReadonlyArray<{ temperature?: number }> = []
  while (readings.length === 0 && Date.now() < deadline) {
    const res = await server.app.inject({ method: "GET", url, headers: auth })
    expect(res.statusCode).toBe(200)
    readings = res.json() as ReadonlyArray<{ temperature?: number }>
    if (readings.length === 0) await new Promise((r) => setTimeout(r, 100))
  }
  expect(readings).toEqual([expect.objectContaining({ temperature: 21.5 })])
})
