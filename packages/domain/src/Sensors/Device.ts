/**
 * IoT devices of 003: a device belongs to one team and sends readings with its own ingest key.
 * The key is random, shown once when the device is created and kept only as its SHA-256 digest
 * (DeviceRecord), so a leaked store does not leak working keys.
 */
import { Schema } from "effect"
import { IdString } from "../Identifier.js"
import { Millis } from "../Millis.js"
import { TeamId } from "../Teams/Team.js"
import { DisplayName } from "../DisplayName.js"

export const DeviceId = IdString.pipe(Schema.brand("DeviceId"))
export type DeviceId = typeof DeviceId.Type

/** Trimmed on decode, 1-100 characters. */
export const DeviceName = DisplayName

export class Device extends Schema.Class<Device>("@app/domain/Sensors/Device")({
  deviceId: DeviceId,
  teamId: TeamId,
  name: DeviceName,
  createdAt: Millis
}) {}

/** SHA-256 of an ingest key as 64 lower-case hex digits. */
export const IngestKeyHash = Schema.String.check(
  Schema.isPattern(/^[0-9a-f]{64}$/, { message: "must be a SHA-256 hex digest" })
)

/** A device with the secret half of its identity: the digest of its ingest key. */
export class DeviceRecord extends Schema.Class<DeviceRecord>("@app/domain/Sensors/DeviceRecord")({
  device: Device,
  ingestKeyHash: IngestKeyHash
}) {}

/** Bytes of entropy of an ingest key (43 base64url characters). */
export const INGEST_KEY_BYTES = 32
