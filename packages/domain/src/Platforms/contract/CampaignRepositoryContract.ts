/**
 * The behaviour every CampaignRepository must show, run unchanged against the in-memory adapter,
 * Postgres and DynamoDB: idempotent upserts (an identical campaign — as JSON, whatever the key
 * order — is not rewritten, updatedAt included), markRemoved counting only campaigns that change,
 * exact filters, and partitions per user, platform and account — also under real concurrency.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun, type PortCommand } from "../../contract/ModelRun.js"
import { type CampaignFilter, REMOVED } from "../Campaign.js"
import { CampaignRepository } from "../CampaignRepository.js"
import * as CampaignRepositoryMemory from "../memory/CampaignRepositoryMemory.js"
import type { Platform } from "../Platform.js"
import { accountId, campaignId, command, plainCampaign, remote, T0, userId } from "./ContractIds.js"

type Port = CampaignRepository["Service"]

const counts = (c: { created: number; updated: number; unchanged: number }) => ({
  created: c.created,
  updated: c.updated,
  unchanged: c.unchanged
})

// ---------------------------------------------------------------------------------------------
// Model run

const USERS = 2
const PLATFORMS: ReadonlyArray<Platform> = ["google", "tiktok"]
const ACCOUNTS = 2
const CAMPAIGNS = 5
const STATUSES = ["ENABLED", "PAUSED", REMOVED]

const where = fc.record({ user: fc.nat(USERS - 1), platform: fc.constantFrom(...PLATFORMS), account: fc.nat(ACCOUNTS - 1) })

/** Three shapes of data, two of them equal as JSON with different key order. */
const dataOf = (variant: number, id: number) =>
  variant === 0 ? { name: `c${id}`, budget: 10 } : variant === 1 ? { budget: 10, name: `c${id}` } : { name: `c${id}`, budget: 20 }

const batchArb = fc.uniqueArray(
  fc.record({
    id: fc.nat(CAMPAIGNS - 1),
    status: fc.constantFrom(...STATUSES),
    data: fc.nat(2),
    clicks: fc.nat(2)
  }),
  { selector: (c) => c.id, maxLength: CAMPAIGNS }
)

const upsertCommand = fc.record({ w: where, batch: batchArb, tick: fc.nat(1000) }).map(({ batch, tick, w }) =>
  command<Port>(`upsert(${JSON.stringify(w)}, ${JSON.stringify(batch)}, +${tick})`, (m, real) => {
    const u = userId(m.scope, w.user), a = accountId(m.scope, w.account)
    const campaigns = batch.map((c) => remote(c.id, c.status, dataOf(c.data, c.id), { clicks: c.clicks }))
    return agree(m.port.upsert(u, w.platform, a, campaigns, T0 + tick), real.upsert(u, w.platform, a, campaigns, T0 + tick), counts)
  })
)

const markRemovedCommand = fc
  .record({ w: where, present: fc.uniqueArray(fc.nat(CAMPAIGNS - 1), { maxLength: CAMPAIGNS }), tick: fc.nat(1000) })
  .map(({ present, tick, w }) =>
    command<Port>(`markRemoved(${JSON.stringify(w)}, [${present.join(", ")}], +${tick})`, (m, real) => {
      const u = userId(m.scope, w.user), a = accountId(m.scope, w.account)
      const ids = present.map(campaignId)
      return agree(m.port.markRemoved(u, w.platform, a, ids, T0 + tick), real.markRemoved(u, w.platform, a, ids, T0 + tick))
    })
  )

/** With or without an account (one partition, or one that has nothing) and a status. */
const listCommand = fc
  .record({
    user: fc.nat(USERS - 1),
    platform: fc.constantFrom(...PLATFORMS),
    account: fc.option(fc.nat(ACCOUNTS), { nil: undefined }),
    status: fc.option(fc.constantFrom(...STATUSES, "OTHER"), { nil: undefined })
  })
  .map(({ account, platform, status, user }) =>
    command<Port>(`list(${user}, ${platform}, account ${account}, status ${status})`, (m, real) => {
      const u = userId(m.scope, user)
      const filter: CampaignFilter = {
        ...(account === undefined ? {} : { accountId: accountId(m.scope, account) }),
        ...(status === undefined ? {} : { status })
      }
      return agree(m.port.list(u, platform, filter), real.list(u, platform, filter), (l) => l.map(plainCampaign))
    })
  )

export const commands: ReadonlyArray<fc.Arbitrary<PortCommand<Port>>> = [
  upsertCommand,
  upsertCommand,
  upsertCommand,
  markRemovedCommand,
  listCommand,
  listCommand,
  listCommand
]

// ---------------------------------------------------------------------------------------------

export const suite = (name: string, repositoryLayer: Layer.Layer<CampaignRepository, unknown>) =>
  layer(repositoryLayer)(`CampaignRepository contract (${name})`, (it) => {
    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* CampaignRepository
        yield* modelRun({ real, makeModel: CampaignRepositoryMemory.make, commands, numRuns: 40, maxCommands: 40 })
      }), 60_000)

    it.effect("upsert creates, updates only what differs, and leaves identical campaigns untouched", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        const scope = freshScope("cmpupsert")
        const user = userId(scope, 1), account = accountId(scope, "a")
        const first = [remote(1, "ENABLED", { name: "one", budget: 5 }), remote(2, "PAUSED"), remote(3)]
        assert.deepStrictEqual(counts(yield* repo.upsert(user, "google", account, first, T0)), { created: 3, updated: 0, unchanged: 0 })
        const second = [
          remote(1, "ENABLED", { budget: 5, name: "one" }), // same JSON, other key order
          remote(2, "ENABLED"), // status changed
          remote(3, "ENABLED", { name: "campaign 3" }, { clicks: 7 }), // metrics changed
          remote(4) // new
        ]
        assert.deepStrictEqual(counts(yield* repo.upsert(user, "google", account, second, T0 + 10)), { created: 1, updated: 2, unchanged: 1 })
        const stored = yield* repo.list(user, "google", { accountId: account })
        assert.deepStrictEqual(stored.map((c) => [c.campaignId, c.status, c.updatedAt]), [
          [campaignId(1), "ENABLED", T0],
          [campaignId(2), "ENABLED", T0 + 10],
          [campaignId(3), "ENABLED", T0 + 10],
          [campaignId(4), "ENABLED", T0 + 10]
        ])
        assert.deepStrictEqual(plainCampaign(stored[2]!), {
          accountId: account,
          campaignId: campaignId(3),
          campaignData: { name: "campaign 3" },
          status: "ENABLED",
          metrics: { clicks: 7 },
          updatedAt: T0 + 10
        })
      }))

    it.effect("upserting the same batch twice changes nothing the second time", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        const scope = freshScope("cmpidem")
        const user = userId(scope, 1), account = accountId(scope, "a")
        const batch = [remote(1, "ENABLED", { nested: { a: [1, 2, { b: null }] }, flag: true }, { ctr: 0.25 }), remote(2)]
        yield* repo.upsert(user, "meta", account, batch, T0)
        const before = (yield* repo.list(user, "meta", { accountId: account })).map(plainCampaign)
        assert.deepStrictEqual(counts(yield* repo.upsert(user, "meta", account, batch, T0 + 99)), { created: 0, updated: 0, unchanged: 2 })
        assert.deepStrictEqual((yield* repo.list(user, "meta", { accountId: account })).map(plainCampaign), before)
        assert.deepStrictEqual(counts(yield* repo.upsert(user, "meta", account, [], T0 + 100)), { created: 0, updated: 0, unchanged: 0 })
      }))

    it.effect("markRemoved removes campaigns not present, counts each once, and a reappearing campaign is updated", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        const scope = freshScope("cmpremove")
        const user = userId(scope, 1), account = accountId(scope, "a"), other = accountId(scope, "b")
        yield* repo.upsert(user, "naver", account, [remote(1), remote(2), remote(3)], T0)
        yield* repo.upsert(user, "naver", other, [remote(1)], T0)
        assert.strictEqual(yield* repo.markRemoved(user, "naver", account, [campaignId(1)], T0 + 5), 2)
        const stored = yield* repo.list(user, "naver", { accountId: account })
        assert.deepStrictEqual(stored.map((c) => [c.campaignId, c.status, c.updatedAt]), [
          [campaignId(1), "ENABLED", T0],
          [campaignId(2), REMOVED, T0 + 5],
          [campaignId(3), REMOVED, T0 + 5]
        ])
        assert.deepStrictEqual(stored[1]!.campaignData, { name: "campaign 2" })
        // Already removed: not counted, not rewritten.
        assert.strictEqual(yield* repo.markRemoved(user, "naver", account, [campaignId(1)], T0 + 6), 0)
        assert.strictEqual((yield* repo.list(user, "naver", { accountId: account }))[1]!.updatedAt, T0 + 5)
        // Other accounts are untouched.
        assert.strictEqual((yield* repo.list(user, "naver", { accountId: other }))[0]!.status, "ENABLED")
        // Back on the platform: an update.
        assert.deepStrictEqual(counts(yield* repo.upsert(user, "naver", account, [remote(2)], T0 + 7)), { created: 0, updated: 1, unchanged: 0 })
        assert.strictEqual((yield* repo.list(user, "naver", { accountId: account }))[1]!.status, "ENABLED")
        assert.strictEqual(yield* repo.markRemoved(user, "naver", accountId(scope, "none"), [], T0), 0)
      }))

    it.effect("list filters by account and status exactly, ordered by account then campaign", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        const scope = freshScope("cmplist")
        const user = userId(scope, 1), a = accountId(scope, "a"), b = accountId(scope, "b")
        yield* repo.upsert(user, "kakao", b, [remote(2, "PAUSED"), remote(1)], T0)
        yield* repo.upsert(user, "kakao", a, [remote(3), remote(1, "PAUSED")], T0)
        yield* repo.upsert(userId(scope, 2), "kakao", a, [remote(9)], T0)
        yield* repo.upsert(user, "google", a, [remote(8)], T0)
        const ids = (l: ReadonlyArray<{ accountId: string; campaignId: string }>) => l.map((c) => `${c.accountId}/${c.campaignId}`)
        assert.deepStrictEqual(ids(yield* repo.list(user, "kakao", {})), [
          `${a}/${campaignId(1)}`,
          `${a}/${campaignId(3)}`,
          `${b}/${campaignId(1)}`,
          `${b}/${campaignId(2)}`
        ])
        assert.deepStrictEqual(ids(yield* repo.list(user, "kakao", { accountId: b })), [`${b}/${campaignId(1)}`, `${b}/${campaignId(2)}`])
        assert.deepStrictEqual(ids(yield* repo.list(user, "kakao", { status: "PAUSED" })), [`${a}/${campaignId(1)}`, `${b}/${campaignId(2)}`])
        assert.deepStrictEqual(ids(yield* repo.list(user, "kakao", { accountId: a, status: "ENABLED" })), [`${a}/${campaignId(3)}`])
        assert.deepStrictEqual(yield* repo.list(user, "kakao", { status: "paused" }), [])
        assert.deepStrictEqual(yield* repo.list(user, "kakao", { accountId: accountId(scope, "none") }), [])
        assert.deepStrictEqual(yield* repo.list(userId(scope, 3), "kakao", {}), [])
      }))

    it.effect("two concurrent upserts of the same new campaign: exactly one creates it", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        for (let round = 0; round < 10; round++) {
          const scope = freshScope("cmprace")
          const user = userId(scope, 1), account = accountId(scope, "a")
          const results = yield* Effect.all(
            [1, 2].map(() => repo.upsert(user, "tiktok", account, [remote(1)], T0)),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(
            results.map(counts).sort((x, y) => y.created - x.created),
            [{ created: 1, updated: 0, unchanged: 0 }, { created: 0, updated: 0, unchanged: 1 }]
          )
          assert.strictEqual((yield* repo.list(user, "tiktok", { accountId: account })).length, 1)
        }
      }))

    it.effect("concurrent markRemoved calls remove each campaign once", () =>
      Effect.gen(function*() {
        const repo = yield* CampaignRepository
        const scope = freshScope("cmprace2")
        const user = userId(scope, 1), account = accountId(scope, "a")
        yield* repo.upsert(user, "meta", account, [1, 2, 3, 4, 5].map((i) => remote(i)), T0)
        const removed = yield* Effect.all(
          [0, 1, 2].map(() => repo.markRemoved(user, "meta", account, [campaignId(1)], T0 + 1)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(removed.reduce((a, b) => a + b, 0), 4)
        assert.strictEqual((yield* repo.list(user, "meta", { status: REMOVED })).length, 4)
      }))
  })
