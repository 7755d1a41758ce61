/**
 * The live-positions socket (`/ws/coordinates`) of one team, without React, so it can be tested
 * against a fake socket and clock. It authenticates with a fresh access token (`{type:"auth"}`),
 * subscribes to the team once the server says "authenticated", and reports each `coordinates`
 * frame. Whenever the socket drops — network, server restart (1012), a refused token (4401, the
 * next attempt fetches a fresh one), a missed heartbeat — it reconnects with exponential backoff
 * and jitter, authenticates and subscribes again; the backoff resets once a subscription is in
 * place. A refusal that retrying cannot fix (not a member of the team, a bad frame) stops it.
 *
 * Browsers cannot send WebSocket pings, so liveness is the protocol's own `ping` frame: sent
 * every `heartbeat.intervalMs` while live, and a socket silent for `heartbeat.timeoutMs` after it
 * is treated as dropped (a half-open TCP connection never reports a close).
 */
import { decodeCoordinatesServerFrame } from "@app/api"

/** The part of a browser WebSocket used here (a fake one in tests). */
export interface CoordinatesSocket {
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { readonly data: unknown }) => void) | null
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}

export interface LivePosition {
  readonly deviceId: string
  readonly x: number
  readonly y: number
  /** When it was measured, epoch millis. */
  readonly ts: number
}

export type LiveState =
  /** The first connection is being made. */
  | { readonly status: "connecting" }
  /** Subscribed: positions arrive as they are measured. */
  | { readonly status: "live" }
  /** Dropped; the next attempt starts in `retryInMs` (attempt counts from 1). */
  | { readonly status: "reconnecting"; readonly attempt: number; readonly retryInMs: number }
  /** Given up for a reason retrying cannot fix (not a member, logged out). */
  | { readonly status: "stopped"; readonly reason: string }

export interface CoordinatesConnectionOptions {
  /** ws:// or wss:// URL of `/ws/coordinates`. */
  readonly url: string
  readonly teamId: string
  /** A valid access token (refreshed when needed); undefined when logged out. */
  readonly accessToken: () => Promise<string | undefined>
  readonly onPosition: (position: LivePosition) => void
  readonly onState: (state: LiveState) => void
  /** Opens a socket; defaults to `new WebSocket(url)`. */
  readonly openSocket?: (url: string) => CoordinatesSocket
  /** Runs `run` after `delayMs`; returns a cancel function. Defaults to setTimeout. */
  readonly schedule?: (run: () => void, delayMs: number) => () => void
  /** A number in [0, 1) for the jitter; defaults to Math.random. */
  readonly random?: () => number
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number }
  readonly heartbeat?: { readonly intervalMs: number; readonly timeoutMs: number }
}

export interface CoordinatesConnection {
  /** Closes the socket and stops reconnecting. */
  readonly close: () => void
  /** Skips the backoff wait (e.g. when the browser comes back online). */
  readonly reconnectNow: () => void
}

export const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000 } as const
export const DEFAULT_HEARTBEAT = { intervalMs: 25_000, timeoutMs: 10_000 } as const

/**
 * The wait before reconnect attempt `attempt` (1, 2, …): initial · 2^(attempt−1), capped, then
 * "equal jitter" — between half and all of it — so many clients dropped together do not return
 * together.
 */
export const backoffDelay = (attempt: number, backoff: { readonly initialMs: number; readonly maxMs: number }, random: number): number => {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + (ceiling / 2) * random)
}

const defaultSchedule = (run: () => void, delayMs: number) => {
  const id = setTimeout(run, delayMs)
  return () => clearTimeout(id)
}

/** Error codes after which retrying cannot help. */
const fatalCodes = new Set(["NotFound", "Forbidden", "TooManySubscriptions", "BadFrame", "ValidationError"])

export const connectCoordinates = (options: CoordinatesConnectionOptions): CoordinatesConnection => {
  const openSocket = options.openSocket ?? ((url: string) => new WebSocket(url) as unknown as CoordinatesSocket)
  const schedule = options.schedule ?? defaultSchedule
  const random = options.random ?? Math.random
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const heartbeat = options.heartbeat ?? DEFAULT_HEARTBEAT

  let closed = false
  let socket: CoordinatesSocket | undefined
  /** Failed attempts since the last successful subscription. */
  let attempt = 0
  let cancelRetry: (() => void) | undefined
  let cancelPing: (() => void) | undefined
  let cancelSilence: (() => void) | undefined
  let state: LiveState | undefined

  const setState = (next: LiveState) => {
    state = next
    options.onState(next)
  }

  const stopTimers = () => {
    cancelPing?.()
    cancelSilence?.()
    cancelPing = undefined
    cancelSilence = undefined
  }

  /** Forgets the current socket: its late events are ignored from now on. */
  const detach = () => {
    stopTimers()
    const old = socket
    socket = undefined
    if (old !== undefined) {
      old.onopen = null
      old.onmessage = null
      old.onclose = null
      old.onerror = null
      try {
        old.close(1000, "client closing")
      } catch {
        // Closing a socket that never opened may throw in some browsers; it is gone either way.
      }
    }
  }

  const stop = (reason: string) => {
    detach()
    cancelRetry?.()
    cancelRetry = undefined
    closed = true
    setState({ status: "stopped", reason })
  }

  const retryLater = () => {
    detach()
    if (closed) return
    attempt += 1
    const delay = backoffDelay(attempt, backoff, random())
    setState({ status: "reconnecting", attempt, retryInMs: delay })
    cancelRetry?.()
    cancelRetry = schedule(() => {
      cancelRetry = undefined
      void open()
    }, delay)
  }

  /** Any frame proves the socket alive: restart the silence timer. */
  const heard = () => {
    cancelSilence?.()
    cancelSilence = undefined
    if (state?.status !== "live") return
    cancelPing?.()
    cancelPing = schedule(() => {
      cancelPing = undefined
      send({ type: "ping" })
      cancelSilence = schedule(() => {
        cancelSilence = undefined
        retryLater()
      }, heartbeat.timeoutMs)
    }, heartbeat.intervalMs)
  }

  const send = (frame: unknown) => {
    try {
      socket?.send(JSON.stringify(frame))
    } catch {
      // A socket closing under us reports the close on its own.
    }
  }

  const onFrame = (text: string) => {
    const decoded = decodeCoordinatesServerFrame(text)
    if (decoded._tag === "Failure") return
    const frame = decoded.success
    switch (frame.type) {
      case "authenticated":
        send({ type: "subscribe", teamId: options.teamId })
        break
      case "subscribed":
        if (frame.teamId !== options.teamId) break
        attempt = 0
        setState({ status: "live" })
        break
      case "coordinates":
        if (frame.teamId === options.teamId) {
          options.onPosition({ deviceId: frame.deviceId, x: frame.x, y: frame.y, ts: frame.ts })
        }
        break
      case "error":
        if (frame.code === "Unauthenticated" || frame.code === "Unavailable") {
          // A refused token (the next attempt refreshes it) or a store/bus failure: start over.
          retryLater()
        } else if (fatalCodes.has(frame.code)) {
          stop(frame.code === "NotFound" ? "This team was not found, or you are not a member." : frame.message)
        }
        break
      case "pong":
      case "unsubscribed":
        break
    }
    heard()
  }

  const open = async () => {
    if (closed) return
    if (state === undefined) setState({ status: "connecting" })
    let token: string | undefined
    try {
      token = await options.accessToken()
    } catch {
      // The token could not be refreshed right now (network): try again later.
      if (!closed) retryLater()
      return
    }
    if (closed) return
    if (token === undefined) {
      stop("You are logged out.")
      return
    }
    let opened: CoordinatesSocket
    try {
      opened = openSocket(options.url)
    } catch {
      retryLater()
      return
    }
    socket = opened
    opened.onopen = () => send({ type: "auth", token })
    opened.onmessage = (event) => {
      if (typeof event.data === "string") onFrame(event.data)
    }
    opened.onerror = () => {
      // Always followed by a close event, which schedules the retry.
    }
    opened.onclose = () => {
      // Whatever the code — 1006 (network), 1012 (server restart), 4401 (the token expired
      // meanwhile: the next attempt takes a fresh one) — try again after the backoff.
      if (socket === opened) retryLater()
    }
  }

  void open()

  return {
    close: () => {
      if (closed) return
      closed = true
      cancelRetry?.()
      cancelRetry = undefined
      detach()
    },
    reconnectNow: () => {
      if (closed || cancelRetry === undefined) return
      cancelRetry()
      cancelRetry = undefined
      void open()
    }
  }
}
