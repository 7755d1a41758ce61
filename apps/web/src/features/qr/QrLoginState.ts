/**
 * The desktop side of QR login as a state machine, apart from React and the network so every move
 * can be tested on its own: a challenge is started and shown; its status arrives (over SSE or by
 * polling, possibly late, repeated or out of order — only forward moves count); approved means
 * exchanging the poll secret for tokens; rejected, expired and consumed end it, and "try again"
 * starts over with a new challenge.
 */

/** The challenge's statuses (API.md "QR login"). */
export type QrStatus = "pending" | "scanned" | "approved" | "consumed" | "rejected" | "expired"

export const QR_STATUSES: ReadonlyArray<QrStatus> = ["pending", "scanned", "approved", "consumed", "rejected", "expired"]

export const isQrStatus = (value: unknown): value is QrStatus => QR_STATUSES.includes(value as QrStatus)

/** How a challenge ended without logging this browser in. */
export type QrOutcome = "rejected" | "expired" | "consumed"

export interface QrChallengeView {
  readonly challengeId: string
  /** The URL in the QR code (the phone's approve page). */
  readonly qrPayload: string
  /** Only this browser holds it; never shown. */
  readonly pollSecret: string
  /** Epoch ms, on the server's clock. */
  readonly expiresAt: number
}

export type QrLoginState =
  | { readonly phase: "starting" }
  | {
    readonly phase: "waiting"
    readonly challenge: QrChallengeView
    readonly status: "pending" | "scanned"
    /** How the status arrives: an event stream, or polling after the stream failed. */
    readonly transport: "events" | "polling"
  }
  | { readonly phase: "signing-in"; readonly challenge: QrChallengeView }
  | { readonly phase: "signed-in" }
  | { readonly phase: "ended"; readonly outcome: QrOutcome }
  | { readonly phase: "failed"; readonly error: unknown }

export type QrLoginEvent =
  | { readonly type: "started"; readonly challenge: QrChallengeView; readonly transport: "events" | "polling" }
  | { readonly type: "status"; readonly challengeId: string; readonly status: QrStatus; readonly expiresAt?: number | undefined }
  | { readonly type: "transport"; readonly challengeId: string; readonly transport: "events" | "polling" }
  /** The countdown ran out and no status said so (the network may be down): nothing can succeed now. */
  | { readonly type: "deadline-passed"; readonly challengeId: string }
  | { readonly type: "exchanged" }
  | { readonly type: "exchange-refused"; readonly outcome: QrOutcome }
  | { readonly type: "failed"; readonly error: unknown }
  | { readonly type: "restart" }

export const initialQrLoginState: QrLoginState = { phase: "starting" }

const rank: Record<QrStatus, number> = { pending: 0, scanned: 1, approved: 2, consumed: 3, rejected: 3, expired: 3 }

const isCurrent = (state: QrLoginState, challengeId: string) => state.phase === "waiting" && state.challenge.challengeId === challengeId

export const reduceQrLogin = (state: QrLoginState, event: QrLoginEvent): QrLoginState => {
  switch (event.type) {
    case "restart":
      return initialQrLoginState
    case "started":
      return state.phase === "starting" ? { phase: "waiting", challenge: event.challenge, status: "pending", transport: event.transport } : state
    case "failed":
      return state.phase === "starting" || state.phase === "signing-in" ? { phase: "failed", error: event.error } : state
    case "transport":
      return isCurrent(state, event.challengeId) && state.phase === "waiting" ? { ...state, transport: event.transport } : state
    case "deadline-passed":
      return isCurrent(state, event.challengeId) ? { phase: "ended", outcome: "expired" } : state
    case "status": {
      if (state.phase !== "waiting" || state.challenge.challengeId !== event.challengeId) return state
      // A status older than the one shown (a slow poll, a replayed event) changes nothing.
      if (rank[event.status] < rank[state.status] || event.status === state.status) return state
      const challenge = event.expiresAt === undefined ? state.challenge : { ...state.challenge, expiresAt: event.expiresAt }
      switch (event.status) {
        case "pending":
        case "scanned":
          return { ...state, challenge, status: event.status }
        case "approved":
          return { phase: "signing-in", challenge }
        default:
          return { phase: "ended", outcome: event.status }
      }
    }
    case "exchanged":
      return state.phase === "signing-in" ? { phase: "signed-in" } : state
    case "exchange-refused":
      return state.phase === "signing-in" ? { phase: "ended", outcome: event.outcome } : state
  }
}
