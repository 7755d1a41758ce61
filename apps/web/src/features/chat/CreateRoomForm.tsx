/** Creating a room in a team (POST /api/chat/rooms); any member may, and lands in the new room. */
import { useQueryClient } from "@tanstack/react-query"
import { useState, type FormEvent } from "react"
import { useNavigate } from "react-router"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Field } from "../../ui/Field"
import { FormErrors } from "../../ui/FormErrors"
import { useFormMutation } from "../../ui/useFormMutation"
import { chatKeys } from "./ChatQueries"

const MAX_ROOM_NAME_LENGTH = 100

export const CreateRoomForm = ({ teamId }: { readonly teamId: string }) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const [name, setName] = useState("")
  const form = useFormMutation({
    fields: ["name"],
    validate: (input: { readonly name: string }) => ({
      name: input.name.trim() === ""
        ? "Enter a room name"
        : input.name.trim().length > MAX_ROOM_NAME_LENGTH ? `Use at most ${MAX_ROOM_NAME_LENGTH} characters` : undefined
    }),
    mutationFn: (input: { readonly name: string }) => api.call("chat.createRoom", { body: { teamId, name: input.name.trim() } }),
    onSuccess: (room) => {
      setName("")
      void queryClient.invalidateQueries({ queryKey: chatKeys.rooms(teamId) })
      void navigate(`/chat/${encodeURIComponent(teamId)}/${encodeURIComponent(room.roomId)}`)
    }
  })
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ name })
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="create-room-title" className="create-room">
      <h3 id="create-room-title">New room</h3>
      <FormErrors problem={form.problem} />
      <Field label="Room name" name="name" required value={name}
        onChange={(e) => setName(e.target.value)} error={form.fieldError("name")} />
      <Button type="submit" busy={form.busy} busyLabel="Creating…">Create room</Button>
    </form>
  )
}
