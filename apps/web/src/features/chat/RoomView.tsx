/**
 * One open room: the connection's state, the message log (history, live messages, this user's
 * sends) and the send box. The senders' names come from the team's member list (loaded again
 * when a message comes from someone it does not know); a sender who has left the team is shown
 * as "Former member".
 */
import { useCallback, useEffect, useRef } from "react"
import { useSession } from "../../session/SessionContext"
import { ErrorState } from "../../ui/ErrorState"
import { Loading } from "../../ui/Loading"
import type { ChatRoom } from "./ChatMessage"
import { useMemberNames } from "./ChatQueries"
import { ConnectionStatus } from "./ConnectionStatus"
import { MessageComposer } from "./MessageComposer"
import { MessageLog } from "./MessageLog"
import { useChatRoom } from "./useChatRoom"

export const RoomView = ({ room }: { readonly room: ChatRoom }) => {
  const myUserId = useSession()?.userId ?? ""
  const { session, snapshot } = useChatRoom(room.roomId)
  const names = useMemberNames(room.teamId)
  // A sender the member list does not know yet (they joined after it was loaded): load it again,
  // once per unknown sender, so a sender who has left does not cause a refetch per render.
  const asked = useRef(new Set<string>())
  useEffect(() => {
    if (names.data === undefined || names.isFetching) return
    const unknown = snapshot.messages.map((m) => m.senderId).filter((id) => !names.data.has(id) && !asked.current.has(id))
    if (unknown.length === 0) return
    for (const id of unknown) asked.current.add(id)
    void names.refetch()
  }, [snapshot.messages, names])
  const nameOf = useCallback((userId: string) => names.data?.get(userId) ?? (names.isPending ? "…" : "Former member"), [names.data, names.isPending])
  const loadOlder = useCallback(() => session.loadOlder(), [session])
  const refused = snapshot.live.status === "refused" ? snapshot.live.refusal : undefined
  return (
    <section aria-labelledby="room-title" className="room">
      <div className="room-header">
        <h2 id="room-title"># {room.name}</h2>
        <ConnectionStatus />
      </div>
      {refused === undefined ? null : (
        <ErrorState error={new Error(refused.message)} title="You can no longer follow this room" />
      )}
      {snapshot.history.status === "loading" ? (
        <Loading label="Loading messages…" />
      ) : snapshot.history.status === "error" ? (
        <ErrorState error={snapshot.history.error} title="Could not load the messages" onRetry={() => session.retryHistory()} />
      ) : (
        <MessageLog roomName={room.name} snapshot={snapshot} myUserId={myUserId} nameOf={nameOf}
          onLoadOlder={loadOlder} onRetry={(id) => session.retry(id)} onDiscard={(id) => session.discard(id)} />
      )}
      <MessageComposer roomName={room.name} disabled={refused !== undefined} onSend={(body) => session.send(body)} />
    </section>
  )
}
