/** Deleting a team (DELETE /api/teams/{teamId}), for the owner only, after confirmation. */
import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useRef, useState } from "react"
import { useNavigate } from "react-router"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { ConfirmPanel } from "./ConfirmPanel"
import { teamKeys } from "./TeamQueries"

export const DeleteTeam = ({ teamId, teamName }: { readonly teamId: string; readonly teamName: string }) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const [confirming, setConfirming] = useState(false)
  /** Holds the action's button, to give it the focus back when the confirmation is cancelled. */
  const trigger = useRef<HTMLDivElement>(null)
  const remove = useMutation({
    mutationFn: () => api.call("teams.delete", { params: { teamId } }),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: teamKeys.detail(teamId) })
      void queryClient.invalidateQueries({ queryKey: teamKeys.all })
      void navigate("/teams", { state: { deleted: teamName } })
    }
  })
  return (
    <section aria-labelledby="delete-title">
      <h2 id="delete-title">Delete the team</h2>
      {confirming ? (
        <ConfirmPanel title={`Delete ${teamName}?`} confirmLabel="Delete team" busyLabel="Deleting…" busy={remove.isPending}
          error={remove.error} onConfirm={() => remove.mutate()} onCancel={() => {
            setConfirming(false)
            requestAnimationFrame(() => trigger.current?.querySelector("button")?.focus())
            remove.reset()
          }}>
          <p>Every membership and pending invitation of the team is removed. This cannot be undone.</p>
        </ConfirmPanel>
      ) : (
        <div ref={trigger}><Button variant="danger" onClick={() => setConfirming(true)}>Delete team</Button></div>
      )}
    </section>
  )
}
