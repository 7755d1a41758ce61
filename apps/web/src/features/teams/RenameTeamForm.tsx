/** Renaming a team (PUT /api/teams/{teamId}), for the owner and admins. */
import { useQueryClient } from "@tanstack/react-query"
import { useApiClient } from "../../session/SessionContext"
import { MAX_DISPLAY_NAME_LENGTH } from "../../ui/DisplayNameRule"
import { NameForm } from "../../ui/NameForm"
import { teamKeys } from "./TeamQueries"

export const RenameTeamForm = ({ teamId, currentName }: { readonly teamId: string; readonly currentName: string }) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  return (
    <NameForm
      title="Rename the team"
      headingLevel={2}
      label="New team name"
      whenEmpty="Enter a team name"
      initialName={currentName}
      inputProps={{ maxLength: MAX_DISPLAY_NAME_LENGTH }}
      save={(name) => api.call("teams.rename", { params: { teamId }, body: { name } })}
      onSaved={() => void queryClient.invalidateQueries({ queryKey: teamKeys.all })}
      savedNotice="Team renamed."
      submitLabel="Save name"
      busyLabel="Saving…"
    />
  )
}
