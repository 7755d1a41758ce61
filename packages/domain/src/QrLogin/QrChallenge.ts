/**
 * QR login (003): a desktop's login challenge that a logged-in phone scans and approves, and the
 * desktop then exchanges for tokens. The lifecycle is a small DAG — pending → scanned → approved →
 * consumed, with rejected and expired as the other ends — and every move is one compare-and-set on
 * `status`. Because no status is ever visited twice, a CAS on the status alone is free of ABA.
 * Secrets (the scan key in the QR, the poll secret the desktop keeps) are stored only as SHA-256.
 */
import { Schema } from "effect"
import { Millis, SECOND } from "../Millis.js"
import { UserId } from "../Users/User.js"

/** 128 random bits as unpadded base64url (22 characters); ids built by stores' tests may be longer. */
export const QrChallengeId = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9_-]{16,128}$/, { message: "must be 16-128 base64url characters" })
).pipe(Schema.brand("QrChallengeId"))
export type QrChallengeId = typeof QrChallengeId.Type

/** Bytes of entropy of a challenge id, a scan key and a poll secret. */
export const QR_CHALLENGE_ID_BYTES = 16
export const QR_SCAN_KEY_BYTES = 16
export const QR_POLL_SECRET_BYTES = 32

/** How long a challenge can be scanned, approved and exchanged. */
export const QR_CHALLENGE_TTL = 120 * SECOND

export const QrStatus = Schema.Literals(["pending", "scanned", "approved", "consumed", "rejected", "expired"])
export type QrStatus = typeof QrStatus.Type

/**
 * The legal moves. A desktop's challenge ends in exactly one of the terminal states; a phone may
 * only act on a scanned challenge, and only a scanned one can be rejected.
 */
export const qrTransitions: { readonly [S in QrStatus]: ReadonlyArray<QrStatus> } = {
  pending: ["scanned", "expired"],
  scanned: ["approved", "rejected", "expired"],
  approved: ["consumed", "expired"],
  consumed: [],
  rejected: [],
  expired: []
}

export const isLegalQrTransition = (from: QrStatus, to: QrStatus): boolean => qrTransitions[from].includes(to)

/** consumed, rejected and expired: nothing moves a challenge out of them. */
export const isQrTerminal = (status: QrStatus): boolean => qrTransitions[status].length === 0

/** Whether `to` lies strictly after `from` on some legal path (so a watcher only moves forward). */
export const isQrStatusAfter = (from: QrStatus, to: QrStatus): boolean =>
  qrTransitions[from].some((next) => next === to || isQrStatusAfter(next, to))

/** Where the login request came from, shown on the phone before the user approves. */
export class QrRequester extends Schema.Class<QrRequester>("@app/domain/QrLogin/QrRequester")({
  ip: Schema.String,
  userAgent: Schema.String,
  createdAt: Millis
}) {}

export class QrChallenge extends Schema.Class<QrChallenge>("@app/domain/QrLogin/QrChallenge")({
  challengeId: QrChallengeId,
  /** SHA-256 (hex) of the scan key carried in the QR payload. */
  scanKeyHash: Schema.String,
  /** SHA-256 (hex) of the poll secret only the desktop holds. */
  pollSecretHash: Schema.String,
  status: QrStatus,
  createdAt: Millis,
  /** createdAt + 120 s; also the TTL hint for stores that garbage-collect. */
  expiresAt: Millis,
  updatedAt: Millis,
  requester: QrRequester,
  scannedBy: Schema.NullOr(UserId),
  approvedBy: Schema.NullOr(UserId)
}) {}

/**
 * The fields a transition writes together with the new status. Omitted fields keep their value.
 */
export interface QrTransition {
  readonly status: QrStatus
  readonly updatedAt: number
  readonly scannedBy?: UserId
  readonly approvedBy?: UserId
}

/** The challenge after `next` is applied: what every store must write. */
export const applyQrTransition = (challenge: QrChallenge, next: QrTransition): QrChallenge =>
  new QrChallenge({
    ...challenge,
    status: next.status,
    updatedAt: next.updatedAt,
    ...(next.scannedBy === undefined ? {} : { scannedBy: next.scannedBy }),
    ...(next.approvedBy === undefined ? {} : { approvedBy: next.approvedBy })
  })

/** What pollers and watchers see: the status and the deadline, nothing secret. */
export class QrStatusView extends Schema.Class<QrStatusView>("@app/domain/QrLogin/QrStatusView")({
  status: QrStatus,
  expiresAt: Millis
}) {}

/** A challenge that has not ended but whose deadline has passed at `now` must move to expired. */
export const isQrOverdue = (challenge: QrChallenge, now: number): boolean =>
  !isQrTerminal(challenge.status) && now >= challenge.expiresAt
