/**
 * One open room, outside React: its history (the newest page first, older pages on demand), its
 * live messages (through ChatConnection, from the newest seq the history showed), and the
 * messages this user is sending. Everything lands in one timeline keyed by seq, so a message that
 * arrives twice — in a history page and live, as the answer to a send and live, in a replay after
 * a reconnect — is shown once, and the timeline is always in seq order.
 *
 * Sending: each message gets its clientMessageId before the first attempt and keeps it for every
 * retry, so the server (which answers a repeated clientMessageId with the original) never stores
 * it twice. A message is "sending" until its answer or its live copy arrives; a failed attempt
 * is "failed" and is retried by the user, or automatically when the connection comes back (unless
 * the server refused it for good, e.g. a 400 or 404).
 */
import { ApiProblem } from "@app/api"
import type { ConnectionState, RoomRefusal } from "./ChatConnection"
import type { ChatMessage, ChatMessagePage } from "./ChatMessage"

/** What the session needs of the HTTP API (the session's client in the app, anything in tests). */
export interface ChatRoomApi {
  readonly listMessages: (roomId: string, query: { readonly before?: number; readonly limit: number }) => Promise<ChatMessagePage>
  readonly sendMessage: (roomId: string, body: { readonly body: string; readonly clientMessageId: string }) => Promise<ChatMessage>
}

/** What the session needs of the connection. */
export interface ChatRoomConnection {
  readonly watchRoom: (roomId: string, after: number, handlers: {
    readonly onMessage: (message: ChatMessage) => void
    readonly onSubscribed?: (after: number) => void
    readonly onRefused?: (refusal: RoomRefusal) => void
  }) => () => void
  readonly getState: () => ConnectionState
  readonly subscribeState: (listener: () => void) => () => void
}

export interface OutgoingMessage {
  readonly clientMessageId: string
  readonly body: string
  readonly status: "sending" | "failed"
  readonly error: unknown
  /** False when the server refused the message itself (4xx): retrying would get the same answer. */
  readonly retryable: boolean
}

export type LoadState =
  | { readonly status: "loading" }
  | { readonly status: "ready" }
  | { readonly status: "error"; readonly error: unknown }

export interface ChatRoomSnapshot {
  /** Confirmed messages, by seq ascending, each once. */
  readonly messages: ReadonlyArray<ChatMessage>
  /** This user's messages not confirmed yet, in the order they were written. */
  readonly outgoing: ReadonlyArray<OutgoingMessage>
  /** The first (newest) history page. */
  readonly history: LoadState
  /** Older pages: "ready" when idle. */
  readonly older: LoadState
  /** Whether older messages remain to be loaded. */
  readonly hasOlder: boolean
  /** The live subscription: pending until the first `subscribed`, refused for good after a refusal. */
  readonly live: { readonly status: "pending" | "subscribed" } | { readonly status: "refused"; readonly refusal: RoomRefusal }
}

export interface ChatRoomSessionOptions {
  readonly roomId: string
  readonly myUserId: string
  readonly api: ChatRoomApi
  readonly connection: ChatRoomConnection
  readonly newClientMessageId: () => string
  /** Messages per history page (default 50, at most 100). */
  readonly pageSize?: number
}

export interface ChatRoomSession {
  /** Loads the newest page (once) and follows the room live; again after stop(). */
  readonly start: () => void
  readonly stop: () => void
  readonly getSnapshot: () => ChatRoomSnapshot
  readonly subscribe: (listener: () => void) => () => void
  /** Loads the next older page, if any and none is loading. */
  readonly loadOlder: () => void
  /** Tries the first page again after it failed. */
  readonly retryHistory: () => void
  /** Sends a new message; returns its clientMessageId. */
  readonly send: (body: string) => string
  /** Sends a failed message again, with the same clientMessageId. */
  readonly retry: (clientMessageId: string) => void
  /** Retries every failed message that may succeed now. */
  readonly retryFailed: () => void
  /** Forgets a failed message (the user gave up on it). */
  readonly discard: (clientMessageId: string) => void
}

/** Refusals a retry cannot change (the body is invalid, the room is gone, not a member). */
const isFinalRefusal = (error: unknown) =>
  error instanceof ApiProblem && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429

export const makeChatRoomSession = (options: ChatRoomSessionOptions): ChatRoomSession => {
  const { api, connection, roomId } = options
  const pageSize = Math.min(100, options.pageSize ?? 50)
  const bySeq = new Map<number, ChatMessage>()
  let outgoing: ReadonlyArray<OutgoingMessage> = []
  let olderCursor: number | null = null
  let snapshot: ChatRoomSnapshot = {
    messages: [],
    outgoing: [],
    history: { status: "loading" },
    older: { status: "ready" },
    hasOlder: false,
    live: { status: "pending" }
  }
  const listeners = new Set<() => void>()
  let running = false
  let unwatch: (() => void) | undefined
  let unsubscribeState: (() => void) | undefined
  // History answers are kept whenever they land (they are true whether or not the room is still
  // shown); a stop and start in between, as React's StrictMode does, does not ask twice.
  let newestInFlight = false

  const publish = (changes: Partial<ChatRoomSnapshot>) => {
    snapshot = { ...snapshot, ...changes }
    for (const listener of [...listeners]) listener()
  }

  const sortedMessages = () => [...bySeq.values()].sort((a, b) => a.seq - b.seq)

  /** Adds confirmed messages (any order, duplicates welcome) and settles this user's sends among them. */
  const confirm = (messages: ReadonlyArray<ChatMessage>) => {
    let added = false
    const mine = new Set<string>()
    for (const message of messages) {
      if (message.roomId !== roomId) continue
      if (!bySeq.has(message.seq)) {
        bySeq.set(message.seq, message)
        added = true
      }
      if (message.senderId === options.myUserId) mine.add(message.clientMessageId)
    }
    const settled = outgoing.filter((m) => !mine.has(m.clientMessageId))
    const outgoingChanged = settled.length !== outgoing.length
    outgoing = settled
    if (added || outgoingChanged) publish({ messages: added ? sortedMessages() : snapshot.messages, outgoing })
  }

  /**
   * The seq up to which the room is known without a gap: the newest of the first history page,
   * then each live message. Not the answers to sends — the messages just before one of those may
   * still be on their way — so following again (after a stop and start) misses nothing.
   */
  let followedSeq = 0

  const watch = () => {
    if (unwatch !== undefined || !running) return
    unwatch = connection.watchRoom(roomId, followedSeq, {
      onMessage: (message) => {
        followedSeq = message.seq
        confirm([message])
      },
      onSubscribed: () => {
        if (snapshot.live.status !== "subscribed") publish({ live: { status: "subscribed" } })
      },
      onRefused: (refusal) => {
        unwatch = undefined
        publish({ live: { status: "refused", refusal } })
      }
    })
  }

  const loadNewest = () => {
    if (newestInFlight) return
    newestInFlight = true
    publish({ history: { status: "loading" } })
    api.listMessages(roomId, { limit: pageSize }).then(
      (page) => {
        newestInFlight = false
        olderCursor = page.nextCursor
        followedSeq = Math.max(followedSeq, ...page.messages.map((m) => m.seq))
        confirm(page.messages)
        publish({ history: { status: "ready" }, hasOlder: olderCursor !== null })
        // Live from the newest seq shown: whatever was sent since the page was read is replayed.
        watch()
      },
      (error: unknown) => {
        newestInFlight = false
        publish({ history: { status: "error", error } })
      }
    )
  }

  const attempt = (clientMessageId: string) => {
    const entry = outgoing.find((m) => m.clientMessageId === clientMessageId)
    if (entry === undefined) return
    const update = (changes: Partial<OutgoingMessage>) => {
      outgoing = outgoing.map((m) => (m.clientMessageId === clientMessageId ? { ...m, ...changes } : m))
      publish({ outgoing })
    }
    update({ status: "sending", error: undefined, retryable: true })
    api.sendMessage(roomId, { body: entry.body, clientMessageId }).then(
      (message) => confirm([message]),
      (error: unknown) => {
        // Its live copy may have arrived meanwhile (the answer was lost, the message was not).
        if (outgoing.some((m) => m.clientMessageId === clientMessageId)) {
          update({ status: "failed", error, retryable: !isFinalRefusal(error) })
        }
      }
    )
  }

  const retryFailed = () => {
    for (const m of outgoing) if (m.status === "failed" && m.retryable) attempt(m.clientMessageId)
  }

  let lastConnectionStatus = connection.getState().status
  const onConnectionState = () => {
    const status = connection.getState().status
    // Back online: what failed while the connection was down is sent again.
    if (status === "open" && lastConnectionStatus !== "open") retryFailed()
    lastConnectionStatus = status
  }

  return {
    start: () => {
      if (running) return
      running = true
      lastConnectionStatus = connection.getState().status
      unsubscribeState = connection.subscribeState(onConnectionState)
      if (snapshot.history.status === "ready") watch()
      else loadNewest()
    },
    stop: () => {
      if (!running) return
      running = false
      unwatch?.()
      unwatch = undefined
      unsubscribeState?.()
      unsubscribeState = undefined
    },
    getSnapshot: () => snapshot,
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    loadOlder: () => {
      if (!running || olderCursor === null || snapshot.older.status === "loading" || snapshot.history.status !== "ready") return
      publish({ older: { status: "loading" } })
      api.listMessages(roomId, { before: olderCursor, limit: pageSize }).then(
        (page) => {
          olderCursor = page.nextCursor
          confirm(page.messages)
          publish({ older: { status: "ready" }, hasOlder: olderCursor !== null })
        },
        (error: unknown) => publish({ older: { status: "error", error } })
      )
    },
    retryHistory: () => {
      if (running && snapshot.history.status === "error") loadNewest()
    },
    send: (body) => {
      const clientMessageId = options.newClientMessageId()
      outgoing = [...outgoing, { clientMessageId, body, status: "sending", error: undefined, retryable: true }]
      publish({ outgoing })
      attempt(clientMessageId)
      return clientMessageId
    },
    retry: (clientMessageId) => {
      const entry = outgoing.find((m) => m.clientMessageId === clientMessageId)
      if (entry?.status === "failed") attempt(clientMessageId)
    },
    retryFailed,
    discard: (clientMessageId) => {
      const entry = outgoing.find((m) => m.clientMessageId === clientMessageId)
      if (entry?.status !== "failed") return
      outgoing = outgoing.filter((m) => m !== entry)
      publish({ outgoing })
    }
  }
}
