/**
 * The MQTT side of ingest (003: devices publish to a broker; an IoT rule or the server's MQTT
 * client hands the message over). Topic `sensors/{deviceId}/readings`; the payload is one reading
 * or an array of readings, as JSON. The broker has authenticated the device, so the shells call
 * `Sensors.ingestTrusted` with the device id from the topic and the payload as received.
 */
import { Effect, Option, Schema } from "effect"
import { ValidationError } from "../DomainError.js"
import { decodeInput } from "../Validation.js"
import { DeviceId } from "./Device.js"

/** Most readings one request or message may carry. */
export const MAX_BATCH_READINGS = 1_000

/** The subscription filter for every device's readings. */
export const READINGS_TOPIC_FILTER = "sensors/+/readings"

export const readingsTopic = (deviceId: DeviceId): string => `sensors/${deviceId}/readings`

const topicPattern = /^sensors\/([^/]+)\/readings$/
const decodeDeviceId = Schema.decodeUnknownOption(DeviceId)

/** The device a readings topic names, or none for any other topic. */
export const deviceIdFromTopic = (topic: string): Option.Option<DeviceId> => {
  const match = topicPattern.exec(topic)
  return match === null ? Option.none() : decodeDeviceId(match[1])
}

/** One reading (a JSON object) or an array of at most MAX_BATCH_READINGS, each still undecoded. */
export const ReadingsPayload = Schema.Union([
  Schema.Array(Schema.Unknown).check(Schema.isMaxLength(MAX_BATCH_READINGS)),
  Schema.Record(Schema.String, Schema.Unknown)
])
export type ReadingsPayload = typeof ReadingsPayload.Type

const decodePayload = decodeInput(ReadingsPayload)

/**
 * The readings of a message, each left for `Sensors` to decode on its own (so one bad reading is
 * reported by index instead of failing the message). Accepts the payload as parsed JSON, as JSON
 * text or as UTF-8 bytes; anything else, or more than MAX_BATCH_READINGS, is a ValidationError.
 */
export const decodeReadingsPayload = (payload: unknown): Effect.Effect<ReadonlyArray<unknown>, ValidationError> =>
  Effect.suspend(() => {
    let value = payload
    if (value instanceof Uint8Array) {
      try {
        value = new TextDecoder("utf-8", { fatal: true }).decode(value)
      } catch {
        return Effect.fail(ValidationError.single("", "must be UTF-8 JSON"))
      }
    }
    if (typeof value === "string") {
      try {
        value = JSON.parse(value)
      } catch {
        return Effect.fail(ValidationError.single("", "must be JSON"))
      }
    }
    return Effect.map(decodePayload(value), (decoded): ReadonlyArray<unknown> =>
      Array.isArray(decoded) ? decoded : [decoded])
  })
