/**
 * QR login use cases (003). A desktop starts a challenge and shows its QR; a logged-in phone scans
 * it (and sees where the request came from), then approves or rejects; the desktop exchanges its
 * poll secret for tokens exactly once. Every move is a compare-and-set on the challenge's status,
 * decided here against the legal-transition table, so two racing approvals or exchanges cannot both
 * win. A challenge past its deadline is expired whoever looks first (a poll, a scan, the watcher's
 * timer). Events are a best-effort nudge for watchers; the store is the truth, and `watch` re-reads it.
 */
import { Clock, Context, Effect, Layer, Option, Schema, Stream } from "effect"
import type { Actor } from "../Actor.js"
import { SessionIssuer, type SessionIssuerError, type TokenPair } from "../Auth/SessionIssuer.js"
import { constantTimeEqual, sha256Hex } from "../Digest.js"
import { Conflict, Forbidden, Gone, NotFound } from "../DomainError.js"
import { Millis, SECOND } from "../Millis.js"
import { Randomness, randomToken } from "../Randomness.js"
import { Unexpected } from "../StoreFailure.js"
import type { UserId } from "../Users/User.js"
import { type UserRepositoryError, UserRepository } from "../Users/UserRepository.js"
import {
  QR_CHALLENGE_ID_BYTES,
  isQrStatusAfter,
  isQrOverdue,
  isQrTerminal,
  QR_POLL_SECRET_BYTES,
  QR_CHALLENGE_TTL,
  QrChallenge,
  QrChallengeId,
  QrRequester,
  QrStatusView,
  QR_SCAN_KEY_BYTES
} from "./QrChallenge.js"
import { QrChallengeStore, QrChallengeStoreError } from "./QrChallengeStore.js"
import { QrEvents, type QrEventsError, QrStatusEvent } from "./QrEvents.js"

// ---------------------------------------------------------------------------------------------
// Configuration

export interface QrLoginSettings {
  /** Origin (and optional base path) of the web app the phone opens, e.g. "https://app.example.com". */
  readonly webBaseUrl: string
  /** Path of the web app's approve page; the QR payload is `${webBaseUrl}${approvePath}?c=…&k=…`. */
  readonly approvePath: string
  /** Lifetime of a challenge (120 s by the rules of 003). */
  readonly ttl: number
  /** How often a watcher re-reads the store, in case an event was lost (pub/sub is at-most-once). */
  readonly resyncInterval: number
}

export const QrLoginConfig = Context.Reference<QrLoginSettings>("@app/domain/QrLogin/QrLoginConfig", {
  defaultValue: () => ({
    webBaseUrl: "http://localhost:5173",
    approvePath: "/qr/approve",
    ttl: QR_CHALLENGE_TTL,
    resyncInterval: 5 * SECOND
  })
})

// ---------------------------------------------------------------------------------------------
// Inputs and results

/** A scan key or poll secret as typed by a client: anything else than our tokens simply won't match. */
export const QrSecret = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(256))

/** Filled by the shell from the request (client IP, User-Agent header); both are cut to size, never rejected. */
export const QrInitInput = Schema.Struct({
  ip: Schema.String,
  userAgent: Schema.String
})
export type QrInitInput = typeof QrInitInput.Type

export const QrScanInput = Schema.Struct({
  challengeId: QrChallengeId,
  scanKey: QrSecret
})
export type QrScanInput = typeof QrScanInput.Type

/** approve and reject take the same body as scan. */
export const QrDecisionInput = QrScanInput
export type QrDecisionInput = QrScanInput

export const QrExchangeInput = Schema.Struct({
  challengeId: QrChallengeId,
  pollSecret: QrSecret
})
export type QrExchangeInput = typeof QrExchangeInput.Type

export class QrInitResult extends Schema.Class<QrInitResult>("@app/domain/QrLogin/QrInitResult")({
  challengeId: QrChallengeId,
  /** URL of the web app carrying challengeId and scanKey — never the poll secret. */
  qrPayload: Schema.String,
  /** Only the desktop ever holds it; stored as SHA-256. */
  pollSecret: Schema.String,
  expiresAt: Millis
}) {}

export class QrScanResult extends Schema.Class<QrScanResult>("@app/domain/QrLogin/QrScanResult")({
  status: Schema.Literal("scanned"),
  requester: QrRequester
}) {}

export class QrDecisionResult extends Schema.Class<QrDecisionResult>("@app/domain/QrLogin/QrDecisionResult")({
  status: Schema.Literals(["approved", "rejected"])
}) {}

export const QR_MAX_IP_LENGTH = 100
export const QR_MAX_USER_AGENT_LENGTH = 512

// ---------------------------------------------------------------------------------------------
// The service

export class QrLogin extends Context.Service<QrLogin, {
  /** Starts a challenge for the desktop. */
  readonly init: (input: QrInitInput) => Effect.Effect<QrInitResult, QrChallengeStoreError>
  /** The current status for pollers; an overdue challenge is expired first. NotFound if unknown. */
  readonly status: (challengeId: QrChallengeId) => Effect.Effect<QrStatusView, NotFound | QrChallengeStoreError>
  /**
   * pending → scanned by the actor. The same user scanning again gets the same answer; another user
   * after a scan → Conflict "QrAlreadyScanned"; a wrong scan key → NotFound; expired → Gone.
   */
  readonly scan: (
    actor: Actor,
    input: QrScanInput
  ) => Effect.Effect<QrScanResult, NotFound | Conflict | Gone | QrChallengeStoreError>
  /**
   * scanned → approved, only by the user who scanned (others → Forbidden "NotScanner"); repeating it
   * is idempotent. Not scanned yet → Conflict "QrNotScanned"; expired → Gone.
   */
  readonly approve: (
    actor: Actor,
    input: QrDecisionInput
  ) => Effect.Effect<QrDecisionResult, NotFound | Forbidden | Conflict | Gone | QrChallengeStoreError>
  /** scanned → rejected, with the same rules as approve. */
  readonly reject: (
    actor: Actor,
    input: QrDecisionInput
  ) => Effect.Effect<QrDecisionResult, NotFound | Forbidden | Conflict | Gone | QrChallengeStoreError>
  /**
   * approved → consumed, then a session for the approving user: tokens are issued at most once per
   * challenge. Not approved yet → Conflict "QrNotApproved"; already exchanged → Conflict
   * "QrAlreadyUsed" (also for the loser of a race); rejected → Conflict "QrRejected"; expired → Gone;
   * a wrong poll secret → NotFound.
   */
  readonly exchange: (
    input: QrExchangeInput
  ) => Effect.Effect<
    TokenPair,
    NotFound | Conflict | Gone | QrChallengeStoreError | UserRepositoryError | SessionIssuerError
  >
  /**
   * The current status first, then every later status, ending after a terminal one (consumed,
   * rejected, expired). Emits `expired` when the deadline passes even if nobody calls. Statuses only
   * move forward; one that came and went between two reads may be skipped.
   */
  readonly watch: (
    challengeId: QrChallengeId
  ) => Stream.Stream<QrStatusView, NotFound | QrChallengeStoreError | QrEventsError>
}>()("@app/domain/QrLogin/QrLogin") {
  static readonly layer: Layer.Layer<
    QrLogin,
    never,
    QrChallengeStore | QrEvents | SessionIssuer | UserRepository | Randomness
  > = Layer.effect(QrLogin, Effect.suspend(() => make))
}

const notFound = () => NotFound.of("qr challenge")
const gone = () => new Gone({ code: "QrExpired", message: "the QR login has expired" })
const conflict = (code: string, message: string) => new Conflict({ code, message })
const view = (challenge: QrChallenge) => new QrStatusView({ status: challenge.status, expiresAt: challenge.expiresAt })

/** Constant-time comparison of the digest of a presented secret with the stored digest. */
const secretMatches = (secret: string, hash: string) => Effect.map(sha256Hex(secret), (digest) => constantTimeEqual(digest, hash))

const make = Effect.gen(function*() {
  const store = yield* QrChallengeStore
  const events = yield* QrEvents
  const sessions = yield* SessionIssuer
  const users = yield* UserRepository
  const config = yield* QrLoginConfig
  const randomness = yield* Randomness

  const baseUrl = config.webBaseUrl.replace(/\/+$/, "")
  const token = (bytes: number) => Effect.provideService(randomToken(bytes), Randomness, randomness)

  /** Best effort: the transition has happened; a lost event only delays watchers until their resync. */
  const publish = (challenge: QrChallenge) =>
    events.publish(
      new QrStatusEvent({ challengeId: challenge.challengeId, status: challenge.status, expiresAt: challenge.expiresAt })
    ).pipe(
      Effect.catchTag("QrEventsError", (error) =>
        Effect.logWarning("QR status event not published", { challengeId: challenge.challengeId, reason: error.reason }))
    )

  const load = (challengeId: QrChallengeId): Effect.Effect<QrChallenge, NotFound | QrChallengeStoreError> =>
    store.get(challengeId).pipe(
      Effect.flatMap(Option.match({ onNone: () => Effect.fail(notFound()), onSome: Effect.succeed }))
    )

  /** The challenge as it is at `now`: an overdue one is moved to expired (whoever wins that CAS publishes). */
  const settle = (
    challenge: QrChallenge,
    now: number
  ): Effect.Effect<QrChallenge, NotFound | QrChallengeStoreError> =>
    isQrOverdue(challenge, now)
      ? store.transition(challenge.challengeId, challenge.status, { status: "expired", updatedAt: now }).pipe(
        Effect.tap(publish),
        Effect.catchTag("Conflict", () => reload(challenge.challengeId, now))
      )
      : Effect.succeed(challenge)

  const reload = (challengeId: QrChallengeId, now: number) =>
    Effect.flatMap(load(challengeId), (challenge) => settle(challenge, now))

  /** Loads a challenge for a holder of `secret` (its hash in `field`); a wrong secret looks like no challenge. */
  const loadWithSecret = (challengeId: QrChallengeId, secret: string, field: "scanKeyHash" | "pollSecretHash") =>
    Effect.gen(function*() {
      const challenge = yield* load(challengeId)
      if (!(yield* secretMatches(secret, challenge[field]))) return yield* notFound()
      const now = yield* Clock.currentTimeMillis
      return { challenge: yield* settle(challenge, now), now }
    })

  // ---- init

  const create = (input: QrInitInput, attemptsLeft: number): Effect.Effect<QrInitResult, QrChallengeStoreError> =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const challengeId = QrChallengeId.make(yield* token(QR_CHALLENGE_ID_BYTES))
      const scanKey = yield* token(QR_SCAN_KEY_BYTES)
      const pollSecret = yield* token(QR_POLL_SECRET_BYTES)
      const challenge = new QrChallenge({
        challengeId,
        scanKeyHash: yield* sha256Hex(scanKey),
        pollSecretHash: yield* sha256Hex(pollSecret),
        status: "pending",
        createdAt: now,
        expiresAt: now + config.ttl,
        updatedAt: now,
        requester: new QrRequester({
          ip: input.ip.slice(0, QR_MAX_IP_LENGTH),
          userAgent: input.userAgent.slice(0, QR_MAX_USER_AGENT_LENGTH),
          createdAt: now
        }),
        scannedBy: null,
        approvedBy: null
      })
      const created = yield* store.create(challenge).pipe(
        Effect.as(true),
        Effect.catchTag("Conflict", () => Effect.succeed(false))
      )
      if (!created) {
        // 128 random bits colliding means the randomness is broken, not bad luck.
        if (attemptsLeft <= 0) {
          return yield* new QrChallengeStoreError({ reason: new Unexpected({ message: "challenge id collision" }) })
        }
        return yield* create(input, attemptsLeft - 1)
      }
      const qrPayload = `${baseUrl}${config.approvePath}?c=${encodeURIComponent(challengeId)}&k=${
        encodeURIComponent(scanKey)
      }`
      return new QrInitResult({ challengeId, qrPayload, pollSecret, expiresAt: challenge.expiresAt })
    })

  const init = Effect.fn("QrLogin.init")(function*(input: QrInitInput) {
    return yield* create(input, 2)
  })

  // ---- status

  const status = Effect.fn("QrLogin.status")(function*(challengeId: QrChallengeId) {
    const now = yield* Clock.currentTimeMillis
    return view(yield* reload(challengeId, now))
  })

  // ---- scan

  const scanStep = (
    userId: UserId,
    challenge: QrChallenge,
    now: number
  ): Effect.Effect<QrScanResult, NotFound | Conflict | Gone | QrChallengeStoreError> => {
    const scanned = () => Effect.succeed(new QrScanResult({ status: "scanned", requester: challenge.requester }))
    switch (challenge.status) {
      case "expired":
        return Effect.fail(gone())
      case "pending":
        return store.transition(challenge.challengeId, "pending", { status: "scanned", updatedAt: now, scannedBy: userId })
          .pipe(
            Effect.tap(publish),
            Effect.flatMap(scanned),
            Effect.catchTag("Conflict", () =>
              Effect.flatMap(reload(challenge.challengeId, now), (current) => scanStep(userId, current, now)))
          )
      case "scanned":
        return challenge.scannedBy === userId
          ? scanned()
          : Effect.fail(conflict("QrAlreadyScanned", "another user has scanned this QR code"))
      default:
        return Effect.fail(
          challenge.scannedBy === userId
            ? conflict("QrAlreadyDecided", `this QR login is already ${challenge.status}`)
            : conflict("QrAlreadyScanned", "another user has scanned this QR code")
        )
    }
  }

  const scan = Effect.fn("QrLogin.scan")(function*(actor: Actor, input: QrScanInput) {
    const { challenge, now } = yield* loadWithSecret(input.challengeId, input.scanKey, "scanKeyHash")
    return yield* scanStep(actor.userId, challenge, now)
  })

  // ---- approve / reject

  const decideStep = (
    userId: UserId,
    decision: "approved" | "rejected",
    challenge: QrChallenge,
    now: number
  ): Effect.Effect<QrDecisionResult, NotFound | Forbidden | Conflict | Gone | QrChallengeStoreError> => {
    const decided = () => Effect.succeed(new QrDecisionResult({ status: decision }))
    if (challenge.status === "expired") return Effect.fail(gone())
    if (challenge.scannedBy === null) {
      return Effect.fail(conflict("QrNotScanned", "scan the QR code before deciding"))
    }
    if (challenge.scannedBy !== userId) {
      return Effect.fail(new Forbidden({ code: "NotScanner", message: "only the user who scanned may decide" }))
    }
    switch (challenge.status) {
      case "scanned":
        return store.transition(challenge.challengeId, "scanned", {
          status: decision,
          updatedAt: now,
          ...(decision === "approved" ? { approvedBy: userId } : {})
        }).pipe(
          Effect.tap(publish),
          Effect.flatMap(decided),
          Effect.catchTag("Conflict", () =>
            Effect.flatMap(reload(challenge.challengeId, now), (current) => decideStep(userId, decision, current, now)))
        )
      case "approved":
        return decision === "approved" ? decided() : Effect.fail(conflict("QrAlreadyApproved", "already approved"))
      case "rejected":
        return decision === "rejected" ? decided() : Effect.fail(conflict("QrRejected", "already rejected"))
      default:
        return Effect.fail(conflict("QrAlreadyUsed", "this QR login has been used"))
    }
  }

  const approve = Effect.fn("QrLogin.approve")(function*(actor: Actor, input: QrDecisionInput) {
    const { challenge, now } = yield* loadWithSecret(input.challengeId, input.scanKey, "scanKeyHash")
    return yield* decideStep(actor.userId, "approved", challenge, now)
  })

  const reject = Effect.fn("QrLogin.reject")(function*(actor: Actor, input: QrDecisionInput) {
    const { challenge, now } = yield* loadWithSecret(input.challengeId, input.scanKey, "scanKeyHash")
    return yield* decideStep(actor.userId, "rejected", challenge, now)
  })

  // ---- exchange

  const exchangeStep = (
    challenge: QrChallenge,
    now: number
  ): Effect.Effect<
    TokenPair,
    NotFound | Conflict | Gone | QrChallengeStoreError | UserRepositoryError | SessionIssuerError
  > => {
    switch (challenge.status) {
      case "expired":
        return Effect.fail(gone())
      case "consumed":
        return Effect.fail(conflict("QrAlreadyUsed", "this QR login has been used"))
      case "rejected":
        return Effect.fail(conflict("QrRejected", "the QR login was rejected"))
      case "pending":
      case "scanned":
        return Effect.fail(conflict("QrNotApproved", "the QR login is not approved yet"))
      case "approved":
        return Effect.gen(function*() {
          const approvedBy = challenge.approvedBy
          if (approvedBy === null) {
            return yield* new QrChallengeStoreError({
              reason: new Unexpected({ message: "approved challenge without an approver" })
            })
          }
          // Read before the CAS, so a missing user does not burn the challenge.
          const record = yield* users.byId(approvedBy)
          if (Option.isNone(record)) return yield* NotFound.of("user")
          const won = yield* store.transition(challenge.challengeId, "approved", { status: "consumed", updatedAt: now })
            .pipe(
              Effect.map(Option.some),
              Effect.catchTag("Conflict", () => Effect.succeed(Option.none<QrChallenge>()))
            )
          if (Option.isNone(won)) return yield* exchangeStep(yield* reload(challenge.challengeId, now), now)
          yield* publish(won.value)
          return yield* sessions.issue(record.value.user)
        })
    }
  }

  const exchange = Effect.fn("QrLogin.exchange")(function*(input: QrExchangeInput) {
    const { challenge, now } = yield* loadWithSecret(input.challengeId, input.pollSecret, "pollSecretHash")
    return yield* exchangeStep(challenge, now)
  })

  // ---- watch

  const current = (challengeId: QrChallengeId) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => reload(challengeId, now))

  const watch = (challengeId: QrChallengeId): Stream.Stream<QrStatusView, NotFound | QrChallengeStoreError | QrEventsError> =>
    Stream.unwrap(Effect.gen(function*() {
      // Subscribe before the first read, so no change between the two is missed.
      const changes = yield* events.subscribe(challengeId)
      const first = yield* current(challengeId)
      if (isQrTerminal(first.status)) return Stream.make(view(first))
      const now = yield* Clock.currentTimeMillis
      let last = first.status
      const wakeUps = Stream.mergeAll([
        Stream.map(changes, () => undefined),
        Stream.fromEffect(Effect.sleep(Math.max(0, first.expiresAt - now))),
        Stream.tick(config.resyncInterval)
      ], { concurrency: "unbounded" })
      const updates = wakeUps.pipe(
        Stream.mapEffect(() => current(challengeId)),
        Stream.filter((challenge) => {
          if (!isQrStatusAfter(last, challenge.status)) return false
          last = challenge.status
          return true
        }),
        Stream.map(view),
        Stream.takeUntil((v) => isQrTerminal(v.status))
      )
      return Stream.prepend(updates, [view(first)])
    }))

  return QrLogin.of({ init, status, scan, approve, reject, exchange, watch })
})
