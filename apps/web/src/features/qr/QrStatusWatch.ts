/**
 * Following a QR challenge's status: the server's event stream (`GET /api/qr/sse/{id}`,
 * `event: status` with `{status, expiresAt}`) where the browser has EventSource, and polling the
 * status route every 2 s where it has none or the stream fails (a proxy that buffers it, a network
 * that drops it). EventSource would reconnect by itself, but a stream that fails once is likely to
 * fail again, and polling always works. The caller stops watching once it has what it waits for.
 */
import { ApiProblem } from "@app/api"
import { isQrStatus, type QrStatus } from "./QrLoginState"

export const QR_POLL_INTERVAL_MS = 2_000

export interface QrStatusUpdate {
  readonly status: QrStatus
  /** Epoch ms, when the update carried a readable one. */
  readonly expiresAt: number | undefined
}

export interface QrStatusWatchOptions {
  /** The event stream's URL (absolute, or relative to the page). */
  readonly eventsUrl: string
  /** One read of the status route. */
  readonly readStatus: () => Promise<{ readonly status: string; readonly expiresAt: string }>
  readonly onUpdate: (update: QrStatusUpdate) => void
  /** Told when the watch falls back to polling. */
  readonly onPolling?: () => void
  readonly pollIntervalMs?: number
  /** The EventSource constructor; undefined where the browser has none (then it polls from the start). */
  readonly eventSource?: typeof EventSource | undefined
}

/** The status and deadline of an event's data or a status answer; undefined for anything else. */
export const parseQrStatusUpdate = (value: unknown): QrStatusUpdate | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const { status, expiresAt } = value as Record<string, unknown>
  if (!isQrStatus(status)) return undefined
  const deadline = typeof expiresAt === "string" ? Date.parse(expiresAt) : NaN
  return { status, expiresAt: Number.isNaN(deadline) ? undefined : deadline }
}

/** Whether a watch can use an event stream in this environment. */
export const hasEventSource = (): boolean => typeof globalThis.EventSource === "function"

/** Starts watching; returns the function that stops it. */
export const watchQrStatus = (options: QrStatusWatchOptions): (() => void) => {
  const interval = options.pollIntervalMs ?? QR_POLL_INTERVAL_MS
  let stopped = false
  let source: EventSource | undefined
  let timer: ReturnType<typeof setTimeout> | undefined

  const deliver = (update: QrStatusUpdate | undefined) => {
    if (!stopped && update !== undefined) options.onUpdate(update)
  }

  const poll = async () => {
    timer = undefined
    if (stopped) return
    try {
      deliver(parseQrStatusUpdate(await options.readStatus()))
    } catch (error) {
      // An unknown challenge will not come back (the store dropped it after its deadline).
      if (error instanceof ApiProblem && error.status === 404) {
        deliver({ status: "expired", expiresAt: undefined })
        return
      }
      // Offline or a server hiccup: the next poll may succeed before the deadline.
    }
    if (!stopped) timer = setTimeout(() => void poll(), interval)
  }

  const startPolling = () => {
    if (stopped) return
    options.onPolling?.()
    // Right away: an update may have been lost with the stream.
    void poll()
  }

  const EventSourceClass = options.eventSource
  if (EventSourceClass === undefined) {
    startPolling()
  } else {
    source = new EventSourceClass(options.eventsUrl)
    source.addEventListener("status", (event) => {
      try {
        deliver(parseQrStatusUpdate(JSON.parse((event as MessageEvent<string>).data)))
      } catch {
        // Not JSON: ignored; the next event or the fallback brings the status.
      }
    })
    source.onerror = () => {
      source?.close()
      source = undefined
      startPolling()
    }
  }

  return () => {
    stopped = true
    source?.close()
    source = undefined
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }
}
