/**
 * Sensor ingest from an AWS IoT Core rule:
 *
 *   SELECT *, topic(2) AS deviceId FROM 'sensors/+/readings'
 *
 * The event is the device's MQTT message — one reading `{ts, temperature?, …}` or a batch
 * `{readings: [...]}` like the body of POST /api/sensor-data — with `deviceId` taken from the
 * topic. Device identity is what the server's MQTT ingest does: the broker authenticated the
 * device (here IoT Core, by its certificate, with a policy that lets a thing publish only to
 * `sensors/${iot:Connection.Thing.ThingName}/readings`), so the device id of the topic is trusted
 * and the message goes to `Sensors.ingestTrusted`, the same use case as the server's MQTT ingest
 * (no device key in the message).
 *
 * Outcomes, chosen for how IoT rules invoke Lambda (asynchronously, retrying a failed invocation):
 * - stored (some readings may be rejected, each by index with its field errors): returned;
 * - a bad event or payload, or a device the store does not know: logged at warn with the device id
 *   and the field errors — never the payload — and returned as `{status: "rejected", …}` without
 *   throwing, since a retry would fail the same way;
 * - the store failed: logged at error and thrown, so the invocation fails and the rule's retry /
 *   error action (or the function's on-failure destination) gets the message.
 */
import { DeviceId, type FieldError, type IngestResult, Sensors } from "@app/domain"
import { Cause, Effect, Exit, Result, Schema } from "effect"
import { type Container, makeContainer } from "./Container.js"
import { awsRequestIdOf, type InvocationContext } from "./Invocation.js"
import * as FunctionWiring from "./FunctionWiring.js"
import { functionLayer } from "./LambdaLayer.js"

export type IngestOutcome =
  | {
    readonly status: "stored"
    readonly deviceId: string
    readonly accepted: number
    readonly duplicates: number
    readonly rejected: ReadonlyArray<{ readonly index: number; readonly errors: ReadonlyArray<{ readonly path: string; readonly message: string }> }>
  }
  | {
    readonly status: "rejected"
    readonly deviceId: string | undefined
    readonly reason: "InvalidEvent" | "InvalidPayload" | "UnknownDevice"
    readonly errors: ReadonlyArray<{ readonly path: string; readonly message: string }>
  }

export type SensorIngestHandler = (event: unknown, context?: InvocationContext) => Promise<IngestOutcome>

/** The readings were not stored because the store failed: thrown so the rule's retry applies. */
export class IngestStoreError extends Error {
  constructor(readonly deviceId: string, description: string) {
    super(`readings of ${deviceId} not stored: ${description}`)
    this.name = "IngestStoreError"
  }
}

const MAX_LOGGED_ERRORS = 20
const MAX_LOGGED_REJECTED = 10

const plainErrors = (errors: ReadonlyArray<FieldError | { readonly path: string; readonly message: string }>) =>
  errors.map((e) => ({ path: e.path, message: e.message }))

const decodeDeviceId = Schema.decodeUnknownOption(DeviceId)

type Json = Readonly<Record<string, unknown>>
const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

/** The message as the use case takes it: the batch of `readings`, else the one reading (without the rule's deviceId). */
const payloadOf = (event: Json): unknown => {
  if ("readings" in event) return event["readings"]
  const { deviceId: _, ...reading } = event
  return reading
}

export const makeSensorIngest = (container: Container<Sensors>): SensorIngestHandler => async (event, context) => {
  const started = performance.now()
  const awsRequestId = awsRequestIdOf(context)
  const ids = { awsRequestId, correlationId: awsRequestId }
  const log = (severity: "INFO" | "WARN" | "ERROR", message: string, fields: Record<string, unknown>) =>
    container.log().write(severity, message, { ...ids, ...fields, durationMs: Math.round((performance.now() - started) * 10) / 10 })

  const rejected = (
    deviceId: string | undefined,
    reason: "InvalidEvent" | "InvalidPayload" | "UnknownDevice",
    errors: ReadonlyArray<{ readonly path: string; readonly message: string }>
  ): IngestOutcome => {
    log("WARN", "sensor message rejected", { deviceId, reason, errors: errors.slice(0, MAX_LOGGED_ERRORS) })
    return { status: "rejected", deviceId, reason, errors }
  }

  if (!isRecord(event)) return rejected(undefined, "InvalidEvent", [{ path: "event", message: "must be the message object with deviceId" }])
  const deviceOption = decodeDeviceId(event["deviceId"])
  if (deviceOption._tag === "None") {
    return rejected(undefined, "InvalidEvent", [{ path: "deviceId", message: "must be the device id from the topic (topic(2))" }])
  }
  const deviceId = deviceOption.value

  const runtime = await container.runtime()
  const exit = await runtime.runPromiseExit(
    Sensors.use((sensors) => sensors.ingestTrusted(deviceId, payloadOf(event))).pipe(Effect.result, Effect.annotateLogs(ids))
  )
  if (Exit.isFailure(exit)) {
    // A defect: a bug, which a retry would meet again; thrown all the same so the message is kept.
    log("ERROR", "sensor ingest failed unexpectedly", { deviceId, error: Cause.pretty(exit.cause) })
    throw new IngestStoreError(deviceId, "unexpected failure")
  }
  const outcome = exit.value
  if (Result.isFailure(outcome)) {
    const error = outcome.failure
    switch (error._tag) {
      case "ValidationError":
        return rejected(deviceId, "InvalidPayload", plainErrors(error.errors))
      case "NotFound":
        return rejected(deviceId, "UnknownDevice", [{ path: "deviceId", message: "no such device" }])
      case "DeviceRepositoryError":
      case "ReadingRepositoryError": {
        const description = `${error._tag}: ${error.reason._tag}`
        log("ERROR", "sensor readings not stored", { deviceId, error: description })
        throw new IngestStoreError(deviceId, description)
      }
    }
  }
  const result: IngestResult = outcome.success
  const stored: IngestOutcome = {
    status: "stored",
    deviceId,
    accepted: result.accepted,
    duplicates: result.duplicates,
    rejected: result.rejected.map((r) => ({ index: r.index, errors: plainErrors(r.errors) }))
  }
  log(stored.rejected.length === 0 ? "INFO" : "WARN", "sensor readings ingested", {
    deviceId,
    accepted: stored.accepted,
    duplicates: stored.duplicates,
    rejectedCount: stored.rejected.length,
    rejected: stored.rejected.slice(0, MAX_LOGGED_REJECTED).map((r) => ({ index: r.index, errors: r.errors.slice(0, MAX_LOGGED_ERRORS) }))
  })
  return stored
}

/** The deployed function's handler. */
export const sensorIngestFunction = (): SensorIngestHandler =>
  makeSensorIngest(makeContainer({ functionName: "sensorIngest", layer: (config) => functionLayer(config, FunctionWiring.sensorIngest) }))
