/**
 * PlatformConfigRepository on DynamoDB Local: the domain's contract suite unchanged, then what
 * only this adapter must show — 20 racing updates naming one version leave exactly one winner,
 * the round trips of each method and never a Scan, and the stored item's shape.
 */
import { assert, layer } from "@effect/vitest"
import { ConfigId, PlatformConfig, PlatformConfigRepository, UserId } from "@app/domain"
import { freshScope, PlatformConfigRepositoryContract } from "@app/domain/contract"
import { Effect, Exit, Layer, Option } from "effect"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as PlatformConfigRepositoryDynamo from "../../src/dynamodb/PlatformConfigRepositoryDynamo.js"
import * as DynamoTest from "../support/DynamoTest.js"

const contract = DynamoTest.make({ tables: ["platformConfigs"] })
PlatformConfigRepositoryContract.suite("dynamodb", PlatformConfigRepositoryDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: ["platformConfigs"] })

DynamoTest.assertNoScanAfterAll(contract, dynamo)

const T0 = 1_700_000_000_000

const config = (id: string, createdAt = T0) =>
  new PlatformConfig({
    configId: ConfigId.make(id),
    name: `config ${id}`,
    settings: { budget: 10, nested: { regions: ["kr", "us"], big: 2 ** 60, none: null } },
    version: 1,
    createdAt,
    updatedAt: createdAt
  })

const options = (makeCurrent = false, maxConfigs = 20) => ({ makeCurrent, maxConfigs })

const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit)
    ? (Option.getOrUndefined(Exit.findErrorOption(exit)) as { _tag: string; code?: string; reason?: { _tag: string } })
    : undefined

layer(PlatformConfigRepositoryDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true })(
  "PlatformConfigRepositoryDynamo",
  (it) => {
    it.effect("of 20 parallel updates naming one version exactly one wins; the others are VersionConflict", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        for (let round = 0; round < 3; round++) {
          const user = UserId.make(freshScope("race"))
          const a = config(freshScope("cfg"))
          yield* repo.create(user, "google", a, options())
          const exits = yield* Effect.all(
            Array.from({ length: 20 }, (_, i) =>
              Effect.exit(repo.update(user, "google", a.configId, { name: `writer ${i}`, settings: { writer: i } }, 1, T0 + i))),
            { concurrency: "unbounded" }
          )
          const winners = exits.filter(Exit.isSuccess).map((e) => e.value)
          assert.strictEqual(winners.length, 1)
          for (const exit of exits.filter(Exit.isFailure)) {
            const error = failureOf(exit)!
            assert.deepStrictEqual([error._tag, error.code], ["Conflict", "VersionConflict"])
          }
          const stored = (yield* repo.list(user, "google")).configs
          assert.strictEqual(stored.length, 1)
          assert.strictEqual(stored[0]!.version, 2)
          assert.strictEqual(stored[0]!.name, winners[0]!.name)
          assert.deepStrictEqual(stored[0]!.settings, winners[0]!.settings)
        }
      }))

    it.effect("each method costs the documented round trips, none of them a Scan", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const { recorder } = dynamo
        const user = UserId.make(freshScope("trips"))
        const a = config(freshScope("a")), b = config(freshScope("b"), T0 + 1)
        recorder.take()
        yield* repo.list(user, "meta")
        assert.deepStrictEqual(recorder.take(), ["GetItem"])
        yield* repo.create(user, "meta", a, options())
        assert.deepStrictEqual(recorder.take(), ["UpdateItem", "PutItem"])
        yield* repo.create(user, "meta", b, options())
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        yield* repo.create(user, "meta", b, options()).pipe(Effect.flip)
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        yield* repo.create(user, "meta", config(freshScope("c")), options(false, 2)).pipe(Effect.flip)
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        yield* repo.list(user, "meta")
        assert.deepStrictEqual(recorder.take(), ["GetItem"])
        yield* repo.update(user, "meta", b.configId, { name: "renamed", makeCurrent: true }, 1, T0 + 5)
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        yield* repo.update(user, "meta", b.configId, { name: "stale" }, 1, T0 + 6).pipe(Effect.flip)
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        yield* repo.update(user, "meta", ConfigId.make(freshScope("none")), {}, 1, T0).pipe(Effect.flip)
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        yield* repo.delete(user, "meta", a.configId) // not current
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        yield* repo.delete(user, "meta", b.configId) // current
        assert.deepStrictEqual(recorder.takeDetailed(), [
          { command: "UpdateItem", tables: ["platform-configs"] },
          { command: "UpdateItem", tables: ["platform-configs"] }
        ])
        yield* repo.delete(user, "meta", b.configId).pipe(Effect.flip)
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
      }))

    it.effect("one item per user and platform: a map of configs with settings as canonical JSON, and the current id", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const client = yield* DynamoClient
        const user = UserId.make(freshScope("shape"))
        const a = config(freshScope("a")), b = config(freshScope("b"), T0 + 1)
        yield* repo.create(user, "naver", a, options())
        yield* repo.create(user, "naver", b, options(true))
        const item = Option.getOrThrow(yield* client.get("platformConfigs", { userPlatform: `${user}#naver` }))
        assert.deepStrictEqual(Object.keys(item).sort(), ["configs", "currentConfigId", "userPlatform"])
        assert.strictEqual(item["currentConfigId"], b.configId)
        assert.deepStrictEqual((item["configs"] as Record<string, unknown>)[a.configId], {
          name: a.name,
          settings: `{"budget":10,"nested":{"big":${2 ** 60},"none":null,"regions":["kr","us"]}}`,
          version: 1,
          createdAt: T0,
          updatedAt: T0
        })
        // A JSON number beyond the SDK's safe-integer range round-trips because it is stored as text.
        assert.deepStrictEqual((yield* repo.list(user, "naver")).configs.map((c) => c.settings), [a.settings, b.settings])
        yield* repo.delete(user, "naver", b.configId)
        const after = Option.getOrThrow(yield* client.get("platformConfigs", { userPlatform: `${user}#naver` }))
        assert.isUndefined(after["currentConfigId"])
        assert.isNull((yield* repo.list(user, "naver")).currentConfigId)
      }))

    it.effect("config ids that are names of Object.prototype are ordinary ids", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const user = UserId.make(freshScope("proto"))
        for (const id of ["constructor", "toString", "hasOwnProperty"]) {
          const missing = yield* repo.update(user, "kakao", ConfigId.make(id), {}, 1, T0).pipe(Effect.flip)
          assert.strictEqual(missing._tag, "NotFound")
        }
        yield* repo.create(user, "kakao", config("other"), options())
        const created = yield* repo.create(user, "kakao", config("constructor"), options())
        assert.strictEqual(created.configId, "constructor")
        assert.strictEqual((yield* repo.update(user, "kakao", ConfigId.make("constructor"), {}, 1, T0)).version, 2)
        assert.strictEqual((yield* repo.delete(user, "kakao", ConfigId.make("toString")).pipe(Effect.flip))._tag, "NotFound")
        yield* repo.delete(user, "kakao", ConfigId.make("constructor"))
        assert.deepStrictEqual((yield* repo.list(user, "kakao")).configs.map((c) => c.configId), ["other"])
      }))

    it.effect("a stored item that does not decode is Unexpected, never a bad PlatformConfig", () =>
      Effect.gen(function*() {
        const repo = yield* PlatformConfigRepository
        const client = yield* DynamoClient
        const user = UserId.make(freshScope("corrupt"))
        yield* client.put("platformConfigs", {
          userPlatform: `${user}#tiktok`,
          configs: { c1: { name: "x", settings: "{not json", version: 1, createdAt: T0, updatedAt: T0 } }
        })
        const exit = yield* Effect.exit(repo.list(user, "tiktok"))
        const error = failureOf(exit)!
        assert.deepStrictEqual([error._tag, error.reason?._tag], ["PlatformConfigRepositoryError", "Unexpected"])
      }))
  }
)
