/** Renaming a team (PUT /api/teams/{teamId}), for the owner and admins. */
import { useQueryClient } from "@tanstack/react-query"
import { useState, type FormEvent } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Field } from "../../ui/Field"
import { FormErrors } from "../../ui/FormErrors"
import { useFormMutation } from "../../ui/useFormMutation"
import { validateTeamName } from "./TeamNameRule"
import { teamKeys } from "./TeamQueries"

export const RenameTeamForm = ({ teamId, currentName }: { readonly teamId: string; readonly currentName: string }) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const [name, setName] = useState(currentName)
  const [saved, setSaved] = useState(false)
  const form = useFormMutation({
    fields: ["name"],
    validate: (input: { readonly name: string }) => ({ name: validateTeamName(input.name) }),
    mutationFn: (input: { readonly name: string }) => {
      setSaved(false)
      return api.call("teams.rename", { params: { teamId }, body: { name: input.name.trim() } })
    },
    onSuccess: () => {
      setSaved(true)
      void queryClient.invalidateQueries({ queryKey: teamKeys.all })
    }
  })
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ name })
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="rename-title">
      <h2 id="rename-title">Rename the team</h2>
      <FormErrors problem={form.problem} />
      {saved ? <p role="status" className="notice">Team renamed.</p> : null}
      <Field label="New team name" name="name" required maxLength={100} value={name}
        onChange={(e) => setName(e.target.value)} error={form.fieldError("name")} />
      <Button type="submit" busy={form.busy} busyLabel="Saving…">Save name</Button>
    </form>
  )
}
