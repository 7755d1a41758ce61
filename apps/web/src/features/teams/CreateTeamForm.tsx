/** Creating a team (POST /api/teams); the creator becomes its owner and lands on its page. */
import { useQueryClient } from "@tanstack/react-query"
import { useNavigate } from "react-router"
import { useApiClient } from "../../session/SessionContext"
import { MAX_DISPLAY_NAME_LENGTH } from "../../ui/DisplayNameRule"
import { NameForm } from "../../ui/NameForm"
import { teamKeys } from "./TeamQueries"

export const CreateTeamForm = () => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  return (
    <NameForm
      title="Create a team"
      headingLevel={2}
      label="Team name"
      whenEmpty="Enter a team name"
      inputProps={{ maxLength: MAX_DISPLAY_NAME_LENGTH }}
      save={(name) => api.call("teams.create", { body: { name } })}
      onSaved={(team) => {
        void queryClient.invalidateQueries({ queryKey: teamKeys.all })
        void navigate(`/teams/${encodeURIComponent(team.teamId)}`)
      }}
      submitLabel="Create team"
      busyLabel="Creating…"
    />
  )
}
