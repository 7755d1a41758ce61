/**
 * RefreshTokenStore on DynamoDB Local: the domain's contract suite unchanged, then what only this
 * adapter shows — 20 racing rotations of one token leave exactly one child, the round trips of
 * each method (never a Scan), the family's TTL following its newest token, and only digests in
 * the stored items.
 */
import { assert, layer } from "@effect/vitest"
import { hashRefreshToken, RefreshFamilyId, RefreshTokenStore, UserId } from "@app/domain"
import { freshScope, RefreshTokenStoreContract } from "@app/domain/contract"
import { Clock, Effect, Exit, Layer, Option } from "effect"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as RefreshTokenStoreDynamo from "../../src/dynamodb/RefreshTokenStoreDynamo.js"
import * as DynamoTest from "../support/DynamoTest.js"

const TABLES = ["refreshFamilies", "refreshTokens"] as const

const contract = DynamoTest.make({ tables: TABLES })
RefreshTokenStoreContract.suite("dynamodb", RefreshTokenStoreDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: TABLES })

DynamoTest.assertNoScanAfterAll(contract, dynamo)

const T0 = 1_700_000_000_000
const TTL = 30 * 24 * 3_600_000

/** A new family with its first token; `token(name)` names plaintext tokens of the same family. */
const newFamily = Effect.fnUntraced(function*() {
  const store = yield* RefreshTokenStore
  const scope = freshScope("rt")
  const token = (name: string) => `${scope}-plaintext-${name}`
  const hash = (name: string) => hashRefreshToken(token(name))
  const input = {
    familyId: RefreshFamilyId.make(`${scope}-f`),
    userId: UserId.make(`${scope}-u`),
    tokenHash: yield* hash("t0"),
    at: T0,
    expiresAt: T0 + TTL
  }
  const entry = yield* store.create(input)
  return { store, token, hash, input, entry }
})

layer(RefreshTokenStoreDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true, timeout: "60 seconds" })(
  "RefreshTokenStoreDynamo",
  (it) => {
    it.effect("20 parallel rotations of one token: exactly one child is stored, the others are AlreadyRotated", () =>
      Effect.gen(function*() {
        const { entry, hash, input, store } = yield* newFamily()
        const children = yield* Effect.forEach(Array.from({ length: 20 }, (_, i) => i), (i) => hash(`c${i}`))
        const exits = yield* Effect.all(
          children.map((childHash, i) =>
            Effect.exit(store.rotate({ parent: entry.token, childHash, at: T0 + i, expiresAt: T0 + i + TTL }))
          ),
          { concurrency: "unbounded" }
        )
        const winners = children.filter((_, i) => Exit.isSuccess(exits[i]!))
        assert.strictEqual(winners.length, 1)
        for (const exit of exits) {
          if (Exit.isFailure(exit)) assert.include(JSON.stringify(exit.cause), "AlreadyRotated")
        }
        assert.strictEqual(Option.getOrThrow(yield* store.lookup(input.tokenHash)).token.childHash, winners[0])
        const stored = yield* Effect.forEach(children, (childHash) => store.lookup(childHash))
        assert.deepStrictEqual(stored.filter(Option.isSome).map((e) => e.value.token.tokenHash), [winners[0]])
        // The one child is the family's current token: it rotates in turn.
        const current = Option.getOrThrow(yield* store.lookup(winners[0]!)).token
        yield* store.rotate({ parent: current, childHash: yield* hash("next"), at: T0 + 50, expiresAt: T0 + 50 + TTL })
      }))

    it.effect("each method costs the documented round trips, none of them a Scan", () =>
      Effect.gen(function*() {
        const { recorder } = dynamo
        recorder.take()
        const { entry, hash, input, store } = yield* newFamily()
        assert.deepStrictEqual(recorder.takeDetailed(), [{ command: "TransactWriteItems", tables: ["refresh-families", "refresh-tokens"] }])

        yield* store.lookup(input.tokenHash)
        assert.deepStrictEqual(recorder.takeDetailed(), [
          { command: "GetItem", tables: ["refresh-tokens"] },
          { command: "GetItem", tables: ["refresh-families"] }
        ])
        yield* store.lookup(yield* hash("unknown"))
        assert.deepStrictEqual(recorder.take(), ["GetItem"])

        // The parent comes from the caller (as lookup returned it): a rotation is its transaction alone.
        const child = yield* hash("t1")
        yield* store.rotate({ parent: entry.token, childHash: child, at: T0 + 1, expiresAt: T0 + 1 + TTL })
        assert.deepStrictEqual(recorder.takeDetailed(), [{ command: "TransactWriteItems", tables: ["refresh-families", "refresh-tokens"] }])
        const again = yield* store.rotate({ parent: entry.token, childHash: yield* hash("t2"), at: T0 + 2, expiresAt: T0 + TTL }).pipe(
          Effect.flip
        )
        assert.deepInclude(again, { _tag: "Conflict", code: "AlreadyRotated" })
        assert.deepStrictEqual(recorder.take(), ["TransactWriteItems"])
        const unknown = yield* store.rotate({
          parent: { ...entry.token, tokenHash: yield* hash("nope") },
          childHash: yield* hash("t3"),
          at: T0,
          expiresAt: T0 + TTL
        }).pipe(Effect.flip)
        assert.strictEqual(unknown._tag, "NotFound")
        assert.deepStrictEqual(recorder.take(), ["TransactWriteItems"])
        const forged = yield* store.rotate({
          parent: { ...entry.token, tokenHash: child, userId: UserId.make(freshScope("other")) },
          childHash: yield* hash("t3"),
          at: T0,
          expiresAt: T0 + TTL
        }).pipe(Effect.flip)
        assert.strictEqual(forged._tag, "NotFound")
        assert.deepStrictEqual(recorder.take(), ["TransactWriteItems"])
        assert.isNull(Option.getOrThrow(yield* store.lookup(child)).token.rotatedAt)
        recorder.take()

        yield* store.revokeFamily(input.familyId, T0 + 3)
        assert.deepStrictEqual(recorder.takeDetailed(), [{ command: "UpdateItem", tables: ["refresh-families"] }])
        yield* store.revokeFamily(input.familyId, T0 + 4)
        yield* store.revokeFamily(RefreshFamilyId.make(freshScope("missing")), T0)
        assert.deepStrictEqual(recorder.take(), ["UpdateItem", "UpdateItem"])
      }))

    it.effect("rotating a token into its own digest answers in the port's order and writes nothing", () =>
      Effect.gen(function*() {
        const { entry, hash, input, store } = yield* newFamily()
        const self = { parent: entry.token, childHash: input.tokenHash, at: T0 + 1, expiresAt: T0 + TTL }
        dynamo.recorder.take()
        assert.deepInclude(yield* store.rotate(self).pipe(Effect.flip), { _tag: "Conflict", code: "TokenExists" })
        assert.deepStrictEqual(dynamo.recorder.take(), ["GetItem", "GetItem"])
        // A parent that is not the stored one is NotFound here too, after reading it alone.
        const forged = { ...self, parent: { ...entry.token, expiresAt: entry.token.expiresAt + 1 } }
        assert.strictEqual((yield* store.rotate(forged).pipe(Effect.flip))._tag, "NotFound")
        assert.deepStrictEqual(dynamo.recorder.take(), ["GetItem"])
        const child = yield* store.rotate({ ...self, childHash: yield* hash("t1") })
        assert.deepInclude(yield* store.rotate(self).pipe(Effect.flip), { _tag: "Conflict", code: "AlreadyRotated" })
        yield* store.revokeFamily(input.familyId, T0 + 2)
        assert.deepInclude(yield* store.rotate({ ...self, parent: child, childHash: child.tokenHash }).pipe(Effect.flip), {
          _tag: "Conflict",
          code: "FamilyRevoked"
        })
        const parent = Option.getOrThrow(yield* store.lookup(input.tokenHash)).token
        assert.strictEqual(parent.childHash, child.tokenHash)
      }))

    it.effect("ttl: RETENTION past the expiry; a family's moves with its newest token", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const store = yield* RefreshTokenStore
        const ttlOf = (item: Option.Option<Record<string, unknown>>) => Option.getOrThrow(item)["ttl"]
        // Far in the future, so the expiry (not the time of writing) decides.
        const at = 4_000_000_000_000
        const family = { familyId: RefreshFamilyId.make(freshScope("f")), userId: UserId.make(freshScope("u")) }
        const first = yield* hashRefreshToken(freshScope("t"))
        const created = yield* store.create({ ...family, tokenHash: first, at, expiresAt: at + TTL })
        const expected = (expiresAt: number) => Math.ceil((expiresAt + RefreshTokenStoreDynamo.RETENTION) / 1000)
        assert.strictEqual(ttlOf(yield* client.get("refreshFamilies", { familyId: family.familyId })), expected(at + TTL))
        const child = yield* hashRefreshToken(freshScope("t"))
        const later = at + 5 * 24 * 3_600_000 + 1
        yield* store.rotate({ parent: created.token, childHash: child, at: later, expiresAt: later + TTL })
        assert.strictEqual(ttlOf(yield* client.get("refreshFamilies", { familyId: family.familyId })), expected(later + TTL))
        assert.strictEqual(ttlOf(yield* client.get("refreshTokens", { tokenHash: child })), expected(later + TTL))
        assert.strictEqual(ttlOf(yield* client.get("refreshTokens", { tokenHash: first })), expected(at + TTL))
      }))

    it.effect("an item stored with an expiry already past is kept RETENTION past the time it was written", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const before = yield* Clock.currentTimeMillis
        const { input } = yield* newFamily()
        const after = yield* Clock.currentTimeMillis
        const ttl = Option.getOrThrow(yield* client.get("refreshTokens", { tokenHash: input.tokenHash }))["ttl"] as number
        const bound = (now: number) => Math.ceil((now + RefreshTokenStoreDynamo.RETENTION) / 1000)
        assert.isAtLeast(ttl, bound(before))
        assert.isAtMost(ttl, bound(after))
      }))

    it.effect("stored items hold digests, never a token", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const { entry, hash, input, store, token } = yield* newFamily()
        const child = yield* hash("t1")
        yield* store.rotate({ parent: entry.token, childHash: child, at: T0 + 1, expiresAt: T0 + TTL })
        const items = [
          yield* client.get("refreshFamilies", { familyId: input.familyId }),
          yield* client.get("refreshTokens", { tokenHash: input.tokenHash }),
          yield* client.get("refreshTokens", { tokenHash: child })
        ]
        const stored = JSON.stringify(items.map(Option.getOrThrow))
        for (const name of ["t0", "t1"]) assert.notInclude(stored, token(name))
        assert.include(stored, child)
      }))
  }
)
