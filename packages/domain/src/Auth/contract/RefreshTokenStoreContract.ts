/**
 * The behaviour every RefreshTokenStore must show (memory now, Postgres and DynamoDB later): a
 * family and its first token are created together and never overwritten; rotation is a
 * compare-and-set — a token is rotated at most once, so of any number of racing rotations of one
 * token exactly one wins and the losers leave no child behind; a rotation's parent, as the caller
 * passes it, must be the stored token (a forged family, user or expiry is NotFound, a stale copy
 * AlreadyRotated); a revoked family stays revoked (first revokedAt kept) and refuses every
 * rotation. Errors come in the order the port documents.
 * Every id and digest comes from a fresh scope, so shared stores are fine.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { agree, batchOf, freshScope, modelRun, type PortCommand } from "../../contract/ModelRun.js"
import { UserId } from "../../Users/User.js"
import * as RefreshTokenStoreMemory from "../memory/RefreshTokenStoreMemory.js"
import {
  hashRefreshToken,
  RefreshFamilyId,
  type RefreshTokenEntry,
  type RefreshTokenRecord,
  type TokenHash
} from "../RefreshToken.js"
import { type RefreshParent, RefreshTokenStore } from "../RefreshTokenStore.js"

const BASE_TIME = 1_700_000_000_000
const TTL = 30 * 24 * 3_600_000

const familyIn = (scope: string, label: string) => RefreshFamilyId.make(`${scope}-${label}`)
const userIn = (scope: string, label: string) => UserId.make(`${scope}-${label}`)
const hashIn = (scope: string, label: string): Promise<TokenHash> => Effect.runPromise(hashRefreshToken(`${scope}:${label}`))

const plainToken = (token: RefreshTokenRecord) => ({
  tokenHash: token.tokenHash,
  familyId: token.familyId,
  userId: token.userId,
  issuedAt: token.issuedAt,
  expiresAt: token.expiresAt,
  rotatedAt: token.rotatedAt,
  childHash: token.childHash
})

const plainEntry = (entry: RefreshTokenEntry) => ({
  token: plainToken(entry.token),
  family: {
    familyId: entry.family.familyId,
    userId: entry.family.userId,
    createdAt: entry.family.createdAt,
    revokedAt: entry.family.revokedAt
  }
})

const plainEntryOption = (found: Option.Option<RefreshTokenEntry>) => Option.match(found, { onNone: () => null, onSome: plainEntry })

type Model = RefreshTokenStore["Service"]

const FAMILIES = 2
const TOKENS = 4

const createCommand = fc.record({
  family: fc.nat(FAMILIES - 1),
  token: fc.nat(TOKENS - 1),
  user: fc.nat(1),
  tick: fc.nat(1_000_000)
}).map(({ family, token, user, tick }): PortCommand<Model> => ({
  check: async () => true,
  run: async (m, r) => {
    const input = {
      familyId: familyIn(m.scope, `f${family}`),
      userId: userIn(m.scope, `u${user}`),
      tokenHash: await hashIn(m.scope, `t${token}`),
      at: BASE_TIME + tick,
      expiresAt: BASE_TIME + tick + TTL
    }
    await agree(m.port.create(input), r.create(input), plainEntry)
  },
  toString: () => `create(f${family}, t${token}, u${user}, +${tick})`
}))

const lookupCommand = fc.nat(TOKENS - 1).map((token): PortCommand<Model> => ({
  check: async () => true,
  run: async (m, r) => {
    const hash = await hashIn(m.scope, `t${token}`)
    await agree(m.port.lookup(hash), r.lookup(hash), plainEntryOption)
  },
  toString: () => `lookup(t${token})`
}))

/** How the caller's copy of the parent differs from the stored token: mostly not at all. */
const PARENT_FORGERIES = ["asStored", "asStored", "asStored", "otherFamily", "otherUser", "otherExpiry"] as const

/**
 * The parent as the caller passes it: the model's stored token (as `lookup` returns it), possibly
 * altered by `forgery`; for an unknown digest, a record the store has never seen.
 */
const parentIn = async (m: { readonly port: Model; readonly scope: string }, token: number, forgery: typeof PARENT_FORGERIES[number]) => {
  const tokenHash = await hashIn(m.scope, `t${token}`)
  const found = await Effect.runPromise(m.port.lookup(tokenHash))
  const stored: RefreshParent = Option.isSome(found)
    ? found.value.token
    : { tokenHash, familyId: familyIn(m.scope, "f0"), userId: userIn(m.scope, "u0"), expiresAt: BASE_TIME + TTL }
  switch (forgery) {
    case "asStored":
      return stored
    case "otherFamily":
      return { ...stored, familyId: familyIn(m.scope, stored.familyId.endsWith("-f0") ? "f1" : "f0") }
    case "otherUser":
      return { ...stored, userId: userIn(m.scope, stored.userId.endsWith("-u0") ? "u1" : "u0") }
    case "otherExpiry":
      return { ...stored, expiresAt: stored.expiresAt + 1 }
  }
}

const rotateCommand = fc.record({
  parent: fc.nat(TOKENS - 1),
  child: fc.nat(TOKENS - 1),
  tick: fc.nat(1_000_000),
  forgery: fc.constantFrom(...PARENT_FORGERIES)
}).map(({ child, forgery, parent, tick }): PortCommand<Model> => ({
  check: async () => true,
  run: async (m, r) => {
    const rotation = {
      parent: await parentIn(m, parent, forgery),
      childHash: await hashIn(m.scope, `t${child}`),
      at: BASE_TIME + tick,
      expiresAt: BASE_TIME + tick + TTL
    }
    await agree(m.port.rotate(rotation), r.rotate(rotation), plainToken)
  },
  toString: () => `rotate(t${parent} (${forgery}) → t${child}, +${tick})`
}))

const revokeCommand = fc.record({ family: fc.nat(FAMILIES), tick: fc.nat(1_000_000) }).map(({ family, tick }): PortCommand<Model> => ({
  check: async () => true,
  run: async (m, r) => {
    const id = familyIn(m.scope, `f${family}`)
    await agree(m.port.revokeFamily(id, BASE_TIME + tick), r.revokeFamily(id, BASE_TIME + tick))
  },
  toString: () => `revokeFamily(f${family}, +${tick})`
}))

export const suite = (name: string, storeLayer: Layer.Layer<RefreshTokenStore, unknown>) =>
  layer(storeLayer, { excludeTestServices: true, timeout: "60 seconds" })(`RefreshTokenStore contract: ${name}`, (it) => {
    /** A new family in a fresh scope, with helpers to name more digests in that scope. */
    const newFamily = Effect.fnUntraced(function*(label: string) {
      const store = yield* RefreshTokenStore
      const scope = freshScope(label)
      const hash = (name: string) => hashRefreshToken(`${scope}:${name}`)
      const input = {
        familyId: familyIn(scope, "f"),
        userId: userIn(scope, "u"),
        tokenHash: yield* hash("t0"),
        at: BASE_TIME,
        expiresAt: BASE_TIME + TTL
      }
      const entry = yield* store.create(input)
      return { store, scope, hash, input, entry }
    })

    it.effect("create then lookup returns the live family and its current first token", () =>
      Effect.gen(function*() {
        const { store, input, entry } = yield* newFamily("rt")
        const expected = {
          token: {
            tokenHash: input.tokenHash,
            familyId: input.familyId,
            userId: input.userId,
            issuedAt: BASE_TIME,
            expiresAt: BASE_TIME + TTL,
            rotatedAt: null,
            childHash: null
          },
          family: { familyId: input.familyId, userId: input.userId, createdAt: BASE_TIME, revokedAt: null }
        }
        assert.deepStrictEqual(plainEntry(entry), expected)
        assert.deepStrictEqual(plainEntryOption(yield* store.lookup(input.tokenHash)), expected)
      }))

    it.effect("lookup of an unknown digest is none", () =>
      Effect.gen(function*() {
        const store = yield* RefreshTokenStore
        assert.isTrue(Option.isNone(yield* store.lookup(yield* hashRefreshToken(freshScope("rt")))))
      }))

    it.effect("create never overwrites: FamilyExists first, then TokenExists", () =>
      Effect.gen(function*() {
        const { store, scope, hash, input } = yield* newFamily("rt")
        const sameFamily = yield* store.create({ ...input, tokenHash: yield* hash("other") }).pipe(Effect.flip)
        assert.deepInclude(sameFamily, { _tag: "Conflict", code: "FamilyExists" })
        const bothTaken = yield* store.create(input).pipe(Effect.flip)
        assert.deepInclude(bothTaken, { _tag: "Conflict", code: "FamilyExists" })
        const sameToken = yield* store.create({ ...input, familyId: familyIn(scope, "g") }).pipe(Effect.flip)
        assert.deepInclude(sameToken, { _tag: "Conflict", code: "TokenExists" })
        assert.isTrue(Option.isNone(yield* store.lookup(yield* hash("other"))))
        const found = Option.getOrThrow(yield* store.lookup(input.tokenHash))
        assert.strictEqual(found.family.familyId, input.familyId)
      }))

    it.effect("rotate marks the parent rotated and stores the child as the family's current token", () =>
      Effect.gen(function*() {
        const { store, hash, input, entry } = yield* newFamily("rt")
        const childHash = yield* hash("t1")
        const child = yield* store.rotate({ parent: entry.token, childHash, at: BASE_TIME + 7, expiresAt: BASE_TIME + 7 + TTL })
        const expectedChild = {
          tokenHash: childHash,
          familyId: input.familyId,
          userId: input.userId,
          issuedAt: BASE_TIME + 7,
          expiresAt: BASE_TIME + 7 + TTL,
          rotatedAt: null,
          childHash: null
        }
        assert.deepStrictEqual(plainToken(child), expectedChild)
        assert.deepStrictEqual(plainToken(Option.getOrThrow(yield* store.lookup(childHash)).token), expectedChild)
        const parent = Option.getOrThrow(yield* store.lookup(input.tokenHash)).token
        assert.strictEqual(parent.rotatedAt, BASE_TIME + 7)
        assert.strictEqual(parent.childHash, childHash)
        // The child rotates in turn.
        const grandchild = yield* store.rotate({ parent: child, childHash: yield* hash("t2"), at: BASE_TIME + 9, expiresAt: BASE_TIME + 9 + TTL })
        assert.strictEqual(grandchild.familyId, input.familyId)
      }))

    it.effect("a token rotates once: the second rotation is Conflict AlreadyRotated and stores nothing", () =>
      Effect.gen(function*() {
        const { store, hash, input, entry } = yield* newFamily("rt")
        const first = yield* hash("t1")
        yield* store.rotate({ parent: entry.token, childHash: first, at: BASE_TIME + 1, expiresAt: BASE_TIME + TTL })
        const second = yield* hash("t2")
        // The caller's copy still shows the parent current: the store goes by what it holds.
        assert.isNull(entry.token.rotatedAt)
        const error = yield* store.rotate({ parent: entry.token, childHash: second, at: BASE_TIME + 2, expiresAt: BASE_TIME + TTL }).pipe(
          Effect.flip
        )
        assert.deepInclude(error, { _tag: "Conflict", code: "AlreadyRotated" })
        assert.isTrue(Option.isNone(yield* store.lookup(second)))
        assert.strictEqual(Option.getOrThrow(yield* store.lookup(input.tokenHash)).token.childHash, first)
      }))

    it.effect("rotating an unknown token is NotFound", () =>
      Effect.gen(function*() {
        const store = yield* RefreshTokenStore
        const scope = freshScope("rt")
        const parent = {
          tokenHash: yield* hashRefreshToken(`${scope}:p`),
          familyId: familyIn(scope, "f"),
          userId: userIn(scope, "u"),
          expiresAt: BASE_TIME + TTL
        }
        const error = yield* store.rotate({
          parent,
          childHash: yield* hashRefreshToken(`${scope}:c`),
          at: BASE_TIME,
          expiresAt: BASE_TIME + TTL
        }).pipe(Effect.flip)
        assert.strictEqual(error._tag, "NotFound")
      }))

    it.effect("a parent that is not the stored token (other family, user or expiry) is NotFound and changes nothing", () =>
      Effect.gen(function*() {
        const { store, hash, input, entry } = yield* newFamily("rt")
        const other = yield* newFamily("rt")
        const revoked = yield* newFamily("rt")
        yield* store.revokeFamily(revoked.input.familyId, BASE_TIME + 1)
        const childHash = yield* hash("t1")
        const forged: ReadonlyArray<RefreshParent> = [
          { ...entry.token, familyId: other.input.familyId },
          { ...entry.token, userId: other.input.userId },
          { ...entry.token, expiresAt: entry.token.expiresAt + 1 },
          // NotFound comes before FamilyRevoked: the named family is not the parent's.
          { ...entry.token, familyId: revoked.input.familyId },
          // Another family's token under this family's name.
          { ...other.entry.token, familyId: input.familyId, userId: input.userId }
        ]
        for (const parent of forged) {
          const error = yield* store.rotate({ parent, childHash, at: BASE_TIME + 2, expiresAt: BASE_TIME + 2 + TTL }).pipe(Effect.flip)
          assert.strictEqual(error._tag, "NotFound")
        }
        assert.isTrue(Option.isNone(yield* store.lookup(childHash)))
        for (const family of [{ input, entry }, other]) {
          const found = Option.getOrThrow(yield* store.lookup(family.input.tokenHash))
          assert.deepStrictEqual(plainEntry(found), plainEntry(family.entry))
        }
        // The parent as stored still rotates.
        assert.strictEqual((yield* store.rotate({ parent: entry.token, childHash, at: BASE_TIME + 3, expiresAt: BASE_TIME + 3 + TTL })).familyId, input.familyId)
      }))

    it.effect("rotating into a stored digest is Conflict TokenExists and leaves the parent current", () =>
      Effect.gen(function*() {
        const { store, input, entry } = yield* newFamily("rt")
        const other = yield* newFamily("rt")
        const error = yield* store.rotate({ parent: entry.token, childHash: other.input.tokenHash, at: BASE_TIME + 1, expiresAt: BASE_TIME + TTL }).pipe(
          Effect.flip
        )
        assert.deepInclude(error, { _tag: "Conflict", code: "TokenExists" })
        const parent = Option.getOrThrow(yield* store.lookup(input.tokenHash)).token
        assert.isNull(parent.rotatedAt)
        assert.strictEqual(Option.getOrThrow(yield* store.lookup(other.input.tokenHash)).family.familyId, other.input.familyId)
      }))

    it.effect("revokeFamily revokes every token of the family, once, and refuses later rotations", () =>
      Effect.gen(function*() {
        const { store, hash, input, entry } = yield* newFamily("rt")
        const childHash = yield* hash("t1")
        const child = yield* store.rotate({ parent: entry.token, childHash, at: BASE_TIME + 1, expiresAt: BASE_TIME + TTL })
        yield* store.revokeFamily(input.familyId, BASE_TIME + 5)
        yield* store.revokeFamily(input.familyId, BASE_TIME + 9)
        for (const tokenHash of [input.tokenHash, childHash]) {
          assert.strictEqual(Option.getOrThrow(yield* store.lookup(tokenHash)).family.revokedAt, BASE_TIME + 5)
        }
        // FamilyRevoked comes before AlreadyRotated.
        for (const parent of [child, entry.token]) {
          const error = yield* store.rotate({ parent, childHash: yield* hash("t2"), at: BASE_TIME + 6, expiresAt: BASE_TIME + TTL }).pipe(
            Effect.flip
          )
          assert.deepInclude(error, { _tag: "Conflict", code: "FamilyRevoked" })
        }
        assert.isTrue(Option.isNone(yield* store.lookup(yield* hash("t2"))))
      }))

    it.effect("revoking an unknown family is a no-op", () =>
      Effect.gen(function*() {
        const store = yield* RefreshTokenStore
        yield* store.revokeFamily(familyIn(freshScope("rt"), "missing"), BASE_TIME)
      }))

    it.effect("racing rotations of one token: exactly one wins, the losers store no child", () =>
      Effect.gen(function*() {
        const { store, hash, input, entry } = yield* newFamily("rt")
        const children = yield* Effect.forEach(Array.from({ length: 8 }, (_, i) => i), (i) => hash(`c${i}`))
        const exits = yield* Effect.all(
          children.map((childHash, i) =>
            Effect.exit(store.rotate({ parent: entry.token, childHash, at: BASE_TIME + i, expiresAt: BASE_TIME + TTL }))
          ),
          { concurrency: "unbounded" }
        )
        const winners = children.filter((_, i) => Exit.isSuccess(exits[i]!))
        assert.strictEqual(winners.length, 1)
        for (const exit of exits) {
          if (Exit.isFailure(exit)) assert.include(JSON.stringify(exit.cause), "AlreadyRotated")
        }
        assert.strictEqual(Option.getOrThrow(yield* store.lookup(input.tokenHash)).token.childHash, winners[0])
        for (const childHash of children) {
          assert.strictEqual(Option.isSome(yield* store.lookup(childHash)), childHash === winners[0])
        }
      }))

    it.effect("two racing rotations into the same child: exactly one wins", () =>
      Effect.gen(function*() {
        const { store, hash, entry } = yield* newFamily("rt")
        const childHash = yield* hash("c")
        const rotation = { parent: entry.token, childHash, at: BASE_TIME + 1, expiresAt: BASE_TIME + TTL }
        const exits = yield* Effect.all([Effect.exit(store.rotate(rotation)), Effect.exit(store.rotate(rotation))], {
          concurrency: "unbounded"
        })
        assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
      }))

    it.effect("a rotation racing a revocation never leaves a live current token", () =>
      Effect.gen(function*() {
        const { store, hash, input, entry } = yield* newFamily("rt")
        const childHash = yield* hash("c")
        yield* Effect.all([
          Effect.exit(store.rotate({ parent: entry.token, childHash, at: BASE_TIME + 1, expiresAt: BASE_TIME + TTL })),
          store.revokeFamily(input.familyId, BASE_TIME + 1)
        ], { concurrency: "unbounded" })
        for (const tokenHash of [input.tokenHash, childHash]) {
          const found = yield* store.lookup(tokenHash)
          if (Option.isSome(found)) assert.strictEqual(found.value.family.revokedAt, BASE_TIME + 1)
        }
      }))

    it.effect("model run: the port agrees with the in-memory model", () =>
      Effect.gen(function*() {
        const real = yield* RefreshTokenStore
        yield* modelRun({
          real,
          makeModel: RefreshTokenStoreMemory.make,
          commands: [batchOf([createCommand, lookupCommand, rotateCommand, revokeCommand])],
          numRuns: 50
        })
      }))
  })
