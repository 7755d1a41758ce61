/**
 * MQTT ingest against the real Mosquitto on 127.0.0.1:1883 and the whole product in memory
 * (InProcess.layerTest): devices' messages, published by a separate client, end up stored; bad
 * messages are logged and dropped without stopping the subscriber; a broken connection, a store
 * that does not answer and a close during an ingest lose nothing. Each test subscribes in its own
 * share group, so parallel runs (and other projects' publishes) never take its messages; foreign
 * messages on `sensors/+/readings` are unknown devices here and only logged. All tests share one
 * in-memory product, so each closes its ingest before the next starts.
 */
import {
  type Actor,
  Auth,
  CreateDeviceInput,
  CreateTeamInput,
  type DeviceId,
  type IngestResult,
  QueryInput,
  ReadingRepositoryError,
  readingsTopic,
  Sensors,
  SignupInput,
  type TeamId,
  Teams,
  Unavailable
} from "@app/domain"
import { InProcess } from "@app/domain/node"
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import Fastify from "fastify"
import { connectAsync, type MqttClient } from "mqtt"
import { randomBytes } from "node:crypto"
import * as net from "node:net"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type MqttIngest, type MqttIngestLogger, type MqttIngestOptions, startMqttIngest } from "../src/MqttIngest.js"
import { MqttTcpProxy } from "./support/MqttTcpProxy.js"

const BROKER_URL = "mqtt://127.0.0.1:1883"
const RUN = randomBytes(4).toString("hex")
const TEST_TIMEOUT = 60_000

interface LogLine {
  readonly level: "debug" | "info" | "warn" | "error"
  readonly fields: Record<string, unknown>
  readonly message: string
}

const captureLogger = () => {
  const lines: Array<LogLine> = []
  const at = (level: LogLine["level"]) => (fields: object, message: string) => {
    lines.push({ level, fields: fields as Record<string, unknown>, message })
  }
  const logger: MqttIngestLogger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }
  const about = (deviceId: string) => lines.filter((line) => line.fields["deviceId"] === deviceId)
  return { lines, logger, about }
}

/** Polls `check` until it holds (or throws its last failure after `timeoutMillis`). */
const eventually = async <A>(check: () => A | Promise<A>, timeoutMillis = 15_000): Promise<A> => {
  const deadline = Date.now() + timeoutMillis
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }
}

let sequence = 0
/** A share group no other test or run uses, so every message of the test reaches this ingest. */
const uniqueTopic = (filter = "sensors/+/readings") => `$share/test-${RUN}-${++sequence}/${filter}`

const runtime = ManagedRuntime.make(InProcess.layerTest)
let actor: Actor
let teamId: TeamId
let publisher: MqttClient
const started: Array<MqttIngest> = []

const start = async (options: Partial<MqttIngestOptions> & Pick<MqttIngestOptions, "logger">): Promise<MqttIngest> => {
  const ingest = await startMqttIngest({ url: BROKER_URL, runtime, topic: uniqueTopic(), reconnectPeriodMillis: 200, ...options })
  started.push(ingest)
  return ingest
}

const newDevice = (name = "Probe"): Promise<DeviceId> =>
  runtime.runPromise(Effect.gen(function*() {
    const sensors = yield* Sensors
    const input = Schema.decodeUnknownSync(CreateDeviceInput)({ teamId, name })
    return (yield* sensors.createDevice(actor, input)).device.deviceId
  }))

/** The stored readings of a device (raw, the last hour to a minute ahead), as ts → reading. */
const stored = (deviceId: DeviceId) =>
  runtime.runPromise(Effect.gen(function*() {
    const sensors = yield* Sensors
    const now = Date.now()
    const input = Schema.decodeUnknownSync(QueryInput)({ deviceId, from: now - 3_600_000, to: now + 60_000, bucket: "raw" })
    const result = yield* sensors.query(actor, input)
    if (result._tag !== "RawQueryResult") throw new Error("expected raw readings")
    return new Map(result.readings.map((reading) => [reading.ts, reading]))
  }))

const realSensors = () => runtime.runPromise(Effect.gen(function*() {
  return yield* Sensors
}))

const publish = (deviceId: DeviceId | string, payload: unknown, topic = readingsTopic(deviceId as DeviceId)) =>
  publisher.publishAsync(topic, typeof payload === "string" ? payload : JSON.stringify(payload), { qos: 1 })

let clock = Date.now() - 30 * 60_000
/** A fresh measured instant in the past half hour, so no two readings of a test collide. */
const nextTs = () => (clock += 1_000)

beforeAll(async () => {
  await runtime.runPromise(Effect.gen(function*() {
    const auth = yield* Auth
    const teams = yield* Teams
    const session = yield* auth.signup(Schema.decodeUnknownSync(SignupInput)({
      email: `mqtt-${RUN}@example.com`,
      password: "Correct-Horse-7",
      name: "Mqtt Tester"
    }))
    actor = yield* auth.verify(session.tokens.accessToken)
    teamId = (yield* teams.create(actor, Schema.decodeUnknownSync(CreateTeamInput)({ name: "Sensors" }))).teamId
  }))
  publisher = await connectAsync(BROKER_URL, { clientId: `test-publisher-${RUN}`, protocolVersion: 5 })
}, TEST_TIMEOUT)

// Every ingest of the file writes to the one in-memory product: none may outlive its test.
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((ingest) => ingest.close()))
})

afterAll(async () => {
  await publisher?.endAsync()
  await runtime.dispose()
})

describe("startMqttIngest", { timeout: TEST_TIMEOUT }, () => {
  it("stores a single reading and an array published on the device's topic", async () => {
    const log = captureLogger()
    await start({ logger: log.logger })
    const deviceId = await newDevice()
    const [a, b, c] = [nextTs(), nextTs(), nextTs()]

    await publish(deviceId, { ts: a, temperature: 21.5, humidity: 40 })
    await publish(deviceId, [{ ts: b, co2: 600 }, { ts: new Date(c).toISOString(), x: 10, y: 20 }])

    const readings = await eventually(async () => {
      const rows = await stored(deviceId)
      expect([...rows.keys()].sort()).toEqual([a, b, c])
      return rows
    })
    expect(readings.get(a)).toMatchObject({ temperature: 21.5, humidity: 40 })
    expect(readings.get(b)).toMatchObject({ co2: 600 })
    expect(readings.get(c)).toMatchObject({ x: 10, y: 20 })
    const latest = await runtime.runPromise(Sensors.use((sensors) => sensors.latest(actor, teamId)))
    expect(latest.find((reading) => reading.deviceId === deviceId)?.ts).toBe(c)
    expect(log.about(deviceId).filter((l) => l.message === "mqtt readings ingested").map((l) => l.fields["accepted"]))
      .toEqual([1, 2])
  })

  it("drops invalid JSON, a wrong shape, out-of-range values and unknown devices, and ingests the next message", async () => {
    const log = captureLogger()
    await start({ logger: log.logger })
    const deviceId = await newDevice()
    const unknownDevice = `unknown-${RUN}-${randomBytes(4).toString("hex")}`
    const marker = `PAYLOAD-MARKER-${RUN}`

    await publish(deviceId, `{"ts": ${nextTs()}, "temperature": ${marker}`)
    await publish(deviceId, "42")
    await publish(deviceId, { ts: nextTs(), temperature: 500, note: marker })
    await publish(unknownDevice, { ts: nextTs(), temperature: 20 })
    const good = nextTs()
    await publish(deviceId, { ts: good, temperature: 19 })

    await eventually(async () => expect([...(await stored(deviceId)).keys()]).toEqual([good]))
    const warnings = log.about(deviceId).filter((l) => l.level === "warn")
    expect(warnings.map((l) => l.message)).toEqual([
      "mqtt message dropped: invalid payload",
      "mqtt message dropped: invalid payload",
      "mqtt readings rejected"
    ])
    expect(warnings[0]!.fields["errors"]).toEqual([{ path: "", message: "must be JSON" }])
    expect(warnings[1]!.fields["errors"]).not.toEqual([])
    expect(warnings[2]!.fields).toMatchObject({ accepted: 0, rejectedCount: 1 })
    const rejected = warnings[2]!.fields["rejected"] as Array<{ index: number; errors: Array<{ path: string }> }>
    expect(rejected[0]!.index).toBe(0)
    expect(rejected[0]!.errors.map((e) => e.path)).toContain("readings.0.temperature")
    await eventually(() =>
      expect(log.about(unknownDevice).map((l) => [l.level, l.message])).toEqual([["warn", "mqtt message dropped: unknown device"]])
    )
    // The payload itself is never logged.
    expect(JSON.stringify(log.lines)).not.toContain(marker)
  })

  it("drops messages whose topic does not name a device's readings and keeps going", async () => {
    const log = captureLogger()
    await start({ logger: log.logger, topic: uniqueTopic("sensors/#") })
    const deviceId = await newDevice()
    const strayTopics = [`sensors/${deviceId}/status`, `sensors/not a valid id!/readings`, `sensors/${deviceId}/readings/extra`]

    for (const topic of strayTopics) await publish(deviceId, { ts: nextTs(), temperature: 20 }, topic)
    const good = nextTs()
    await publish(deviceId, { ts: good, temperature: 20 })

    await eventually(async () => expect([...(await stored(deviceId)).keys()]).toEqual([good]))
    const dropped = log.lines.filter((l) => l.message === "mqtt message dropped: not a readings topic").map((l) => l.fields["topic"])
    for (const topic of strayTopics) expect(dropped).toContain(topic)
  })

  it("stores the valid readings of a partly invalid batch and logs the rejected ones by index", async () => {
    const log = captureLogger()
    await start({ logger: log.logger })
    const deviceId = await newDevice()
    const [a, b, c, d] = [nextTs(), nextTs(), nextTs(), nextTs()]

    await publish(deviceId, [{ ts: a, pm25: 12 }, { ts: b, humidity: 140 }, { ts: c, pm25: 13 }, { ts: d }])

    await eventually(async () => expect([...(await stored(deviceId)).keys()].sort()).toEqual([a, c]))
    const line = await eventually(() => {
      const found = log.about(deviceId).find((l) => l.message === "mqtt readings rejected")
      expect(found).toBeDefined()
      return found!
    })
    expect(line.level).toBe("warn")
    expect(line.fields).toMatchObject({ accepted: 2, duplicates: 0, rejectedCount: 2 })
    const rejected = line.fields["rejected"] as Array<{ index: number; errors: Array<{ path: string }> }>
    expect(rejected.map((r) => r.index)).toEqual([1, 3])
    expect(rejected[0]!.errors.map((e) => e.path)).toContain("readings.1.humidity")
  })

  it("stores a reading published twice once", async () => {
    const log = captureLogger()
    await start({ logger: log.logger })
    const deviceId = await newDevice()
    const [a, b] = [nextTs(), nextTs()]

    await publish(deviceId, { ts: a, temperature: 20 })
    await publish(deviceId, { ts: a, temperature: 20 })
    await publish(deviceId, [{ ts: a, temperature: 20 }, { ts: b, temperature: 21 }])

    const results = await eventually(() => {
      const lines = log.about(deviceId).filter((l) => l.message === "mqtt readings ingested")
      expect(lines).toHaveLength(3)
      return lines.map((l) => [l.fields["accepted"], l.fields["duplicates"]])
    })
    expect(results).toEqual([[1, 0], [0, 1], [1, 1]])
    expect([...(await stored(deviceId)).keys()].sort()).toEqual([a, b])
  })

  it("splits a share group's messages between ingest clients, each message ingested by one", async () => {
    const first = captureLogger()
    const second = captureLogger()
    const topic = uniqueTopic()
    await start({ logger: first.logger, topic })
    await start({ logger: second.logger, topic })
    const deviceId = await newDevice()
    const stamps = Array.from({ length: 20 }, nextTs)

    for (const ts of stamps) await publish(deviceId, { ts, co2: 500 })

    await eventually(async () => expect((await stored(deviceId)).size).toBe(stamps.length))
    const ingested = (log: ReturnType<typeof captureLogger>) =>
      log.about(deviceId).filter((l) => l.message === "mqtt readings ingested")
    await eventually(() => expect(ingested(first).length + ingested(second).length).toBe(stamps.length))
    expect(ingested(first).length).toBeGreaterThan(0)
    expect(ingested(second).length).toBeGreaterThan(0)
    expect([...ingested(first), ...ingested(second)].every((l) => l.fields["duplicates"] === 0)).toBe(true)
  })

  it("reconnects after the connection is cut and ingests what was published meanwhile", async () => {
    const proxy = await MqttTcpProxy.start(1883)
    try {
      const log = captureLogger()
      const ingest = await start({ logger: log.logger, url: proxy.url })
      const deviceId = await newDevice()
      const [before, during, after] = [nextTs(), nextTs(), nextTs()]

      await publish(deviceId, { ts: before, temperature: 20 })
      await eventually(async () => expect((await stored(deviceId)).has(before)).toBe(true))

      proxy.cut()
      await eventually(() => expect(ingest.isConnected()).toBe(false))
      await publish(deviceId, { ts: during, temperature: 21 })
      proxy.restore()
      await eventually(() => expect(ingest.isConnected()).toBe(true))
      await publish(deviceId, { ts: after, temperature: 22 })

      await eventually(async () => expect([...(await stored(deviceId)).keys()].sort()).toEqual([before, during, after]))
      expect(log.lines.some((l) => l.level === "warn" && l.message === "mqtt ingest disconnected; reconnecting")).toBe(true)
      const connects = log.lines.filter((l) => l.message === "mqtt ingest connected")
      expect(connects.length).toBeGreaterThanOrEqual(2)
      expect(connects.at(-1)!.fields["sessionPresent"]).toBe(true)
    } finally {
      await proxy.close()
    }
  })

  it("leaves a message the store could not take unacknowledged, so the broker redelivers it until it is stored", async () => {
    const deviceId = await newDevice()
    const real = await realSensors()
    let failuresLeft = 5
    let attempts = 0
    const flaky = ManagedRuntime.make(Layer.succeed(Sensors, Sensors.of({
      ...real,
      ingestTrusted: (id, payload) =>
        Effect.suspend(() => {
          if (id !== deviceId) return real.ingestTrusted(id, payload)
          attempts += 1
          if (failuresLeft === 0) return real.ingestTrusted(id, payload)
          failuresLeft -= 1
          return Effect.fail(new ReadingRepositoryError({ reason: new Unavailable({ message: "test: the store is down" }) }))
        })
    })))
    try {
      const log = captureLogger()
      await start({ logger: log.logger, runtime: flaky, storeRetries: 1 })
      const ts = nextTs()

      await publish(deviceId, { ts, temperature: 20 })

      await eventually(async () => expect((await stored(deviceId)).has(ts)).toBe(true))
      // 1 try + 1 retry per delivery: two deliveries fail, the third is stored on its second try.
      expect(attempts).toBe(6)
      const errors = log.about(deviceId).filter((l) => l.level === "error")
      expect(errors).toHaveLength(2)
      expect(errors[0]!.fields).toMatchObject({ reason: "ReadingRepositoryError: Unavailable", redelivery: true })
      expect(log.about(deviceId).filter((l) => l.message === "mqtt readings ingested")).toHaveLength(1)
    } finally {
      await flaky.dispose()
    }
  })

  it("with a clean session, logs a message the store could not take as lost and keeps ingesting", async () => {
    const deviceId = await newDevice()
    const real = await realSensors()
    let failuresLeft = 2
    const flaky = ManagedRuntime.make(Layer.succeed(Sensors, Sensors.of({
      ...real,
      ingestTrusted: (id, payload) =>
        Effect.suspend(() => {
          if (id !== deviceId || failuresLeft === 0) return real.ingestTrusted(id, payload)
          failuresLeft -= 1
          return Effect.fail(new ReadingRepositoryError({ reason: new Unavailable({ message: "test: the store is down" }) }))
        })
    })))
    try {
      const log = captureLogger()
      const ingest = await start({ logger: log.logger, runtime: flaky, storeRetries: 1, sessionExpirySeconds: 0 })
      const [lost, next] = [nextTs(), nextTs()]

      await publish(deviceId, { ts: lost, temperature: 20 })
      await publish(deviceId, { ts: next, temperature: 21 })

      await eventually(async () => expect([...(await stored(deviceId)).keys()]).toEqual([next]))
      expect(log.about(deviceId).filter((l) => l.level === "error").map((l) => l.fields["redelivery"])).toEqual([false])
      expect(ingest.isConnected()).toBe(true)
    } finally {
      await flaky.dispose()
    }
  })

  it("close waits for the ingest in flight, which is stored", async () => {
    const deviceId = await newDevice()
    const real = await realSensors()
    const events: Array<string> = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let entered = false
    const slow = ManagedRuntime.make(Layer.succeed(Sensors, Sensors.of({
      ...real,
      ingestTrusted: (id, payload) =>
        id !== deviceId ? real.ingestTrusted(id, payload) : Effect.gen(function*() {
          entered = true
          yield* Effect.promise(() => gate)
          const result: IngestResult = yield* real.ingestTrusted(id, payload)
          events.push("ingest finished")
          return result
        })
    })))
    try {
      const log = captureLogger()
      const ingest = await startMqttIngest({ url: BROKER_URL, runtime: slow, logger: log.logger, topic: uniqueTopic() })
      const ts = nextTs()
      await publish(deviceId, { ts, temperature: 20 })
      await eventually(() => expect(entered).toBe(true))

      const closed = ingest.close().then(() => events.push("close resolved"))
      // Give a close that did not wait ample time to finish before the ingest may go on.
      await new Promise((resolve) => setTimeout(resolve, 300))
      release()
      await closed

      expect(events).toEqual(["ingest finished", "close resolved"])
      expect((await stored(deviceId)).has(ts)).toBe(true)
      expect(ingest.isConnected()).toBe(false)
    } finally {
      release()
      await slow.dispose()
    }
  })

  it("fails to start when no broker answers, without revealing the credentials", async () => {
    const free = net.createServer()
    await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", () => resolve()))
    const port = (free.address() as net.AddressInfo).port
    await new Promise<void>((resolve) => free.close(() => resolve()))
    // The server's own (pino) logger, writing JSON lines here.
    const written: Array<string> = []
    const app = Fastify({ logger: { level: "debug", stream: { write: (line: string) => written.push(line) } } })
    const secret = `pw-${RUN}-secret`

    const failure = await startMqttIngest({
      url: `mqtt://ingest:${secret}@127.0.0.1:${port}`,
      password: secret,
      username: "ingest",
      runtime,
      logger: app.log,
      startTimeoutMillis: 1_000,
      reconnectPeriodMillis: 100
    }).then(() => undefined, (error: unknown) => error)

    expect(failure).toBeInstanceOf(Error)
    expect((failure as Error).message).toContain(`127.0.0.1:${port}`)
    expect((failure as Error).message).not.toContain(secret)
    const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines.some((l) => l["msg"] === "mqtt ingest connection error" && l["broker"] === `mqtt://127.0.0.1:${port}`)).toBe(true)
    expect(written.join("")).not.toContain(secret)
    await app.close()
  })
})
