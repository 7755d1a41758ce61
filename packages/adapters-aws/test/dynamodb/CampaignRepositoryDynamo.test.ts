/**
 * CampaignRepository on DynamoDB Local: the domain's contract suite unchanged, then what only this
 * adapter must show — an account-less list reads the userPlatform-index GSI, every page of a
 * result over 1 MB is followed, racing upserts create a campaign once, the stored item's shape,
 * the round trips of each method and never a Scan.
 */
import { assert, layer } from "@effect/vitest"
import { AccountId, CampaignId, CampaignRepository, RemoteCampaign, UserId } from "@app/domain"
import { CampaignRepositoryContract, freshScope } from "@app/domain/contract"
import { Effect, Layer, Option } from "effect"
import * as CampaignRepositoryDynamo from "../../src/dynamodb/CampaignRepositoryDynamo.js"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import { inputsOf } from "../support/CommandInputs.js"
import * as DynamoTest from "../support/DynamoTest.js"

const contract = DynamoTest.make({ tables: ["campaigns"] })
CampaignRepositoryContract.suite("dynamodb", CampaignRepositoryDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: ["campaigns"] })

DynamoTest.assertNoScanAfterAll(contract, dynamo)

const T0 = 1_700_000_000_000

const remote = (id: string, status = "ENABLED", data: Record<string, unknown> = { name: `campaign ${id}` }, clicks = 0) =>
  new RemoteCampaign({ campaignId: CampaignId.make(id), campaignData: data as never, status, metrics: { clicks } })

layer(CampaignRepositoryDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true, timeout: "60 seconds" })(
  "CampaignRepositoryDynamo",
  (it) => {
    it.effect("list without an account reads the userPlatform-index GSI; with one, the account's partition", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        const user = UserId.make(freshScope("gsi"))
        // "a" and "a-x": '#' sorts below '-', so the GSI order is the in-memory adapter's.
        const a = AccountId.make("a"), ax = AccountId.make("a-x"), b = AccountId.make("b")
        yield* repo.upsert(user, "meta", b, [remote("2"), remote("1")], T0)
        yield* repo.upsert(user, "meta", ax, [remote("1")], T0)
        yield* repo.upsert(user, "meta", a, [remote("9"), remote("10", "PAUSED")], T0)
        const all = yield* inputsOf(repo.list(user, "meta", {}))
        assert.deepStrictEqual(all.result.map((c) => `${c.accountId}/${c.campaignId}`), ["a/10", "a/9", "a-x/1", "b/1", "b/2"])
        assert.strictEqual(all.sent.length, 1)
        assert.strictEqual(all.sent[0]!["IndexName"], "userPlatform-index")
        const paused = yield* inputsOf(repo.list(user, "meta", { status: "PAUSED" }))
        assert.deepStrictEqual(paused.result.map((c) => c.campaignId), ["10"])
        assert.strictEqual(paused.sent[0]!["IndexName"], "userPlatform-index")
        const one = yield* inputsOf(repo.list(user, "meta", { accountId: b }))
        assert.deepStrictEqual(one.result.map((c) => c.campaignId), ["1", "2"])
        assert.isUndefined(one.sent[0]!["IndexName"])
        assert.isTrue(one.sent[0]!["ConsistentRead"])
      }))

    it.effect("a result over 1 MB comes back whole: every page is followed, on the table and on the GSI", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        const { recorder } = dynamo
        const user = UserId.make(freshScope("pages")), account = AccountId.make("acct")
        const filler = "x".repeat(100_000)
        const batch = Array.from({ length: 12 }, (_, i) => remote(`c${String(i).padStart(2, "0")}`, "ENABLED", { filler, i }))
        assert.strictEqual((yield* repo.upsert(user, "google", account, batch, T0)).created, 12)
        recorder.take()
        const byAccount = yield* repo.list(user, "google", { accountId: account })
        assert.deepStrictEqual(byAccount.map((c) => c.campaignId), batch.map((c) => c.campaignId))
        assert.deepStrictEqual(recorder.take(), ["Query", "Query"])
        const all = yield* repo.list(user, "google", {})
        assert.deepStrictEqual(all.map((c) => c.campaignData["i"]), batch.map((_, i) => i))
        assert.deepStrictEqual(recorder.take(), ["Query", "Query"])
      }))

    it.effect("20 racing upserts of one new campaign: one creates it, the rest find it unchanged", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        for (let round = 0; round < 3; round++) {
          const user = UserId.make(freshScope("race")), account = AccountId.make("acct")
          const results = yield* Effect.all(
            Array.from({ length: 20 }, () => repo.upsert(user, "tiktok", account, [remote("1"), remote("2")], T0)),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(results.reduce((n, r) => n + r.created, 0), 2)
          assert.strictEqual(results.reduce((n, r) => n + r.updated, 0), 0)
          assert.strictEqual(results.reduce((n, r) => n + r.unchanged, 0), 38)
          assert.strictEqual((yield* repo.list(user, "tiktok", {})).length, 2)
        }
      }))

    it.effect("the item: keys of the table and the GSI, data and metrics as canonical JSON text, a fingerprint", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        const client = yield* DynamoClient
        const user = UserId.make(freshScope("shape")), account = AccountId.make("acct")
        const data = { z: 1, a: { big: 2 ** 60, list: [1, "two", null] }, "": "empty key" }
        yield* repo.upsert(user, "kakao", account, [remote("1", "ENABLED", data, 3)], T0)
        const item = Option.getOrThrow(yield* client.get("campaigns", { userPlatformAccount: `${user}#kakao#acct`, campaignId: "1" }))
        assert.deepStrictEqual(item, {
          userPlatformAccount: `${user}#kakao#acct`,
          campaignId: "1",
          userPlatform: `${user}#kakao`,
          accountCampaign: "acct#1",
          accountId: "acct",
          campaignData: `{"":"empty key","a":{"big":${2 ** 60},"list":[1,"two",null]},"z":1}`,
          status: "ENABLED",
          metrics: `{"clicks":3}`,
          fingerprint: CampaignRepositoryDynamo.fingerprint(
            `{"":"empty key","a":{"big":${2 ** 60},"list":[1,"two",null]},"z":1}`,
            `{"clicks":3}`
          ),
          updatedAt: T0
        })
        const [listed] = yield* repo.list(user, "kakao", {})
        assert.deepStrictEqual(listed!.campaignData, data)
      }))

    it.effect("each method costs the documented round trips, none of them a Scan", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        const { recorder } = dynamo
        const user = UserId.make(freshScope("trips")), account = AccountId.make("acct")
        recorder.take()
        yield* repo.upsert(user, "naver", account, [], T0)
        assert.deepStrictEqual(recorder.take(), [])
        yield* repo.upsert(user, "naver", account, [remote("1"), remote("2"), remote("3")], T0)
        assert.deepStrictEqual(recorder.take(), ["Query", "PutItem", "PutItem", "PutItem"])
        yield* repo.upsert(user, "naver", account, [remote("1"), remote("2"), remote("3")], T0 + 1)
        assert.deepStrictEqual(recorder.take(), ["Query"])
        yield* repo.upsert(user, "naver", account, [remote("1"), remote("2", "PAUSED"), remote("3", "ENABLED", {}, 1)], T0 + 2)
        assert.deepStrictEqual(recorder.take(), ["Query", "UpdateItem", "UpdateItem"])
        yield* repo.markRemoved(user, "naver", account, [CampaignId.make("1")], T0 + 3)
        assert.deepStrictEqual(recorder.take(), ["Query", "UpdateItem", "UpdateItem"])
        yield* repo.markRemoved(user, "naver", account, [CampaignId.make("1")], T0 + 4)
        assert.deepStrictEqual(recorder.take(), ["Query"])
        yield* repo.list(user, "naver", { accountId: account })
        assert.deepStrictEqual(recorder.take(), ["Query"])
        yield* repo.list(user, "naver", { status: "removed" })
        assert.deepStrictEqual(recorder.takeDetailed(), [{ command: "Query", tables: ["campaigns"] }])
      }))
  }
)
