/**
 * `/ws/chat` sockets for tests, served by the real chat session of the contract (@app/api's
 * runChatSession) in the in-process API's runtime: happy-dom's WebSocket cannot reach an
 * in-process server, so this stands in for the transport only — auth, subscriptions, replay and
 * live pushes are the server's own. Frames travel asynchronously (a microtask), in order, as
 * over a socket. A test can drop every socket as the network (or a server restart) would.
 */
import { type RealtimeConnection, runChatSession } from "@app/api"
import { type Cause, Effect, Fiber, Queue } from "effect"
import type { ChatSocket, OpenChatSocket } from "../../src/features/chat/ChatSocket"
import type { TestApi } from "../support/TestApi"

export interface InProcessChatSockets {
  readonly open: OpenChatSocket
  /** How many sockets were opened so far. */
  readonly opened: () => number
  /** Every frame clients sent, parsed, in order. */
  readonly clientFrames: Array<Record<string, unknown>>
  /** Closes every open socket as a network failure does (code 1006), without the client asking. */
  readonly dropAll: () => void
  /** While refusing, new sockets close right after opening (the server is unreachable). */
  readonly refuseConnections: (refuse: boolean) => void
}

export const makeInProcessChatSockets = (testApi: TestApi): InProcessChatSockets => {
  const live = new Set<() => void>()
  const clientFrames: Array<Record<string, unknown>> = []
  let opened = 0
  let refusing = false

  const open: OpenChatSocket = (_url, events) => {
    opened++
    let closed = false
    /** The server's session for this socket (set once it is forked, below). */
    const server: { fiber?: Fiber.Fiber<void> } = {}
    const incoming = Effect.runSync(Queue.unbounded<string, Cause.Done>())
    const finish = (code: number, reason: string) => {
      if (closed) return
      closed = true
      live.delete(drop)
      Queue.endUnsafe(incoming)
      if (server.fiber !== undefined) void Effect.runPromise(Fiber.interrupt(server.fiber))
      queueMicrotask(() => events.onClose(code, reason))
    }
    const drop = () => finish(1006, "")
    const connection: RealtimeConnection = {
      incoming,
      send: (text) => {
        if (!closed) queueMicrotask(() => closed || events.onText(text))
      },
      close: (code, reason) => finish(code, reason)
    }
    server.fiber = testApi.api.runtime.runFork(runChatSession(connection))
    live.add(drop)
    queueMicrotask(() => {
      if (refusing) drop()
      else if (!closed) events.onOpen()
    })
    const socket: ChatSocket = {
      send: (text) => {
        if (closed) return
        clientFrames.push(JSON.parse(text) as Record<string, unknown>)
        Queue.offerUnsafe(incoming, text)
      },
      close: (code = 1000, reason = "") => finish(code, reason)
    }
    return socket
  }

  return {
    open,
    opened: () => opened,
    clientFrames,
    dropAll: () => {
      for (const drop of [...live]) drop()
    },
    refuseConnections: (refuse) => {
      refusing = refuse
    }
  }
}
