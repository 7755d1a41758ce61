/**
 * The caller's pending invitations with Accept / Decline (POST /api/invitations/{id}/accept |
 * decline). Shown as a banner on the teams list when there are any, and as its own page
 * (/teams/invitations) with an empty state. Accepting joins the team; the lists refresh and a
 * link leads to the new team.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { Link } from "react-router"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { problemMessage } from "../../ui/FormProblem"
import { roleLabel } from "./TeamPermissions"
import { teamKeys, type PendingInvitation } from "./TeamQueries"

interface Answered {
  readonly teamId: string
  readonly teamName: string
  readonly accepted: boolean
}

export const PendingInvitationList = ({ invitations }: { readonly invitations: ReadonlyArray<PendingInvitation> }) => {
  const [answered, setAnswered] = useState<Answered | undefined>(undefined)
  return (
    <>
      {answered === undefined ? null : (
        <p role="status" className="notice">
          {answered.accepted
            ? <>You joined <Link to={`/teams/${encodeURIComponent(answered.teamId)}`}>{answered.teamName}</Link>.</>
            : <>You declined the invitation to {answered.teamName}.</>}
        </p>
      )}
      {invitations.length === 0 ? null : (
        <ul className="invitation-list">
          {invitations.map((invitation) => (
            <InvitationItem key={invitation.invitationId} invitation={invitation} onAnswered={setAnswered} />
          ))}
        </ul>
      )}
    </>
  )
}

const InvitationItem = ({ invitation, onAnswered }: {
  readonly invitation: PendingInvitation
  readonly onAnswered: (answer: Answered) => void
}) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const answer = useMutation({
    mutationFn: (accept: boolean) =>
      accept
        ? api.call("teams.accept", { params: { invitationId: invitation.invitationId } }).then(() => true)
        : api.call("teams.decline", { params: { invitationId: invitation.invitationId } }).then(() => false),
    onSuccess: (accepted) => {
      onAnswered({ teamId: invitation.teamId, teamName: invitation.teamName, accepted })
      void queryClient.invalidateQueries({ queryKey: teamKeys.all })
    }
  })
  const textId = `invitation-${invitation.invitationId}`
  return (
    <li className="invitation">
      <p id={textId}>
        <strong>{invitation.teamName}</strong> invites you as {roleLabel[invitation.role].toLowerCase()}
        <span className="muted"> · expires {new Date(invitation.expiresAt).toLocaleDateString()}</span>
      </p>
      {answer.isError ? <p role="alert" className="field-error">{problemMessage(answer.error)}</p> : null}
      <div className="button-row">
        <Button busy={answer.isPending && answer.variables} busyLabel="Accepting…" disabled={answer.isPending}
          aria-label={`Accept the invitation to ${invitation.teamName}`} onClick={() => answer.mutate(true)}>
          Accept
        </Button>
        <Button variant="secondary" busy={answer.isPending && !answer.variables} busyLabel="Declining…" disabled={answer.isPending}
          aria-label={`Decline the invitation to ${invitation.teamName}`} onClick={() => answer.mutate(false)}>
          Decline
        </Button>
      </div>
    </li>
  )
}
