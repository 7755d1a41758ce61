/**
 * The desktop side of QR login, wired to the API: starts a challenge (`qr.init`), follows its
 * status (QrStatusWatch: SSE, or polling), exchanges the poll secret once it is approved and signs
 * in with the tokens. The moves themselves are QrLoginState's; this hook only runs the effects.
 *
 * Under React's StrictMode effects run twice in development: the init and the exchange are guarded
 * by refs (never cancelled, their results dispatched) so one challenge is made per attempt and the
 * one-time exchange is not spent twice.
 */
import { ApiProblem } from "@app/api"
import { useCallback, useEffect, useReducer, useRef, useState } from "react"
import { apiBaseUrl } from "../../ApiBaseUrl"
import { usePublicApiClient, useSessionManager } from "../../session/SessionContext"
import { initialQrLoginState, type QrLoginState, reduceQrLogin } from "./QrLoginState"
import { hasEventSource, watchQrStatus } from "./QrStatusWatch"

/**
 * How long after the deadline the page gives up by itself when no `expired` status came (the
 * server says so at the deadline; this only covers a lost connection).
 */
const DEADLINE_GRACE_MS = 3_000

/**
 * Server time minus this browser's, from the init answer's Date header (second resolution, so
 * differences under 2 s are taken as none); 0 when the header is not readable (cross-origin).
 */
const clockOffsetOf = (headers: Headers, receivedAt: number): number => {
  const date = headers.get("date")
  const serverNow = date === null ? NaN : Date.parse(date)
  if (Number.isNaN(serverNow)) return 0
  const offset = serverNow - receivedAt
  return Math.abs(offset) < 2_000 ? 0 : offset
}

export interface QrLogin {
  readonly state: QrLoginState
  /** Server time minus browser time, for the countdown. */
  readonly clockOffsetMs: number
  /** Starts over with a new challenge (after it ended or failed). */
  readonly restart: () => void
}

export const useQrLogin = (): QrLogin => {
  const api = usePublicApiClient()
  const manager = useSessionManager()
  const [state, dispatch] = useReducer(reduceQrLogin, initialQrLoginState)
  const [attempt, setAttempt] = useState(0)
  const [clockOffsetMs, setClockOffsetMs] = useState(0)
  const initStartedFor = useRef<number | undefined>(undefined)
  const exchangeStartedFor = useRef<string | undefined>(undefined)

  // A new challenge per attempt.
  useEffect(() => {
    if (state.phase !== "starting" || initStartedFor.current === attempt) return
    initStartedFor.current = attempt
    void (async () => {
      try {
        const answer = await api.request("qr.init")
        if (answer.status !== 201) throw new ApiProblem(answer.status, answer.body as ApiProblem["problem"], answer.headers)
        const body = answer.body as { challengeId: string; qrPayload: string; pollSecret: string; expiresAt: string }
        setClockOffsetMs(clockOffsetOf(answer.headers, Date.now()))
        dispatch({
          type: "started",
          challenge: { challengeId: body.challengeId, qrPayload: body.qrPayload, pollSecret: body.pollSecret, expiresAt: Date.parse(body.expiresAt) },
          transport: hasEventSource() ? "events" : "polling"
        })
      } catch (error) {
        dispatch({ type: "failed", error })
      }
    })()
  }, [api, attempt, state.phase])

  // The status, while the code is shown.
  const watchedId = state.phase === "waiting" ? state.challenge.challengeId : undefined
  useEffect(() => {
    if (watchedId === undefined) return
    return watchQrStatus({
      eventsUrl: new URL(`/api/qr/sse/${encodeURIComponent(watchedId)}`, apiBaseUrl || window.location.href).href,
      readStatus: () => api.call("qr.status", { params: { challengeId: watchedId } }),
      onUpdate: (update) => dispatch({ type: "status", challengeId: watchedId, status: update.status, expiresAt: update.expiresAt }),
      onPolling: () => dispatch({ type: "transport", challengeId: watchedId, transport: "polling" }),
      eventSource: hasEventSource() ? globalThis.EventSource : undefined
    })
  }, [api, watchedId])

  // Giving up by itself a little after the deadline.
  const deadline = state.phase === "waiting" ? state.challenge.expiresAt : undefined
  useEffect(() => {
    if (watchedId === undefined || deadline === undefined) return
    const delay = Math.max(0, deadline - (Date.now() + clockOffsetMs) + DEADLINE_GRACE_MS)
    const timer = setTimeout(() => dispatch({ type: "deadline-passed", challengeId: watchedId }), delay)
    return () => clearTimeout(timer)
  }, [watchedId, deadline, clockOffsetMs])

  // Approved: the poll secret for tokens, once.
  const approved = state.phase === "signing-in" ? state.challenge : undefined
  useEffect(() => {
    if (approved === undefined || exchangeStartedFor.current === approved.challengeId) return
    exchangeStartedFor.current = approved.challengeId
    api.call("qr.exchange", { body: { challengeId: approved.challengeId, pollSecret: approved.pollSecret } }).then(
      (tokens) => {
        manager.signIn(tokens)
        dispatch({ type: "exchanged" })
      },
      (error: unknown) => {
        if (error instanceof ApiProblem && error.status === 410) dispatch({ type: "exchange-refused", outcome: "expired" })
        else if (error instanceof ApiProblem && error.status === 409) {
          dispatch({ type: "exchange-refused", outcome: error.problem.code === "QrRejected" ? "rejected" : "consumed" })
        } else dispatch({ type: "failed", error })
      }
    )
  }, [api, manager, approved])

  const restart = useCallback(() => {
    setAttempt((n) => n + 1)
    dispatch({ type: "restart" })
  }, [])

  return { state, clockOffsetMs, restart }
}
