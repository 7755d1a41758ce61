/**
 * The chat WebSocket as ChatConnection needs it: open a URL, hear open / text frames / close, send
 * text, close. Narrower than the DOM WebSocket so tests hand ChatConnection a fake (happy-dom's
 * WebSocket cannot reach the in-process API), and the browser one is a thin wrapper.
 */

export interface ChatSocketEvents {
  readonly onOpen: () => void
  readonly onText: (text: string) => void
  /** The socket is closed (after an error too); called once. */
  readonly onClose: (code: number, reason: string) => void
}

export interface ChatSocket {
  readonly send: (text: string) => void
  readonly close: (code?: number, reason?: string) => void
}

export type OpenChatSocket = (url: string, events: ChatSocketEvents) => ChatSocket

/**
 * The URL of `/ws/chat`: on the API's origin when the app is built with VITE_API_BASE_URL, else on
 * the page's own; `ws:` for `http:`, `wss:` for `https:`.
 */
export const chatSocketUrl = (apiBaseUrl: string, pageUrl: string): string => {
  const url = new URL("/ws/chat", apiBaseUrl === "" ? pageUrl : apiBaseUrl)
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:"
  return url.href
}

/** The browser's WebSocket behind the ChatSocket interface. */
export const openBrowserChatSocket: OpenChatSocket = (url, events) => {
  const socket = new WebSocket(url)
  let closed = false
  const closedOnce = (code: number, reason: string) => {
    if (closed) return
    closed = true
    events.onClose(code, reason)
  }
  socket.addEventListener("open", () => events.onOpen())
  socket.addEventListener("message", (event: MessageEvent) => {
    if (typeof event.data === "string") events.onText(event.data)
  })
  socket.addEventListener("close", (event: CloseEvent) => closedOnce(event.code, event.reason))
  // An error is always followed by a close event; the close carries the code.
  return {
    send: (text) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(text)
    },
    close: (code, reason) => {
      try {
        socket.close(code, reason)
      } catch {
        socket.close()
      }
    }
  }
}
