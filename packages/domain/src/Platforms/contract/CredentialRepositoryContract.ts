/**
 * The behaviour every CredentialRepository must show, run unchanged against the in-memory adapter,
 * Postgres and DynamoDB: put creates or replaces (keeping createdAt, lastSyncAt and, when no status
 * is given, the status), summaries carry no secret, get returns the stored EncryptedSecret as is,
 * delete and recordSync never resurrect a deleted credential — also under real concurrency.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { agree, freshScope, modelRun, type PortCommand } from "../../contract/ModelRun.js"
import type { UserId } from "../../Users/User.js"
import type { CredentialStatus } from "../Credential.js"
import { CredentialRepository, type PutCredential } from "../CredentialRepository.js"
import * as CredentialRepositoryMemory from "../memory/CredentialRepositoryMemory.js"
import type { AccountId, Platform } from "../Platform.js"
import { accountId, command, encrypted, plainRecord, plainSummary, T0, userId } from "./ContractIds.js"

type Port = CredentialRepository["Service"]

const put = (
  user: UserId,
  platform: Platform,
  account: AccountId,
  label: string | number,
  status: CredentialStatus | undefined,
  at: number
): PutCredential => ({ userId: user, platform, accountId: account, secret: encrypted(label), status, at })

const plainOption = Option.match({ onNone: () => null, onSome: plainRecord })

// ---------------------------------------------------------------------------------------------
// Model run

const USERS = 2
const PLATFORMS: ReadonlyArray<Platform> = ["meta", "naver"]
const ACCOUNTS = 3

const target = fc.record({ user: fc.nat(USERS - 1), platform: fc.constantFrom(...PLATFORMS), account: fc.nat(ACCOUNTS - 1) })

const putCommand = fc
  .record({
    t: target,
    secret: fc.nat(5),
    status: fc.constantFrom<CredentialStatus | undefined>("active", "inactive", undefined),
    tick: fc.nat(1000)
  })
  .map(({ secret, status, t, tick }) =>
    command<Port>(`put(${JSON.stringify(t)}, secret ${secret}, ${status}, +${tick})`, (m, real) => {
      const input = put(userId(m.scope, t.user), t.platform, accountId(m.scope, t.account), secret, status, T0 + tick)
      return agree(m.port.put(input), real.put(input), plainSummary)
    })
  )

const getCommand = target.map((t) =>
  command<Port>(`get(${JSON.stringify(t)})`, (m, real) => {
    const u = userId(m.scope, t.user), a = accountId(m.scope, t.account)
    return agree(m.port.get(u, t.platform, a), real.get(u, t.platform, a), plainOption)
  })
)

const deleteCommand = target.map((t) =>
  command<Port>(`delete(${JSON.stringify(t)})`, (m, real) => {
    const u = userId(m.scope, t.user), a = accountId(m.scope, t.account)
    return agree(m.port.delete(u, t.platform, a), real.delete(u, t.platform, a))
  })
)

const recordSyncCommand = fc.record({ t: target, tick: fc.nat(1000) }).map(({ t, tick }) =>
  command<Port>(`recordSync(${JSON.stringify(t)}, +${tick})`, (m, real) => {
    const u = userId(m.scope, t.user), a = accountId(m.scope, t.account)
    return agree(m.port.recordSync(u, t.platform, a, T0 + tick), real.recordSync(u, t.platform, a, T0 + tick))
  })
)

const listCommand = fc
  .record({ user: fc.nat(USERS - 1), platform: fc.constantFrom(...PLATFORMS) })
  .map(({ platform, user }) =>
    command<Port>(`list(${user}, ${platform})`, (m, real) => {
      const u = userId(m.scope, user)
      return agree(m.port.list(u, platform), real.list(u, platform), (list) => list.map(plainSummary))
    })
  )

export const commands: ReadonlyArray<fc.Arbitrary<PortCommand<Port>>> = [
  putCommand,
  putCommand,
  putCommand,
  getCommand,
  deleteCommand,
  recordSyncCommand,
  listCommand,
  listCommand
]

// ---------------------------------------------------------------------------------------------

export const suite = (name: string, repositoryLayer: Layer.Layer<CredentialRepository, unknown>) =>
  layer(repositoryLayer)(`CredentialRepository contract (${name})`, (it) => {
    it.effect("agrees with the in-memory model on random command sequences", () =>
      Effect.gen(function*() {
        const real = yield* CredentialRepository
        yield* modelRun({ real, makeModel: CredentialRepositoryMemory.make, commands, numRuns: 40, maxCommands: 40 })
      }), 60_000)

    it.effect("put creates an active credential and answers its summary; get returns the stored secret as is", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        const scope = freshScope("credput")
        const user = userId(scope, 1), account = accountId(scope, "a")
        const summary = yield* repo.put(put(user, "google", account, "s1", undefined, T0))
        assert.deepStrictEqual(plainSummary(summary), { accountId: account, status: "active", createdAt: T0, lastSyncAt: null })
        assert.deepStrictEqual(Object.keys(plainSummary(summary)).sort(), ["accountId", "createdAt", "lastSyncAt", "status"])
        const record = yield* repo.get(user, "google", account)
        assert.deepStrictEqual(plainOption(record), {
          userId: user,
          platform: "google",
          accountId: account,
          secret: { ...encrypted("s1") },
          status: "active",
          createdAt: T0,
          updatedAt: T0,
          lastSyncAt: null
        })
        const inactive = yield* repo.put(put(user, "google", accountId(scope, "b"), "s2", "inactive", T0))
        assert.strictEqual(inactive.status, "inactive")
      }))

    it.effect("put on an existing account replaces the secret, keeps createdAt and lastSyncAt, and the status unless given", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        const scope = freshScope("credreplace")
        const user = userId(scope, 1), account = accountId(scope, "a")
        yield* repo.put(put(user, "meta", account, "old", "inactive", T0))
        yield* repo.recordSync(user, "meta", account, T0 + 5)
        const replaced = yield* repo.put(put(user, "meta", account, "new", undefined, T0 + 10))
        assert.deepStrictEqual(plainSummary(replaced), { accountId: account, status: "inactive", createdAt: T0, lastSyncAt: T0 + 5 })
        const record = Option.getOrThrow(yield* repo.get(user, "meta", account))
        assert.deepStrictEqual({ ...record.secret }, { ...encrypted("new") })
        assert.strictEqual(record.updatedAt, T0 + 10)
        const activated = yield* repo.put(put(user, "meta", account, "newer", "active", T0 + 20))
        assert.deepStrictEqual(plainSummary(activated), { accountId: account, status: "active", createdAt: T0, lastSyncAt: T0 + 5 })
        assert.strictEqual((yield* repo.list(user, "meta")).length, 1)
      }))

    it.effect("list answers summaries of the user and platform only, by accountId", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        const scope = freshScope("credlist")
        const user = userId(scope, 1)
        for (const label of ["c", "a", "b"]) yield* repo.put(put(user, "kakao", accountId(scope, label), label, undefined, T0))
        yield* repo.put(put(userId(scope, 2), "kakao", accountId(scope, "x"), "x", undefined, T0))
        yield* repo.put(put(user, "tiktok", accountId(scope, "y"), "y", undefined, T0))
        const list = yield* repo.list(user, "kakao")
        assert.deepStrictEqual(list.map((s) => s.accountId), ["a", "b", "c"].map((l) => accountId(scope, l)))
        for (const summary of list) {
          assert.deepStrictEqual(Object.keys(plainSummary(summary)).sort(), ["accountId", "createdAt", "lastSyncAt", "status"])
          assert.notInclude(JSON.stringify(summary), "Y2lwaGVy")
        }
        assert.deepStrictEqual(yield* repo.list(userId(scope, 3), "kakao"), [])
      }))

    it.effect("delete removes the credential; a missing one is NotFound", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        const scope = freshScope("creddelete")
        const user = userId(scope, 1), account = accountId(scope, "a")
        yield* repo.put(put(user, "naver", account, "s", undefined, T0))
        yield* repo.delete(user, "naver", account)
        assert.isTrue(Option.isNone(yield* repo.get(user, "naver", account)))
        assert.deepStrictEqual(yield* repo.list(user, "naver"), [])
        const again = yield* repo.delete(user, "naver", account).pipe(Effect.flip)
        assert.strictEqual(again._tag, "NotFound")
        // A new put after delete is a new credential: a new createdAt, no lastSyncAt.
        const fresh = yield* repo.put(put(user, "naver", account, "s", undefined, T0 + 9))
        assert.deepStrictEqual(plainSummary(fresh), { accountId: account, status: "active", createdAt: T0 + 9, lastSyncAt: null })
      }))

    it.effect("recordSync sets lastSyncAt; on a missing credential it is NotFound and creates nothing", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        const scope = freshScope("credsync")
        const user = userId(scope, 1), account = accountId(scope, "a")
        yield* repo.put(put(user, "google", account, "s", undefined, T0))
        yield* repo.recordSync(user, "google", account, T0 + 100)
        assert.strictEqual((yield* repo.list(user, "google"))[0]!.lastSyncAt, T0 + 100)
        const missing = accountId(scope, "missing")
        const error = yield* repo.recordSync(user, "google", missing, T0).pipe(Effect.flip)
        assert.strictEqual(error._tag, "NotFound")
        assert.isTrue(Option.isNone(yield* repo.get(user, "google", missing)))
        assert.strictEqual((yield* repo.list(user, "google")).length, 1)
      }))

    it.effect("concurrent puts of a new account agree on one createdAt", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        const scope = freshScope("credrace")
        const user = userId(scope, 1), account = accountId(scope, "a")
        const summaries = yield* Effect.all(
          Array.from({ length: 8 }, (_, i) => repo.put(put(user, "meta", account, i, undefined, T0 + i))),
          { concurrency: "unbounded" }
        )
        const stored = (yield* repo.list(user, "meta"))
        assert.strictEqual(stored.length, 1)
        for (const s of summaries) assert.strictEqual(s.createdAt, stored[0]!.createdAt)
      }))

    it.effect("recordSync racing delete never brings the credential back", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        for (let round = 0; round < 10; round++) {
          const scope = freshScope("credrace2")
          const user = userId(scope, 1), account = accountId(scope, "a")
          yield* repo.put(put(user, "kakao", account, "s", undefined, T0))
          const [deleted] = yield* Effect.all(
            [Effect.exit(repo.delete(user, "kakao", account)), Effect.exit(repo.recordSync(user, "kakao", account, T0 + 1))],
            { concurrency: "unbounded" }
          )
          assert.isTrue(Exit.isSuccess(deleted))
          assert.isTrue(Option.isNone(yield* repo.get(user, "kakao", account)))
        }
      }))
  })
