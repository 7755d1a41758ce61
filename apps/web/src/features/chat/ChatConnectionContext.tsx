/**
 * One ChatConnection for the chat pages: made when /chat/* is entered, started while it is shown,
 * closed when the user leaves it. `ChatTransportProvider` says how sockets are opened and where;
 * the default is the browser's WebSocket at `/ws/chat` of the API's origin, and tests pass a fake.
 */
import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from "react"
import { apiBaseUrl } from "../../ApiBaseUrl"
import { useSessionManager } from "../../session/SessionContext"
import { makeChatConnection, type ChatConnection, type ConnectionState } from "./ChatConnection"
import { chatSocketUrl, openBrowserChatSocket, type OpenChatSocket } from "./ChatSocket"

export interface ChatTransport {
  readonly openSocket: OpenChatSocket
  /** The socket URL; computed from the API base URL and the page's location when absent. */
  readonly url?: string
  /** The wait before reconnect attempt n; ReconnectDelay's backoff when absent (tests shorten it). */
  readonly reconnectDelay?: (attempt: number) => number
}

const ChatTransportContext = createContext<ChatTransport>({ openSocket: openBrowserChatSocket })

export const ChatTransportProvider = ({ transport, children }: { readonly transport: ChatTransport; readonly children: ReactNode }) => (
  <ChatTransportContext.Provider value={transport}>{children}</ChatTransportContext.Provider>
)

const ChatConnectionContext = createContext<ChatConnection | undefined>(undefined)

export const ChatConnectionProvider = ({ children }: { readonly children: ReactNode }) => {
  const transport = useContext(ChatTransportContext)
  const manager = useSessionManager()
  const connection = useMemo(
    () =>
      makeChatConnection({
        url: transport.url ?? chatSocketUrl(apiBaseUrl, window.location.href),
        openSocket: transport.openSocket,
        ...(transport.reconnectDelay === undefined ? {} : { reconnectDelay: transport.reconnectDelay }),
        accessToken: () => manager.freshAccessToken()
      }),
    [transport, manager]
  )
  useEffect(() => {
    connection.start()
    // Back online: reconnect now rather than at the end of the backoff.
    const online = () => connection.reconnectNow()
    window.addEventListener("online", online)
    return () => {
      window.removeEventListener("online", online)
      connection.stop()
    }
  }, [connection])
  return <ChatConnectionContext.Provider value={connection}>{children}</ChatConnectionContext.Provider>
}

export const useChatConnection = (): ChatConnection => {
  const connection = useContext(ChatConnectionContext)
  if (connection === undefined) throw new Error("useChatConnection outside <ChatConnectionProvider>")
  return connection
}

export const useConnectionState = (): ConnectionState => {
  const connection = useChatConnection()
  return useSyncExternalStore(connection.subscribeState, connection.getState)
}
