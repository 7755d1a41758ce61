/**
 * DeviceRepository on DynamoDB Local: the domain's contract suite unchanged, then what only this
 * adapter must show — the round trips of each method and never a Scan, the ingest key digest
 * absent from the team index itself (not just filtered out by the adapter), and store failures
 * as the port's error.
 */
import { assert, layer } from "@effect/vitest"
import { Device, DeviceId, DeviceRecord, DeviceRepository, TeamId } from "@app/domain"
import { DeviceRepositoryContract, freshScope } from "@app/domain/contract"
import { Effect, Layer, Option } from "effect"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as DeviceRepositoryDynamo from "../../src/dynamodb/DeviceRepositoryDynamo.js"
import * as DynamoTest from "../support/DynamoTest.js"
import { failureTags } from "../support/FailureTags.js"

const contract = DynamoTest.make({ tables: ["devices"] })
DeviceRepositoryContract.suite("dynamodb", DeviceRepositoryDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: ["devices"] })
const missingTable = DynamoTest.make({ tables: ["users"] })

DynamoTest.assertNoScanAfterAll(contract, dynamo, missingTable)

const HASH = "ab".repeat(32)

const recordOf = (teamId: TeamId, name = "Lobby sensor") =>
  new DeviceRecord({
    device: new Device({ deviceId: DeviceId.make(freshScope("dev")), teamId, name, createdAt: 1_700_000_000_000 }),
    ingestKeyHash: HASH
  })

layer(DeviceRepositoryDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true })(
  "DeviceRepositoryDynamo",
  (it) => {
    it.effect("each method costs the documented round trips, none of them a Scan", () =>
      Effect.gen(function*() {
        const repo = yield* DeviceRepository
        const teamId = TeamId.make(freshScope("team"))
        const record = recordOf(teamId)
        dynamo.recorder.take()
        yield* repo.create(record)
        assert.deepStrictEqual(dynamo.recorder.takeDetailed(), [{ command: "PutItem", tables: ["devices"] }])
        const conflict = yield* Effect.flip(repo.create(record))
        assert.strictEqual(conflict._tag, "Conflict")
        assert.deepStrictEqual(dynamo.recorder.take(), ["PutItem"])
        assert.isTrue(Option.isSome(yield* repo.get(record.device.deviceId)))
        assert.deepStrictEqual(dynamo.recorder.take(), ["GetItem"])
        assert.deepStrictEqual((yield* repo.listByTeam(teamId)).map((d) => d.deviceId), [record.device.deviceId])
        assert.deepStrictEqual(dynamo.recorder.takeDetailed(), [{ command: "Query", tables: ["devices"] }])
      }))

    it.effect("the team index holds no key digest: a raw Query of it sees only keys, name and createdAt", () =>
      Effect.gen(function*() {
        const repo = yield* DeviceRepository
        const client = yield* DynamoClient
        const teamId = TeamId.make(freshScope("team"))
        yield* Effect.forEach([recordOf(teamId, "a"), recordOf(teamId, "b")], (r) => repo.create(r), { discard: true })
        const raw = yield* client.queryAll("devices", { index: "teamId-index", partition: teamId })
        assert.strictEqual(raw.length, 2)
        for (const item of raw) {
          assert.deepStrictEqual(Object.keys(item).sort(), ["createdAt", "deviceId", "name", "teamId"])
        }
        // The base table does keep it, for ingest to check the key against.
        const stored = yield* client.get("devices", { deviceId: raw[0]!["deviceId"] as string })
        assert.strictEqual(Option.getOrThrow(stored)["ingestKeyHash"], HASH)
      }))

    it.effect("a team's 40 devices, created in parallel, are listed whole and ascending by id", () =>
      Effect.gen(function*() {
        const repo = yield* DeviceRepository
        const teamId = TeamId.make(freshScope("team"))
        const records = Array.from({ length: 40 }, (_, i) => recordOf(teamId, `device ${i}`))
        yield* Effect.forEach(records, (r) => repo.create(r), { concurrency: 8, discard: true })
        const listed = yield* repo.listByTeam(teamId)
        assert.deepStrictEqual(listed.map((d) => d.deviceId), records.map((r) => r.device.deviceId).sort())
        for (const device of listed) assert.isFalse("ingestKeyHash" in device)
      }))

    it.effect("a stored item that does not decode is DeviceRepositoryError Unexpected, not a bad Device", () =>
      Effect.gen(function*() {
        const repo = yield* DeviceRepository
        const client = yield* DynamoClient
        const deviceId = freshScope("corrupt")
        yield* client.put("devices", { deviceId, teamId: freshScope("team"), name: "", createdAt: -1, ingestKeyHash: "nope" })
        const error = yield* Effect.flip(repo.get(DeviceId.make(deviceId)))
        assert.strictEqual(error._tag, "DeviceRepositoryError")
        assert.strictEqual((error as { reason: { _tag: string } }).reason._tag, "Unexpected")
      }))
  }
)

layer(DeviceRepositoryDynamo.layer.pipe(Layer.provide(missingTable.layer)), { excludeTestServices: true })(
  "DeviceRepositoryDynamo store failures",
  (it) => {
    it.effect("a missing table is DeviceRepositoryError Unexpected on every method", () =>
      Effect.gen(function*() {
        const repo = yield* DeviceRepository
        const teamId = TeamId.make(freshScope("team"))
        const exits = [
          yield* Effect.exit(repo.create(recordOf(teamId))),
          yield* Effect.exit(repo.get(DeviceId.make(freshScope("dev")))),
          yield* Effect.exit(repo.listByTeam(teamId))
        ]
        assert.deepStrictEqual(exits.map(failureTags), Array(3).fill(["DeviceRepositoryError", "Unexpected"]))
      }))
  }
)
