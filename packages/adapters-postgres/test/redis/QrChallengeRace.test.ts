/**
 * Compare-and-set under contention, beyond the contract's fixed examples: for any number of racers
 * (split over two processes sharing the Redis), any status they all expect and any moves they try,
 * exactly one transition wins, every other racer gets Conflict "QrStatusChanged", and the stored
 * challenge is exactly the winner's.
 */
import { assert, describe, it } from "@effect/vitest"
import { type QrStatus, UserId } from "@app/domain"
import { Clock, Effect, Exit, Option } from "effect"
import * as fc from "fast-check"
import { clientLayer, freshPrefix } from "../support/RedisTest.js"
import { challengeOf, freshId } from "./Fixtures.js"
import { buildPorts } from "./RedisPorts.js"

const prefix = freshPrefix("qrrace")
const open: ReadonlyArray<QrStatus> = ["pending", "scanned", "approved"]
const ends: ReadonlyArray<QrStatus> = ["consumed", "rejected", "expired"]

describe("QR challenge compare-and-set under contention", () => {
  it.live("N racers from one status, across two processes: exactly one winner, and its write is stored", () =>
    Effect.gen(function*() {
      const [a, b] = yield* Effect.all([buildPorts(clientLayer(prefix)), buildPorts(clientLayer(prefix))])
      const now = yield* Clock.currentTimeMillis
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...open),
            fc.array(fc.record({ to: fc.constantFrom(...ends), viaB: fc.boolean() }), { minLength: 2, maxLength: 40 }),
            async (from, racers) => {
              const challenge = challengeOf(freshId("race"), now, from)
              await Effect.runPromise(a.qrStore.create(challenge))
              const exits = await Effect.runPromise(Effect.all(
                racers.map((racer, i) =>
                  Effect.exit((racer.viaB ? b : a).qrStore.transition(challenge.challengeId, from, {
                    status: racer.to,
                    updatedAt: now + i + 1,
                    approvedBy: UserId.make(`u-${i}`)
                  }))
                ),
                { concurrency: "unbounded" }
              ))
              const winners = exits.flatMap((exit, i) => (Exit.isSuccess(exit) ? [{ i, challenge: exit.value }] : []))
              assert.strictEqual(winners.length, 1)
              for (const exit of exits) {
                if (Exit.isSuccess(exit)) continue
                const error = exit.cause.reasons.find((r) => r._tag === "Fail") as { error: { _tag: string; code?: string } } | undefined
                assert.strictEqual(error?.error.code, "QrStatusChanged")
              }
              const winner = winners[0]!
              assert.strictEqual(winner.challenge.status, racers[winner.i]!.to)
              assert.strictEqual(winner.challenge.approvedBy, `u-${winner.i}`)
              const stored = Option.getOrThrow(await Effect.runPromise(b.qrStore.get(challenge.challengeId)))
              assert.deepStrictEqual({ ...stored }, { ...winner.challenge })
            }
          ),
          { numRuns: 30 }
        )
      )
    }), 60_000)
})
