/**
 * A `/ws/chat` server scripted by the test, for ChatConnection's unit tests: every socket the
 * connection opens is recorded with the frames it sent, and the test plays the server — opens
 * it, answers with frames (including ones a correct server never sends: duplicates, gaps), drops
 * it. Paired with test/support/FakeClock.ts, which runs scheduled callbacks only when the test
 * advances it, so backoffs and ping timeouts are exact and no test waits on wall-clock time.
 */
import type { ChatSocketEvents, OpenChatSocket } from "../../src/features/chat/ChatSocket"

export interface ScriptedSocket {
  readonly url: string
  /** Frames the client sent, parsed. */
  readonly sent: Array<Record<string, unknown>>
  /** The close the client asked for, if it did. */
  closedByClient: { readonly code: number | undefined; readonly reason: string | undefined } | undefined
  readonly open: () => void
  readonly say: (frame: object) => void
  readonly sayRaw: (text: string) => void
  /** The server (or the network) closes the socket. */
  readonly drop: (code?: number) => void
}

export const makeScriptedChatServer = () => {
  const sockets: Array<ScriptedSocket> = []
  const open: OpenChatSocket = (url, events: ChatSocketEvents) => {
    const socket: ScriptedSocket = {
      url,
      sent: [],
      closedByClient: undefined,
      open: () => events.onOpen(),
      say: (frame) => events.onText(JSON.stringify(frame)),
      sayRaw: (text) => events.onText(text),
      drop: (code = 1006) => events.onClose(code, "")
    }
    sockets.push(socket)
    return {
      send: (text) => void socket.sent.push(JSON.parse(text) as Record<string, unknown>),
      close: (code, reason) => {
        socket.closedByClient = { code, reason }
      }
    }
  }
  return {
    open,
    sockets,
    /** The newest socket. */
    last: (): ScriptedSocket => {
      const socket = sockets.at(-1)
      if (socket === undefined) throw new Error("no socket was opened")
      return socket
    }
  }
}

let messageCounter = 0

/** A well-formed message (the ids in the shapes the frame schema requires). */
export const message = (roomId: string, seq: number, extra: Partial<{ senderId: string; body: string; clientMessageId: string }> = {}) => {
  const id = String(++messageCounter).padStart(10, "0")
  return {
    messageId: `01HZZZZZZZZZZZZZZZ${id.slice(-8)}`,
    roomId,
    seq,
    senderId: extra.senderId ?? "user-1",
    body: extra.body ?? `message ${seq}`,
    clientMessageId: extra.clientMessageId ?? `client-${id}`,
    sentAt: new Date(Date.UTC(2026, 10, 21, 6, 0, seq)).toISOString()
  }
}

/** Lets pending promise callbacks (the token lookup) run. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0))
