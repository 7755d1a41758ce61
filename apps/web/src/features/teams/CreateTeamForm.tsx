/** Creating a team (POST /api/teams); the creator becomes its owner and lands on its page. */
import { useQueryClient } from "@tanstack/react-query"
import { useState, type FormEvent } from "react"
import { useNavigate } from "react-router"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Field } from "../../ui/Field"
import { FormErrors } from "../../ui/FormErrors"
import { useFormMutation } from "../../ui/useFormMutation"
import { teamKeys } from "./TeamQueries"
import { validateTeamName } from "./TeamNameRule"

export const CreateTeamForm = () => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const [name, setName] = useState("")
  const form = useFormMutation({
    fields: ["name"],
    validate: (input: { readonly name: string }) => ({ name: validateTeamName(input.name) }),
    mutationFn: (input: { readonly name: string }) => api.call("teams.create", { body: { name: input.name.trim() } }),
    onSuccess: (team) => {
      void queryClient.invalidateQueries({ queryKey: teamKeys.all })
      void navigate(`/teams/${encodeURIComponent(team.teamId)}`)
    }
  })
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ name })
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="create-team-title">
      <h2 id="create-team-title">Create a team</h2>
      <FormErrors problem={form.problem} />
      <Field label="Team name" name="name" required maxLength={100} value={name}
        onChange={(e) => setName(e.target.value)} error={form.fieldError("name")} />
      <Button type="submit" busy={form.busy} busyLabel="Creating…">Create team</Button>
    </form>
  )
}
