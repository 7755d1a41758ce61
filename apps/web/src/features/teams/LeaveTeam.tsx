/**
 * Leaving a team (DELETE /api/teams/{teamId}/members/{me}). The owner cannot leave — a team always
 * has exactly one owner — so the owner sees why and what to do instead, not a button.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useRef, useState } from "react"
import { useNavigate } from "react-router"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { ConfirmPanel } from "./ConfirmPanel"
import { canLeave, type TeamRole } from "./TeamPermissions"
import { teamKeys } from "./TeamQueries"

export interface LeaveTeamProps {
  readonly teamId: string
  readonly teamName: string
  readonly myUserId: string
  readonly myRole: TeamRole
  readonly memberCount: number
}

export const LeaveTeam = ({ teamId, teamName, myUserId, myRole, memberCount }: LeaveTeamProps) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const [confirming, setConfirming] = useState(false)
  /** Holds the action's button, to give it the focus back when the confirmation is cancelled. */
  const trigger = useRef<HTMLDivElement>(null)
  const leave = useMutation({
    mutationFn: () => api.call("teams.removeMember", { params: { teamId, userId: myUserId } }),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: teamKeys.detail(teamId) })
      void queryClient.invalidateQueries({ queryKey: teamKeys.all })
      void navigate("/teams", { state: { left: teamName } })
    }
  })
  return (
    <section aria-labelledby="leave-title">
      <h2 id="leave-title">Leave the team</h2>
      {!canLeave(myRole) ? (
        <p className="notice" id="owner-cannot-leave">
          You own this team, so you cannot leave it: a team always has an owner.{" "}
          {memberCount > 1
            ? "Transfer ownership to another member first (you become an admin), then leave."
            : "Invite someone and transfer ownership to them first, or delete the team."}
        </p>
      ) : confirming ? (
        <ConfirmPanel title={`Leave ${teamName}?`} confirmLabel="Leave team" busyLabel="Leaving…" busy={leave.isPending}
          error={leave.error} onConfirm={() => leave.mutate()} onCancel={() => {
            setConfirming(false)
            requestAnimationFrame(() => trigger.current?.querySelector("button")?.focus())
            leave.reset()
          }}>
          <p>You lose access to its chat rooms and devices until someone invites you again.</p>
        </ConfirmPanel>
      ) : (
        <div ref={trigger}><Button variant="danger" onClick={() => setConfirming(true)}>Leave team</Button></div>
      )}
    </section>
  )
}
