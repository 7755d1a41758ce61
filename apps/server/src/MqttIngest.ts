/**
 * The server's MQTT ingest (003, API.md): devices publish one reading or an array as JSON on
 * `sensors/{deviceId}/readings`; every message goes to `Sensors.ingestTrusted` (the broker has
 * authenticated the device), the same use case as HTTP ingest.
 *
 * Choices, and why:
 * - A shared subscription by default (`$share/sensors-ingest/sensors/+/readings`): N server
 *   instances split the messages instead of each ingesting all of them. (Ingest is idempotent by
 *   (device, ts), so a redelivery costs a duplicate, never a second row.) `topic` overrides the
 *   filter, e.g. another share group, or a plain `sensors/+/readings` to give up sharing; the
 *   topics it matches must still be `sensors/{deviceId}/readings`, any other is logged and dropped.
 * - QoS 1, acknowledged only after the readings are stored: mqtt.js sends the PUBACK when
 *   `handleMessage` calls back, and it handles a connection's packets one at a time, so each
 *   connection ingests one message at a time, in order (bounded concurrency: at most one ingest,
 *   two for a moment across a reconnect). The broker's in-flight window (`receiveMaximum`) and
 *   TCP bound what waits. More throughput comes from more instances in the share group.
 * - A persistent MQTT 5 session (`sessionExpirySeconds`, 300 by default) under a fresh client id
 *   per process: across a reconnect the broker keeps the subscription, queues what arrives while
 *   the connection is down and redelivers what was not acknowledged. A graceful `close()` ends
 *   the session at once. The catch (Mosquitto 2, checked): a crashed instance's share of the
 *   group keeps being queued for it until its session expires, then is lost, so keep the expiry
 *   short, or give each instance a stable `clientId` (e.g. its pod name) so a restart resumes
 *   the session. `sessionExpirySeconds: 0` is a clean session: nothing is queued for a dead
 *   instance, but what was in flight on a broken connection is lost (Mosquitto 2 does not hand it
 *   to another member of the group).
 * - A store that does not answer (Unavailable, TimedOut) is retried a few times with backoff;
 *   if it still fails, the message is left unacknowledged and the connection is dropped, so the
 *   broker redelivers it from the session after the reconnect (logged at error each time). With
 *   a clean session, or QoS 0, that cannot work: the message is logged at error as lost and
 *   acknowledged (an unacknowledged one would hold a slot of the broker's in-flight window).
 * - Bad messages (not a readings topic, too large, not JSON, wrong shape, unknown device) are
 *   logged at warn with the device id and the field errors, never the payload, and dropped
 *   (acknowledged); readings a batch rejects are logged the same way. The subscriber never stops.
 * - Reconnects on its own every `reconnectPeriodMillis`, logging each change of connection state
 *   once (not every failed attempt). The broker URL is logged without credentials.
 */
import { randomBytes } from "node:crypto"
import {
  DeviceRepositoryError,
  type DeviceId,
  deviceIdFromTopic,
  type FieldError,
  type IngestResult,
  isRetryable,
  READINGS_TOPIC_FILTER,
  ReadingRepositoryError,
  Sensors
} from "@app/domain"
import { Cause, Duration, Effect, Exit, type ManagedRuntime, Option, Schedule } from "effect"
import { connect, type IClientOptions, type IPublishPacket } from "mqtt"

/** Every server instance joins this share group unless `topic` says otherwise. */
export const DEFAULT_INGEST_TOPIC = `$share/sensors-ingest/${READINGS_TOPIC_FILTER}`

/** A message this large is not parsed (1000 readings with every field are ~150 KB of JSON). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 512 * 1024

/** The part of a pino / Fastify logger this module uses (`app.log` fits). */
export interface MqttIngestLogger {
  readonly debug: (fields: object, message: string) => void
  readonly info: (fields: object, message: string) => void
  readonly warn: (fields: object, message: string) => void
  readonly error: (fields: object, message: string) => void
}

export interface MqttIngestOptions {
  /** The broker, e.g. `mqtt://127.0.0.1:1883` or `mqtts://…`. Credentials in it are never logged. */
  readonly url: string
  /** Any runtime that provides Sensors (the server's one runtime). */
  readonly runtime: ManagedRuntime.ManagedRuntime<Sensors, unknown>
  readonly logger: MqttIngestLogger
  /** The subscription filter; DEFAULT_INGEST_TOPIC by default. */
  readonly topic?: string
  /** A fresh `ingest-<random>` by default; must be unique among connected clients. */
  readonly clientId?: string
  readonly username?: string
  readonly password?: string
  /** 1 by default (acknowledged after storing); 0 only where losing messages is acceptable. */
  readonly qos?: 0 | 1
  /** How long the broker keeps the session while disconnected; 300 by default, 0 = clean session. */
  readonly sessionExpirySeconds?: number
  /** 1000 by default. */
  readonly reconnectPeriodMillis?: number
  /** Retries of an ingest the store could not answer, before the message is left for redelivery; 3 by default. */
  readonly storeRetries?: number
  readonly maxPayloadBytes?: number
  /** How long `startMqttIngest` waits for the first connection and subscription; 30 s by default. */
  readonly startTimeoutMillis?: number
}

export interface MqttIngest {
  readonly clientId: string
  /** Whether the client is connected to the broker now (for readiness reporting). */
  readonly isConnected: () => boolean
  /** Unsubscribes, waits for the ingests in flight to finish (and be acknowledged), then disconnects. */
  readonly close: () => Promise<void>
}

/** What became of one message: `ack` false leaves it for the broker to redeliver. */
interface Handled {
  readonly ack: boolean
}

const MAX_LOGGED_ERRORS = 20
const MAX_LOGGED_REJECTED = 10
const MAX_LOGGED_TOPIC_CHARS = 200
const RETRY_BASE_DELAY = Duration.millis(250)
const CLOSE_STEP_TIMEOUT_MILLIS = 5_000

const loggedErrors = (errors: ReadonlyArray<FieldError>) =>
  errors.slice(0, MAX_LOGGED_ERRORS).map((e) => ({ path: e.path, message: e.message }))

const loggedTopic = (topic: string) =>
  topic.length > MAX_LOGGED_TOPIC_CHARS ? `${topic.slice(0, MAX_LOGGED_TOPIC_CHARS)}…` : topic

/** The broker's address without credentials, path or query. */
const brokerAddress = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}`
  } catch {
    return "(unparseable broker url)"
  }
}

const isRetryableFailure = (error: unknown): boolean =>
  (error instanceof DeviceRepositoryError || error instanceof ReadingRepositoryError) && isRetryable(error.reason)

const withTimeout = <A>(promise: Promise<A>, millis: number): Promise<A | undefined> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), millis)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    )
  })

/**
 * Connects, subscribes and ingests until `close()`. Resolves once the first subscription is in
 * place; rejects (and stops the client) if the broker refuses the subscription or no connection
 * is made within `startTimeoutMillis`. After that, connection losses are retried forever.
 */
export const startMqttIngest = (options: MqttIngestOptions): Promise<MqttIngest> => {
  const { logger, runtime } = options
  const topic = options.topic ?? DEFAULT_INGEST_TOPIC
  const clientId = options.clientId ?? `ingest-${randomBytes(6).toString("hex")}`
  const qos = options.qos ?? 1
  const sessionExpirySeconds = options.sessionExpirySeconds ?? 300
  const persistentSession = sessionExpirySeconds > 0
  const storeRetries = options.storeRetries ?? 3
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES
  const broker = brokerAddress(options.url)
  const base = { clientId, broker }

  const clientOptions: IClientOptions = {
    clientId,
    protocolVersion: 5,
    clean: !persistentSession,
    properties: {
      sessionExpiryInterval: sessionExpirySeconds,
      // Bounds what the broker sends before we acknowledge (and so what waits in memory).
      receiveMaximum: 32
    },
    keepalive: 30,
    connectTimeout: 10_000,
    reconnectPeriod: options.reconnectPeriodMillis ?? 1_000,
    resubscribe: true,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password })
  }
  const client = connect(options.url, clientOptions)

  /** Which connection is up (a new number per connect), or undefined while down or being dropped. */
  let liveConnection: number | undefined
  let connections = 0
  let closing = false
  /** A message was left unacknowledged at close: keep the session so a resumed one can get it. */
  let leftUnacknowledged = false
  let lastError: string | undefined
  const inFlight = new Set<Promise<void>>()

  // ---- connection state ----------------------------------------------------------------------
  client.on("connect", (connack) => {
    connections += 1
    liveConnection = connections
    lastError = undefined
    logger.info({ ...base, sessionPresent: connack.sessionPresent === true }, "mqtt ingest connected")
  })
  client.on("offline", () => {
    if (!closing) logger.warn(base, "mqtt ingest disconnected; reconnecting")
  })
  client.on("close", () => {
    liveConnection = undefined
  })
  client.on("error", (error) => {
    // The same error repeats on every reconnect attempt: log each kind once until connected.
    const code = (error as { code?: unknown }).code
    const summary = `${typeof code === "string" || typeof code === "number" ? `${code}: ` : ""}${error.message}`
    if (summary === lastError) return
    lastError = summary
    logger.warn({ ...base, error: summary }, "mqtt ingest connection error")
  })

  /** Ends this connection so the broker redelivers what is unacknowledged once we reconnect. */
  const dropConnection = () => {
    if (liveConnection === undefined || closing) return
    liveConnection = undefined
    logger.warn(base, "mqtt ingest dropping the connection so the broker redelivers unstored messages")
    client.stream.destroy()
  }

  // ---- one message ---------------------------------------------------------------------------
  const ingest = (deviceId: DeviceId, payload: Uint8Array) =>
    Effect.gen(function*() {
      const sensors = yield* Sensors
      return yield* sensors.ingestTrusted(deviceId, payload)
    }).pipe(
      Effect.retry({ schedule: Schedule.exponential(RETRY_BASE_DELAY), times: storeRetries, while: isRetryableFailure }),
      Effect.result
    )

  const logStored = (deviceId: DeviceId, result: IngestResult) => {
    const counts = { ...base, deviceId, accepted: result.accepted, duplicates: result.duplicates }
    if (result.rejected.length === 0) {
      logger.debug(counts, "mqtt readings ingested")
      return
    }
    logger.warn(
      {
        ...counts,
        rejectedCount: result.rejected.length,
        rejected: result.rejected.slice(0, MAX_LOGGED_REJECTED).map((r) => ({ index: r.index, errors: loggedErrors(r.errors) }))
      },
      "mqtt readings rejected"
    )
  }

  /** Not stored because the store did not answer: leave it for redelivery where that can work. */
  const unstored = (deviceId: DeviceId, packet: IPublishPacket, reason: string): Handled => {
    const redeliverable = persistentSession && packet.qos > 0
    logger.error(
      { ...base, deviceId, reason, redelivery: redeliverable },
      redeliverable
        ? "mqtt readings not stored: the store is unavailable; left for the broker to redeliver"
        : "mqtt readings lost: the store is unavailable and this session cannot get a redelivery"
    )
    if (!redeliverable) return { ack: true }
    if (closing) leftUnacknowledged = true
    else dropConnection()
    return { ack: false }
  }

  const handle = async (packet: IPublishPacket): Promise<Handled> => {
    const deviceIdOption = deviceIdFromTopic(packet.topic)
    if (Option.isNone(deviceIdOption)) {
      logger.warn({ ...base, topic: loggedTopic(packet.topic) }, "mqtt message dropped: not a readings topic")
      return { ack: true }
    }
    const deviceId = deviceIdOption.value
    if (packet.payload.length > maxPayloadBytes) {
      logger.warn({ ...base, deviceId, bytes: packet.payload.length, maxBytes: maxPayloadBytes }, "mqtt message dropped: payload too large")
      return { ack: true }
    }
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload, "utf8") : packet.payload
    const exit = await runtime.runPromiseExit(ingest(deviceId, payload))
    if (Exit.isFailure(exit)) {
      // A bug (a defect, or the runtime failing to build): a redelivery would fail the same way.
      logger.error({ ...base, deviceId, error: Cause.pretty(exit.cause) }, "mqtt ingest failed unexpectedly; message dropped")
      return { ack: true }
    }
    const outcome = exit.value
    if (outcome._tag === "Success") {
      logStored(deviceId, outcome.success)
      return { ack: true }
    }
    const error = outcome.failure
    switch (error._tag) {
      case "ValidationError":
        logger.warn({ ...base, deviceId, errors: loggedErrors(error.errors) }, "mqtt message dropped: invalid payload")
        return { ack: true }
      case "NotFound":
        logger.warn({ ...base, deviceId }, "mqtt message dropped: unknown device")
        return { ack: true }
      case "DeviceRepositoryError":
      case "ReadingRepositoryError":
        if (isRetryable(error.reason)) return unstored(deviceId, packet, `${error._tag}: ${error.reason._tag}`)
        logger.error(
          { ...base, deviceId, reason: `${error._tag}: ${error.reason._tag}`, error: error.reason.message },
          "mqtt readings not stored: store fault; message dropped"
        )
        return { ack: true }
    }
  }

  client.handleMessage = (packet, callback) => {
    const arrivedOn = liveConnection
    const work = handle(packet)
      .catch((error: unknown): Handled => {
        logger.error({ ...base, error: String(error) }, "mqtt message handling failed; message dropped")
        return { ack: true }
      })
      .then(({ ack }) => {
        // A PUBACK only on the connection the message came on; after a reconnect the broker redelivers.
        if (ack && arrivedOn !== undefined && liveConnection === arrivedOn) callback()
        else callback(new Error("not acknowledged"))
      })
      .finally(() => inFlight.delete(work))
    inFlight.add(work)
  }

  // ---- start and close ---------------------------------------------------------------------
  const close = async (): Promise<void> => {
    if (closing) return
    closing = true
    if (client.connected) {
      // The UNSUBACK is processed after the messages before it, so this also waits for them.
      await withTimeout(client.unsubscribeAsync(topic), CLOSE_STEP_TIMEOUT_MILLIS).catch((error: unknown) => {
        logger.warn({ ...base, error: String(error) }, "mqtt ingest unsubscribe failed")
      })
    }
    while (inFlight.size > 0) await Promise.allSettled([...inFlight])
    const disconnect = leftUnacknowledged ? {} : { properties: { sessionExpiryInterval: 0 } }
    if (client.connected) {
      await withTimeout(client.endAsync(false, disconnect), CLOSE_STEP_TIMEOUT_MILLIS).catch(() => undefined)
    }
    await client.endAsync(true)
    logger.info(base, "mqtt ingest closed")
  }

  const running: MqttIngest = { clientId, isConnected: () => client.connected, close }

  return new Promise<MqttIngest>((resolve, reject) => {
    const fail = (message: string) => {
      clearTimeout(timer)
      closing = true
      client.end(true)
      reject(new Error(message))
    }
    const timer = setTimeout(
      () => fail(`mqtt ingest: no connection to ${broker} within ${options.startTimeoutMillis ?? 30_000} ms`),
      options.startTimeoutMillis ?? 30_000
    )
    client.once("connect", () => {
      client.subscribeAsync(topic, { qos }).then(
        (grants) => {
          const refused = grants.find((grant) => grant.qos >= 0x80)
          if (refused !== undefined) {
            fail(`mqtt ingest: ${broker} refused the subscription to ${topic} (reason ${refused.qos})`)
            return
          }
          clearTimeout(timer)
          logger.info({ ...base, topic, qos: grants[0]?.qos ?? qos }, "mqtt ingest subscribed")
          resolve(running)
        },
        (error: unknown) => fail(`mqtt ingest: subscribing to ${topic} failed: ${String(error)}`)
      )
    })
  })
}
