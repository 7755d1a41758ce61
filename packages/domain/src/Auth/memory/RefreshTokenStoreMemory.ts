/**
 * RefreshTokenStore in process memory: the reference model and the single-process default. Each
 * operation is one synchronous step, so a rotation's check and write cannot interleave with
 * another fiber's (see TeamRepositoryMemory).
 */
import { Effect, Layer, Option } from "effect"
import { Conflict, NotFound } from "../../DomainError.js"
import { RefreshFamily, type RefreshFamilyId, RefreshTokenEntry, RefreshTokenRecord, type TokenHash } from "../RefreshToken.js"
import { childOf, firstEntry, isStoredParent, RefreshTokenStore } from "../RefreshTokenStore.js"

export const make = Effect.sync(() => {
  const families = new Map<RefreshFamilyId, RefreshFamily>()
  const tokens = new Map<TokenHash, RefreshTokenRecord>()

  return RefreshTokenStore.of({
    create: (input) =>
      Effect.suspend((): Effect.Effect<RefreshTokenEntry, Conflict> => {
        if (families.has(input.familyId)) {
          return Effect.fail(new Conflict({ code: "FamilyExists", message: "refresh-token family already exists" }))
        }
        if (tokens.has(input.tokenHash)) {
          return Effect.fail(new Conflict({ code: "TokenExists", message: "refresh token already exists" }))
        }
        const entry = firstEntry(input)
        families.set(entry.family.familyId, entry.family)
        tokens.set(entry.token.tokenHash, entry.token)
        return Effect.succeed(entry)
      }),
    lookup: (tokenHash) =>
      Effect.sync(() => {
        const token = tokens.get(tokenHash)
        const family = token === undefined ? undefined : families.get(token.familyId)
        return token === undefined || family === undefined
          ? Option.none()
          : Option.some(new RefreshTokenEntry({ token, family }))
      }),
    rotate: (rotation) =>
      Effect.suspend((): Effect.Effect<RefreshTokenRecord, Conflict | NotFound> => {
        // The caller's parent only names the stored one: its state is read here, in the same step.
        const stored = tokens.get(rotation.parent.tokenHash)
        const parent = stored !== undefined && isStoredParent(stored, rotation.parent) ? stored : undefined
        const family = parent === undefined ? undefined : families.get(parent.familyId)
        if (parent === undefined || family === undefined) return Effect.fail(NotFound.of("refresh token"))
        if (family.revokedAt !== null) {
          return Effect.fail(new Conflict({ code: "FamilyRevoked", message: "refresh-token family is revoked" }))
        }
        if (parent.rotatedAt !== null) {
          return Effect.fail(new Conflict({ code: "AlreadyRotated", message: "refresh token was already rotated" }))
        }
        if (tokens.has(rotation.childHash)) {
          return Effect.fail(new Conflict({ code: "TokenExists", message: "refresh token already exists" }))
        }
        const child = childOf(rotation)
        tokens.set(parent.tokenHash, new RefreshTokenRecord({ ...parent, rotatedAt: rotation.at, childHash: rotation.childHash }))
        tokens.set(child.tokenHash, child)
        return Effect.succeed(child)
      }),
    revokeFamily: (familyId, at) =>
      Effect.sync(() => {
        const family = families.get(familyId)
        if (family !== undefined && family.revokedAt === null) {
          families.set(familyId, new RefreshFamily({ ...family, revokedAt: at }))
        }
      })
  })
})

export const layer = Layer.effect(RefreshTokenStore, make)
