/**
 * The `/ws/chat` client (API.md "Realtime"; frames in @app/api's RealtimeFrames), with no React so
 * it can be tested against a fake socket. It owns one socket at a time and every room watched
 * through it:
 *
 * - Handshake: the first frame is `{type:"auth", token}` with a fresh access token (asked for on
 *   every connect, so a reconnect after an hour does not send an expired one); each watched room
 *   is subscribed once the server answers `authenticated`.
 * - No gaps, no duplicates: per room it keeps `lastSeq`, the last seq handed to the room's
 *   handler. A subscribe always carries `after: lastSeq`, so the server replays exactly what was
 *   missed; a message at or below `lastSeq` (a replay overlapping what was seen) is dropped, and
 *   one beyond `lastSeq + 1` (a gap, which the server promises never to send) is dropped too and
 *   the room is subscribed again from `lastSeq`. The handler thus sees each seq once, in order.
 * - Reconnect: a socket that closes (or stops answering pings) is replaced after a backoff
 *   (ReconnectDelay), and every room resubscribes from its `lastSeq`. A room whose subscription
 *   failed on the server ("Unavailable") is resubscribed after a backoff too; a refusal
 *   (not a member, no such room) ends that room's watch and is reported.
 * - No token (logged out) stops reconnecting: the state says "signedOut".
 */
import { decodeChatServerFrame } from "@app/api"
import type { ChatMessage } from "./ChatMessage"
import type { ChatSocket, OpenChatSocket } from "./ChatSocket"
import { reconnectDelayMs } from "./ReconnectDelay"

export type ConnectionState =
  | { readonly status: "idle" }
  | { readonly status: "connecting"; readonly attempt: number }
  | { readonly status: "open" }
  /** Closed; the next attempt runs at `retryAt` (epoch ms). */
  | { readonly status: "waiting"; readonly attempt: number; readonly retryAt: number }
  /** No access token: logged out, nothing to reconnect with. */
  | { readonly status: "signedOut" }
  | { readonly status: "stopped" }

export interface RoomRefusal {
  readonly code: string
  readonly message: string
}

export interface RoomHandlers {
  /** Each message once, in seq order, with no gap after the watch's `after`. */
  readonly onMessage: (message: ChatMessage) => void
  /** The subscription is in place (again after every reconnect), continuing after `after`. */
  readonly onSubscribed?: (after: number) => void
  /** The server refused the room for good (not a member, no such room); the watch has ended. */
  readonly onRefused?: (refusal: RoomRefusal) => void
}

export interface ChatConnectionOptions {
  readonly url: string
  readonly openSocket: OpenChatSocket
  /** A valid access token (refreshed when about to expire); undefined when logged out. */
  readonly accessToken: () => Promise<string | undefined>
  /** Runs `run` after `delayMs`; returns a cancel function. Defaults to setTimeout. */
  readonly schedule?: (run: () => void, delayMs: number) => () => void
  readonly now?: () => number
  /** The wait before reconnect attempt `attempt` (0-based). Defaults to reconnectDelayMs. */
  readonly reconnectDelay?: (attempt: number) => number
  /** How often an open socket sends `{type:"ping"}` (default 25 s; 0 turns pings off). */
  readonly pingIntervalMs?: number
  /** How long a ping may go unanswered (no frame at all) before the socket is given up (default 10 s). */
  readonly pongTimeoutMs?: number
}

export interface ChatConnection {
  /** Connects (again, after stop), and keeps reconnecting until stop(). */
  readonly start: () => void
  /** Closes the socket and stops reconnecting; watched rooms stay registered for the next start. */
  readonly stop: () => void
  readonly getState: () => ConnectionState
  readonly subscribeState: (listener: () => void) => () => void
  /**
   * Follows a room from `after` (the last seq the caller has; 0 for everything): the handler gets
   * every later message once, in order, across reconnects. Returns the unwatch function.
   */
  readonly watchRoom: (roomId: string, after: number, handlers: RoomHandlers) => () => void
  /** The last seq delivered for a watched room. */
  readonly lastSeq: (roomId: string) => number | undefined
  /** Skips the remaining backoff (e.g. when the browser comes back online). */
  readonly reconnectNow: () => void
}

/** Close code for a socket the client gives up on (no pong): the 4000-4999 range is the application's. */
export const CLOSE_NO_PONG = 4000

/** Room errors that end a watch: asking again gets the same answer. */
const refusals = new Set(["NotFound", "Forbidden", "ValidationError", "TooManySubscriptions", "Unauthenticated"])

interface WatchedRoom {
  readonly roomId: string
  readonly handlers: RoomHandlers
  lastSeq: number
  /** A subscribe was sent on this socket and not acknowledged yet. */
  awaitingAck: boolean
  /** Consecutive "Unavailable" failures, for the resubscribe backoff. */
  failures: number
  cancelRetry: (() => void) | undefined
}

const defaultSchedule = (run: () => void, delayMs: number) => {
  const id = setTimeout(run, delayMs)
  return () => clearTimeout(id)
}

export const makeChatConnection = (options: ChatConnectionOptions): ChatConnection => {
  const schedule = options.schedule ?? defaultSchedule
  const now = options.now ?? (() => Date.now())
  const reconnectDelay = options.reconnectDelay ?? ((attempt: number) => reconnectDelayMs(attempt))
  const pingIntervalMs = options.pingIntervalMs ?? 25_000
  const pongTimeoutMs = options.pongTimeoutMs ?? 10_000

  const rooms = new Map<string, WatchedRoom>()
  const listeners = new Set<() => void>()
  let state: ConnectionState = { status: "idle" }
  let running = false
  let socket: ChatSocket | undefined
  /** Bumped for every socket: events of a replaced socket are ignored. */
  let generation = 0
  let authenticated = false
  /** Failed connects since the last successful handshake. */
  let attempt = 0
  let cancelReconnect: (() => void) | undefined
  let cancelPing: (() => void) | undefined
  let cancelPongWait: (() => void) | undefined

  const setState = (next: ConnectionState) => {
    state = next
    for (const listener of [...listeners]) listener()
  }

  const send = (frame: object) => socket?.send(JSON.stringify(frame))

  const subscribeRoom = (room: WatchedRoom) => {
    room.awaitingAck = true
    send({ type: "subscribe", roomId: room.roomId, after: room.lastSeq })
  }

  const clearTimers = () => {
    cancelReconnect?.()
    cancelReconnect = undefined
    cancelPing?.()
    cancelPing = undefined
    cancelPongWait?.()
    cancelPongWait = undefined
    for (const room of rooms.values()) {
      room.cancelRetry?.()
      room.cancelRetry = undefined
    }
  }

  /** Forgets the current socket (its late events are ignored from now on). */
  const dropSocket = () => {
    generation++
    socket = undefined
    authenticated = false
    clearTimers()
    for (const room of rooms.values()) room.awaitingAck = false
  }

  const scheduleReconnect = () => {
    if (!running) return
    const delay = reconnectDelay(attempt)
    attempt++
    setState({ status: "waiting", attempt, retryAt: now() + delay })
    cancelReconnect = schedule(() => {
      cancelReconnect = undefined
      void connect()
    }, delay)
  }

  const closed = () => {
    dropSocket()
    scheduleReconnect()
  }

  /** Pings every pingIntervalMs; a ping with no frame at all in pongTimeoutMs gives the socket up. */
  const armPing = (socketGeneration: number) => {
    if (pingIntervalMs <= 0) return
    cancelPing = schedule(() => {
      cancelPing = undefined
      if (socketGeneration !== generation) return
      send({ type: "ping" })
      cancelPongWait ??= schedule(() => {
        cancelPongWait = undefined
        if (socketGeneration !== generation) return
        // Nothing since the ping: the connection is dead even if the browser has not noticed yet.
        const dead = socket
        closed()
        dead?.close(CLOSE_NO_PONG, "no pong")
      }, pongTimeoutMs)
      armPing(socketGeneration)
    }, pingIntervalMs)
  }

  const deliver = (message: ChatMessage) => {
    const room = rooms.get(message.roomId)
    if (room === undefined) return
    if (message.seq <= room.lastSeq) return // a replay of what was already delivered
    if (message.seq > room.lastSeq + 1) {
      // A gap: ask for everything after what was delivered (once, until the server acknowledges).
      if (!room.awaitingAck) subscribeRoom(room)
      return
    }
    room.lastSeq = message.seq
    room.handlers.onMessage(message)
  }

  const roomFailed = (room: WatchedRoom, code: string, message: string) => {
    room.awaitingAck = false
    if (refusals.has(code)) {
      rooms.delete(room.roomId)
      room.handlers.onRefused?.({ code, message })
      return
    }
    // "Unavailable" (a store or bus failed on the server): subscribe again from lastSeq, later.
    const socketGeneration = generation
    const delay = reconnectDelay(room.failures)
    room.failures++
    room.cancelRetry?.()
    room.cancelRetry = schedule(() => {
      room.cancelRetry = undefined
      if (socketGeneration === generation && authenticated && rooms.get(room.roomId) === room) subscribeRoom(room)
    }, delay)
  }

  const onText = (socketGeneration: number, text: string) => {
    if (socketGeneration !== generation) return
    // Any frame shows the connection is alive.
    cancelPongWait?.()
    cancelPongWait = undefined
    const decoded = decodeChatServerFrame(text)
    if (decoded._tag === "Failure") return // not a frame of this protocol: ignored
    // The frame as sent (sentAt as ISO-8601, the REST shape), now known to be well formed.
    const frame = JSON.parse(text) as { readonly type: string } & Record<string, unknown>
    switch (decoded.success.type) {
      case "authenticated": {
        authenticated = true
        attempt = 0
        setState({ status: "open" })
        for (const room of rooms.values()) subscribeRoom(room)
        armPing(socketGeneration)
        return
      }
      case "subscribed": {
        const room = rooms.get(decoded.success.roomId)
        if (room === undefined) return
        room.awaitingAck = false
        room.failures = 0
        room.handlers.onSubscribed?.(decoded.success.after)
        return
      }
      case "message":
        return deliver(frame["message"] as ChatMessage)
      case "error": {
        const error = decoded.success
        const room = error.roomId === undefined ? undefined : rooms.get(error.roomId)
        if (room !== undefined) roomFailed(room, error.code, error.message)
        // Errors of the socket itself (a refused auth) are followed by the server closing it.
        return
      }
      case "pong":
      case "unsubscribed":
        return
    }
  }

  const connect = async () => {
    if (!running) return
    cancelReconnect?.()
    cancelReconnect = undefined
    const socketGeneration = ++generation
    setState({ status: "connecting", attempt })
    let token: string | undefined
    try {
      token = await options.accessToken()
    } catch {
      // The refresh failed for a network reason: try again later with the same backoff.
      if (socketGeneration === generation) closed()
      return
    }
    if (socketGeneration !== generation || !running) return
    if (token === undefined) {
      setState({ status: "signedOut" })
      return
    }
    try {
      socket = options.openSocket(options.url, {
        onOpen: () => {
          if (socketGeneration === generation) send({ type: "auth", token })
        },
        onText: (text) => onText(socketGeneration, text),
        onClose: () => {
          if (socketGeneration === generation) closed()
        }
      })
    } catch {
      closed()
    }
  }

  return {
    start: () => {
      if (running) return
      running = true
      attempt = 0
      void connect()
    },
    stop: () => {
      if (!running) return
      running = false
      const current = socket
      dropSocket()
      current?.close(1000, "done")
      setState({ status: "stopped" })
    },
    getState: () => state,
    subscribeState: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    watchRoom: (roomId, after, handlers) => {
      rooms.get(roomId)?.cancelRetry?.()
      const room: WatchedRoom = { roomId, handlers, lastSeq: after, awaitingAck: false, failures: 0, cancelRetry: undefined }
      rooms.set(roomId, room)
      if (authenticated) subscribeRoom(room)
      return () => {
        if (rooms.get(roomId) !== room) return
        room.cancelRetry?.()
        rooms.delete(roomId)
        if (authenticated) send({ type: "unsubscribe", roomId })
      }
    },
    lastSeq: (roomId) => rooms.get(roomId)?.lastSeq,
    reconnectNow: () => {
      if (running && state.status === "waiting") void connect()
    }
  }
}
