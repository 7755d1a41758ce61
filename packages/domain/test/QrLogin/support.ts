/**
 * Test wiring for QR login: the memory ports, three known users, a SessionIssuer that records
 * every issue call (the observation point for "tokens issued at most once") and a store decorator
 * that records every successful compare-and-set (the observation point for "only legal moves").
 */
import { Context, Effect, Layer, Schema } from "effect"
import { Actor } from "../../src/Actor.js"
import { SessionIssuer, TokenPair } from "../../src/Auth/SessionIssuer.js"
import { QrChallengeStoreMemory, QrEventsMemory } from "../../src/QrLogin/memory/index.js"
import type { QrChallenge, QrChallengeId, QrStatus } from "../../src/QrLogin/QrChallenge.js"
import { QrChallengeStore } from "../../src/QrLogin/QrChallengeStore.js"
import { QrLogin, QrLoginConfig, type QrLoginSettings } from "../../src/QrLogin/QrLogin.js"
import { Randomness } from "../../src/Randomness.js"
import * as UserRepositoryMemory from "../../src/Users/memory/UserRepositoryMemory.js"
import { Email, Profile, User, UserId } from "../../src/Users/User.js"
import { UserRecord, UserRepository } from "../../src/Users/UserRepository.js"

export const userIds = ["u-ada", "u-bob", "u-cyd"] as const

export const actorOf = (userId: string) =>
  new Actor({ userId: UserId.make(userId), email: Schema.decodeUnknownSync(Email)(`${userId}@example.com`) })

export const [ada, bob, cyd] = userIds.map(actorOf) as [Actor, Actor, Actor]

export interface Issued {
  readonly userId: UserId
  readonly accessToken: string
}

export class IssueLog extends Context.Service<IssueLog, { readonly issued: Array<Issued> }>()("test/QrLogin/IssueLog") {
  static readonly layer = Layer.sync(IssueLog, () => IssueLog.of({ issued: [] }))
}

export interface RecordedTransition {
  readonly challengeId: QrChallengeId
  readonly from: QrStatus
  readonly to: QrStatus
  readonly after: QrChallenge
}

export class TransitionLog extends Context.Service<TransitionLog, { readonly entries: Array<RecordedTransition> }>()(
  "test/QrLogin/TransitionLog"
) {
  static readonly layer = Layer.sync(TransitionLog, () => TransitionLog.of({ entries: [] }))
}

const recordingIssuer = Layer.effect(
  SessionIssuer,
  Effect.gen(function*() {
    const log = yield* IssueLog
    return SessionIssuer.of({
      issue: (user) =>
        Effect.sync(() => {
          const accessToken = `access-${user.userId}-${log.issued.length}`
          log.issued.push({ userId: user.userId, accessToken })
          return new TokenPair({ accessToken, refreshToken: `refresh-${log.issued.length}`, expiresIn: 3600 })
        })
    })
  })
)

/** The memory store, with every successful transition appended to the TransitionLog in the same step. */
const recordingStore = Layer.effect(
  QrChallengeStore,
  Effect.gen(function*() {
    const inner = yield* QrChallengeStoreMemory.make
    const log = yield* TransitionLog
    return QrChallengeStore.of({
      ...inner,
      transition: (challengeId, expected, next) =>
        Effect.map(inner.transition(challengeId, expected, next), (after) => {
          log.entries.push({ challengeId, from: expected, to: next.status, after })
          return after
        })
    })
  })
)

const users = Layer.effect(
  UserRepository,
  Effect.gen(function*() {
    const repo = yield* UserRepositoryMemory.make
    for (const id of userIds) {
      yield* repo.insert(
        new UserRecord({
          user: new User({
            userId: UserId.make(id),
            email: Schema.decodeUnknownSync(Email)(`${id}@example.com`),
            name: id,
            emailVerified: true,
            profile: new Profile({}),
            createdAt: 0,
            updatedAt: 0
          }),
          passwordHash: null
        })
      )
    }
    return repo
  }).pipe(Effect.orDie)
)

const ports = Layer.mergeAll(recordingStore, QrEventsMemory.layer, recordingIssuer, users, Randomness.layer).pipe(
  Layer.provideMerge(Layer.mergeAll(IssueLog.layer, TransitionLog.layer))
)

/** QrLogin on fresh memory ports, with the ports and logs visible to the test. */
export const testLayer = (settings?: Partial<QrLoginSettings>) =>
  QrLogin.layer.pipe(
    Layer.provideMerge(ports),
    Layer.provide(
      settings === undefined
        ? Layer.empty
        : Layer.effect(QrLoginConfig, Effect.gen(function*() {
          const defaults = yield* QrLoginConfig
          return { ...defaults, ...settings }
        }))
    )
  )

/** The scan key carried by a QR payload. */
export const scanKeyOf = (qrPayload: string): string => new URL(qrPayload).searchParams.get("k") ?? ""
