/**
 * QrChallengeStore in process memory. Each operation is one synchronous step, so the status
 * compare-and-set is atomic with respect to every other fiber — the guarantee Redis gives with a
 * Lua script and DynamoDB with a ConditionExpression. Entries are dropped
 * QR_CHALLENGE_RETENTION after they expire, swept now and then on create (time taken from the new
 * challenge's createdAt, so the adapter needs no clock).
 */
import { Effect, Layer, Option } from "effect"
import { Conflict, NotFound } from "../../DomainError.js"
import { applyQrTransition, type QrChallenge, type QrChallengeId } from "../QrChallenge.js"
import { QR_CHALLENGE_RETENTION, QrChallengeStore } from "../QrChallengeStore.js"

const SWEEP_EVERY = 256

export const make = Effect.sync(() => {
  const challenges = new Map<QrChallengeId, QrChallenge>()
  let creates = 0

  const sweep = (now: number) => {
    for (const [id, challenge] of challenges) {
      if (challenge.expiresAt + QR_CHALLENGE_RETENTION < now) challenges.delete(id)
    }
  }

  return QrChallengeStore.of({
    create: (challenge) =>
      Effect.suspend((): Effect.Effect<void, Conflict> => {
        if (++creates % SWEEP_EVERY === 0) sweep(challenge.createdAt)
        if (challenges.has(challenge.challengeId)) {
          return Effect.fail(new Conflict({ code: "QrChallengeExists", message: "challenge id is taken" }))
        }
        challenges.set(challenge.challengeId, challenge)
        return Effect.void
      }),
    get: (challengeId) => Effect.sync(() => Option.fromUndefinedOr(challenges.get(challengeId))),
    transition: (challengeId, expected, next) =>
      Effect.suspend((): Effect.Effect<QrChallenge, Conflict | NotFound> => {
        const current = challenges.get(challengeId)
        if (current === undefined) return Effect.fail(NotFound.of("qr challenge"))
        if (current.status !== expected) {
          return Effect.fail(
            new Conflict({ code: "QrStatusChanged", message: `challenge is ${current.status}, not ${expected}` })
          )
        }
        const updated = applyQrTransition(current, next)
        challenges.set(challengeId, updated)
        return Effect.succeed(updated)
      })
  })
})

export const layer = Layer.effect(QrChallengeStore, make)
