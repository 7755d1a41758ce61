import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import type { Actor } from "../../src/Actor.js"
import { type Campaign, type CampaignFilter, REMOVED, type RemoteCampaign } from "../../src/Platforms/Campaign.js"
import { CampaignRepository } from "../../src/Platforms/CampaignRepository.js"
import { Campaigns, FETCH_TIMEOUT_MS, syncLockKey } from "../../src/Platforms/Campaigns.js"
import { campaignId, plainCampaign, remote } from "../../src/Platforms/contract/ContractIds.js"
import { CredentialRepository } from "../../src/Platforms/CredentialRepository.js"
import { type FailureReason, FakeAdPlatform } from "../../src/Platforms/memory/CampaignSourceMemory.js"
import { AccountId, canonicalJson, type Platform } from "../../src/Platforms/Platform.js"
import { PlatformCredentials } from "../../src/Platforms/PlatformCredentials.js"
import { SyncLock } from "../../src/Platforms/SyncLock.js"
import { SecretCipher } from "../../src/Secrets/SecretCipher.js"
import { AuthRejected } from "../../src/Platforms/CampaignSource.js"
import { TimedOut, Unavailable, Unexpected } from "../../src/StoreFailure.js"
import { actorOf, checkProperty, PlatformsTestLayer, T0 } from "./Fixtures.js"

const ada = actorOf("ada")
const bob = actorOf("bob")
const A = AccountId.make("acct-a")
const B = AccountId.make("acct-b")
const C = AccountId.make("acct-c")

const secretOf = (accountId: string) => `secret-of-${accountId}`

/** Stores credentials for `accountId` (the platform accepts exactly that secret) with `campaigns`. */
const connect = (actor: Actor, platform: Platform, accountId: AccountId, campaigns: ReadonlyArray<RemoteCampaign>) =>
  Effect.gen(function*() {
    const credentials = yield* PlatformCredentials
    const fake = yield* FakeAdPlatform
    yield* credentials.put(actor, actor.userId, platform, accountId, { credentials: Redacted.make(secretOf(accountId)) })
    yield* fake.acceptOnly(platform, accountId, secretOf(accountId))
    yield* fake.setCampaigns(platform, accountId, campaigns)
  })

const counts = (r: { accountId: string; created: number; updated: number; unchanged: number; removed: number; error?: { code: string } }) => ({
  accountId: r.accountId,
  created: r.created,
  updated: r.updated,
  unchanged: r.unchanged,
  removed: r.removed,
  ...(r.error === undefined ? {} : { error: r.error.code })
})

describe("Campaigns.sync", () => {
  it.effect("pulls every active account's campaigns, reports counts and records lastSyncAt", () =>
    Effect.gen(function*() {
      const campaigns = yield* Campaigns
      const credentials = yield* PlatformCredentials
      yield* TestClock.setTime(T0)
      yield* connect(ada, "google", A, [remote(1), remote(2, "PAUSED")])
      yield* connect(ada, "google", B, [remote(3)])
      yield* TestClock.adjust(1000)
      const result = yield* campaigns.sync(ada, ada.userId, "google")
      assert.deepStrictEqual(result.accounts.map(counts), [
        { accountId: A, created: 2, updated: 0, unchanged: 0, removed: 0 },
        { accountId: B, created: 1, updated: 0, unchanged: 0, removed: 0 }
      ])
      const stored = yield* campaigns.list(ada, ada.userId, "google", {})
      assert.deepStrictEqual(stored.map(plainCampaign), [
        { accountId: A, campaignId: campaignId(1), campaignData: { name: "campaign 1" }, status: "ENABLED", metrics: { clicks: 0 }, updatedAt: T0 + 1000 },
        { accountId: A, campaignId: campaignId(2), campaignData: { name: "campaign 2" }, status: "PAUSED", metrics: { clicks: 0 }, updatedAt: T0 + 1000 },
        { accountId: B, campaignId: campaignId(3), campaignData: { name: "campaign 3" }, status: "ENABLED", metrics: { clicks: 0 }, updatedAt: T0 + 1000 }
      ])
      const summaries = yield* credentials.list(ada, ada.userId, "google")
      assert.deepStrictEqual(summaries.map((s) => s.lastSyncAt), [T0 + 1000, T0 + 1000])
      // Other platforms of the same user are not touched.
      assert.deepStrictEqual((yield* campaigns.sync(ada, ada.userId, "meta")).accounts, [])
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("a later sync updates what changed, creates what is new and marks what is gone as removed, once", () =>
    Effect.gen(function*() {
      const campaigns = yield* Campaigns
      const fake = yield* FakeAdPlatform
      yield* TestClock.setTime(T0)
      yield* connect(ada, "meta", A, [remote(1), remote(2), remote(3)])
      yield* campaigns.sync(ada, ada.userId, "meta")
      yield* fake.setCampaigns("meta", A, [remote(1), remote(2, "PAUSED"), remote(4)])
      yield* TestClock.adjust(1000)
      const second = yield* campaigns.sync(ada, ada.userId, "meta")
      assert.deepStrictEqual(second.accounts.map(counts), [{ accountId: A, created: 1, updated: 1, unchanged: 1, removed: 1 }])
      const removed = yield* campaigns.list(ada, ada.userId, "meta", { status: REMOVED })
      assert.deepStrictEqual(removed.map(plainCampaign), [
        { accountId: A, campaignId: campaignId(3), campaignData: { name: "campaign 3" }, status: REMOVED, metrics: { clicks: 0 }, updatedAt: T0 + 1000 }
      ])
      yield* TestClock.adjust(1000)
      const third = yield* campaigns.sync(ada, ada.userId, "meta")
      assert.deepStrictEqual(third.accounts.map(counts), [{ accountId: A, created: 0, updated: 0, unchanged: 3, removed: 0 }])
      // Back on the platform: updated, no longer removed.
      yield* fake.setCampaigns("meta", A, [remote(1), remote(2, "PAUSED"), remote(3), remote(4)])
      const fourth = yield* campaigns.sync(ada, ada.userId, "meta")
      assert.deepStrictEqual(fourth.accounts.map(counts), [{ accountId: A, created: 0, updated: 1, unchanged: 3, removed: 0 }])
      assert.deepStrictEqual(yield* campaigns.list(ada, ada.userId, "meta", { status: REMOVED }), [])
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("inactive accounts are neither fetched nor reported", () =>
    Effect.gen(function*() {
      const campaigns = yield* Campaigns
      const credentials = yield* PlatformCredentials
      const fake = yield* FakeAdPlatform
      yield* connect(ada, "naver", A, [remote(1)])
      yield* connect(ada, "naver", B, [remote(2)])
      yield* credentials.put(ada, ada.userId, "naver", B, { credentials: Redacted.make(secretOf(B)), status: "inactive" })
      const result = yield* campaigns.sync(ada, ada.userId, "naver")
      assert.deepStrictEqual(result.accounts.map((r) => r.accountId), [A])
      assert.strictEqual(yield* fake.fetchCount("naver", B), 0)
      assert.deepStrictEqual(yield* campaigns.list(ada, ada.userId, "naver", { accountId: B }), [])
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("one account's failure is reported in its result and the others are synced", () =>
    Effect.gen(function*() {
      const campaigns = yield* Campaigns
      const fake = yield* FakeAdPlatform
      const repo = yield* CredentialRepository
      const cipher = yield* SecretCipher
      yield* TestClock.setTime(T0)
      const D = AccountId.make("acct-d"), E = AccountId.make("acct-e")
      yield* connect(ada, "kakao", A, [remote(1)])
      yield* connect(ada, "kakao", B, [remote(2)])
      yield* connect(ada, "kakao", C, [remote(3)])
      yield* connect(ada, "kakao", D, [remote(4)])
      yield* connect(ada, "kakao", E, [remote(5)])
      yield* fake.acceptOnly("kakao", A, "rotated-elsewhere")
      yield* fake.failWith("kakao", B, new Unavailable({ message: "503 from upstream" }))
      // D's ciphertext was made for another account: it must not decrypt here.
      const moved = yield* cipher.encrypt(Redacted.make(secretOf(D)), { userId: ada.userId, platform: "kakao", accountId: E })
      yield* repo.put({ userId: ada.userId, platform: "kakao", accountId: D, secret: moved, status: undefined, at: T0 })
      yield* fake.failWith("kakao", E, new Unexpected({ message: "schema drift" }))
      const result = yield* campaigns.sync(ada, ada.userId, "kakao")
      assert.deepStrictEqual(result.accounts.map(counts), [
        { accountId: A, created: 0, updated: 0, unchanged: 0, removed: 0, error: "AuthRejected" },
        { accountId: B, created: 0, updated: 0, unchanged: 0, removed: 0, error: "PlatformUnavailable" },
        { accountId: C, created: 1, updated: 0, unchanged: 0, removed: 0 },
        { accountId: D, created: 0, updated: 0, unchanged: 0, removed: 0, error: "CredentialsUnreadable" },
        { accountId: E, created: 0, updated: 0, unchanged: 0, removed: 0, error: "PlatformError" }
      ])
      assert.deepStrictEqual(result.accounts.map((r) => r.error?.retryable), [false, true, undefined, false, false])
      assert.notInclude(JSON.stringify(result), "503 from upstream")
      assert.notInclude(JSON.stringify(result), "schema drift")
      assert.strictEqual(yield* fake.fetchCount("kakao", D), 0)
      assert.deepStrictEqual((yield* campaigns.list(ada, ada.userId, "kakao", {})).map((c) => c.accountId), [C])
      const synced = (yield* repo.list(ada.userId, "kakao")).map((s) => [s.accountId, s.lastSyncAt])
      assert.deepStrictEqual(synced, [[A, null], [B, null], [C, T0], [D, null], [E, null]])
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("a platform that does not answer in time is reported as PlatformTimedOut", () =>
    Effect.gen(function*() {
      const campaigns = yield* Campaigns
      const fake = yield* FakeAdPlatform
      yield* connect(ada, "tiktok", A, [remote(1)])
      yield* connect(ada, "tiktok", B, [remote(2)])
      yield* fake.setLatency("tiktok", A, FETCH_TIMEOUT_MS * 10)
      const fiber = yield* Effect.forkChild(campaigns.sync(ada, ada.userId, "tiktok"))
      yield* TestClock.adjust(FETCH_TIMEOUT_MS + 1)
      const result = yield* Fiber.join(fiber)
      assert.deepStrictEqual(result.accounts.map(counts), [
        { accountId: A, created: 0, updated: 0, unchanged: 0, removed: 0, error: "PlatformTimedOut" },
        { accountId: B, created: 1, updated: 0, unchanged: 0, removed: 0 }
      ])
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("a second sync while one runs is 409 SyncInProgress; the lease is released afterwards", () =>
    Effect.gen(function*() {
      const campaigns = yield* Campaigns
      const fake = yield* FakeAdPlatform
      yield* connect(ada, "google", A, [remote(1)])
      yield* fake.setLatency("google", A, 5_000)
      const first = yield* Effect.forkChild(campaigns.sync(ada, ada.userId, "google"))
      yield* Effect.yieldNow
      const second = yield* campaigns.sync(ada, ada.userId, "google").pipe(Effect.flip)
      assert.strictEqual(second._tag, "Conflict")
      assert.strictEqual(second._tag === "Conflict" ? second.code : "", "SyncInProgress")
      // Another user, or another platform of the same user, is not blocked.
      yield* connect(bob, "google", B, [remote(2)])
      assert.strictEqual((yield* campaigns.sync(bob, bob.userId, "google")).accounts.length, 1)
      yield* connect(ada, "meta", C, [remote(3)])
      assert.strictEqual((yield* campaigns.sync(ada, ada.userId, "meta")).accounts.length, 1)
      yield* TestClock.adjust(5_000)
      const done = yield* Fiber.join(first)
      assert.strictEqual(done.accounts[0]!.created, 1)
      yield* fake.setLatency("google", A, 0)
      const again = yield* campaigns.sync(ada, ada.userId, "google")
      assert.deepStrictEqual(again.accounts.map(counts), [{ accountId: A, created: 0, updated: 0, unchanged: 1, removed: 0 }])
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("an interrupted sync releases its lease", () =>
    Effect.gen(function*() {
      const campaigns = yield* Campaigns
      const fake = yield* FakeAdPlatform
      const lock = yield* SyncLock
      yield* connect(ada, "meta", A, [remote(1)])
      yield* fake.setLatency("meta", A, 60_000)
      const running = yield* Effect.forkChild(campaigns.sync(ada, ada.userId, "meta"))
      yield* Effect.yieldNow
      assert.isTrue(Option.isNone(yield* lock.tryAcquire(syncLockKey(ada.userId, "meta"), 1)))
      yield* Fiber.interrupt(running)
      const lease = yield* lock.tryAcquire(syncLockKey(ada.userId, "meta"), 1)
      assert.isTrue(Option.isSome(lease))
      yield* lock.release(syncLockKey(ada.userId, "meta"), Option.getOrThrow(lease))
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("the platform's duplicate listing of a campaign counts once", () =>
    Effect.gen(function*() {
      const campaigns = yield* Campaigns
      yield* connect(ada, "naver", A, [remote(1, "ENABLED"), remote(1, "PAUSED"), remote(2)])
      const result = yield* campaigns.sync(ada, ada.userId, "naver")
      assert.deepStrictEqual(result.accounts.map(counts), [{ accountId: A, created: 2, updated: 0, unchanged: 0, removed: 0 }])
      assert.deepStrictEqual((yield* campaigns.list(ada, ada.userId, "naver", {})).map((c) => c.status), ["PAUSED", "ENABLED"])
    }).pipe(Effect.provide(PlatformsTestLayer)))

  it.effect("sync and list refuse another user's path with 403 and fetch nothing", () =>
    Effect.gen(function*() {
      const campaigns = yield* Campaigns
      const fake = yield* FakeAdPlatform
      yield* connect(ada, "google", A, [remote(1)])
      const sync = yield* campaigns.sync(bob, ada.userId, "google").pipe(Effect.flip)
      assert.strictEqual(sync._tag, "Forbidden")
      const list = yield* campaigns.list(bob, ada.userId, "google", {}).pipe(Effect.flip)
      assert.strictEqual(list._tag, "Forbidden")
      assert.strictEqual(yield* fake.fetchCount("google", A), 0)
    }).pipe(Effect.provide(PlatformsTestLayer)))
})

// ---------------------------------------------------------------------------------------------
// Properties

const campaignsArb = fc.uniqueArray(
  fc.record({
    id: fc.nat(6),
    status: fc.constantFrom("ENABLED", "PAUSED", "ARCHIVED"),
    data: fc.constantFrom<Record<string, number | string>>({ name: "x", budget: 1 }, { budget: 1, name: "x" }, { name: "y" }),
    clicks: fc.nat(3)
  }),
  { selector: (c) => c.id, maxLength: 6 }
).map((list) => list.map((c) => remote(c.id, c.status, c.data, { clicks: c.clicks })))

const accountsArb = fc.uniqueArray(fc.constantFrom("a1", "a2", "a3", "a4", "a5"), { minLength: 1, maxLength: 5 })

type Mode = "ok" | "auth" | "unavailable" | "timedout" | "unexpected" | "foreign"
const expectedCode: Record<Exclude<Mode, "ok">, string> = {
  auth: "AuthRejected",
  unavailable: "PlatformUnavailable",
  timedout: "PlatformTimedOut",
  unexpected: "PlatformError",
  foreign: "CredentialsUnreadable"
}
const reasonOf: Partial<Record<Mode, FailureReason>> = {
  unavailable: new Unavailable({ message: "down" }),
  timedout: new TimedOut({ message: "slow" }),
  unexpected: new Unexpected({ message: "odd" }),
  auth: new AuthRejected({ message: "revoked" })
}

interface View {
  readonly campaignId: string
  readonly campaignData: string
  readonly status: string
  readonly metrics: string
  readonly updatedAt: number
}

const view = (c: Campaign | RemoteCampaign, updatedAt: number): View => ({
  campaignId: c.campaignId,
  campaignData: canonicalJson(c.campaignData),
  status: c.status,
  metrics: canonicalJson(c.metrics),
  updatedAt
})

const views = (list: ReadonlyArray<Campaign>) => list.map((c) => view(c, c.updatedAt))

/** What one account's campaigns must be after a successful sync: the rule, as a model. */
const modelSync = (before: ReadonlyArray<Campaign>, remoteList: ReadonlyArray<RemoteCampaign>, at: number) => {
  const stored = new Map(views(before).map((v) => [v.campaignId, v]))
  let created = 0, updated = 0, unchanged = 0, removed = 0
  const present = new Set<string>()
  for (const r of remoteList) {
    present.add(r.campaignId)
    const old = stored.get(r.campaignId)
    const next = view(r, at)
    if (
      old !== undefined && old.status === next.status && old.campaignData === next.campaignData &&
      old.metrics === next.metrics
    ) {
      unchanged++
      continue
    }
    if (old === undefined) created++
    else updated++
    stored.set(r.campaignId, next)
  }
  for (const [id, v] of stored) {
    if (!present.has(id) && v.status !== REMOVED) {
      stored.set(id, { ...v, status: REMOVED, updatedAt: at })
      removed++
    }
  }
  return {
    counts: { created, updated, unchanged, removed },
    campaigns: Array.from(stored.values()).sort((x, y) => (x.campaignId < y.campaignId ? -1 : 1))
  }
}

describe("Campaigns properties", () => {
  it.effect("a sync run twice changes nothing the second time", () =>
    checkProperty(
      fc.record({
        accounts: accountsArb,
        before: fc.array(campaignsArb, { minLength: 5, maxLength: 5 }),
        after: fc.array(campaignsArb, { minLength: 5, maxLength: 5 })
      }),
      ({ accounts, after, before }) =>
        Effect.gen(function*() {
          const campaigns = yield* Campaigns
          const fake = yield* FakeAdPlatform
          const credentials = yield* PlatformCredentials
          const ids = [...accounts].sort().map((a) => AccountId.make(a))
          for (const [i, id] of ids.entries()) yield* connect(ada, "google", id, before[i]!)
          yield* campaigns.sync(ada, ada.userId, "google")
          for (const [i, id] of ids.entries()) yield* fake.setCampaigns("google", id, after[i]!)
          yield* TestClock.adjust(1000)
          yield* campaigns.sync(ada, ada.userId, "google")
          const state = yield* campaigns.list(ada, ada.userId, "google", {})
          const creds = yield* credentials.list(ada, ada.userId, "google")
          yield* TestClock.adjust(1000)
          const second = yield* campaigns.sync(ada, ada.userId, "google")
          for (const [i, r] of second.accounts.entries()) {
            assert.deepStrictEqual(counts(r), { accountId: ids[i]!, created: 0, updated: 0, unchanged: after[i]!.length, removed: 0 })
          }
          assert.deepStrictEqual((yield* campaigns.list(ada, ada.userId, "google", {})).map(plainCampaign), state.map(plainCampaign))
          const credsAfter = yield* credentials.list(ada, ada.userId, "google")
          assert.deepStrictEqual(
            credsAfter.map((s) => ({ ...s, lastSyncAt: null })),
            creds.map((s) => ({ ...s, lastSyncAt: null }))
          )
        }),
      100
    ))

  it.effect("whichever accounts fail, the others are fully synced and the failing ones untouched", () =>
    checkProperty(
      fc.record({
        accounts: accountsArb,
        before: fc.array(campaignsArb, { minLength: 5, maxLength: 5 }),
        after: fc.array(campaignsArb, { minLength: 5, maxLength: 5 }),
        modes: fc.array(fc.constantFrom<Mode>("ok", "ok", "auth", "unavailable", "timedout", "unexpected", "foreign"), {
          minLength: 5,
          maxLength: 5
        })
      }),
      ({ accounts, after, before, modes }) =>
        Effect.gen(function*() {
          const campaigns = yield* Campaigns
          const fake = yield* FakeAdPlatform
          const repo = yield* CredentialRepository
          const store = yield* CampaignRepository
          const cipher = yield* SecretCipher
          const ids = [...accounts].sort().map((a) => AccountId.make(a))
          for (const [i, id] of ids.entries()) yield* connect(ada, "meta", id, before[i]!)
          yield* campaigns.sync(ada, ada.userId, "meta")
          const snapshot = yield* Effect.forEach(ids, (id) => store.list(ada.userId, "meta", { accountId: id }))
          for (const [i, id] of ids.entries()) {
            yield* fake.setCampaigns("meta", id, after[i]!)
            const mode = modes[i]!
            const reason = reasonOf[mode]
            if (reason !== undefined) yield* fake.failWith("meta", id, reason)
            if (mode === "foreign") {
              const moved = yield* cipher.encrypt(Redacted.make(secretOf(id)), { userId: bob.userId, platform: "meta", accountId: id })
              yield* repo.put({ userId: ada.userId, platform: "meta", accountId: id, secret: moved, status: undefined, at: T0 })
            }
          }
          yield* TestClock.adjust(1000)
          const result = yield* campaigns.sync(ada, ada.userId, "meta")
          assert.deepStrictEqual(result.accounts.map((r) => r.accountId), ids)
          const summaries = yield* repo.list(ada.userId, "meta")
          for (const [i, id] of ids.entries()) {
            const mode = modes[i]!
            const r = result.accounts[i]!
            const now = yield* store.list(ada.userId, "meta", { accountId: id })
            const lastSyncAt = summaries.find((s) => s.accountId === id)!.lastSyncAt
            if (mode === "ok") {
              const expected = modelSync(snapshot[i]!, after[i]!, T0 + 1000)
              assert.deepStrictEqual(counts(r), { accountId: id, ...expected.counts })
              assert.deepStrictEqual(views(now), expected.campaigns)
              assert.strictEqual(lastSyncAt, T0 + 1000)
            } else {
              assert.deepStrictEqual(counts(r), {
                accountId: id,
                created: 0,
                updated: 0,
                unchanged: 0,
                removed: 0,
                error: expectedCode[mode]
              })
              assert.deepStrictEqual(now.map(plainCampaign), snapshot[i]!.map(plainCampaign))
              assert.strictEqual(lastSyncAt, T0)
            }
          }
        }),
      100
    ))

  it.effect("list returns exactly the campaigns matching the filter, by account then campaign", () =>
    checkProperty(
      fc.record({
        accounts: accountsArb,
        lists: fc.array(campaignsArb, { minLength: 5, maxLength: 5 }),
        gone: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        account: fc.option(fc.constantFrom("a1", "a2", "a3", "zz"), { nil: undefined }),
        status: fc.option(fc.constantFrom("ENABLED", "PAUSED", "ARCHIVED", REMOVED, "enabled"), { nil: undefined })
      }),
      ({ account, accounts, gone, lists, status }) =>
        Effect.gen(function*() {
          const campaigns = yield* Campaigns
          const fake = yield* FakeAdPlatform
          const ids = [...accounts].sort().map((a) => AccountId.make(a))
          for (const [i, id] of ids.entries()) yield* connect(ada, "naver", id, lists[i]!)
          yield* campaigns.sync(ada, ada.userId, "naver")
          // Some accounts lose half their campaigns, so "removed" appears too.
          for (const [i, id] of ids.entries()) {
            if (gone[i]) yield* fake.setCampaigns("naver", id, lists[i]!.slice(0, Math.floor(lists[i]!.length / 2)))
          }
          yield* campaigns.sync(ada, ada.userId, "naver")
          const all = yield* campaigns.list(ada, ada.userId, "naver", {})
          const sorted = [...all].sort((x, y) =>
            x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : x.campaignId < y.campaignId ? -1 : 1
          )
          assert.deepStrictEqual(all.map(plainCampaign), sorted.map(plainCampaign))
          assert.strictEqual(all.length, lists.slice(0, ids.length).reduce((n, l) => n + l.length, 0))
          const filter: CampaignFilter = {
            ...(account === undefined ? {} : { accountId: AccountId.make(account) }),
            ...(status === undefined ? {} : { status })
          }
          const filtered = yield* campaigns.list(ada, ada.userId, "naver", filter)
          assert.deepStrictEqual(
            filtered.map(plainCampaign),
            all.filter((c) => (account === undefined || c.accountId === account) && (status === undefined || c.status === status))
              .map(plainCampaign)
          )
          // Nobody else's campaigns are visible.
          assert.deepStrictEqual(yield* campaigns.list(bob, bob.userId, "naver", filter), [])
        }),
      100
    ))
})
