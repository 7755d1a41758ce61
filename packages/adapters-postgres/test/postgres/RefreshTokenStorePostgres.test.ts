/**
 * RefreshTokenStorePostgres: the port's contract, unchanged, on a Postgres server and on PGlite,
 * then races on real pool connections (and the same races on PGlite, where they serialise), with
 * the rotation invariant read back from the tables: one token rotates once, into one child, and a
 * family never has two current tokens.
 */
import { hashRefreshToken, RefreshFamilyId, RefreshTokenStore, type TokenHash, UserId } from "@app/domain"
import { freshScope, RefreshTokenStoreContract } from "@app/domain/contract"
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import { vi } from "vitest"
import * as RefreshTokenStorePostgres from "../../src/postgres/RefreshTokenStorePostgres.js"
import { SqlClient } from "../../src/postgres/SqlClient.js"
import { errorCode } from "../support/ErrorCodes.js"
import * as PostgresTest from "../support/PostgresTest.js"
import * as RowCounts from "../support/RowCounts.js"

// Opening PGlite and the model runs take seconds, more on a busy machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 })

RefreshTokenStoreContract.suite("postgres", RefreshTokenStorePostgres.layer.pipe(Layer.provide(PostgresTest.layer())))
RefreshTokenStoreContract.suite("pglite", RefreshTokenStorePostgres.layer.pipe(Layer.provide(PostgresTest.layerPglite)))

const N = 20
const T0 = 1_700_000_000_000
const TTL = 30 * 24 * 3_600_000

/** What Postgres holds for a family: its token count and how many of them are current. */
const familyRows = (familyId: RefreshFamilyId) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    const [row] = yield* sql.query<{ total: number; current: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE rotated_at IS NULL)::int AS current
         FROM refresh_tokens WHERE family_id = $1`,
      [familyId]
    )
    return row!
  })

for (const [name, sqlLayer] of PostgresTest.backends({ maxConnections: 12 })) {
  layer(RefreshTokenStorePostgres.layer.pipe(Layer.provideMerge(sqlLayer)), { timeout: "180 seconds" })(
    `RefreshTokenStorePostgres races: ${name}`,
    (it) => {
      const newFamily = Effect.fnUntraced(function*() {
        const store = yield* RefreshTokenStore
        const scope = freshScope("race")
        const hash = (label: string) => hashRefreshToken(`${scope}:${label}`)
        const familyId = RefreshFamilyId.make(`${scope}-f`)
        const userId = UserId.make(`${scope}-u`)
        const first = yield* hash("t0")
        yield* store.create({ familyId, userId, tokenHash: first, at: T0, expiresAt: T0 + TTL })
        /** A token of this family as a caller names it: every token here expires at T0 + TTL. */
        const parent = (tokenHash: TokenHash) => ({ tokenHash, familyId, userId, expiresAt: T0 + TTL })
        return { store, hash, familyId, first, parent }
      })

      it.effect(`${N} parallel rotations of one token into different children: one child, the rest AlreadyRotated`, () =>
        Effect.gen(function*() {
          const { familyId, first, hash, parent, store } = yield* newFamily()
          const children = yield* Effect.forEach(Array.from({ length: N }, (_, i) => i), (i) => hash(`c${i}`))
          const exits = yield* Effect.all(
            children.map((childHash, i) =>
              Effect.exit(store.rotate({ parent: parent(first), childHash, at: T0 + 1 + i, expiresAt: T0 + TTL }))),
            { concurrency: "unbounded" }
          )
          const winners = children.filter((_, i) => Exit.isSuccess(exits[i]!))
          assert.strictEqual(winners.length, 1)
          assert.deepStrictEqual(exits.filter(Exit.isFailure).map(errorCode), Array(N - 1).fill("AlreadyRotated"))
          assert.strictEqual(Option.getOrThrow(yield* store.lookup(first)).token.childHash, winners[0])
          assert.deepStrictEqual(yield* familyRows(familyId), { total: 2, current: 1 })
        }))

      it.effect(`${N} parallel rotations into the same derived child: one rotation, the rest AlreadyRotated`, () =>
        Effect.gen(function*() {
          const { familyId, first, hash, parent, store } = yield* newFamily()
          const childHash = yield* hash("derived")
          const exits = yield* Effect.all(
            Array.from({ length: N }, () => Effect.exit(store.rotate({ parent: parent(first), childHash, at: T0 + 1, expiresAt: T0 + TTL }))),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
          assert.deepStrictEqual(exits.filter(Exit.isFailure).map(errorCode), Array(N - 1).fill("AlreadyRotated"))
          assert.deepStrictEqual(yield* familyRows(familyId), { total: 2, current: 1 })
        }))

      it.effect("parallel rotations of every token of a chain: each token rotates at most once, one current token", () =>
        Effect.gen(function*() {
          const { familyId, first, hash, parent, store } = yield* newFamily()
          // Rotating t_i into t_{i+1} for every i at once: whatever the interleaving, the family
          // stays one chain with exactly one current token.
          const chain: Array<TokenHash> = [first, ...(yield* Effect.forEach(Array.from({ length: N }, (_, i) => i + 1), (i) => hash(`t${i}`)))]
          yield* Effect.all(
            Array.from({ length: N }, (_, i) =>
              Effect.exit(store.rotate({ parent: parent(chain[i]!), childHash: chain[i + 1]!, at: T0 + 1 + i, expiresAt: T0 + TTL }))),
            { concurrency: "unbounded" }
          )
          const rows = yield* familyRows(familyId)
          assert.strictEqual(rows.current, 1)
          let current = Option.getOrThrow(yield* store.lookup(first)).token
          let length = 1
          while (current.childHash !== null) {
            current = Option.getOrThrow(yield* store.lookup(current.childHash)).token
            length++
          }
          assert.strictEqual(length, rows.total)
        }))

      it.effect(`${N} parallel rotations racing a revocation: none succeeds after it, one current token`, () =>
        Effect.gen(function*() {
          const { familyId, first, hash, parent, store } = yield* newFamily()
          const children = yield* Effect.forEach(Array.from({ length: N }, (_, i) => i), (i) => hash(`c${i}`))
          const [exits] = yield* Effect.all([
            Effect.all(
              children.map((childHash, i) =>
                Effect.exit(store.rotate({ parent: parent(first), childHash, at: T0 + 1 + i, expiresAt: T0 + TTL }))),
              { concurrency: "unbounded" }
            ),
            store.revokeFamily(familyId, T0 + 1)
          ], { concurrency: "unbounded" })
          assert.isAtMost(exits.filter(Exit.isSuccess).length, 1)
          for (const exit of exits.filter(Exit.isFailure)) assert.include(["AlreadyRotated", "FamilyRevoked"], errorCode(exit))
          assert.strictEqual((yield* familyRows(familyId)).current, 1)
          const after = yield* Effect.exit(store.rotate({ parent: parent(first), childHash: yield* hash("late"), at: T0 + 2, expiresAt: T0 + TTL }))
          assert.strictEqual(errorCode(after), "FamilyRevoked")
        }))

      it.effect(`${N} parallel creates of one family: one wins, the rest FamilyExists`, () =>
        Effect.gen(function*() {
          const store = yield* RefreshTokenStore
          const scope = freshScope("race")
          const familyId = RefreshFamilyId.make(`${scope}-f`)
          const hashes = yield* Effect.forEach(Array.from({ length: N }, (_, i) => i), (i) => hashRefreshToken(`${scope}:t${i}`))
          const exits = yield* Effect.all(
            hashes.map((tokenHash) =>
              Effect.exit(store.create({ familyId, userId: UserId.make(`${scope}-u`), tokenHash, at: T0, expiresAt: T0 + TTL }))),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
          assert.deepStrictEqual(exits.filter(Exit.isFailure).map(errorCode), Array(N - 1).fill("FamilyExists"))
          assert.deepStrictEqual(yield* familyRows(familyId), { total: 1, current: 1 })
        }))

      it.effect("only digests are stored: the table refuses anything but a lower-case hex SHA-256", () =>
        Effect.gen(function*() {
          const { store } = yield* newFamily()
          const scope = freshScope("plain")
          const exit = yield* Effect.exit(
            store.create({
              familyId: RefreshFamilyId.make(`${scope}-f`),
              userId: UserId.make(`${scope}-u`),
              tokenHash: "not-a-digest-but-a-plaintext-token" as TokenHash,
              at: T0,
              expiresAt: T0 + TTL
            })
          )
          assert.strictEqual(errorCode(exit), "RefreshTokenStoreError")
          assert.strictEqual(yield* RowCounts.count("refresh_families", "family_id = $1", [`${scope}-f`]), 0)
        }))
    }
  )
}
