/**
 * The banner on the teams list: the caller's pending invitations, answerable in place. Nothing
 * while there are none (or while they load); the outcome of an answer stays visible after the
 * last invitation is gone.
 */
import { Link } from "react-router"
import { ErrorState } from "../../ui/ErrorState"
import { PendingInvitationList } from "./PendingInvitations"
import { usePendingInvitations } from "./TeamQueries"

export const InvitationsBanner = () => {
  const invitations = usePendingInvitations()
  if (invitations.isError) {
    return <ErrorState error={invitations.error} title="Could not load your invitations" onRetry={() => void invitations.refetch()} />
  }
  const pending = invitations.data ?? []
  return (
    <div className="invitations-banner">
      {pending.length === 0 ? null : (
        <section aria-labelledby="invitations-banner-title" className="banner">
          <h2 id="invitations-banner-title">
            {pending.length === 1 ? "You have a pending invitation" : `You have ${pending.length} pending invitations`}
          </h2>
          <p><Link to="/teams/invitations">All invitations</Link></p>
        </section>
      )}
      <PendingInvitationList invitations={pending} />
    </div>
  )
}
