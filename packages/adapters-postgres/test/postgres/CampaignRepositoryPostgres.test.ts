/**
 * CampaignRepository on a real Postgres server and on PGlite: the contract suite unchanged on
 * both, then races over real pool connections (many upserts of one campaign: one row, created
 * once; overlapping batches; many markRemoved calls), JSON the domain accepts but jsonb would
 * refuse, and the plans of the list statements.
 */
import { AccountId, CampaignId, CampaignRepository, REMOVED, RemoteCampaign, UserId } from "@app/domain"
import { CampaignRepositoryContract, freshScope } from "@app/domain/contract"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer, type Schema } from "effect"
import * as CampaignRepositoryPostgres from "../../src/postgres/CampaignRepositoryPostgres.js"
import * as PostgresTest from "../support/PostgresTest.js"
import * as QueryPlans from "../support/QueryPlans.js"
import * as RowCounts from "../support/RowCounts.js"

CampaignRepositoryContract.suite("postgres", CampaignRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layer())))
CampaignRepositoryContract.suite("pglite", CampaignRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layerPglite)))

const N = 20
const T0 = 1_700_000_000_000
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

const remote = (id: number, data: Schema.JsonObject = { name: `campaign ${id}` }, status = "ENABLED") =>
  new RemoteCampaign({ campaignId: CampaignId.make(`cmp-${id}`), campaignData: data, status, metrics: { clicks: 0 } })

const sum = (counts: ReadonlyArray<{ readonly created: number; readonly updated: number; readonly unchanged: number }>) =>
  counts.reduce(
    (total, c) => ({ created: total.created + c.created, updated: total.updated + c.updated, unchanged: total.unchanged + c.unchanged }),
    { created: 0, updated: 0, unchanged: 0 }
  )

const rowCount = (userId: UserId) => RowCounts.count("campaigns", "user_id = $1", [userId])

for (const [name, sqlLayer] of PostgresTest.backends({ maxConnections: N })) {
  layer(CampaignRepositoryPostgres.layer.pipe(Layer.provideMerge(sqlLayer)), { excludeTestServices: true })(
    `CampaignRepositoryPostgres under concurrency (${name})`,
    (it) => {
      it.effect(`${N} parallel upserts of one new campaign: one row, created once, unchanged for the others`, () =>
        Effect.gen(function*() {
          const repo = yield* CampaignRepository
          const scope = freshScope("cmppar")
          const user = UserId.make(`${scope}-user`), account = AccountId.make(`${scope}-acct`)
          const counts = yield* Effect.all(
            range(N).map(() => repo.upsert(user, "tiktok", account, [remote(1)], T0)),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(sum(counts), { created: 1, updated: 0, unchanged: N - 1 })
          assert.strictEqual(yield* rowCount(user), 1)
        }))

      it.effect(`${N} parallel upserts of one new campaign with different data: one row holding one writer's data and time`, () =>
        Effect.gen(function*() {
          const repo = yield* CampaignRepository
          const scope = freshScope("cmppar2")
          const user = UserId.make(`${scope}-user`), account = AccountId.make(`${scope}-acct`)
          const counts = yield* Effect.all(
            range(N).map((i) => repo.upsert(user, "google", account, [remote(1, { writer: i })], T0 + i)),
            { concurrency: "unbounded" }
          )
          const total = sum(counts)
          assert.strictEqual(total.created, 1)
          assert.strictEqual(total.created + total.updated + total.unchanged, N)
          const stored = yield* repo.list(user, "google", {})
          assert.strictEqual(stored.length, 1)
          const writer = stored[0]!.campaignData["writer"] as number
          assert.strictEqual(stored[0]!.updatedAt, T0 + writer)
        }))

      it.effect(`${N} parallel upserts of overlapping batches in different orders: each campaign created once`, () =>
        Effect.gen(function*() {
          const repo = yield* CampaignRepository
          const scope = freshScope("cmppar3")
          const user = UserId.make(`${scope}-user`), account = AccountId.make(`${scope}-acct`)
          const batchOf = (i: number) => {
            const ids = range(10).map((k) => (k * 7 + i) % 12)
            return (i % 2 === 0 ? ids : ids.reverse()).map((id) => remote(id))
          }
          const counts = yield* Effect.all(
            range(N).map((i) => repo.upsert(user, "meta", account, batchOf(i), T0)),
            { concurrency: "unbounded" }
          )
          const distinct = new Set(range(N).flatMap((i) => batchOf(i).map((c) => c.campaignId)))
          assert.deepStrictEqual(sum(counts), { created: distinct.size, updated: 0, unchanged: 10 * N - distinct.size })
          assert.strictEqual(yield* rowCount(user), distinct.size)
        }))

      it.effect(`${N} parallel markRemoved calls: each campaign removed once`, () =>
        Effect.gen(function*() {
          const repo = yield* CampaignRepository
          const scope = freshScope("cmppar4")
          const user = UserId.make(`${scope}-user`), account = AccountId.make(`${scope}-acct`)
          yield* repo.upsert(user, "naver", account, range(30).map((i) => remote(i)), T0)
          const removed = yield* Effect.all(
            range(N).map((i) => repo.markRemoved(user, "naver", account, [CampaignId.make("cmp-0")], T0 + 1 + i)),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(removed.reduce((a, b) => a + b, 0), 29)
          assert.strictEqual((yield* repo.list(user, "naver", { status: REMOVED })).length, 29)
        }))

      it.effect("JSON that jsonb would refuse (NUL, lone surrogates) is stored as given and compared as JSON", () =>
        Effect.gen(function*() {
          const repo = yield* CampaignRepository
          const scope = freshScope("cmpjson")
          const user = UserId.make(`${scope}-user`), account = AccountId.make(`${scope}-acct`)
          const data = { text: "a\u0000b", lone: "\ud800", nested: { emoji: "\u{1F600}", list: [1.5, null, true, "\\\"'"] } }
          yield* repo.upsert(user, "kakao", account, [remote(1, data)], T0)
          const [stored] = yield* repo.list(user, "kakao", { accountId: account })
          assert.deepStrictEqual(stored!.campaignData, data)
          const reordered = { nested: { list: [1.5, null, true, "\\\"'"], emoji: "\u{1F600}" }, lone: "\ud800", text: "a\u0000b" }
          const again = yield* repo.upsert(user, "kakao", account, [remote(1, reordered)], T0 + 1)
          assert.deepStrictEqual({ ...again }, { created: 0, updated: 0, unchanged: 1 })
        }))

      it.effect("every list filter is served by an index in list order, never a sequential scan", () =>
        Effect.gen(function*() {
          const repo = yield* CampaignRepository
          const scope = freshScope("cmpplan")
          const user = UserId.make(`${scope}-user`), account = AccountId.make(`${scope}-acct`)
          yield* repo.upsert(user, "google", account, [remote(1), remote(2, undefined, "PAUSED")], T0)
          // No index named: any index will do, as long as there is no sequential scan.
          const filters = [
            [{}, ["campaigns_pkey"]],
            [{ accountId: account }, ["campaigns_pkey"]],
            [{ status: "PAUSED" }, ["campaigns_status_idx"]],
            [{ accountId: account, status: "PAUSED" }, []]
          ] as const
          for (const [filter, indexes] of filters) {
            const query = CampaignRepositoryPostgres.listQuery(user, "google", filter)
            QueryPlans.assertUsesIndexes(yield* QueryPlans.explain(query.text, query.params), ...indexes)
          }
        }))
    }
  )
}
