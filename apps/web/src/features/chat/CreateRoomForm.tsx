/** Creating a room in a team (POST /api/chat/rooms); any member may, and lands in the new room. */
import { useQueryClient } from "@tanstack/react-query"
import { useNavigate } from "react-router"
import { useApiClient } from "../../session/SessionContext"
import { NameForm } from "../../ui/NameForm"
import { chatKeys } from "./ChatQueries"

export const CreateRoomForm = ({ teamId }: { readonly teamId: string }) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  return (
    <NameForm
      title="New room"
      headingLevel={3}
      label="Room name"
      whenEmpty="Enter a room name"
      className="create-room"
      save={(name) => api.call("chat.createRoom", { body: { teamId, name } })}
      clearOnSave
      onSaved={(room) => {
        void queryClient.invalidateQueries({ queryKey: chatKeys.rooms(teamId) })
        void navigate(`/chat/${encodeURIComponent(teamId)}/${encodeURIComponent(room.roomId)}`)
      }}
      submitLabel="Create room"
      busyLabel="Creating…"
    />
  )
}
