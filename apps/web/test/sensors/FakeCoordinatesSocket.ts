/** A socket the test plays the server of: it sees what the client sent and answers frame by frame. */
import type { CoordinatesSocket } from "../../src/features/sensors/CoordinatesConnection"

export interface FakeCoordinatesSocket extends CoordinatesSocket {
  readonly url: string
  readonly sent: Array<Record<string, unknown>>
  closedWith: { readonly code?: number | undefined; readonly reason?: string | undefined } | undefined
  /** The server side: the socket opened / a frame arrives / the socket closed. */
  readonly serverOpen: () => void
  readonly serverSend: (frame: unknown) => void
  readonly serverClose: (code: number, reason?: string) => void
}

export const makeFakeSockets = () => {
  const sockets: Array<FakeCoordinatesSocket> = []
  const openSocket = (url: string): FakeCoordinatesSocket => {
    const socket: FakeCoordinatesSocket = {
      url,
      sent: [],
      closedWith: undefined,
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
      send: (data) => void socket.sent.push(JSON.parse(data) as Record<string, unknown>),
      close: (code, reason) => {
        socket.closedWith = { code, reason }
      },
      serverOpen: () => socket.onopen?.({}),
      serverSend: (frame) => socket.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) }),
      serverClose: (code, reason = "") => socket.onclose?.({ code, reason })
    }
    sockets.push(socket)
    return socket
  }
  return { sockets, openSocket, last: () => sockets[sockets.length - 1]! }
}
