/**
 * Storage of devices with the digest of their ingest key. Ids are minted fresh, so create only
 * guards against reusing one (a unique key, a conditional put).
 */
import { type Option, Context, Effect, Schema } from "effect"
import type { Conflict } from "../DomainError.js"
import { StoreFailure } from "../StoreFailure.js"
import type { TeamId } from "../Teams/Team.js"
import type { Device, DeviceId, DeviceRecord } from "./Device.js"

export class DeviceRepositoryError extends Schema.TaggedError<DeviceRepositoryError>()("DeviceRepositoryError", {
  reason: StoreFailure
}) {}

export class DeviceRepository extends Context.Service<DeviceRepository, {
  /** Stores a new device; Conflict with code "DeviceExists" when the id is taken. */
  readonly create: (record: DeviceRecord) => Effect.Effect<void, Conflict | DeviceRepositoryError>
  readonly get: (deviceId: DeviceId) => Effect.Effect<Option.Option<DeviceRecord>, DeviceRepositoryError>
  /** The team's devices, ascending by deviceId (ULIDs: creation order); never the key digests. */
  readonly listByTeam: (teamId: TeamId) => Effect.Effect<ReadonlyArray<Device>, DeviceRepositoryError>
}>()("@app/domain/Sensors/DeviceRepository") {}
