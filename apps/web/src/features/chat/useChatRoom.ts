/**
 * A room's ChatRoomSession for React: made per room (and user), started while the room is shown,
 * its snapshot read with useSyncExternalStore.
 */
import { useEffect, useMemo, useSyncExternalStore } from "react"
import { useApiClient, useSession } from "../../session/SessionContext"
import { useChatConnection } from "./ChatConnectionContext"
import { makeChatRoomSession, type ChatRoomSession, type ChatRoomSnapshot } from "./ChatRoomSession"

export const useChatRoom = (roomId: string): { readonly session: ChatRoomSession; readonly snapshot: ChatRoomSnapshot } => {
  const api = useApiClient()
  const connection = useChatConnection()
  const myUserId = useSession()?.userId ?? ""
  const session = useMemo(
    () =>
      makeChatRoomSession({
        roomId,
        myUserId,
        connection,
        newClientMessageId: () => crypto.randomUUID(),
        api: {
          // Query parameters are strings on the wire.
          listMessages: (id, query) =>
            api.call("chat.listMessages", {
              params: { roomId: id },
              query: { limit: String(query.limit), ...(query.before === undefined ? {} : { before: String(query.before) }) }
            }),
          sendMessage: (id, body) => api.call("chat.sendMessage", { params: { roomId: id }, body })
        }
      }),
    [roomId, myUserId, connection, api]
  )
  useEffect(() => {
    session.start()
    return () => session.stop()
  }, [session])
  const snapshot = useSyncExternalStore(session.subscribe, session.getSnapshot)
  return { session, snapshot }
}
