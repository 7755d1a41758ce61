/**
 * The behaviour every DeviceRepository must show (in memory, Postgres, DynamoDB): a model run
 * against the in-memory adapter, examples of each method, and the create race.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun } from "../../contract/ModelRun.js"
import type { DeviceRecord } from "../Device.js"
import { DeviceRepository } from "../DeviceRepository.js"
import * as DeviceRepositoryMemory from "../memory/DeviceRepositoryMemory.js"
import { command, deviceIdOf, deviceRecordOf, teamIdOf } from "./Fixtures.js"

type Port = DeviceRepository["Service"]

const canonicalRecord = (record: Option.Option<DeviceRecord>) =>
  Option.match(record, {
    onNone: () => null,
    onSome: ({ device, ingestKeyHash }) => ({
      deviceId: device.deviceId,
      teamId: device.teamId,
      name: device.name,
      createdAt: device.createdAt,
      ingestKeyHash
    })
  })

const commands = [
  fc.tuple(fc.nat(4), fc.nat(2), fc.constantFrom("a", "b")).map(([device, team, name]) =>
    command<Port>(`create(d${device}, t${team}, ${name})`, (m, real) => {
      const record = deviceRecordOf(m.scope, device, team, name)
      return agree(m.port.create(record), real.create(record))
    })
  ),
  fc.nat(4).map((device) =>
    command<Port>(`get(d${device})`, (m, real) =>
      agree(m.port.get(deviceIdOf(m.scope, device)), real.get(deviceIdOf(m.scope, device)), canonicalRecord))
  ),
  fc.nat(2).map((team) =>
    command<Port>(`listByTeam(t${team})`, (m, real) =>
      agree(m.port.listByTeam(teamIdOf(m.scope, team)), real.listByTeam(teamIdOf(m.scope, team)), (devices) =>
        devices.map((d) => ({ deviceId: d.deviceId, teamId: d.teamId, name: d.name, createdAt: d.createdAt }))))
  )
]

export const suite = (name: string, portLayer: Layer.Layer<DeviceRepository, unknown>) =>
  layer(portLayer, { excludeTestServices: true })(`DeviceRepository contract: ${name}`, (it) => {
    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* DeviceRepository
        yield* modelRun({ real, makeModel: DeviceRepositoryMemory.make, commands })
      }), 60_000)

    it.effect("create then get returns the record with its key digest; an unknown id is none", () =>
      Effect.gen(function*() {
        const repo = yield* DeviceRepository
        const scope = freshScope("dev")
        const record = deviceRecordOf(scope, 0, 0, "Lobby sensor")
        yield* repo.create(record)
        assert.deepStrictEqual(canonicalRecord(yield* repo.get(record.device.deviceId)), canonicalRecord(Option.some(record)))
        assert.isTrue(Option.isNone(yield* repo.get(deviceIdOf(scope, 1))))
      }))

    it.effect("listByTeam lists only the team's devices, ascending by id, without key digests", () =>
      Effect.gen(function*() {
        const repo = yield* DeviceRepository
        const scope = freshScope("dev")
        for (const [device, team] of [[2, 0], [0, 0], [1, 1], [3, 0]] as const) {
          yield* repo.create(deviceRecordOf(scope, device, team))
        }
        const listed = yield* repo.listByTeam(teamIdOf(scope, 0))
        assert.deepStrictEqual(listed.map((d) => d.deviceId), [0, 2, 3].map((i) => deviceIdOf(scope, i)))
        for (const device of listed) assert.isFalse("ingestKeyHash" in device)
        assert.deepStrictEqual(yield* repo.listByTeam(teamIdOf(scope, 9)), [])
      }))

    it.effect("creating an existing id is a Conflict and keeps the original", () =>
      Effect.gen(function*() {
        const repo = yield* DeviceRepository
        const scope = freshScope("dev")
        const original = deviceRecordOf(scope, 0, 0, "original")
        yield* repo.create(original)
        const error = yield* Effect.flip(repo.create(deviceRecordOf(scope, 0, 1, "impostor")))
        assert.strictEqual(error._tag, "Conflict")
        assert.strictEqual((error as { code?: string }).code, "DeviceExists")
        assert.deepStrictEqual(canonicalRecord(yield* repo.get(original.device.deviceId)), canonicalRecord(Option.some(original)))
      }))

    it.effect("two racing creates of one id: exactly one wins and is what is stored", () =>
      Effect.gen(function*() {
        const repo = yield* DeviceRepository
        const scope = freshScope("dev")
        const contenders = Array.from({ length: 8 }, (_, i) => deviceRecordOf(scope, 0, i % 2, `contender ${i}`))
        const exits = yield* Effect.all(contenders.map((r) => Effect.exit(repo.create(r))), { concurrency: "unbounded" })
        const winners = exits.flatMap((exit, i) => (Exit.isSuccess(exit) ? [contenders[i]!] : []))
        assert.strictEqual(winners.length, 1)
        assert.deepStrictEqual(
          canonicalRecord(yield* repo.get(deviceIdOf(scope, 0))),
          canonicalRecord(Option.some(winners[0]!))
        )
      }))
  })
