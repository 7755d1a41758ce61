/**
 * packages/api's realtime test clients as the tests of whole server processes use them: a chat
 * WebSocket already authenticated, and the QR status event stream read as parsed statuses. Their
 * deadlines are longer (10 s) than in-process tests need, as a separate process on a busy machine
 * answers later.
 */
import {
  openSocket,
  openSse,
  type SocketClient,
  type SseClient
} from "../../../../packages/api/test/support/RealtimeTestClients.js"

const FRAME_TIMEOUT_MS = 10_000

export type ChatSocket = SocketClient

/** A chat socket on `baseWsUrl` authenticated with `token` (its `authenticated` frame taken). */
export const openChat = async (baseWsUrl: string, token: string): Promise<ChatSocket> => {
  const socket = await openSocket(`${baseWsUrl}/ws/chat`, { timeoutMs: FRAME_TIMEOUT_MS })
  socket.send({ type: "auth", token })
  const ack = await socket.next()
  if (ack.type !== "authenticated") throw new Error(`expected authenticated, got ${JSON.stringify(ack)}`)
  return socket
}

export interface EventStream extends SseClient {
  /** The next `status` event's data, parsed; undefined once the stream ended. */
  readonly nextStatus: (timeoutMs?: number) => Promise<{ readonly status: string } | undefined>
}

/** Opens `url` as an event stream. */
export const openEventStream = async (url: string): Promise<EventStream> => {
  const stream = await openSse(url, { timeoutMs: FRAME_TIMEOUT_MS })
  return {
    ...stream,
    nextStatus: async (timeoutMs) => {
      const event = await stream.nextOfEvent("status", timeoutMs)
      return event === undefined ? undefined : (JSON.parse(event.data) as { status: string })
    }
  }
}
