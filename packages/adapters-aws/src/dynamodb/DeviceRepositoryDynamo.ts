/**
 * DeviceRepository on the devices table (partition key deviceId). create is one PutItem
 * conditioned on attribute_not_exists, so of racing creates of one id exactly one is stored.
 * listByTeam queries the teamId-index GSI (teamId, deviceId), which projects only name and
 * createdAt besides the keys: the ingest key digest never leaves the base table, so a team listing
 * cannot leak it even by mistake. The GSI is eventually consistent on AWS: a device created a
 * moment ago may be missing from a listing for a fraction of a second (DynamoDB Local updates
 * indexes synchronously).
 *
 * Round trips: create 1 (PutItem); get 1 (GetItem, strongly consistent); listByTeam 1 Query on
 * teamId-index per 1 MB of listing (one for any realistic team).
 */
import {
  Conflict,
  Device,
  type DeviceId,
  DeviceRecord,
  DeviceRepository,
  DeviceRepositoryError,
  type TeamId,
  Unexpected
} from "@app/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { DynamoClient, type Item } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

/** What listByTeam reads from the index: everything it projects, named so nothing else is asked for. */
const LISTED_ATTRIBUTES = ["deviceId", "teamId", "name", "createdAt"] as const

export const toItem = (record: DeviceRecord): Item => ({
  deviceId: record.device.deviceId,
  teamId: record.device.teamId,
  name: record.device.name,
  createdAt: record.device.createdAt,
  ingestKeyHash: record.ingestKeyHash
})

const malformed = () =>
  new DeviceRepositoryError({ reason: new Unexpected({ message: "a stored device item does not decode" }) })

const decodeRecord = Schema.decodeUnknownEffect(DeviceRecord)
const decodeDevice = Schema.decodeUnknownEffect(Device)

const deviceFields = (item: Item) => ({
  deviceId: item["deviceId"],
  teamId: item["teamId"],
  name: item["name"],
  createdAt: item["createdAt"]
})

/** The record of a stored item (Schema-checked: a corrupt item is Unexpected, never a bad Device). */
export const fromItem = (item: Item): Effect.Effect<DeviceRecord, DeviceRepositoryError> =>
  decodeRecord({ device: deviceFields(item), ingestKeyHash: item["ingestKeyHash"] }).pipe(Effect.mapError(malformed))

const portError = DynamoError.toPortError((reason) => new DeviceRepositoryError({ reason }))

const deviceExists = new Conflict({ code: "DeviceExists", message: "device already exists" })

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient

  const create = Effect.fn("DeviceRepositoryDynamo.create")(function*(record: DeviceRecord) {
    yield* dynamo.put("devices", toItem(record), { condition: "attribute_not_exists(#deviceId)" }).pipe(
      Effect.catchTag("ConditionFailed", () => Effect.fail(deviceExists)),
      portError
    )
  })

  const get = Effect.fn("DeviceRepositoryDynamo.get")(function*(deviceId: DeviceId) {
    const found = yield* dynamo.get("devices", { deviceId }).pipe(portError)
    return Option.isNone(found) ? Option.none() : Option.some(yield* fromItem(found.value))
  })

  const listByTeam = Effect.fn("DeviceRepositoryDynamo.listByTeam")(function*(teamId: TeamId) {
    // The index's sort key is deviceId: DynamoDB returns the team's devices ascending by id.
    const items = yield* dynamo.queryAll("devices", {
      index: "teamId-index",
      partition: teamId,
      attributes: LISTED_ATTRIBUTES
    }).pipe(portError)
    return yield* Effect.forEach(items, (item) => decodeDevice(deviceFields(item)).pipe(Effect.mapError(malformed)))
  })

  return DeviceRepository.of({ create, get, listByTeam })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<DeviceRepository, never, DynamoClient> = Layer.effect(DeviceRepository, make)
